"""The bedside flow in Chromium: results first, Back after a source link, a shorter form, print size."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.helpers import (
    ALL_OPTIONS,
    axe_violations,
    fill_vissit,
    pdf_pages,
    submit,
    tab_until,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 667}
# 11 pt in CSS pixels (1 pt = 4/3 px).
MIN_PRINT_PX = 11 * 4 / 3


@pytest.fixture()
def phone(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=PHONE)
    yield context
    context.close()


def fill_lvo(page: Page) -> None:
    """The acute setting, weighing the two stents (RESCUE-ICAS)."""
    page.get_by_label(
        "Acute large-vessel occlusion with underlying ICAS (rescue treatment)"
    ).check()
    page.get_by_label("Self-expanding stent", exact=True).check()
    page.get_by_label("Balloon-mounted (balloon-expandable) stent", exact=True).check()


def posts(caplog: pytest.LogCaptureFixture) -> int:
    """The form posts the server received (its access log; the browser's cache answers none)."""
    return sum('"POST / HTTP' in r.getMessage() for r in caplog.records)


def test_results_open_at_the_first_key_number_on_a_phone(
    server: str, phone: BrowserContext
) -> None:
    page = phone.new_page()
    page.goto(server + "/")
    fill_vissit(page)
    submit(page)
    assert urlsplit(page.url).fragment == "results"
    first = page.locator(".glance-risk").first
    expect(first).to_contain_text("%")
    box = first.bounding_box()
    assert box is not None
    # Inside the first screen the browser shows after submitting: no scrolling needed.
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
    status = page.locator(".glance .status").first.bounding_box()
    assert status is not None and status["y"] + status["height"] <= PHONE["height"]


@pytest.mark.parametrize("javascript", [True, False])
def test_back_after_a_source_link_keeps_the_results(
    server: str, browser: Browser, javascript: bool, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="werkzeug")
    context = browser.new_context(java_script_enabled=javascript, viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(server + "/")
        fill_vissit(page)
        submit(page)
        before = posts(caplog)
        link = page.locator(".sof a[href^='/evidence/vissit#']").first
        with page.expect_navigation():
            link.click()
        assert urlsplit(page.url).path == "/evidence/vissit"
        page.go_back()  # with no-store this raised net::ERR_CACHE_MISS
        expect(page.locator("#results .sof").first).to_be_visible()
        expect(page.locator("#results")).to_contain_text("24.1% (13.9–37.2) · 14/58")
        # Shown again from this browser's own copy: the form was not posted again.
        assert before == 1 and posts(caplog) == before
    finally:
        context.close()


def test_back_after_a_link_from_the_patient_view(
    server: str, phone: BrowserContext, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="werkzeug")
    page = phone.new_page()
    page.goto(server + "/")
    fill_vissit(page)
    submit(page, "Patient view")
    before = posts(caplog)
    with page.expect_navigation():
        page.get_by_role("link", name="Where the numbers from VISSIT come from").click()
    assert urlsplit(page.url).path == "/evidence/vissit"
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("What the studies found")
    expect(page.locator("main")).to_contain_text("About 24 of 100 people who had a balloon stent")
    assert before == 1 and posts(caplog) == before


@pytest.mark.parametrize("javascript", [True, False])
def test_fields_a_setting_does_not_use_collapse_away(
    server: str, browser: Browser, javascript: bool
) -> None:
    context = browser.new_context(java_script_enabled=javascript, viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(server + "/")
        form = page.locator("#scenario-form")
        days = page.get_by_label("Days since the qualifying TIA or stroke")
        prestent = page.locator("fieldset", has_text="Angioplasty planned before")
        page.get_by_label("Symptomatic intracranial stenosis (elective decision)").check()
        expect(days).to_be_visible()
        expect(prestent).to_be_hidden()
        elective = form.evaluate("f => f.offsetHeight")
        page.get_by_label(
            "Acute large-vessel occlusion with underlying ICAS (rescue treatment)"
        ).check()
        expect(days).to_be_hidden()
        expect(page.locator("fieldset", has_text="Is the stenosis symptomatic?")).to_be_hidden()
        acute = form.evaluate("f => f.offsetHeight")
        assert acute < elective - 300, (acute, elective)
        fill_lvo(page)
        expect(prestent).to_be_visible()  # a self-expanding stent is ticked
        page.get_by_label("Self-expanding stent", exact=True).uncheck()
        expect(prestent).to_be_hidden()
    finally:
        context.close()


def test_printed_body_text_is_at_least_11_pt(server: str, context: BrowserContext) -> None:
    page = context.new_page()
    page.goto(server + "/")
    fill_vissit(page, ALL_OPTIONS)
    submit(page, "Printable summary")
    page.emulate_media(media="print")
    sizes = page.evaluate(
        """() => [...document.querySelectorAll(
              "main p, main li, main dt, main dd, main figcaption, main blockquote, main h4,"
              + " main th, main td")]
            .filter(e => e.offsetParent !== null && e.textContent.trim())
            .map(e => [parseFloat(getComputedStyle(e).fontSize), e.textContent.trim().slice(0, 40)])"""
    )
    assert len(sizes) > 40
    small = [(size, text) for size, text in sizes if size < MIN_PRINT_PX - 0.01]
    assert not small, small


@pytest.mark.shipped_evidence  # reads the shipped studies' content
def test_vissit_like_print_fits_three_a4_pages(
    shipped_server: str, context: BrowserContext, artifacts: Path
) -> None:
    page = context.new_page()
    page.goto(shipped_server + "/")
    fill_vissit(page)
    submit(page, "Printable summary")
    a4 = pdf_pages(page, "A4", artifacts / "bedside-vissit-a4.pdf")
    print(f"VISSIT-like printable summary: {a4} A4 pages")
    assert 1 <= a4 <= 3


@pytest.mark.shipped_evidence  # reads the shipped studies' content
def test_patient_view_keeps_balance_for_the_acute_stents(
    shipped_server: str, phone: BrowserContext
) -> None:
    page = phone.new_page()
    page.goto(shipped_server + "/")
    fill_lvo(page)
    submit(page, "Patient view")
    main = page.locator("main")
    # No pictures from back-calculated counts over a time not stated.
    expect(page.locator("svg.icon-array")).to_have_count(0)
    expect(main).to_contain_text("Being able to look after themselves")
    expect(main).to_contain_text("Bleeding in the brain that causes symptoms")
    expect(page.locator("blockquote")).to_contain_text(
        ["no significant difference was observed between SES and BMS in 90-day mRS 0–2"]
    )
    expect(main).to_contain_text(
        "SES and BMS demonstrated comparable safety and clinical outcomes in ICAS-LVO patients."
    )
    expect(main).to_contain_text("Self-expanding stent: about 14 of 100 people had it.")
    expect(main).to_contain_text("The study gave 13.5%.")
    expect(main).not_to_contain_text("did not give numbers")
    expect(main).to_contain_text("The study did not give the limits this tool checks")
    assert not axe_violations(page)


@pytest.mark.shipped_evidence  # reads the shipped studies' content
def test_vissit_patient_view_shows_disability_bleeding_and_quality_of_life(
    shipped_server: str, context: BrowserContext
) -> None:
    page = context.new_page()
    page.goto(shipped_server + "/")
    fill_vissit(page)
    submit(page, "Patient view")
    disability = page.locator("#p-vissit-mrs_worsening_12m")
    expect(disability).to_contain_text("More disability than before treatment")
    expect(disability).to_contain_text("Balloon stent plus medicines: about 24 of 100 people")
    expect(disability).to_contain_text("Medicines only: about 11 of 100 people")
    bleeding = page.locator("#p-vissit-ich_30d")
    expect(bleeding).to_contain_text("about 9 of 100 people had it. In the study, 5 of 58.")
    expect(bleeding).to_contain_text(
        "none of 53 people had it; the true risk could be up to about 7 in 100."
    )
    expect(bleeding).not_to_contain_text("fewer than 1 in 100")
    expect(page.locator("#p-vissit-eq5d_12m blockquote")).to_contain_text(
        "The EuroQol-5D showed no difference in any of the 5 dimensions"
    )
    expect(page.locator("#p-vissit svg.icon-array")).to_have_count(4)


def test_outside_scope_is_said_and_the_printout_cannot_be_signed(
    server: str, context: BrowserContext
) -> None:
    page = context.new_page()
    page.goto(server + "/")
    fill_vissit(page)
    # Asymptomatic stenosis: outside what the tool covers.
    page.locator("fieldset", has_text="Is the stenosis symptomatic?").get_by_label(
        "No", exact=True
    ).check()
    submit(page, "Patient view")
    expect(page.locator(".scope-outside")).to_contain_text(
        "The studies in this tool did not include patients like this."
    )
    submit(page, "Printable summary")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Not a consent summary for this patient: the studies did not include patients like this"
    )
    expect(page.locator("main")).not_to_contain_text("name and signature")
    expect(page.locator(".sign")).to_have_count(0)
    assert not axe_violations(page)


@pytest.mark.shipped_evidence  # reads the shipped studies' content
def test_unknown_fit_gaps_and_only_ticked_options(
    shipped_server: str, context: BrowserContext
) -> None:
    page = context.new_page()
    page.goto(shipped_server + "/")
    fill_vissit(page, ALL_OPTIONS)
    submit(page, "Patient view")
    retro = page.locator("#p-angioplasty-vs-stent-retro")
    expect(retro).to_contain_text("Only 1 of 7 points could be compared")
    expect(page.locator("main")).not_to_contain_text("on every point that could be checked")
    # BASIS compares angioplasty with medical therapy: one pair of the six is left.
    expect(page.locator(".gaps li")).to_have_count(1)
    expect(page.locator(".gaps")).to_contain_text(
        "No study here looked at a self-expanding stent and a balloon stent side by side."
    )
    submit(page, "Printable summary")
    expect(page.locator(".gaps li")).to_have_count(1)
    # One option ticked: the printout lists it alone and says why another is shown.
    page.goto(shipped_server + "/")
    fill_vissit(page, ("balloon_stent",))
    submit(page, "Printable summary")
    expect(page.locator(".options-discussed li")).to_have_text(
        ["Balloon stent (balloon-mounted stent)"]
    )
    expect(page.locator("#p-vissit .not-ticked")).to_have_text(
        "Medicines only was not one of the options you chose. It is shown because the study"
        " compared it."
    )


def test_patient_and_print_views_with_the_keyboard_alone(server: str, page: Page) -> None:
    page.goto(server + "/")
    fill_vissit(page)
    tab_until(page, 'button[value="patient"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("What the studies found")
    tab_until(page, '.view-switch button[value="print"]')
    tab_until(page, 'a[href="/evidence/vissit"]', limit=120)  # the source link is reachable too
    page.keyboard.press("Shift+Tab")
    while not page.evaluate("document.activeElement.matches('.view-switch button[value=print]')"):
        page.keyboard.press("Shift+Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Summary for a treatment discussion")
    tab_until(page, '.view-switch button[value="clinician"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert urlsplit(page.url).fragment == "results"
    expect(page.locator(".glance")).to_contain_text("24.1% (13.9–37.2) · 14/58")


def acute_patient(page: Page, server: str) -> None:
    page.goto(server + "/")
    fill_lvo(page)
    submit(page, "Patient view")


def acute_results(page: Page, server: str) -> None:
    page.goto(server + "/")
    fill_lvo(page)
    submit(page)


def outside_print(page: Page, server: str) -> None:
    page.goto(server + "/")
    fill_vissit(page)
    page.get_by_label("Degree of stenosis (%)").fill("100")
    submit(page, "Printable summary")


def all_options_patient(page: Page, server: str) -> None:
    page.goto(server + "/")
    fill_vissit(page, ALL_OPTIONS)
    submit(page, "Patient view")


def one_option_print(page: Page, server: str) -> None:
    page.goto(server + "/")
    fill_vissit(page, ("balloon_stent",))
    submit(page, "Printable summary")


@pytest.mark.parametrize(
    "journey", [acute_patient, acute_results, outside_print, all_options_patient, one_option_print]
)
def test_axe_finds_no_violations_on_the_new_parts(
    server: str, browser: Browser, journey: Callable[[Page, str], None]
) -> None:
    for width in (375, 1280):
        context = browser.new_context(viewport={"width": width, "height": 900})
        try:
            page = context.new_page()
            journey(page, server)
            report = axe_violations(page)
            assert not report, f"{journey.__name__} at {width} px:\n{report}"
        finally:
            context.close()
