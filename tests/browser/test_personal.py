"""Personal absolute risks in Chromium: the collapsed baseline section, the timeline, and axe."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import axe_violations, fill_vissit, pdf_pages, submit

pytestmark = [pytest.mark.browser, pytest.mark.shipped_evidence]

BASELINE = "Stroke or death within 30 days (30 days; Self-expanding stent vs medical therapy), %"


def with_baseline(page: Page, server: str, button: str = "Show the evidence") -> None:
    page.goto(server + "/")
    fill_vissit(page, ("medical", "self_expanding_stent"))
    section = page.locator("details.baseline-risks")
    expect(section).not_to_have_attribute("open", "")  # collapsed by default
    section.locator("summary").click()
    page.get_by_label(BASELINE, exact=True).fill("10")
    submit(page, button)


def test_the_timeline_shows_both_options_at_each_horizon(server: str, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        with_baseline(page, server)
        timeline = page.locator("section.timeline")
        expect(timeline.locator("svg.timeline-plot")).to_be_visible()
        assert timeline.locator("svg circle").count() == 3
        rows = timeline.locator("tbody tr")
        expect(rows).to_have_count(3)
        expect(rows.nth(0)).to_contain_text("25.1% (95% CI 14.6% to 43.2%)")
        expect(rows.nth(0)).to_contain_text("10.0% (your estimate)")
        # The entered value stays in its input, and the section stays open to show it.
        expect(page.get_by_label(BASELINE, exact=True)).to_have_value("10")
        report = axe_violations(page)
        assert not report, report
    finally:
        context.close()


@pytest.mark.parametrize("button", ["Patient view", "Printable summary"])
def test_patient_and_print_views_picture_the_estimated_risk(
    server: str, browser: Browser, button: str
) -> None:
    for width in (375, 1280):
        context = browser.new_context(viewport={"width": width, "height": 900})
        try:
            page = context.new_page()
            with_baseline(page, server, button)
            section = page.locator("section.personal")
            expect(section).to_contain_text("about 10 in 100 people like you")
            expect(section).to_contain_text("figure 25.1%")
            assert section.locator("svg.icon-array").count() == 2
            report = axe_violations(page)
            assert not report, f"{button} at {width} px:\n{report}"
        finally:
            context.close()


def test_a_bad_baseline_is_named_on_its_input(server: str, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(server + "/")
        fill_vissit(page, ("medical", "self_expanding_stent"))
        page.locator("details.baseline-risks summary").click()
        page.get_by_label(BASELINE, exact=True).fill("100")
        submit(page)
        field = page.get_by_label(BASELINE, exact=True)
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(page.locator(".error-summary")).to_contain_text("Must be above 0 and below 100")
        report = axe_violations(page)
        assert not report, report
    finally:
        context.close()


def test_the_print_with_a_baseline_fits_three_a4_pages(
    server: str, browser: Browser, tmp_path: Path
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        with_baseline(page, server, "Printable summary")
        a4 = pdf_pages(page, "A4", tmp_path / "personal-a4.pdf")
        print(f"SES vs medical therapy with a 10% baseline, printable summary: {a4} A4 pages")
        assert 1 <= a4 <= 3
    finally:
        context.close()
