"""Embedded PostgreSQL for development and tests (the `pgserver` package).

Used only when DATABASE_URL is unset. The server lives under `.data/pg`, survives between
runs (data is kept) and is shared by every process of the dev stack; `make run` stops it
when it exits.
"""

from __future__ import annotations

import os
from pathlib import Path

DB_NAME = "eportal"


def embedded_database_url(data_dir: Path, database: str = DB_NAME) -> str:
    import warnings

    # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); its fallback is fine
    warnings.filterwarnings("ignore", module="platformdirs")
    import pgserver  # imported lazily: production never loads it

    pgdata = data_dir / "pg"
    pgdata.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata, cleanup_mode=None)
    if not database.isidentifier():
        raise ValueError(f"unexpected database name {database!r}")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")  # noqa: S608 - checked name
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    return server.get_uri(database)


def embedded_is_running(data_dir: Path) -> bool:
    pid_file = data_dir / "pg" / "postmaster.pid"
    try:
        pid = int(pid_file.read_text().splitlines()[0])
        os.kill(pid, 0)
    except (OSError, ValueError, IndexError):
        return False
    return True


def stop_embedded(data_dir: Path) -> None:
    import pgserver

    pgdata = data_dir / "pg"
    if (pgdata / "postmaster.pid").exists():
        pgserver.get_server(pgdata, cleanup_mode="stop").cleanup()


def ensure_database_url(data_dir: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        url = embedded_database_url(data_dir)
        os.environ["DATABASE_URL"] = url
    return url
