"""Test-process environment, set before Django's settings load (loaded with `-p tests.pytest_env`)."""

import os
from pathlib import Path

from backend.embedded_pg import embedded_is_running, stop_embedded

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
# Two keys: the first encrypts, both decrypt (rotation is tested with them).
os.environ.setdefault(
    "FIELD_ENCRYPTION_KEYS",
    "nZfC0a4W9m2r3nyw6XB1y0S8vJm1u2cKk8pQ0Qd9Q8Y=,Ww7wZp1sY3kJQm1u3lH2c8b0r6Q9d5fX2nV4tA7yE0g=",
)
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("DRAMATIQ_INPROCESS_WORKER", "0")
# Each run creates (and drops) its own test database, so two runs on one server (two
# terminals, a CI job beside a developer) never flush each other's tables.
os.environ.setdefault("TEST_DATABASE_NAME", f"test_eportal_{os.getpid()}")
# Actor tests run a real dramatiq worker on the in-process broker, whatever the machine has.
os.environ.pop("REDIS_URL", None)
os.environ.pop("AMQP_URL", None)


def _free_port() -> int:
    from backend.stackkit import free_port

    return free_port()


# allauth reads the Facebook URLs once at import: point them at the simulator's port now.
_facebook_port = _free_port()
os.environ["FACEBOOK_SIM_PORT"] = str(_facebook_port)
os.environ["FACEBOOK_AUTHORIZE_URL"] = f"http://127.0.0.1:{_facebook_port}/v19.0/dialog/oauth"
os.environ["FACEBOOK_GRAPH_API_URL"] = f"http://127.0.0.1:{_facebook_port}/v19.0"

# The embedded PostgreSQL (used when DATABASE_URL is unset) is stopped at the end of the run
# if this run started it; a running `make run` keeps its server.
_DATA_DIR = Path(__file__).resolve().parent.parent / ".data"
_owns_embedded_db = not os.environ.get("DATABASE_URL") and not embedded_is_running(_DATA_DIR)


def pytest_unconfigure(config):
    if _owns_embedded_db and embedded_is_running(_DATA_DIR):
        stop_embedded(_DATA_DIR)


os.environ.setdefault("DOCUMENT_SIGNING_BACKEND", "dev")
