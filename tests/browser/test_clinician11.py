"""Issue 11 on the clinician page in Chromium: derived and time-less numbers, published estimates,
pairs without evidence, applicability counts, scope and wording; axe-core at 375 and 1280 px."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import ALL_OPTIONS, axe_violations, fill_vissit, submit

pytestmark = [pytest.mark.browser, pytest.mark.shipped_evidence]


@pytest.fixture(scope="module")
def server(shipped_server: str) -> str:
    """This module's pages come from the shipped evidence/."""
    return shipped_server


AMBER = "rgb(92, 61, 0)"  # --warn in static/css/app.css


def fill_acute(page: Page, server: str) -> None:
    page.goto(server + "/")
    page.get_by_label(
        "Acute large-vessel occlusion with underlying ICAS (rescue treatment)"
    ).check()
    page.get_by_label("Self-expanding stent", exact=True).check()
    page.get_by_label("Balloon-mounted (balloon-expandable) stent", exact=True).check()


def acute(page: Page, server: str) -> None:
    fill_acute(page, server)
    submit(page)


def all_options_occlusion(page: Page, server: str) -> None:
    page.goto(server + "/")
    fill_vissit(page, ALL_OPTIONS)
    page.get_by_label("Degree of stenosis (%)").fill("100")
    submit(page)


def row(page: Page, study: str, outcome: str):  # type: ignore[no-untyped-def]
    return page.locator(f"tbody.outcome-group:has(#c-{study}-{outcome})")


def test_assumed_counts_show_printed_percents_and_no_statistics(server: str, page: Page) -> None:
    fill_acute(page, server)
    # The live summary carries the table's tags and never an untagged number from assumed counts.
    live = page.locator("#live-summary")
    expect(live).to_contain_text("Cannot be checked (checked 0 of 7 criteria)")
    assert "15/111" not in live.inner_text()
    for outcome in live.locator(".live-outcome").all():
        if "(printed)" in outcome.inner_text():
            expect(outcome.locator(".tag", has_text="not computed")).to_have_count(1)
            expect(outcome.locator(".tag", has_text="time frame not stated")).to_have_count(1)
    submit(page)
    stroke = row(page, "rescue-icas-ses-bms", "recurrent_stroke")
    cells = stroke.locator("tr:first-child td")
    expect(stroke.locator("td.risk-intervention")).to_have_text("13.5% (printed)")
    expect(stroke.locator("td.risk-comparator")).to_have_text("1.2% (printed)")
    expect(stroke.locator("td.difference")).to_have_text(
        "not computed: counts assumed, group sizes not stated"
    )
    assert "15/111" not in " ".join(cells.all_inner_texts())
    assert not re.search(r"NNT[HB] \d", " ".join(cells.all_inner_texts()))
    expect(stroke.locator(".tag-time-frame")).to_have_text("time frame not stated")
    expect(stroke.locator(".tag-not_computed")).to_have_text("not computed")
    expect(stroke.locator(".notes")).to_contain_text("P = 0.001")


def test_published_estimate_leads_and_methods_disagree_once(server: str, page: Page) -> None:
    page.goto(server + "/")
    fill_vissit(page, ("angioplasty", "balloon_stent"))
    submit(page)
    residual = row(page, "angioplasty-vs-stent-retro", "residual_stenosis")
    relative = residual.locator("tr:first-child td").nth(4)
    expect(relative).to_contain_text("Published RR (adjustment not stated; comparator vs")
    expect(relative).to_contain_text("2.8 (0.85–9.5); P = 0.09")
    expect(relative.locator(".tag-derived")).to_have_count(1)  # the inversion to the columns
    notes = residual.locator(".notes")
    expect(notes.locator("li", has_text="Methods disagree")).to_have_count(1)
    expect(notes.locator("li", has_text="includes no difference")).to_have_count(1)
    expect(notes.locator("li", has_text="excludes no difference.")).to_have_count(0)
    expect(notes).to_contain_text("Crude ratio from the counts: RR 0.28 (0.09–0.81)")


def test_pairs_and_orientation_with_all_four_options(server: str, page: Page) -> None:
    page.goto(server + "/")
    fill_vissit(page, ALL_OPTIONS)
    submit(page)
    expect(page.locator(".summary")).to_contain_text(
        "1 of the 6 pairs of options chosen is compared by no study"
    )
    pairs = page.locator("#pairs-without-evidence li")
    # SAMMPRIS and CASSISS compare a self-expanding stent with medicines, BASIS angioplasty with them.
    expect(pairs).to_have_count(1)
    expect(pairs.nth(0)).to_contain_text(
        "compares a self-expanding stent with a balloon-mounted stent"
    )
    # The more invasive option heads the intervention column of every table.
    headers = page.locator("table.sof thead th:nth-child(4) .sub")
    expect(headers).to_have_text(
        [
            "Balloon-expandable stent plus medical therapy",
            "Stenting plus aggressive medical management",
            "Submaximal balloon angioplasty plus aggressive medical management",
            "Intracranial stent (type not stated)",
            "Stenting plus medical therapy",
        ]
    )


def test_cannot_be_checked_in_amber_with_the_count(server: str, page: Page) -> None:
    page.goto(server + "/")
    fill_vissit(page, ("angioplasty", "balloon_stent"))
    submit(page)
    status = page.locator("#c-angioplasty-vs-stent-retro .status")
    expect(status).to_contain_text("Cannot be checked: checked 1 of 7 criteria")
    assert status.evaluate("e => getComputedStyle(e).color") == AMBER


def test_scope_is_said_first_when_outside(server: str, page: Page) -> None:
    page.goto(server + "/")
    fill_vissit(page)
    page.locator("fieldset", has_text="Is the stenosis symptomatic?").get_by_label(
        "No", exact=True
    ).check()
    submit(page)
    notice = page.locator("#scope")
    expect(notice).to_contain_text("This patient is outside what these studies cover")
    expect(notice).to_contain_text("The stenosis is asymptomatic")
    top = notice.bounding_box()
    summary = page.locator(".summary").bounding_box()
    assert top is not None and summary is not None and top["y"] < summary["y"]
    text = page.locator("#results").inner_text()
    assert "Outside the study population: outside the study population" not in text
    assert text.count("Outside the study population: VISSIT enrolled only symptomatic") == 1


def test_units_typed_by_hand_are_read_where_unambiguous(server: str, page: Page) -> None:
    page.goto(server + "/")
    fill_vissit(page)
    page.get_by_label("Degree of stenosis (%)").fill("80%")
    page.get_by_label("Age (years)").fill("64 y")
    page.get_by_label("Days since the qualifying TIA or stroke").fill("2 weeks")
    submit(page)
    used = page.locator("details.scenario")
    expect(used).to_contain_text("14")
    expect(page.locator("#c-vissit .status")).to_contain_text("Applies")
    expect(page.locator("#c-vissit .warnings")).to_contain_text(
        "4 published figures could not be reproduced, from 1 cause"
    )
    page.get_by_label("Days since the qualifying TIA or stroke").fill("1 month")
    submit(page)
    expect(page.locator("#days_since_event-error")).to_contain_text(
        "“1 month” cannot be converted exactly: use days or weeks."
    )


PAGES: dict[str, Callable[[Page, str], None]] = {
    "acute": acute,
    "all-options-occlusion": all_options_occlusion,
}


@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_violations_on_the_new_parts(server: str, browser: Browser, name: str) -> None:
    for width in (375, 1280):
        context = browser.new_context(viewport={"width": width, "height": 900})
        try:
            page = context.new_page()
            PAGES[name](page, server)
            report = axe_violations(page)
            assert not report, f"{name} at {width} px:\n{report}"
        finally:
            context.close()
