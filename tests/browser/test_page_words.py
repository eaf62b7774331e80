"""In Chromium: the error summary takes the focus after a refused submit; glance tags fit a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.browser.helpers import ALL_OPTIONS, fill_vissit, submit

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False])
def test_the_error_summary_takes_the_focus_after_a_refused_submit(
    server: str, browser: Browser, javascript: bool
) -> None:
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.goto(server + "/")
    fill_vissit(page)
    page.get_by_label("Degree of stenosis (%)").fill("")
    submit(page)
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert page.evaluate("document.activeElement.className") == "error-summary"
    # The keyboard goes on from there: the first link names the missing field.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#stenosis_percent"
    context.close()


@pytest.mark.shipped_evidence  # SAMMPRIS's 1-year Kaplan-Meier rates carry the longest tag
def test_glance_tags_are_not_clipped_on_a_phone(server: str, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 667})
    page = context.new_page()
    page.goto(server + "/")
    fill_vissit(page, ALL_OPTIONS)
    submit(page)
    tags = page.locator(".glance .tag")
    texts = tags.all_inner_texts()
    assert "PRINTED PERCENTAGES; COUNTS NOT STATED" in texts
    for index in range(tags.count()):
        box = tags.nth(index).bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375, (texts[index], box)
        # Nothing hidden inside the tag either.
        clipped = tags.nth(index).evaluate("e => e.scrollWidth > e.clientWidth")
        assert not clipped, texts[index]
    context.close()
