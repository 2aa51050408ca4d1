"""Simulator of the trust services: RFC 3161 timestamps, OCSP, CRLs and CA certificates of the dev PKI.

It is certomancer's Animator (a WSGI app) serving the dev PKI of `pki.py`, behind a small
fault-injection layer, on a werkzeug threaded server. Run it alone:

    python -m integrations.tsa.simulator --port 8105 [--tsa-down] [--revocation-down] [--latency-ms 0]

(env: TSA_SIM_HOST, TSA_SIM_PORT, TSA_SIM_PUBLIC_URL, PKI_DIR, TSA_SIM_DOWN, TSA_SIM_TSA_DOWN,
TSA_SIM_REVOCATION_DOWN, TSA_SIM_LATENCY_MS), or from a test:
`server, base_url = start_in_thread()`.

Endpoints (ARCH = hegyvidek-dev; the certificates' AIA/CRL URLs point here):
    POST /hegyvidek-dev/tsa/tsa                    RFC 3161 (application/timestamp-query)
    POST /hegyvidek-dev/ocsp/interm                OCSP for certificates issued by the intermediate CA
    GET  /hegyvidek-dev/crls/{root,interm}/latest.crl
    GET  /hegyvidek-dev/certs/{root,interm}/ca.crt  CA certificates (AIA caIssuers)

Control endpoints (no auth; loopback only):
    POST /_sim/faults  {"down": false, "tsa_down": false, "revocation_down": false, "latency_ms": 0}
        `down` answers 503 to everything but /_sim; `tsa_down` only to the timestamp endpoint;
        `revocation_down` to OCSP, CRL and certificate downloads (signing then falls back to B-T).
    GET  /_sim/stats   {"calls": {"tsa": 2, "ocsp": 1, "crl": 1, "cert": 0}, "faults": {...}}
    POST /_sim/reset   clears faults and stats
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from certomancer import crypto_utils
from certomancer.integrations.animator import Animator, AnimatorArchStore
from certomancer.registry import ArchLabel
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from integrations.tsa.pki import ARCH, DEFAULT_PORT, ensure_dev_pki


class _KeyCachingBackend(crypto_utils.PycaCryptographyBackend):
    """certomancer's signing backend, parsing each private key once instead of on every signature.

    The stock backend re-parses (and, for RSA, re-checks) the issuer's key for every OCSP
    response, CRL and timestamp token: ~40 ms of CPU each, which is most of what the simulator
    costs a benchmark that shares its cores. Keys are immutable and safe across threads."""

    def __init__(self) -> None:
        self._keys: dict[bytes, Any] = {}
        self._lock = threading.Lock()

    def _pyca_key(self, private_key: Any) -> Any:
        der = private_key.dump()
        with self._lock:
            key = self._keys.get(der)
        if key is None:
            from cryptography.hazmat.primitives import serialization

            key = serialization.load_der_private_key(der, password=None)
            with self._lock:
                self._keys[der] = key
        return key

    def generic_sign(self, private_key: Any, tbs_bytes: bytes, sd_algo: Any) -> bytes:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

        key = self._pyca_key(private_key)
        algo = sd_algo.signature_algo
        if algo == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(tbs_bytes, padding.PKCS1v15(), getattr(hashes, sd_algo.hash_algo.upper())())
        if algo == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(tbs_bytes, ec.ECDSA(getattr(hashes, sd_algo.hash_algo.upper())()))
        return super().generic_sign(private_key, tbs_bytes, sd_algo)  # other algorithms: certomancer's own


crypto_utils.CRYPTO_BACKEND = _KeyCachingBackend()


@dataclass
class Faults:
    down: bool = False
    tsa_down: bool = False
    revocation_down: bool = False
    latency_ms: int = 0

    def update(self, data: dict[str, Any]) -> None:
        for name in ("down", "tsa_down", "revocation_down"):
            if name in data:
                setattr(self, name, bool(data[name]))
        if "latency_ms" in data:
            value = int(data["latency_ms"])
            if value < 0:
                raise ValueError("latency_ms out of range")
            self.latency_ms = value


def _kind(path: str) -> str | None:
    parts = path.strip("/").split("/")
    if len(parts) >= 2 and parts[0] == ARCH:
        return {"tsa": "tsa", "ocsp": "ocsp", "crls": "crl", "certs": "cert"}.get(parts[1])
    return None


class TsaSimulatorApp:
    """WSGI app: fault injection and counters around certomancer's Animator."""

    def __init__(self, animator: Animator, faults: Faults | None = None) -> None:
        self.animator = animator
        self.initial_faults = faults or Faults()
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.faults = Faults(**asdict(self.initial_faults))
            self.calls: dict[str, int] = {"tsa": 0, "ocsp": 0, "crl": 0, "cert": 0}

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path.startswith("/_sim/"):
            return self._control(method, path, environ, start_response)
        kind = _kind(path)
        with self.lock:
            if kind:
                self.calls[kind] += 1
            faults = Faults(**asdict(self.faults))
        if faults.latency_ms:
            time.sleep(faults.latency_ms / 1000)
        unavailable = faults.down or (
            kind == "tsa" and faults.tsa_down or kind in ("ocsp", "crl", "cert") and faults.revocation_down
        )
        if unavailable:
            return _json(start_response, "503 Service Unavailable", {"error": "unavailable"})
        return self.animator(environ, start_response)

    def _control(self, method: str, path: str, environ: dict[str, Any], start_response: Any) -> Any:
        if method == "POST" and path == "/_sim/faults":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            try:
                data = json.loads(environ["wsgi.input"].read(length) or b"{}")
                with self.lock:
                    self.faults.update(data)
            except (ValueError, TypeError) as exc:
                return _json(start_response, "400 Bad Request", {"error": str(exc)})
            return _json(start_response, "200 OK", {"faults": asdict(self.faults)})
        if method == "GET" and path == "/_sim/stats":
            with self.lock:
                return _json(start_response, "200 OK", {"calls": dict(self.calls), "faults": asdict(self.faults)})
        if method == "POST" and path == "/_sim/reset":
            self.reset()
            return _json(start_response, "200 OK", {"reset": True})
        return _json(start_response, "404 Not Found", {"error": "not found"})


def _json(start_response: Any, status: str, data: Any) -> list[bytes]:
    body = json.dumps(data).encode("utf-8")
    start_response(
        status,
        [("Content-Type", "application/json"), ("Content-Length", str(len(body))), ("Cache-Control", "no-store")],
    )
    return [body]


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if getattr(self.server, "verbose", False):
            super().log_request(code, size)


class TsaServer(BaseWSGIServer):
    """Typing aid: the werkzeug server with the attributes the simulator adds."""

    base_url: str
    sim: TsaSimulatorApp
    verbose: bool


def make_server_for(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    pki_dir: Path | str | None = None,
    public_url: str | None = None,
    faults: Faults | None = None,
    verbose: bool = False,
) -> TsaServer:
    """Bind first (port 0 picks a free one), then derive the PKI for the URL actually served."""
    server: Any = make_server(host, port, app=lambda environ, start_response: [], threaded=True)
    server.request_handler = _QuietHandler
    server.RequestHandlerClass = _QuietHandler
    bound_port = server.socket.getsockname()[1]
    url_host = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host  # noqa: S104 - loopback default
    base_url = (public_url or f"http://{url_host}:{bound_port}").rstrip("/")
    pki = ensure_dev_pki(pki_dir, base_url)
    animator = Animator(AnimatorArchStore({ArchLabel(ARCH): pki.architecture}), with_web_ui=False)
    server.sim = TsaSimulatorApp(animator, faults)
    server.app = server.sim
    server.base_url = base_url
    server.verbose = verbose
    return server


def start_in_thread(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    pki_dir: Path | str | None = None,
    public_url: str | None = None,
    faults: Faults | None = None,
) -> tuple[TsaServer, str]:
    """Start the simulator on a daemon thread; returns (server, base_url). Stop: `server.shutdown()`."""
    server = make_server_for(host, port, pki_dir=pki_dir, public_url=public_url, faults=faults)
    thread = threading.Thread(target=server.serve_forever, name=f"sim-{server.base_url}", daemon=True)
    thread.start()
    return server, server.base_url


def _flag(name: str) -> bool:
    return os.environ.get(name, "0").lower() in ("1", "true", "yes", "on")


def faults_from_env() -> Faults:
    return Faults(
        down=_flag("TSA_SIM_DOWN"),
        tsa_down=_flag("TSA_SIM_TSA_DOWN"),
        revocation_down=_flag("TSA_SIM_REVOCATION_DOWN"),
        latency_ms=int(os.environ.get("TSA_SIM_LATENCY_MS", "0")),
    )


def main(argv: list[str] | None = None) -> None:
    env_faults = faults_from_env()
    parser = argparse.ArgumentParser(description="TSA / OCSP / CRL simulator of the dev PKI")
    parser.add_argument("--host", default=os.environ.get("TSA_SIM_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("TSA_SIM_PORT", str(DEFAULT_PORT))))
    parser.add_argument("--public-url", default=os.environ.get("TSA_SIM_PUBLIC_URL"))
    parser.add_argument("--pki-dir", default=os.environ.get("PKI_DIR"))
    parser.add_argument("--tsa-down", action="store_true", default=env_faults.tsa_down)
    parser.add_argument("--revocation-down", action="store_true", default=env_faults.revocation_down)
    parser.add_argument("--latency-ms", type=int, default=env_faults.latency_ms)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    faults = Faults(
        down=env_faults.down, tsa_down=args.tsa_down, revocation_down=args.revocation_down, latency_ms=args.latency_ms
    )
    server = make_server_for(
        args.host, args.port, pki_dir=args.pki_dir, public_url=args.public_url, faults=faults, verbose=args.verbose
    )
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print(f"TSA simulator: {server.base_url}/{ARCH}/tsa/tsa", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
