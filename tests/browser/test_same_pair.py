"""axe-core on the patient and print views when two studies compare the same pair of options."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser
from werkzeug.serving import BaseWSGIServer, make_server

from app import create_app
from tests.browser.helpers import axe_violations, fill_vissit, submit
from tests.same_pair import write_same_pair

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def same_pair_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve the app on the two-study fixture evidence; yield its origin."""
    root = write_same_pair(tmp_path_factory.mktemp("evidence"))
    app = create_app({"EVIDENCE_DIR": root})
    httpd: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, name="same-pair-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.mark.parametrize("button", ["Patient view", "Printable summary"])
def test_axe_finds_no_violations_with_two_studies_of_one_pair(
    same_pair_server: str, browser: Browser, button: str
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(same_pair_server + "/")
        fill_vissit(page)
        submit(page, button)
        assert page.locator(".counsel-comparison").count() == 2
        report = axe_violations(page)
        assert not report, report
    finally:
        context.close()
