"""The whole portal as separate processes on free loopback ports, with its own database.

Used by the browser tests (`e2e/`) and the benchmarks (`benchmarks/`): what `make run` starts
— migrate, roles, the simulators (`python -m integrations.simulators`), gunicorn — plus,
when a broker URL is given, `manage.py rundramatiq` worker processes, all isolated from a
running `make run` (own ports, database, mail directory, PKI directory, logs).

    stack = start_stack(tmp_dir, database="eportal_e2e")
    ...  # HTTP to stack.base_url
    stack.stop()

Subprocess output goes to files under `tmp_dir/logs`; `stack.log_tails()` shows their ends.
"""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from backend.devstack import web_command

BASE_DIR = Path(__file__).resolve().parent.parent

# variables of the calling process that must not leak into the stack (tests point these at their
# own in-process simulators; the stack gets its own values, like `make run`)
_NOT_INHERITED = (
    "FACEBOOK_SIM_PORT",
    "FACEBOOK_AUTHORIZE_URL",
    "FACEBOOK_GRAPH_API_URL",
    "DRAMATIQ_INPROCESS_WORKER",
    "REDIS_URL",
    "AMQP_URL",
    "DJANGO_SETTINGS_MODULE",
)


class StackError(RuntimeError):
    """A process of the stack did not start or died; the message carries the log tails."""


def _ephemeral_ports() -> range:
    """The range the kernel picks outgoing connections' local ports from (Linux default otherwise)."""
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return range(int(low), int(high) + 1)
    except (OSError, ValueError):
        return range(32768, 61000)


def free_port() -> int:
    """A free port for a server started a little later, below the ephemeral range.

    A port the kernel hands out for `bind(0)` comes from the ephemeral range, where outgoing
    connections (to PostgreSQL while migrating, say) take their local ports too; one of them
    may take it before the server binds it. Ports below that range are only taken by servers."""
    ephemeral = _ephemeral_ports()
    low = 20000 if ephemeral.start > 21000 else 1024
    for port in random.sample(range(low, max(low + 1, ephemeral.start)), 50):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as sock:  # everything below the range is taken: let the kernel choose
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tail(path: Path, lines: int = 60) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


@dataclass
class Stack:
    base_url: str
    facebook_url: str
    registry_url: str
    mail_dir: Path
    database_url: str
    log_dir: Path
    env: dict[str, str]
    parking_url: str = ""
    filing_url: str = ""
    tsa_url: str = ""
    card_url: str = ""
    nav_url: str = ""
    processes: list[subprocess.Popen] = field(default_factory=list)
    logs: dict[str, Path] = field(default_factory=dict)

    def log_tails(self, lines: int = 60) -> str:
        parts = []
        for name, path in self.logs.items():
            parts.append(f"----- {name} ({path}), last {lines} lines -----\n{tail(path, lines)}")
        return "\n".join(parts)

    def spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        path = self.log_dir / f"{name}.log"
        handle = path.open("ab")
        process = subprocess.Popen(  # noqa: S603 - our own commands
            args, cwd=BASE_DIR, env=self.env, stdout=handle, stderr=subprocess.STDOUT
        )
        handle.close()
        process.stack_name = name  # type: ignore[attr-defined]
        self.processes.append(process)
        self.logs[name] = path
        return process

    def manage(self, *args: str) -> None:
        name = f"manage-{args[0]}"
        path = self.log_dir / f"{name}.log"
        self.logs[name] = path
        with path.open("ab") as handle:
            result = subprocess.run(  # noqa: S603 - our own manage.py
                [sys.executable, "manage.py", *args],
                cwd=BASE_DIR,
                env=self.env,
                stdout=handle,
                stderr=subprocess.STDOUT,
                timeout=300,
            )
        if result.returncode != 0:
            raise StackError(f"manage.py {' '.join(args)} failed ({result.returncode})\n{tail(path)}")

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)

    def check_alive(self) -> None:
        for process in self.processes:
            if process.poll() is not None:
                name = process.stack_name  # type: ignore[attr-defined]
                raise StackError(f"{name} exited with {process.returncode}\n{self.log_tails()}")

    def wait_http(self, url: str, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback URL we built
                    return
            except OSError:
                time.sleep(0.25)
        raise StackError(f"{url} did not answer within {seconds} s\n{self.log_tails()}")

    def wait_port(self, port: int, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise StackError(f"port {port} did not open within {seconds} s\n{self.log_tails()}")


def fresh_database_url(name: str) -> str:
    """Database `name` on the configured server (DATABASE_URL) or the embedded one, dropped and
    recreated empty; returned as a URL the stack's processes understand."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    configured = os.environ.get("DATABASE_URL")
    if configured:
        params = conninfo_to_dict(configured)
    else:
        from backend.embedded_pg import embedded_database_url

        data_dir = Path(os.environ.get("DATA_DIR", BASE_DIR / ".data"))
        params = conninfo_to_dict(embedded_database_url(data_dir, database=name))
    params["dbname"] = name
    maintenance = make_conninfo(**{**params, "dbname": "postgres"})
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return conninfo_to_url(params, name)


def conninfo_to_url(params: dict, dbname: str) -> str:
    """A postgresql:// URL dj-database-url understands (socket hosts go to the query string)."""
    user = quote(str(params.get("user", "")), safe="")
    password = quote(str(params.get("password", "")), safe="")
    host = str(params.get("host", ""))
    port = str(params.get("port", ""))
    auth = f"{user}:{password}@" if user else ""
    if host.startswith("/"):
        return f"postgresql://{auth}/{dbname}?host={host}" + (f"&port={port}" if port else "")
    netloc = host + (f":{port}" if port else "")
    return f"postgresql://{auth}{netloc}/{dbname}"


def start_stack(
    tmp: Path,
    *,
    database: str,
    demo_data: bool = True,
    broker_url: str = "",
    worker_processes: int = 0,
    worker_threads: int = 4,
    extra_env: dict[str, str] | None = None,
) -> Stack:
    """Start the stack; on failure everything started is stopped and StackError raised.

    With `broker_url` (redis:// or amqp://) the web process sends jobs to that broker and
    `worker_processes` rundramatiq processes run them; without it the web process runs its
    in-process worker, as `make run` does."""
    log_dir = tmp / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    mail_dir = tmp / "mail"
    mail_dir.mkdir(parents=True, exist_ok=True)
    ports: dict[str, int] = {}
    for name in ("web", "registry", "facebook", "mail", "parking", "filing", "tsa", "card", "nav"):
        while (port := free_port()) in ports.values():
            pass
        ports[name] = port
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    database_url = fresh_database_url(database)

    env = {name: value for name, value in os.environ.items() if name not in _NOT_INHERITED}
    env.update(
        {
            "DEBUG": "1",
            "SECURE_COOKIES": "0",
            "PYTHONUNBUFFERED": "1",
            "DATABASE_URL": database_url,
            "PUBLIC_URL": urls["web"],
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CSRF_TRUSTED_ORIGINS": urls["web"],
            "SIMULATORS_HOST": "127.0.0.1",
            "REGISTRY_SIM_PORT": str(ports["registry"]),
            "REGISTRY_URL": urls["registry"],
            "PARKING_SIM_PORT": str(ports["parking"]),
            "PARKING_URL": urls["parking"],
            "FILING_SIM_PORT": str(ports["filing"]),
            "FILING_URL": urls["filing"],
            "CARD_SIM_PORT": str(ports["card"]),
            "CARD_GATEWAY_URL": urls["card"],
            "NAV_SIM_PORT": str(ports["nav"]),
            "NAV_URL": f"{urls['nav']}/invoiceService/v3",
            # the dev PKI's certificates name the TSA/OCSP/CRL simulator's address
            "TSA_SIM_PORT": str(ports["tsa"]),
            "TSA_SIM_PUBLIC_URL": urls["tsa"],
            "DEV_PKI_URL": urls["tsa"],
            "PKI_DIR": str(tmp / "pki"),
            "FACEBOOK_SIM_PORT": str(ports["facebook"]),
            "FACEBOOK_AUTHORIZE_URL": f"{urls['facebook']}/v19.0/dialog/oauth",
            "FACEBOOK_GRAPH_API_URL": f"{urls['facebook']}/v19.0",
            "MAIL_SINK_PORT": str(ports["mail"]),
            "MAIL_SINK_DIR": str(mail_dir),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(ports["mail"]),
            "MEDIA_ROOT": str(tmp / "media"),
            "LOG_LEVEL": os.environ.get("STACK_LOG_LEVEL", "WARNING"),  # INFO to see every job in the logs
        }
    )
    if broker_url:
        env["REDIS_URL" if broker_url.startswith(("redis://", "rediss://")) else "AMQP_URL"] = broker_url
    env.update(extra_env or {})
    stack = Stack(
        base_url=urls["web"],
        facebook_url=urls["facebook"],
        registry_url=urls["registry"],
        parking_url=urls["parking"],
        filing_url=urls["filing"],
        tsa_url=urls["tsa"],
        card_url=urls["card"],
        nav_url=f"{urls['nav']}/invoiceService/v3",
        mail_dir=mail_dir,
        database_url=database_url,
        log_dir=log_dir,
        env=env,
    )
    try:
        stack.manage("migrate", "--noinput", "-v", "0")
        stack.manage("createcachetable")
        stack.manage("roles_sync")
        if demo_data:
            stack.manage("demo_data")
        stack.spawn("simulators", [sys.executable, "-m", "integrations.simulators"])
        stack.spawn("web", web_command("127.0.0.1", ports["web"]))
        if broker_url and worker_processes:
            stack.spawn(
                "worker",
                [
                    sys.executable, "manage.py", "rundramatiq",
                    "--processes", str(worker_processes), "--threads", str(worker_threads),
                ],
            )  # fmt: skip
        for name in ("registry", "facebook", "mail", "parking", "filing", "tsa", "card", "nav"):
            stack.wait_port(ports[name], 30)
        stack.wait_http(f"{urls['web']}/healthz", 60)
    except BaseException:
        stack.stop()
        raise
    return stack
