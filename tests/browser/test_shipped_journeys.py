"""Journeys in Chromium that read the shipped studies' figures and count their comparisons."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Request, expect

from tests.browser.helpers import (
    ALL_OPTIONS,
    axe_violations,
    expected_cell,
    fill_vissit,
    pdf_pages,
    risk_cell,
    scroll_width,
    submit,
    vissit_arm,
)
from tests.evidence_dirs import SHIPPED_DIR

pytestmark = [pytest.mark.browser, pytest.mark.shipped_evidence]


@pytest.fixture(scope="module")
def server(shipped_server: str) -> str:
    """This module's pages come from the shipped evidence/."""
    return shipped_server


def test_vissit_journey_from_form_to_printed_summary(
    server: str, context: BrowserContext, artifacts: Path
) -> None:
    requests: list[Request] = []
    context.on("request", lambda r: requests.append(r))
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"console {message.type}: {message.text}")
            if message.type in ("error", "warning")
            else None
        ),
    )
    page.goto(server + "/")
    fill_vissit(page)
    # JavaScript is on: the quick summary comes from POST /summary as the form changes.
    live = page.locator("#live-summary")
    expect(live).to_contain_text("24.1% (13.9–37.2) · 14/58")
    submit(page)

    # The numbers on the page are the evidence's numbers; the answer opens at its results.
    assert page.url == server + "/#results"
    stent = vissit_arm("primary_safety_30d", "intervention", SHIPPED_DIR)
    medical = vissit_arm("primary_safety_30d", "comparator", SHIPPED_DIR)
    assert risk_cell(page, "primary_safety_30d", "intervention") == expected_cell(stent)
    assert risk_cell(page, "primary_safety_30d", "comparator") == expected_cell(medical)
    assert expected_cell(stent) == (24.1, 13.9, 37.2, 14, 58)
    assert expected_cell(medical) == (9.4, 3.1, 20.7, 5, 53)
    expect(page.locator("#results .comparison .status")).to_contain_text("Applies")

    # The counselling view of the same scenario.
    submit(page, "Patient view")
    expect(page.get_by_role("heading", level=1)).to_have_text("What the studies found")
    expect(page.locator("main")).to_contain_text(
        "About 24 of 100 people who had a balloon stent had a stroke, bleeding in the brain,"
        " a serious mini-stroke, or died within 30 days. About 76 of 100 did not."
    )
    expect(page.locator("main")).to_contain_text(
        "The true number could be as low as 3 or as high as 21."
    )
    stent_array = page.locator("#ia-vissit-primary_safety_30d-stent")
    expect(stent_array).to_have_attribute("role", "img")
    assert stent_array.locator('use[href$="-yes"]').count() == 24

    # The printable summary, printed by Chromium: at most three pages of A4 and of Letter.
    submit(page, "Printable summary")
    expect(page.get_by_role("heading", level=1)).to_have_text("Summary for a treatment discussion")
    expect(page.get_by_role("button", name="Print")).to_be_visible()  # JavaScript revealed it
    a4 = pdf_pages(page, "A4", artifacts / "print-vissit-a4.pdf")
    letter = pdf_pages(page, "Letter", artifacts / "print-vissit-letter.pdf")
    print(f"VISSIT printable summary: {a4} A4 pages, {letter} Letter pages")
    assert 1 <= a4 <= 3 and 1 <= letter <= 3

    # Back to the clinician view, re-posting the same scenario.
    submit(page, "Back to the clinician view")
    assert risk_cell(page, "primary_safety_30d", "intervention") == expected_cell(stent)

    urls = [r.url for r in requests]
    assert any(urlsplit(u).path == "/summary" for u in urls), urls
    assert any(urlsplit(u).path == "/static/js/app.js" for u in urls), urls
    strangers = [u for u in urls if not u.startswith(server + "/")]
    assert not strangers, f"requests to other origins: {strangers}"
    # A scenario never goes in a URL: the only query is a static file's version (its digest).
    assert all(
        not urlsplit(u).query or re.fullmatch(r"v=[0-9a-f]{12}", urlsplit(u).query) for u in urls
    ), urls
    posts = {urlsplit(r.url).path for r in requests if r.method == "POST"}
    assert posts == {"/", "/summary"}
    # No script errors and no Content-Security-Policy violations along the way.
    assert not problems, problems


def test_two_comparisons_print_on_three_a4_pages(
    server: str, context: BrowserContext, artifacts: Path
) -> None:
    page = context.new_page()
    page.goto(server + "/")
    # VISSIT, BASIS and the retrospective study (all four options also bring SAMMPRIS and CASSISS).
    fill_vissit(page, ["medical", "angioplasty", "balloon_stent"])
    submit(page, "Printable summary")
    expect(page.locator(".counsel-comparison")).to_have_count(3)
    # VISSIT's two main outcomes are pictured; the retrospective study's have no time frame.
    expect(page.locator("svg.icon-array")).to_have_count(4)
    expect(page.locator(".sources")).to_contain_text(
        "No citation: the study's source does not give one."
    )
    a4 = pdf_pages(page, "A4", artifacts / "print-two-comparisons-a4.pdf")
    letter = pdf_pages(page, "Letter", artifacts / "print-two-comparisons-letter.pdf")
    print(f"Two-comparison printable summary: {a4} A4 pages, {letter} Letter pages")
    assert 1 <= a4 <= 3


def test_all_four_options_print_on_three_a4_pages(
    server: str, context: BrowserContext, artifacts: Path
) -> None:
    page = context.new_page()
    page.goto(server + "/")
    # VISSIT, SAMMPRIS, BASIS, the retrospective study and CASSISS: every main and counted outcome.
    fill_vissit(page, ALL_OPTIONS)
    submit(page, "Printable summary")
    expect(page.locator(".counsel-comparison")).to_have_count(5)
    # Pictured: VISSIT 2 outcomes, SAMMPRIS 2, CASSISS 1 (two options each); the rest in tables.
    expect(page.locator("svg.icon-array")).to_have_count(10)
    expect(page.locator("table.told")).to_have_count(5)
    expect(page.locator(".signatures")).to_contain_text("Clinician: name and signature")
    a4 = pdf_pages(page, "A4", artifacts / "print-four-options-a4.pdf")
    letter = pdf_pages(page, "Letter", artifacts / "print-four-options-letter.pdf")
    print(f"All-four-options printable summary: {a4} A4 pages, {letter} Letter pages")
    assert 1 <= a4 <= 3
    # The tables (one shared finding cell spanning two rows) stay accessible, and fit a phone.
    assert not axe_violations(page)
    page.set_viewport_size({"width": 375, "height": 667})
    assert scroll_width(page) <= 375
    assert not axe_violations(page)
