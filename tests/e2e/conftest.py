"""Browser journeys: the app served on localhost, driven by Chromium through Playwright.

- `live_server` (pytest-django) serves the app from a thread of this process: the tests read
  the database, the locmem outbox and the jobs directly.
- `browser` drives the system's Chromium (Playwright's own browser download is not used).
- `page` is a fresh browser context per test, at desktop size; `phone_page` at 390×844.
- `tests/e2e/browser.py` has the helpers the journeys call: `login`, `visit` (which checks
  the page's accessibility), `submit`, `tab_to`.
- When a test fails, a screenshot of every open page is written to `artifacts/`.

Without Chromium, the tests are skipped with a reason on a laptop, and fail in CI (CI set).
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.e2e.browser import DESKTOP, PHONE

# Playwright's sync API runs an event loop in this thread; the ORM is still used synchronously.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
AXE_SOURCE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

E2E_DIR = Path(__file__).resolve().parent


def pytest_configure(config):
    config.addinivalue_line("markers", "e2e: drives a real browser against the served app")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if E2E_DIR in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _missing_browser_reason() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"Chromium introuvable ({CHROMIUM})"
    if not AXE_SOURCE.exists():
        return "axe-core absent de node_modules (lancez npm ci)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "le paquet playwright n'est pas installé"
    return None


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, answering one request at a time.

    With SQLite in memory, the server thread shares the test's connection: requests served
    in parallel (a page and its images) would lock the database. Serving one at a time
    (with "Connection: close") removes that, and costs little on a test page.
    """
    from django.core.servers.basehttp import WSGIServer
    from pytest_django.live_server_helper import LiveServer

    class SerialWSGIServer(WSGIServer):
        def __init__(self, *args, connections_override=None, **kwargs):
            super().__init__(*args, **kwargs)

    addr = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    server = LiveServer(addr, start=False)
    server.thread.server_class = SerialWSGIServer
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    reason = _missing_browser_reason()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"Browser tests cannot run in CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    return AXE_SOURCE.read_text(encoding="utf-8")


@dataclass
class Session:
    """One browser context and what the tests learnt about it."""

    context: object
    base_url: str
    axe_source: str
    steps: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    checked_urls: set[str] = field(default_factory=set)


def _new_session(browser, live_server, axe_source, viewport, service_workers="block") -> Session:
    # The app registers a service worker (offline form): blocked unless a journey is about it,
    # so that no cached page or static file leaks from one test into the next.
    context = browser.new_context(
        viewport=viewport,
        locale="fr-FR",
        timezone_id="Europe/Paris",
        base_url=live_server.url,
        service_workers=service_workers,
    )
    context.set_default_timeout(8_000)
    session = Session(context=context, base_url=live_server.url, axe_source=axe_source)

    def on_console(message):
        if message.type == "error" and "Content Security Policy" in message.text:
            session.csp_violations.append(message.text)

    context.on("page", lambda page: page.on("console", on_console))
    return session


def _screenshot_on_failure(request, session: Session) -> None:
    failed = any(
        getattr(getattr(request.node, f"report_{when}", None), "failed", False)
        for when in ("setup", "call")
    )
    if not failed:
        return
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("::", 1)[-1])[:120]
    for index, page in enumerate(session.context.pages):
        try:
            page.screenshot(path=str(ARTIFACTS / f"{name}-{index}.png"), full_page=True)
        except Exception as exc:  # noqa: BLE001 - a screenshot never hides the real failure
            print(f"screenshot failed: {exc}")
    (ARTIFACTS / f"{name}.steps.txt").write_text("\n".join(session.steps), encoding="utf-8")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Every journey signs in through the form: login rate-limit counters start at zero."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def e2e_session(request, browser, live_server, axe_source):
    session = _new_session(browser, live_server, axe_source, DESKTOP)
    yield session
    _screenshot_on_failure(request, session)
    session.context.close()


@pytest.fixture
def page(e2e_session):
    page = e2e_session.context.new_page()
    page.e2e = e2e_session
    return page


@pytest.fixture
def phone_page(request, browser, live_server, axe_source):
    session = _new_session(browser, live_server, axe_source, PHONE)
    page = session.context.new_page()
    page.e2e = session
    yield page
    _screenshot_on_failure(request, session)
    session.context.close()


@pytest.fixture
def new_page(request, browser, live_server, axe_source):
    """A factory of pages, each in its own context (one per person in a multi-person journey)."""
    sessions = []

    def _make(viewport=DESKTOP, service_workers="block"):
        session = _new_session(browser, live_server, axe_source, viewport, service_workers)
        sessions.append(session)
        page = session.context.new_page()
        page.e2e = session
        return page

    yield _make
    for session in sessions:
        _screenshot_on_failure(request, session)
        session.context.close()
