"""Browser (end-to-end) tests: the whole stack, isolated, driven by Chromium through Playwright.

A session fixture starts what `make run` starts, on free loopback ports and with its own
database (`eportal_e2e`, dropped and recreated at every session start) and mail directory:
migrate, roles_sync, demo_data, the simulators (`python -m integrations.simulators`) and
gunicorn. The tests talk to it over HTTP only; pytest-django's database fixtures are never
used here. Subprocess logs go to files under the session's tmp dir; their tails are attached
to every failing test's report.

Chromium is Debian's (/usr/bin/chromium, or CHROMIUM_PATH); without it every e2e test is
skipped with a loud banner. Never run `playwright install`.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from backend.devstack import web_command

BASE_DIR = Path(__file__).resolve().parent.parent
E2E_DIR = Path(__file__).resolve().parent
SCREENSHOT_DIR = E2E_DIR / "screenshots"
DIST_INDEX = BASE_DIR / "frontend" / "dist" / "index.html"
E2E_DATABASE = "eportal_e2e"
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
VIEWPORTS = {
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
    "desktop": {"viewport": {"width": 1280, "height": 800}, "is_mobile": False, "has_touch": False},
}
EXPECT_TIMEOUT_MS = 15_000
SKIP_BANNER = (
    f"E2E BROWSER TESTS SKIPPED: Chromium not found at {CHROMIUM_PATH}; install Debian's chromium "
    "(apt-get install chromium) or set CHROMIUM_PATH. Do NOT run `playwright install`."
)


def chromium_available() -> bool:
    return Path(CHROMIUM_PATH).is_file() and os.access(CHROMIUM_PATH, os.X_OK)


# --- loud skip when there is no browser ------------------------------------------------------------
def _is_e2e(item: pytest.Item) -> bool:
    return E2E_DIR in Path(str(item.fspath)).resolve().parents


def pytest_report_header(config):
    if not chromium_available():
        bar = "!" * len(SKIP_BANNER)
        return [bar, SKIP_BANNER, bar]
    return [f"e2e: Chromium at {CHROMIUM_PATH}"]


def pytest_collection_modifyitems(config, items):
    if chromium_available():
        return
    skip = pytest.mark.skip(reason=SKIP_BANNER)
    for item in items:
        if _is_e2e(item):
            item.add_marker(skip)


#: axe findings reported but not failed on (Wagtail's own markup); shown in the terminal summary.
AXE_NOTES: list[str] = []


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if AXE_NOTES:
        terminalreporter.section("axe findings in markup we do not own (reported, not failed on)")
        for note in AXE_NOTES:
            terminalreporter.write_line(note)
    if not chromium_available():
        bar = "!" * len(SKIP_BANNER)
        for line in (bar, SKIP_BANNER, bar):
            terminalreporter.write_line(line, red=True, bold=True)


# --- the stack ---------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tail(path: Path, lines: int = 60) -> str:
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
    processes: list[subprocess.Popen] = field(default_factory=list)
    logs: dict[str, Path] = field(default_factory=dict)

    def log_tails(self, lines: int = 60) -> str:
        parts = []
        for name, path in self.logs.items():
            parts.append(f"----- {name} ({path}), last {lines} lines -----\n{_tail(path, lines)}")
        return "\n".join(parts)

    def spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        path = self.log_dir / f"{name}.log"
        handle = path.open("ab")
        process = subprocess.Popen(  # noqa: S603 - our own commands
            args, cwd=BASE_DIR, env=self.env, stdout=handle, stderr=subprocess.STDOUT
        )
        handle.close()
        process.e2e_name = name  # type: ignore[attr-defined]
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
            pytest.fail(f"manage.py {' '.join(args)} failed ({result.returncode})\n{_tail(path)}", pytrace=False)

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
                name = process.e2e_name  # type: ignore[attr-defined]
                pytest.fail(f"{name} exited with {process.returncode}\n{self.log_tails()}", pytrace=False)


def _e2e_database_url() -> str:
    """The e2e database on the configured server (DATABASE_URL) or the embedded one; recreated empty."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    configured = os.environ.get("DATABASE_URL")
    if configured:
        params = conninfo_to_dict(configured)
    else:
        from backend.embedded_pg import embedded_database_url

        data_dir = Path(os.environ.get("DATA_DIR", BASE_DIR / ".data"))
        params = conninfo_to_dict(embedded_database_url(data_dir, database=E2E_DATABASE))
    params["dbname"] = E2E_DATABASE
    maintenance = make_conninfo(**{**params, "dbname": "postgres"})
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{E2E_DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{E2E_DATABASE}"')
    return _conninfo_to_url(params)


def _conninfo_to_url(params: dict) -> str:
    """A postgresql:// URL dj-database-url understands (socket hosts go to the query string)."""
    from urllib.parse import quote

    user = quote(str(params.get("user", "")), safe="")
    password = quote(str(params.get("password", "")), safe="")
    host = str(params.get("host", ""))
    port = str(params.get("port", ""))
    auth = f"{user}:{password}@" if user else ""
    if host.startswith("/"):
        return f"postgresql://{auth}/{E2E_DATABASE}?host={host}" + (f"&port={port}" if port else "")
    netloc = host + (f":{port}" if port else "")
    return f"postgresql://{auth}{netloc}/{E2E_DATABASE}"


def _wait_http(url: str, seconds: float, stack: Stack) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        stack.check_alive()
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback URL we built
                return
        except OSError:
            time.sleep(0.25)
    pytest.fail(f"{url} did not answer within {seconds} s\n{stack.log_tails()}", pytrace=False)


def _wait_port(port: int, seconds: float, stack: Stack) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        stack.check_alive()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"port {port} did not open within {seconds} s\n{stack.log_tails()}", pytrace=False)


_STACK: Stack | None = None


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> Iterator[Stack]:
    global _STACK
    if not DIST_INDEX.is_file():
        pytest.fail(
            f"The SPA is not built ({DIST_INDEX} is missing): run `cd frontend && npm run build` "
            "(or `make test`, which builds it before the e2e tests).",
            pytrace=False,
        )
    tmp = tmp_path_factory.mktemp("e2e-stack")
    log_dir = tmp / "logs"
    log_dir.mkdir()
    mail_dir = tmp / "mail"
    mail_dir.mkdir()
    web_port, registry_port, facebook_port, mail_port, parking_port, filing_port, tsa_port = (
        free_port() for _ in range(7)
    )
    base_url = f"http://127.0.0.1:{web_port}"
    facebook_url = f"http://127.0.0.1:{facebook_port}"
    registry_url = f"http://127.0.0.1:{registry_port}"
    parking_url = f"http://127.0.0.1:{parking_port}"
    filing_url = f"http://127.0.0.1:{filing_port}"
    database_url = _e2e_database_url()

    env = dict(os.environ)
    # tests/pytest_env.py points this process at the unit tests' Facebook simulator and turns
    # the in-process worker off; the stack gets its own values, like `make run`.
    for name in (
        "FACEBOOK_SIM_PORT",
        "FACEBOOK_AUTHORIZE_URL",
        "FACEBOOK_GRAPH_API_URL",
        "DRAMATIQ_INPROCESS_WORKER",
        "REDIS_URL",
        "AMQP_URL",
        "DJANGO_SETTINGS_MODULE",
    ):
        env.pop(name, None)
    env.update(
        {
            "DEBUG": "1",
            "SECURE_COOKIES": "0",
            "PYTHONUNBUFFERED": "1",
            "DATABASE_URL": database_url,
            "PUBLIC_URL": base_url,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CSRF_TRUSTED_ORIGINS": base_url,
            "SIMULATORS_HOST": "127.0.0.1",
            "REGISTRY_SIM_PORT": str(registry_port),
            "REGISTRY_URL": registry_url,
            "PARKING_SIM_PORT": str(parking_port),
            "PARKING_URL": parking_url,
            "FILING_SIM_PORT": str(filing_port),
            "FILING_URL": filing_url,
            # the dev PKI's certificates name the TSA/OCSP/CRL simulator's address
            "TSA_SIM_PORT": str(tsa_port),
            "TSA_SIM_PUBLIC_URL": f"http://127.0.0.1:{tsa_port}",
            "DEV_PKI_URL": f"http://127.0.0.1:{tsa_port}",
            "FACEBOOK_SIM_PORT": str(facebook_port),
            "FACEBOOK_AUTHORIZE_URL": f"{facebook_url}/v19.0/dialog/oauth",
            "FACEBOOK_GRAPH_API_URL": f"{facebook_url}/v19.0",
            "MAIL_SINK_PORT": str(mail_port),
            "MAIL_SINK_DIR": str(mail_dir),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(mail_port),
            "MEDIA_ROOT": str(tmp / "media"),
            "LOG_LEVEL": "WARNING",
        }
    )
    current = Stack(
        base_url=base_url,
        facebook_url=facebook_url,
        registry_url=registry_url,
        parking_url=parking_url,
        filing_url=filing_url,
        mail_dir=mail_dir,
        database_url=database_url,
        log_dir=log_dir,
        env=env,
    )
    _STACK = current
    try:
        current.manage("migrate", "--noinput", "-v", "0")
        current.manage("createcachetable")
        current.manage("roles_sync")
        current.manage("demo_data")
        current.spawn("simulators", [sys.executable, "-m", "integrations.simulators"])
        current.spawn(
            "web",
            web_command("127.0.0.1", web_port),
        )
        for port in (registry_port, facebook_port, mail_port, parking_port, filing_port, tsa_port):
            _wait_port(port, 30, current)
        _wait_http(f"{base_url}/healthz", 60, current)
        yield current
    finally:
        current.stop()
        _STACK = None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed and _STACK is not None and _is_e2e(item):
        report.sections.append(("e2e stack logs", _STACK.log_tails(40)))


# --- the browser -----------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=list(VIEWPORTS))
def device(request) -> str:
    """The viewport: every test using `page` runs on a phone and a desktop unless it parametrizes `device`."""
    return request.param


@pytest.fixture
def new_page(browser, stack, device):
    """Factory of fresh pages (each its own browser context, i.e. its own cookies) at the test's viewport."""
    contexts = []

    def make():
        context = browser.new_context(base_url=stack.base_url, locale="hu-HU", **VIEWPORTS[device])
        context.set_default_timeout(EXPECT_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def shot(request, device, stack) -> Callable:
    """shot(page, "step") saves e2e/screenshots/<test>-<viewport>-<step>.png (full page).

    On the SPA it also asserts the page does not scroll sideways (a layout broken on a phone).
    """
    SCREENSHOT_DIR.mkdir(exist_ok=True)
    test_name = re.sub(r"\[.*\]$", "", request.node.name).removeprefix("test_")

    def take(page, step: str) -> Path:
        path = SCREENSHOT_DIR / f"{test_name}-{device}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        spa = page.url.startswith(stack.base_url) and not re.match(
            r"^/(admin|accounts)/", page.url[len(stack.base_url) :]
        )
        if spa:
            assert_fits_width(page, "html", f"{step} ({path.name})")
        return path

    return take


# --- helpers used by the tests -----------------------------------------------------------------------------
BLOCKING_IMPACTS = ("serious", "critical")


def assert_fits_width(page, selector: str, where: str) -> None:
    """The element is not wider than its box (nothing pushes it into sideways scrolling)."""
    widths = page.locator(selector).first.evaluate(
        "el => ({scroll: el.scrollWidth, client: el === document.documentElement ? window.innerWidth : el.clientWidth})"
    )
    if widths["scroll"] > widths["client"] + 1:
        culprits = page.locator(selector).first.evaluate(
            """el => { const right = el.getBoundingClientRect().right + 1;
                const clipped = (c) => { for (let p = c.parentElement; p && p !== el; p = p.parentElement)
                    if (getComputedStyle(p).overflowX !== 'visible') return true; return false; };
                return [...el.querySelectorAll('*')].filter(c => c.getBoundingClientRect().right > right && !clipped(c))
                  .slice(0, 5).map(c => c.outerHTML.slice(0, 160)); }"""
        )
        raise AssertionError(f"{selector} overflows sideways on {where}: {widths}; widest: {culprits}")


def axe_violations(page, context=None, options=None) -> list[dict]:
    """axe-core violations of impact serious/critical on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context=context, options=options or {"resultTypes": ["violations"]})
    return [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation.get('helpUrl', '')})")
        for node in violation["nodes"][:8]:
            lines.append(f"    target {node['target']}: {node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines)


def assert_accessible(page, where: str, context=None, options=None) -> None:
    violations = axe_violations(page, context=context, options=options)
    assert not violations, f"axe found serious/critical violations on {where} ({page.url}):\n" + format_violations(
        violations
    )


def wait_for_mail(stack: Stack, to: str, subject_contains: str, after: set[str] | None = None, timeout_s: float = 20):
    from integrations.mail.sink import wait_for_message

    return wait_for_message(
        stack.mail_dir,
        lambda m: to in (m.to + m.envelope_to) and subject_contains in m.subject,
        timeout_s=timeout_s,
        after=after,
    )


def mail_ids(stack: Stack) -> set[str]:
    from integrations.mail.sink import list_messages

    return {m.id for m in list_messages(stack.mail_dir)}


def link_in(message, base_url: str, path_prefix: str) -> str:
    """The first link in the mail (text part, else HTML) that starts with base_url + path_prefix."""
    pattern = re.compile(re.escape(base_url + path_prefix) + r"[^\s\"'<>]*")
    for body in (message.text, message.html):
        found = pattern.search(body or "")
        if found:
            return found.group(0)
    raise AssertionError(f"no {base_url}{path_prefix}… link in the mail {message.subject!r}:\n{message.text[:2000]}")


def db_query(stack: Stack, sql: str, params: tuple = ()) -> list[tuple]:
    """Read-only facts straight from the e2e database (never through pytest-django)."""
    import psycopg

    with psycopg.connect(_psycopg_conninfo(stack.database_url)) as conn:
        return conn.execute(sql, params).fetchall()


def _psycopg_conninfo(url: str) -> str:
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    return make_conninfo(**conninfo_to_dict(url))


def unique_email(prefix: str, device: str) -> str:
    return f"{prefix}.{device}.{int(time.time() * 1000)}@example.hu"
