"""Simulators on free loopback ports, and a stdlib HTTP helper (tests do not import requests)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest

from integrations.facebook import simulator as facebook_simulator
from integrations.filing import simulator as filing_simulator
from integrations.mail import sink
from integrations.parking import simulator as parking_simulator
from integrations.registry import simulator as registry_simulator


@pytest.fixture
def registry_server():
    server, base_url = registry_simulator.start_in_thread()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def parking_server():
    server, base_url = parking_simulator.start_in_thread()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def filing_server():
    server, base_url = filing_simulator.start_in_thread()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def facebook_server():
    server, base_url = facebook_simulator.start_in_thread()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def mail_sink(tmp_path):
    """(directory, host, port) of a running SMTP sink writing into a fresh directory."""
    directory = tmp_path / "mail"
    controller, (host, port) = sink.start_in_thread(directory)
    yield directory, host, port
    controller.stop()


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def http(
    method: str,
    url: str,
    *,
    params: dict | None = None,
    form: dict | None = None,
    json_body: Any = None,
    headers: dict | None = None,
) -> Reply:
    """One HTTP exchange, redirects not followed, errors returned rather than raised."""
    if params:
        url = f"{url}?{urlencode(params)}"
    data = None
    send_headers = dict(headers or {})
    if form is not None:
        data = urlencode(form).encode()
        send_headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif json_body is not None:
        data = json.dumps(json_body).encode()
        send_headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, method=method, headers=send_headers)  # noqa: S310 - loopback
    try:
        with _opener.open(request, timeout=5) as response:
            return Reply(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as error:
        return Reply(error.code, dict(error.headers), error.read())


def set_faults(server, **faults) -> None:
    """POST /_sim/faults of a contract simulator (registry, parking, filing)."""
    assert http("POST", f"{server.base_url}/_sim/faults", json_body=faults).status == 200


def sim_stats(server) -> dict:
    return http("GET", f"{server.base_url}/_sim/stats").json()
