"""The whole SMART EHR launch in Chromium against the stub EHR: top level and inside the EHR's iframe.

The app is served as http://localhost:PORT and the stub EHR as http://127.0.0.1:PORT: two sites,
so inside the EHR's page the app is a cross-site iframe, as in a real EHR, and its launch cookie is
a partitioned third-party cookie. Chromium treats both loopback hosts as secure contexts, so the
cookie's Secure attribute holds over http here.
"""

from __future__ import annotations

import datetime as dt
import socket
import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from werkzeug.serving import make_server

from app import create_app
from tests.browser.helpers import axe_violations, fill_vissit, submit
from tests.ehr_stub import CLIENT_ID, Stub, serve

pytestmark = pytest.mark.browser

AGE = 65
NOTE = f"Age {AGE} was filled in from the EHR record"


@pytest.fixture(scope="module")
def ehr() -> Iterator[Stub]:
    with serve("127.0.0.1") as stub:
        stub.behaviour["birth_date"] = f"{dt.date.today().year - AGE}-01-01"
        yield stub


@pytest.fixture(scope="module")
def smart_server(ehr: Stub) -> Iterator[str]:
    with socket.socket() as probe:  # a free port, known before the app's public URL is set
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    public = f"http://localhost:{port}"
    app = create_app(
        {
            "PUBLIC_URL": public,
            "SECRET_KEY": "browser-test-secret-key-of-some-length",
            "SMART_CLIENT_ID": CLIENT_ID,
            "SMART_ISSUERS": [ehr.iss],
            "FRAME_ANCESTORS": ehr.origin,
        }
    )
    httpd = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, name="smart-app", daemon=True)
    thread.start()
    ehr.iframe_src = f"{public}/launch?iss={ehr.iss}&launch=embedded-launch"
    try:
        yield public
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def launch_cookies(context: BrowserContext) -> list[str]:
    return [c["name"] for c in context.cookies() if c["name"] == "icas_launch"]


def test_a_launch_ends_on_the_prefilled_form(
    page: Page, context: BrowserContext, ehr: Stub, smart_server: str
) -> None:
    page.goto(f"{smart_server}/launch?iss={ehr.iss}&launch=top-level-launch")
    assert page.url.startswith(f"{smart_server}/launch/callback?")
    expect(page.get_by_label("Age (years)")).to_have_value(str(AGE))
    expect(page.locator("#ehr-note")).to_contain_text(NOTE)
    expect(page.get_by_text("Testperson")).to_have_count(0)
    assert launch_cookies(context) == []
    assert ehr.authorize_requests[-1]["launch"] == "top-level-launch"
    assert axe_violations(page) == ""
    # The pre-filled form is the ordinary form: it posts and shows the evidence.
    fill_vissit(page)
    page.get_by_label("Age (years)").fill(str(AGE))
    submit(page)
    expect(page.locator("#results")).to_be_visible()


def test_a_replayed_callback_is_refused_in_the_browser(
    page: Page, ehr: Stub, smart_server: str
) -> None:
    page.goto(f"{smart_server}/launch?iss={ehr.iss}&launch=replayed")
    expect(page.get_by_label("Age (years)")).to_have_value(str(AGE))
    callback = page.url
    response = page.goto(callback)
    assert response is not None and response.status == 400
    expect(page.get_by_role("heading", name="Error 400")).to_be_visible()


def test_a_launch_inside_the_ehrs_iframe(
    page: Page, context: BrowserContext, ehr: Stub, smart_server: str
) -> None:
    page.goto(f"{ehr.origin}/ehr")
    frame = page.frame_locator("iframe")
    expect(frame.get_by_label("Age (years)")).to_have_value(str(AGE))
    expect(frame.locator("#ehr-note")).to_contain_text(NOTE)
    assert ehr.authorize_requests[-1]["launch"] == "embedded-launch"
    assert launch_cookies(context) == []


def test_without_frame_ancestors_the_app_refuses_to_be_framed(
    page: Page, ehr: Stub, server: str
) -> None:
    # The default app (no ICAS_FRAME_ANCESTORS) keeps frame-ancestors 'none'.
    page.goto(f"{ehr.origin}/ehr?src={server}/")
    page.wait_for_load_state("load")
    (frame,) = [f for f in page.frames if f is not page.main_frame]
    # Chromium replaces a frame its CSP refuses with its own error page.
    assert frame.url == "chrome-error://chromewebdata/"
    expect(page.frame_locator("iframe").locator("#scenario-form")).to_have_count(0)
