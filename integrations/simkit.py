"""Small stdlib helpers shared by the simulators (no Django, no requests: simulators stand alone)."""

from __future__ import annotations

import hashlib
import json
import os
import random
import sys
import threading
import time
from collections.abc import Callable, Container
from dataclasses import asdict, dataclass
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo


class SimServer(ThreadingHTTPServer):
    daemon_threads = True  # a request stuck in a simulated timeout must not block shutdown
    allow_reuse_address = True

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (a simulated timeout outlasting its read timeout) closed the
        # socket before the answer: expected here, not worth a traceback.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class SimHandler(BaseHTTPRequestHandler):
    server_version = "HegyvidekSimulator/1.0"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        if getattr(self.server, "verbose", False):
            super().log_message(format, *args)

    @property
    def path_only(self) -> str:
        return urlsplit(self.path).path

    @property
    def query(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(urlsplit(self.path).query, keep_blank_values=True).items()}

    def read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def read_form(self) -> dict[str, str]:
        body = self.read_body().decode("utf-8", "replace")
        return {k: v[-1] for k, v in parse_qs(body, keep_blank_values=True).items()}

    def send_json(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        self.send_bytes(status, body, "application/json; charset=utf-8", headers)

    def send_html(self, status: int, html: str, headers: dict[str, str] | None = None) -> None:
        self.send_bytes(status, html.encode("utf-8"), "text/html; charset=utf-8", headers)

    def send_redirect(self, location: str) -> None:
        self.send_bytes(302, b"", "text/plain", {"Location": location})

    def send_bytes(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def serve_in_thread(server: SimServer) -> tuple[SimServer, str]:
    thread = threading.Thread(target=server.serve_forever, name=f"sim-{server.base_url}", daemon=True)
    thread.start()
    return server, server.base_url


def stop(server: SimServer) -> None:
    server.shutdown()
    server.server_close()


# --- contract simulators: faults, stats, bearer token, idempotency replay -------------------------
@dataclass
class Faults:
    """Fault injection of a contract simulator (`POST /_sim/faults`).

    error = 503 {"error": "unavailable"}; timeout = sleep `timeout_sleep_ms` (longer than the
    client's timeout) before answering; `error_next` fails exactly the next N calls.
    """

    latency_ms: int = 0
    error_rate: float = 0.0
    timeout_rate: float = 0.0
    timeout_sleep_ms: int = 10_000
    error_next: int = 0
    retry_after_s: int | None = None

    def update(self, data: dict[str, Any]) -> None:
        for name, kind in (
            ("latency_ms", int),
            ("error_rate", float),
            ("timeout_rate", float),
            ("timeout_sleep_ms", int),
            ("error_next", int),
        ):
            if name in data:
                value = kind(data[name])
                if value < 0 or (name.endswith("_rate") and value > 1):
                    raise ValueError(f"{name} out of range")
                setattr(self, name, value)
        if "retry_after_s" in data:
            self.retry_after_s = None if data["retry_after_s"] is None else int(data["retry_after_s"])


def faults_from_env(prefix: str) -> Faults:
    """`<PREFIX>_SIM_LATENCY_MS`, `<PREFIX>_SIM_ERROR_RATE`, `<PREFIX>_SIM_TIMEOUT_RATE`."""
    return Faults(
        latency_ms=int(os.environ.get(f"{prefix}_SIM_LATENCY_MS", "0")),
        error_rate=float(os.environ.get(f"{prefix}_SIM_ERROR_RATE", "0")),
        timeout_rate=float(os.environ.get(f"{prefix}_SIM_TIMEOUT_RATE", "0")),
    )


class BadRequest(Exception):
    """Raised by an answer function: the request is malformed (400 bad_request)."""


#: What an answer function returns: (status, body).
Answer = tuple[int, dict[str, Any]]


class ContractState:
    """What every contract simulator keeps: its token, faults, call stats and idempotency replays.

    A simulator subclasses it, keeps its own data in `reset_data()` (called under the lock by
    `reset()`) and adds to `stats()` with `extra_stats()`.
    """

    def __init__(self, *, token: str, faults: Faults | None = None, seed: int = 1) -> None:
        self.token = token
        self.initial_faults = faults or Faults()
        self.lock = threading.RLock()
        self.rng = random.Random(seed)  # noqa: S311 - fault injection, not security
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.faults = Faults(**asdict(self.initial_faults))
            self.calls: dict[str, int] = {}
            self.idempotency_keys: dict[str, int] = {}
            self.request_ids: list[str] = []
            self.replays: dict[str, tuple[str, int, dict[str, Any]]] = {}
            self.reset_data()

    def reset_data(self) -> None:
        """Subclasses: (re)create the simulated system's data."""

    def record(self, endpoint: str, idempotency_key: str, request_id: str) -> None:
        with self.lock:
            self.calls[endpoint] = self.calls.get(endpoint, 0) + 1
            if idempotency_key:
                self.idempotency_keys[idempotency_key] = self.idempotency_keys.get(idempotency_key, 0) + 1
            if request_id:
                self.request_ids.append(request_id)

    def draw_fault(self) -> str:
        """Which fault this call gets: "" (none), "error" or "timeout"."""
        with self.lock:
            if self.faults.error_next > 0:
                self.faults.error_next -= 1
                return "error"
            roll = self.rng.random()
            if roll < self.faults.timeout_rate:
                return "timeout"
            if roll < self.faults.timeout_rate + self.faults.error_rate:
                return "error"
            return ""

    def extra_stats(self) -> dict[str, Any]:
        """Subclasses: counters of the simulated system's own data."""
        return {}

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {
                "calls": dict(self.calls),
                "idempotency_keys": dict(self.idempotency_keys),
                "request_ids": list(self.request_ids),
                "faults": asdict(self.faults),
                **self.extra_stats(),
            }


class ContractHandler(SimHandler):
    """Request handler of a contract simulator: `/_sim/*` control endpoints, and `serve()`,
    the one pipeline every contract call goes through (stats, faults, auth, idempotency)."""

    @property
    def state(self) -> ContractState:
        return self.server.state  # type: ignore[attr-defined]

    def handle_control(self, method: str, raw: bytes = b"") -> bool:
        """Answer `/_sim/faults`, `/_sim/stats`, `/_sim/reset`; False for any other path."""
        path = self.path_only
        if method == "GET" and path == "/_sim/stats":
            self.send_json(200, self.state.stats())
        elif method == "POST" and path == "/_sim/faults":
            try:
                with self.state.lock:
                    self.state.faults.update(json.loads(raw or b"{}"))
            except (ValueError, TypeError) as exc:
                self.send_json(400, {"error": "bad_request", "detail": str(exc)})
                return True
            self.send_json(200, self.state.stats()["faults"])
        elif method == "POST" and path == "/_sim/reset":
            self.state.reset()
            self.send_json(200, {"status": "reset"})
        else:
            return False
        return True

    def serve(
        self,
        endpoint: str,
        answer: Callable[[Any], Answer],
        raw: bytes = b"",
        *,
        idempotency: Literal["optional", "required", "none"] = "optional",
        replay_statuses: Container[int] = (200, 201, 404),
    ) -> None:
        """Record the call, apply the faults, check the token, replay a repeated idempotency key
        (same key + same body → the first answer; same key + another body → 422), else answer.

        `answer` gets the parsed JSON body (None for a bodiless request) and returns
        (status, body); it may raise `BadRequest`.
        """
        idempotency_key = self.headers.get("Idempotency-Key", "")
        request_id = self.headers.get("X-Request-Id", "")
        echo = {"X-Request-Id": request_id} if request_id else {}
        self.state.record(endpoint, idempotency_key, request_id)

        faults = self.state.faults
        if faults.latency_ms:
            time.sleep(faults.latency_ms / 1000)
        fault = self.state.draw_fault()
        if fault == "timeout":
            time.sleep(faults.timeout_sleep_ms / 1000)
        elif fault == "error":
            headers = dict(echo)
            if faults.retry_after_s is not None:
                headers["Retry-After"] = str(faults.retry_after_s)
            self.send_json(503, {"error": "unavailable"}, headers)
            return

        if self.headers.get("Authorization", "") != f"Bearer {self.state.token}":
            self.send_json(401, {"error": "unauthorized"}, echo)
            return
        if idempotency == "required" and not idempotency_key:
            self.send_json(400, {"error": "idempotency_key_required"}, echo)
            return

        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            self.send_json(400, {"error": "bad_request", "detail": "body is not JSON"}, echo)
            return
        # The key covers the endpoint and the body's content (not its bytes' key order).
        fingerprint = hashlib.sha256(
            f"{endpoint}\n{json.dumps(data, sort_keys=True, ensure_ascii=False)}".encode()
        ).hexdigest()
        use_key = idempotency != "none" and bool(idempotency_key)
        headers = dict(echo)
        # One answer at a time per simulator, the replay check included: numbering, "already
        # exists" checks and exactly-once creation stay right under concurrent retries, as a
        # real system's transaction would keep them.
        with self.state.lock:
            replay = self.state.replays.get(idempotency_key) if use_key else None
            if replay is not None and replay[0] != fingerprint:
                status, body = 422, {"error": "idempotency_key_reused"}
            elif replay is not None:
                status, body = replay[1], replay[2]
                headers["Idempotent-Replayed"] = "true"
            else:
                try:
                    status, body = answer(data)
                except BadRequest as exc:
                    status, body = 400, {"error": "bad_request", "detail": str(exc)}
                if use_key and status in replay_statuses:
                    self.state.replays[idempotency_key] = (fingerprint, status, body)
        self.send_json(status, body, headers)


def require_object(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise BadRequest("body must be an object")
    return data


def require_str(data: dict[str, Any], name: str, *, allow_empty: bool = False, max_length: int = 200) -> str:
    value = data.get(name)
    if not isinstance(value, str) or (not allow_empty and not value.strip()) or len(value) > max_length:
        raise BadRequest(f"{name} must be a string of at most {max_length} characters")
    return value


def require_date(data: dict[str, Any], name: str) -> date:
    value = data.get(name)
    try:
        return date.fromisoformat(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise BadRequest(f"{name} must be an ISO 8601 date (YYYY-MM-DD)") from None


def require_datetime(data: dict[str, Any], name: str) -> datetime:
    value = data.get(name)
    try:
        parsed = datetime.fromisoformat(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise BadRequest(f"{name} must be an ISO 8601 date and time with its offset") from None
    if parsed.tzinfo is None:
        raise BadRequest(f"{name} must carry its UTC offset")
    return parsed


def serial_start_from_clock() -> int:
    """Minutes since New Year (Budapest) plus 1000: where a dev simulator starts numbering, so that
    a restarted one does not hand out a number it handed out before (unless it handed out more
    than one a minute). Tests use fixed starts instead."""
    now = datetime.now(ZoneInfo("Europe/Budapest"))
    new_year = now.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    return 1000 + int((now - new_year).total_seconds() // 60)


def standalone_main(
    argv: list[str] | None,
    *,
    name: str,
    description: str,
    env_prefix: str,
    default_port: int,
    default_token: str,
    make_server: Callable[..., SimServer],
    **make_kwargs: Any,
) -> None:
    """`python -m integrations.<system>.simulator`: one simulator in the foreground, with its
    host, port, token and faults from the command line or `<PREFIX>_SIM_*` / `<PREFIX>_TOKEN`."""
    import argparse
    import signal

    env_faults = faults_from_env(env_prefix)
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--host", default=os.environ.get(f"{env_prefix}_SIM_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get(f"{env_prefix}_SIM_PORT", str(default_port))))
    parser.add_argument("--token", default=os.environ.get(f"{env_prefix}_TOKEN", default_token))
    parser.add_argument("--latency-ms", type=int, default=env_faults.latency_ms)
    parser.add_argument("--error-rate", type=float, default=env_faults.error_rate)
    parser.add_argument("--timeout-rate", type=float, default=env_faults.timeout_rate)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    faults = Faults(latency_ms=args.latency_ms, error_rate=args.error_rate, timeout_rate=args.timeout_rate)
    server = make_server(args.host, args.port, token=args.token, faults=faults, verbose=args.verbose, **make_kwargs)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print(f"{name} simulator: {server.base_url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
