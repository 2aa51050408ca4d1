"""`make run`: the whole portal on one machine, for development and demos.

Starts (or reuses) the embedded PostgreSQL when DATABASE_URL is unset, migrates, loads the
demo data once, then runs the outside-system simulators (registry, Facebook, parking, filing,
TSA, card gateway, SMTP sink), the web server (gunicorn; its in-process dramatiq worker when no
broker URL is set) and, with Redis or RabbitMQ configured, a separate dramatiq worker and the
scheduler. Ctrl-C stops every process it started, and the embedded PostgreSQL if it started it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("DATA_DIR", BASE_DIR / ".data"))
PYTHON = sys.executable
HOST = os.environ.get("RUN_HOST", "127.0.0.1")
PORT = int(os.environ.get("RUN_PORT", "8000"))


def dev_environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DEBUG", "1")
    env.setdefault("SECURE_COOKIES", "0")
    env.setdefault("PUBLIC_URL", f"http://{HOST}:{PORT}")
    env.setdefault("REGISTRY_URL", "http://127.0.0.1:8101")
    env.setdefault("PARKING_URL", "http://127.0.0.1:8103")
    env.setdefault("FILING_URL", "http://127.0.0.1:8104")
    env.setdefault("DEV_PKI_URL", "http://127.0.0.1:8105")
    env.setdefault("CARD_GATEWAY_URL", "http://127.0.0.1:8106")
    env.setdefault("FACEBOOK_AUTHORIZE_URL", "http://127.0.0.1:8102/v19.0/dialog/oauth")
    env.setdefault("FACEBOOK_GRAPH_API_URL", "http://127.0.0.1:8102/v19.0")
    env.setdefault("EMAIL_HOST", "127.0.0.1")
    env.setdefault("EMAIL_PORT", "8025")
    env.setdefault("MAIL_SINK_DIR", str(DATA_DIR / "mail"))
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def web_command(host: str, port: int) -> list[str]:
    """The development web server: one gunicorn process with threads (and, with no broker,
    the in-process dramatiq worker inside it)."""
    return [
        PYTHON, "-m", "gunicorn", "backend.wsgi:application",
        "--bind", f"{host}:{port}", "--workers", "1", "--threads", "8", "--worker-class", "gthread",
        "--timeout", "60", "--graceful-timeout", "5",
        "--access-logfile", "-", "--access-logformat", '%(h)s "%(r)s" %(s)s %(M)sms',
    ]  # fmt: skip


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)  # noqa: S603 - our own manage.py


def wait_http(url: str, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback URL we built
                return True
        except OSError:
            time.sleep(0.3)
    return False


def banner(env: dict[str, str]) -> str:
    from backend.demo_accounts import DEMO_PASSWORD, DEMO_TOTP_SECRET, RESIDENTS, STAFF

    base = env["PUBLIC_URL"]
    lines = [
        "",
        "Hegyvidék e-Portál is running",
        f"  Resident app (SPA)   {base}/",
        f"  Staff area           {base}/admin/   (password + TOTP code: `make totp`)",
        f"  Dev mailbox          {base}/dev/mail/",
        f"  API schema           {base}/api/schema/",
        "  Simulators           registry :8101 · Facebook :8102 · parking :8103 · filing :8104 · TSA :8105 · card gateway :8106 · NAV :8107 · SMTP :8025",
        "",
        f"  Demo password for every account: {DEMO_PASSWORD}",
        f"  Staff TOTP secret (any authenticator app): {DEMO_TOTP_SECRET}",
        "  Staff: " + ", ".join(f"{email} ({role or 'superuser'})" for email, _f, _g, role in STAFF),
        "  Residents: " + ", ".join(r["email"] for r in RESIDENTS),
        "",
        "Ctrl-C stops everything.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    env = dev_environment()
    started_pg = False
    if not env.get("DATABASE_URL"):
        from backend.embedded_pg import embedded_database_url, embedded_is_running

        # stop it on exit only if this run started it (tests may share a running one)
        started_pg = not embedded_is_running(DATA_DIR)
        env["DATABASE_URL"] = embedded_database_url(DATA_DIR)
    os.environ.update(env)
    (DATA_DIR / "mail").mkdir(parents=True, exist_ok=True)

    processes: list[subprocess.Popen] = []

    def spawn(name: str, args: list[str]) -> subprocess.Popen:
        process = subprocess.Popen(args, cwd=BASE_DIR, env=env)  # noqa: S603 - our own commands
        process.name = name  # type: ignore[attr-defined]
        processes.append(process)
        return process

    stopping = False

    def stop(*_args) -> None:
        nonlocal stopping
        if stopping:
            return
        stopping = True
        print("\nStopping…", flush=True)
        for process in reversed(processes):
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        if started_pg:
            from backend.embedded_pg import stop_embedded

            stop_embedded(DATA_DIR)
        print("Stopped.", flush=True)

    def on_signal(*_args) -> None:
        stop()
        sys.exit(0)

    # set both explicitly: a shell that starts us in the background ignores SIGINT otherwise
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "createcachetable")
        manage(env, "roles_sync")
        manage(env, "demo_data")
        spawn("simulators", [PYTHON, "-m", "integrations.simulators"])
        broker = env.get("REDIS_URL") or env.get("AMQP_URL")
        spawn(
            "web",
            web_command(HOST, PORT),
        )
        if broker:
            spawn("worker", [PYTHON, "manage.py", "rundramatiq", "--processes", "1", "--threads", "4"])
            spawn("scheduler", [PYTHON, "manage.py", "scheduler"])
        if wait_http(f"http://{HOST}:{PORT}/healthz"):
            manage(env, "demo_cases")
            print(banner(env), flush=True)
        else:
            print("The web server did not answer on /healthz within 30 s; see the log above.", flush=True)
        while not stopping:
            for process in processes:
                if process.poll() is not None:
                    print(f"{process.name} exited with {process.returncode}; stopping.", flush=True)  # type: ignore[attr-defined]
                    stop()
                    return 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
