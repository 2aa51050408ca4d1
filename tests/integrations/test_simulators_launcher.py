"""`python -m integrations.simulators`: every simulator of the dev stack in one process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from backend.stackkit import free_port
from tests.integrations.conftest import http

BASE_DIR = Path(__file__).resolve().parents[2]


def test_launcher_starts_parking_and_filing_with_their_tokens_and_stops_cleanly(tmp_path):
    # given free ports for every simulator and non-default tokens
    ports: dict[str, int] = {}
    for name in ("REGISTRY", "FACEBOOK", "PARKING", "FILING", "MAIL", "TSA"):
        while (port := free_port()) in ports.values():
            pass
        ports[name] = port
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "SIMULATORS_HOST": "127.0.0.1",
        "REGISTRY_SIM_PORT": str(ports["REGISTRY"]),
        "FACEBOOK_SIM_PORT": str(ports["FACEBOOK"]),
        "PARKING_SIM_PORT": str(ports["PARKING"]),
        "FILING_SIM_PORT": str(ports["FILING"]),
        "MAIL_SINK_PORT": str(ports["MAIL"]),
        "TSA_SIM_PORT": str(ports["TSA"]),
        "TSA_SIM_PUBLIC_URL": f"http://127.0.0.1:{ports['TSA']}",
        "MAIL_SINK_DIR": str(tmp_path / "mail"),
        "PARKING_TOKEN": "launcher-parking-token",
        "FILING_TOKEN": "launcher-filing-token",
    }
    log = tmp_path / "simulators.log"

    # when the launcher runs
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "integrations.simulators"],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while "mail sink:" not in log.read_text() and time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()
            time.sleep(0.1)
        parking_url = f"http://127.0.0.1:{ports['PARKING']}"
        filing_url = f"http://127.0.0.1:{ports['FILING']}"

        # then one line each names where parking and filing listen
        lines = log.read_text().splitlines()
        assert f"parking simulator: {parking_url}" in lines
        assert f"filing simulator: {filing_url}" in lines
        # and each answers with the token from the environment, and only with it
        permits = f"{parking_url}/v1/permits"
        assert http("GET", permits, params={"plate": "ABC-123"}).status == 401
        assert http(
            "GET", permits, params={"plate": "ABC-123"}, headers={"Authorization": "Bearer launcher-parking-token"}
        ).json() == {"permits": []}
        filing = f"{filing_url}/v1/filings/XII%2F1%2F2026"
        assert http("GET", filing, headers={"Authorization": "Bearer launcher-filing-token"}).status == 404
        assert http("GET", f"{filing_url}/_sim/stats").json()["arrivals"] == 0
    finally:
        # and it stops on SIGTERM
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    assert "simulators stopped" in log.read_text()
