"""Browser (end-to-end) tests: the whole stack, isolated, driven by Chromium through Playwright.

A session fixture starts what `make run` starts (`backend.stackkit.start_stack`), on free
loopback ports and with its own database (`eportal_e2e`, dropped and recreated at every
session start), mail and PKI directories: migrate, roles_sync, demo_data, the simulators
(`python -m integrations.simulators`) and gunicorn. The tests talk to it over HTTP only; pytest-django's database fixtures are never
used here. Subprocess logs go to files under the session's tmp dir; their tails are attached
to every failing test's report.

Chromium is Debian's (/usr/bin/chromium, or CHROMIUM_PATH); without it every e2e test is
skipped with a loud banner. Never run `playwright install`.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from backend.stackkit import Stack, StackError, start_stack

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
    try:
        # INFO: every job and outside-system exchange is in the logs attached to a failure
        current = start_stack(
            tmp_path_factory.mktemp("e2e-stack"),
            database=E2E_DATABASE,
            extra_env={"LOG_LEVEL": os.environ.get("STACK_LOG_LEVEL", "INFO")},
        )
    except StackError as exc:
        pytest.fail(str(exc), pytrace=False)
    _STACK = current
    try:
        yield current
    finally:
        current.stop()
        _STACK = None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed and _STACK is not None and _is_e2e(item):
        report.sections.append(("e2e stack logs", _STACK.log_tails(80)))


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

    # colours are measured as painted: let fade-ins (the staff area's messages) finish first
    # (a paused or idle animation never finishes: wait at most 2 seconds)
    page.evaluate(
        """() => Promise.race([
            Promise.all(document.getAnimations()
                .filter(a => a.playState === "running")
                .filter(a => a.effect && a.effect.getComputedTiming().iterations !== Infinity)
                .map(a => a.finished.catch(() => null))),
            new Promise(resolve => setTimeout(resolve, 2000)),
        ])"""
    )
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


def db_execute(stack: Stack, sql: str, params: tuple = ()) -> list[tuple]:
    """Set up a fact the journey needs but no user action makes quickly (committed at once)."""
    import psycopg

    with psycopg.connect(_psycopg_conninfo(stack.database_url)) as conn:
        return conn.execute(sql, params).fetchall()


def _psycopg_conninfo(url: str) -> str:
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    return make_conninfo(**conninfo_to_dict(url))


def unique_email(prefix: str, device: str) -> str:
    return f"{prefix}.{device}.{int(time.time() * 1000)}@example.hu"


def ensure_first_permit(page, stack, plate: str = "AB-SL-126") -> str:
    """A granted free permit of the signed-in resident (`page`) for `plate`: applied for through the
    API with the page's session unless an earlier journey already got it. Returns its reference."""
    granted = db_query(
        stack,
        "SELECT min(c.reference) FROM eservices_case c JOIN eservices_servicetype s ON s.id = c.service_type_id "
        "WHERE s.code = 'parking_permit' AND c.status = 'granted' AND c.data->>'plate' = %s",
        (plate,),
    )[0][0]
    if granted:
        return granted
    page.request.get("/api/v1/csrf/")
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(
        "/api/v1/cases/",
        data={"service": "parking_permit", "plate": plate},
        headers={"X-CSRFToken": token, "Referer": stack.base_url + "/"},
    )
    assert response.status == 201, response.text()
    reference = response.json()["reference"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = db_query(stack, "SELECT status FROM eservices_case WHERE reference = %s", (reference,))[0][0]
        if status == "granted":
            return reference
        time.sleep(0.5)
    raise AssertionError(f"the first permit {reference} was not granted in time")


_USED_TOTP_CODES: set[tuple[str, str]] = set()


def fresh_totp_code(secret: str) -> str:
    """A TOTP code no earlier sign-in of this run used: the server refuses a code twice, and
    the browser tests sign the same demo staff in one after another. The server accepts one
    30-second step either side (MFA_TOTP_TOLERANCE), so the previous or next step's code does
    when the current one was used; otherwise wait for the next step."""
    import time

    import pyotp

    totp = pyotp.TOTP(secret)
    while True:
        now = time.time()
        for offset in (0, 30, -30):
            code = totp.at(now + offset)
            if (secret, code) not in _USED_TOTP_CODES:
                _USED_TOTP_CODES.add((secret, code))
                return code
        time.sleep(1)
