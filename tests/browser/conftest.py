"""Real-browser fixtures: the real app served on 127.0.0.1 and Debian's Chromium driven by Playwright.

The app runs in a thread through Werkzeug's server on a free port for the whole session, on the
tests' frozen evidence (or, for tests marked shipped_evidence, on evidence/); one Chromium
is launched once and each test gets a fresh context (JavaScript on or off, any viewport). No browser
is ever downloaded: a missing /usr/bin/chromium fails the run and says how to install it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    sync_playwright,
)
from werkzeug.serving import BaseWSGIServer, make_server

from app import create_app
from tests.evidence_dirs import FIXTURE_DIR, SHIPPED_DIR

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """Serve the real app on the tests' evidence; yield its origin ('http://127.0.0.1:PORT')."""
    yield from serve(FIXTURE_DIR)


@pytest.fixture(scope="session")
def shipped_server() -> Iterator[str]:
    """Serve the real app on the shipped evidence/, for tests marked shipped_evidence."""
    yield from serve(SHIPPED_DIR)


def serve(evidence_dir: Path) -> Iterator[str]:
    """Serve the app on a free port until the session ends; yield its origin."""
    app = create_app({"EVIDENCE_DIR": evidence_dir})
    httpd: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, name="app-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium with apt"
            " (never a downloaded browser build)."
        )
    chromium = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
    )
    yield chromium
    chromium.close()


@pytest.fixture()
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh context per test (no shared cookies or storage), 1280 px wide, JavaScript on."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    yield ctx
    ctx.close()


@pytest.fixture()
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots and PDFs go (tests/artifacts/, gitignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
