"""The option grid and the note for the record in Chromium, on the shipped studies."""

from __future__ import annotations

import itertools
import json
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.helpers import (
    ALL_OPTIONS,
    axe_violations,
    fill_vissit,
    pdf_pages,
    scroll_width,
    submit,
)
from tests.scenarios import ALL_OPTIONS as ALL_OPTIONS_SCENARIO

pytestmark = [pytest.mark.browser, pytest.mark.shipped_evidence]
ROWS = 5  # involves, first month, later, not known, questions


@pytest.fixture(scope="module")
def server(shipped_server: str) -> str:
    """This module's pages come from the shipped evidence/."""
    return shipped_server


def test_all_four_options_grid_prints_on_three_a4_pages(
    server: str, context: BrowserContext, artifacts: Path
) -> None:
    page = context.new_page()
    page.goto(server + "/")
    fill_vissit(page, ALL_OPTIONS)
    submit(page)
    submit(page, "Option grid")
    cards = page.locator(".grid-option")
    expect(cards).to_have_count(4)
    expect(cards.locator("h2")).to_have_text(
        ["Medicines only", "Balloon widening only", "Balloon stent", "Self-expanding stent"]
    )
    # Every row of every card is filled, with figures or with why not.
    for index in range(4):
        cells = cards.nth(index).locator(".grid-cell")
        expect(cells).to_have_count(ROWS)
        for row in range(ROWS):
            text = cells.nth(row).inner_text().strip()
            question = cells.nth(row).locator("h3").inner_text()
            assert len(text) > len(question) + 20, (index, row, text)
    # Side by side at 1280 px: the four cards share one row, their rows lined up (subgrid).
    tops = [cards.nth(i).bounding_box()["y"] for i in range(4)]  # type: ignore[index]
    assert max(tops) - min(tops) < 1
    month = page.locator(".cell-month")
    month_tops = [month.nth(i).bounding_box()["y"] for i in range(4)]  # type: ignore[index]
    assert max(month_tops) - min(month_tops) < 1
    assert not axe_violations(page)
    a4 = pdf_pages(page, "A4", artifacts / "grid-four-options-a4.pdf")
    print(f"All-four-options option grid: {a4} A4 pages")
    assert 1 <= a4 <= 3
    # One card per option at 375 px, stacked, nothing sideways.
    page.set_viewport_size({"width": 375, "height": 667})
    assert scroll_width(page) <= 375
    boxes = [cards.nth(i).bounding_box() for i in range(4)]
    assert all(b is not None and b["width"] > 300 for b in boxes)
    assert all(
        a is not None and b is not None and b["y"] >= a["y"] + a["height"]
        for a, b in itertools.pairwise(boxes)
    )
    assert not axe_violations(page)


def test_two_options_grid_prints_on_two_a4_pages(
    server: str, context: BrowserContext, artifacts: Path
) -> None:
    page = context.new_page()
    page.goto(server + "/")
    fill_vissit(page)
    submit(page, "Show the evidence")
    submit(page, "Option grid")
    expect(page.locator(".grid-option")).to_have_count(2)
    a4 = pdf_pages(page, "A4", artifacts / "grid-vissit-a4.pdf")
    print(f"Two-option option grid: {a4} A4 pages")
    assert 1 <= a4 <= 2


def api_note(server: str) -> str:
    body = json.dumps(ALL_OPTIONS_SCENARIO).encode()
    request = urllib.request.Request(
        server + "/api/v1/assess/note", body, {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request) as response:
        assert response.headers["Content-Type"].startswith("text/plain")
        note: str = response.read().decode()
    return note


def test_the_results_page_note_box_copies_and_equals_the_api_note(
    server: str, context: BrowserContext
) -> None:
    page = context.new_page()
    page.goto(server + "/")
    fill_vissit(page, ALL_OPTIONS)
    submit(page)
    box = page.get_by_role("textbox", name="The note")
    expect(box).to_be_hidden()  # collapsed under the view buttons until opened
    page.locator("summary", has_text="Note for the record").click()
    expect(box).to_be_visible()
    expect(box).to_have_attribute("readonly", "")
    note = box.input_value()
    assert note == api_note(server)
    assert len(note) <= 1500
    assert not axe_violations(page)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page.get_by_role("button", name="Copy the note").click()
    expect(page.locator("[data-copy-status]")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == note
    page.set_viewport_size({"width": 375, "height": 667})
    assert scroll_width(page) <= 375
    assert not axe_violations(page)


def test_the_note_page_box_copies_and_equals_the_api_note(
    server: str, context: BrowserContext
) -> None:
    page = context.new_page()
    page.goto(server + "/")
    fill_vissit(page, ALL_OPTIONS)
    submit(page)
    submit(page, "Option grid")
    submit(page, "Note for the record")
    box = page.get_by_role("textbox", name="The note")
    expect(box).to_have_attribute("readonly", "")
    note = box.input_value()
    assert not axe_violations(page)
    page.set_viewport_size({"width": 375, "height": 667})
    assert scroll_width(page) <= 375
    assert not axe_violations(page)
    assert note == api_note(server)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page.get_by_role("button", name="Copy the note").click()
    expect(page.locator("[data-copy-status]")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == note


def test_the_note_box_is_there_without_script(server: str, browser: object) -> None:
    context = browser.new_context(java_script_enabled=False)  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        page.goto(server + "/")
        fill_vissit(page)
        submit(page)
        # On the results page: the box opens and reads without script; no Copy button.
        page.locator("summary", has_text="Note for the record").click()
        box = page.get_by_role("textbox", name="The note")
        expect(box).to_be_visible()
        assert "This tool presents evidence and recommends no treatment." in box.input_value()
        expect(page.get_by_role("button", name="Copy the note")).to_be_hidden()
        # And on the note's own page.
        submit(page, "Option grid")
        submit(page, "Note for the record")
        box = page.get_by_role("textbox", name="The note")
        assert "This tool presents evidence and recommends no treatment." in box.input_value()
        expect(page.get_by_role("button", name="Copy the note")).to_be_hidden()
    finally:
        context.close()
