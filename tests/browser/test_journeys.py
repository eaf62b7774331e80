"""A clinician's journeys in Debian's Chromium: fill, submit, read, counsel, print; keyboard; no JS."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Request, expect

from tests.browser.helpers import (
    expected_cell,
    fill_vissit,
    risk_cell,
    submit,
    tab_until,
    vissit_arm,
)

pytestmark = pytest.mark.browser


def test_the_form_can_be_completed_with_the_keyboard_alone(server: str, page: Page) -> None:
    page.goto(server + "/")
    # Setting: Tab into the group, try the arrows, settle on the elective setting with Space.
    tab_until(page, "#setting-0")
    page.keyboard.press("ArrowDown")
    assert page.locator("#setting-1").is_checked()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Space")
    assert page.locator("#setting-0").is_checked()
    # Options: medical therapy and the balloon-mounted stent, ticked with Space.
    tab_until(page, "#options-0")
    page.keyboard.press("Space")
    tab_until(page, "#options-2")
    page.keyboard.press("Space")
    tab_until(page, "#stenosis_percent")
    page.keyboard.type("80")
    tab_until(page, "#symptomatic-0")
    page.keyboard.press("Space")
    tab_until(page, "#days_since_event")
    page.keyboard.type("10")
    tab_until(page, "#artery")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.locator("#artery").input_value() == "mca"
    tab_until(page, "#age")
    page.keyboard.type("64")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("#results")).to_be_visible()
    expect(page.locator("#results")).to_contain_text("24.1% (13.9–37.2) · 14/58")
    # The results offer the patient view as a button, reachable with the keyboard too.
    tab_until(page, 'button[value="patient"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text("About 24 of 100 people who had a balloon stent")


def test_everything_works_without_javascript(server: str, browser: Browser) -> None:
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    try:
        page = context.new_page()
        page.goto(server + "/")
        fill_vissit(page)
        expect(page.locator("#live-summary")).to_be_empty()
        submit(page)
        expected = expected_cell(vissit_arm("primary_safety_30d", "intervention"))
        assert risk_cell(page, "primary_safety_30d", "intervention") == expected
        submit(page, "Patient view")
        expect(page.locator("main")).to_contain_text(
            "About 9 of 100 people who took medicines only"
        )
        submit(page, "Printable summary")
        expect(page.locator("main")).to_contain_text("Clinician's notes")
        expect(page.get_by_role("button", name="Print")).to_be_hidden()  # needs JavaScript
        submit(page, "Back to the clinician view")
        assert risk_cell(page, "primary_safety_30d", "intervention") == expected
        # Errors come back beside their fields, each tied to its input.
        page.get_by_label("Age (years)").fill("abc")
        submit(page)
        age = page.get_by_label("Age (years)")
        expect(age).to_have_attribute("aria-invalid", "true")
        expect(age).to_have_accessible_description(
            re.compile("Enter a whole number from 18 to 120")
        )
        expect(page.locator(".error-summary a[href='#age']")).to_be_visible()
    finally:
        context.close()


def test_live_summary_updates_from_the_server(server: str, context: BrowserContext) -> None:
    calls: list[Request] = []
    context.on("request", lambda r: calls.append(r) if urlsplit(r.url).path == "/summary" else None)
    page = context.new_page()
    page.goto(server + "/")
    live = page.locator("#live-summary")
    page.get_by_label("Symptomatic intracranial stenosis (elective decision)").check()
    expect(live).to_contain_text("To see a quick summary, complete:")
    fill_vissit(page)
    expect(live).to_contain_text("VISSIT (randomized trial)")
    expect(live.locator(".live-risk-intervention").first).to_contain_text(
        "24.1% (13.9–37.2) · 14/58"
    )
    expect(live.locator(".live-risk-comparator").first).to_contain_text("9.4% (3.1–20.7) · 5/53")
    expect(live.locator(".live-difference").first).to_contain_text("+14.7 pp (+0.5 to +28.2)")
    expect(live).to_have_attribute("aria-live", "polite")
    # A value the contract refuses: its message is shown, nothing breaks.
    page.get_by_label("Age (years)").fill("3")
    expect(live).to_contain_text("Age (years): Must be from 18 to 120; got 3.")
    # Text where a number belongs is named as such.
    page.get_by_label("Age (years)").fill("abc")
    expect(live).to_contain_text("Age (years): enter a whole number.")
    page.get_by_label("Age (years)").fill("64")
    expect(live).to_contain_text("24.1% (13.9–37.2) · 14/58")
    # Changing an input after a submit marks the full results as out of date.
    submit(page)
    page.get_by_label("Degree of stenosis (%)").fill("100")
    expect(page.locator("#results .stale-note")).to_be_visible()
    expect(live).to_contain_text("Outside the study population")
    assert calls and all(c.method == "POST" and not urlsplit(c.url).query for c in calls)
    # The form itself is posted, form-encoded, exactly as the "Show the evidence" button posts it.
    assert all("setting=symptomatic_icas" in (c.post_data or "").split("&") for c in calls)
