"""Every page type in Chromium: axe-core (WCAG 2.2 AA), phone and desktop widths, touch targets."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import axe_violations, fill_vissit, scroll_width, submit

pytestmark = pytest.mark.browser

WIDTHS = (375, 1280)
MIN_TARGET = 44


def form_page(page: Page, server: str) -> None:
    page.goto(server + "/")


def form_errors(page: Page, server: str) -> None:
    page.goto(server + "/")
    fill_vissit(page)
    page.get_by_label("Degree of stenosis (%)").fill("101")
    page.get_by_label("Age (years)").fill("abc")
    submit(page)


def results(page: Page, server: str) -> None:
    page.goto(server + "/")
    fill_vissit(page)
    submit(page)


def patient(page: Page, server: str) -> None:
    page.goto(server + "/")
    fill_vissit(page)
    submit(page, "Patient view")


def printable(page: Page, server: str) -> None:
    page.goto(server + "/")
    fill_vissit(page)
    submit(page, "Printable summary")


def evidence_index(page: Page, server: str) -> None:
    page.goto(server + "/evidence")


def study_page(page: Page, server: str) -> None:
    page.goto(server + "/evidence/angioplasty-vs-stent-retro")


PAGES: dict[str, Callable[[Page, str], None]] = {
    "form": form_page,
    "form-errors": form_errors,
    "results": results,
    "patient": patient,
    "print": printable,
    "evidence": evidence_index,
    "study": study_page,
}
SCREENSHOTS = ("form", "results", "patient", "print")


@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_violations(server: str, browser: Browser, name: str) -> None:
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900})
        try:
            page = context.new_page()
            PAGES[name](page, server)
            report = axe_violations(page)
            print(f"axe, {name} page at {width} px: {report or 'no violations'}")
            assert not report, f"{name} at {width} px:\n{report}"
        finally:
            context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_no_horizontal_scrolling_and_screenshots(
    server: str, browser: Browser, artifacts: Path, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        for name in SCREENSHOTS:
            PAGES[name](page, server)
            page.screenshot(path=str(artifacts / f"{name}-{width}.png"), full_page=True)
            assert scroll_width(page) <= width, f"{name} scrolls sideways at {width} px"
        # The summary-of-findings table never needs sideways scrolling, at either width.
        results(page, server)
        wrap = page.locator(".sof-wrap").first
        assert wrap.evaluate("w => w.scrollWidth <= w.clientWidth"), "the table scrolls sideways"
        cell = page.locator(".sof td.risk-intervention").first
        stacked = cell.evaluate("c => getComputedStyle(c).display") == "block"
        assert stacked == (width < 768)
        if stacked:  # each cell names its column
            label = cell.evaluate("c => getComputedStyle(c, '::before').content")
            assert "Risk with intervention" in label
        else:  # notes are a full-width row, not a column
            notes = page.locator(".sof .notes-row td").first
            table = page.locator(".sof").first
            assert notes.bounding_box()["width"] >= table.bounding_box()["width"] - 2  # type: ignore[index]
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_touch_targets_are_at_least_44_px(server: str, browser: Browser, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        results(page, server)
        small = page.evaluate(
            """(minimum) => {
              const found = [];
              const box = (el) => el.getBoundingClientRect();
              const check = (el, what) => {
                const r = box(el);
                if (r.width < minimum || r.height < minimum) {
                  found.push(`${what}: ${Math.round(r.width)}x${Math.round(r.height)}`);
                }
              };
              for (const input of document.querySelectorAll("#scenario-form input, #scenario-form select")) {
                // A field the chosen setting does not use is hidden (display: none): no target.
                if (input.closest(".field-slot").offsetParent === null) continue;
                // A radio or checkbox counts with its label (tied by for=): the label is the target.
                const small = input.type === "radio" || input.type === "checkbox";
                const label = small ? document.querySelector(`label[for="${input.id}"]`) : null;
                if (small && !label) { found.push(`${input.id}: no label`); continue; }
                check(small ? label.closest(".choice") : input, input.id || input.name);
                if (small) check(label, `label of ${input.id}`);
              }
              for (const el of document.querySelectorAll(
                  "button, header nav a, .jump, summary, .view-switch button")) {
                if (el.offsetParent !== null) check(el, el.textContent.trim());
              }
              return found;
            }""",
            MIN_TARGET,
        )
        assert not small, small
        # The patient and print views' buttons too.
        patient(page, server)
        for button in page.locator(".view-switch button:visible").all():
            b = button.bounding_box()
            assert b and b["width"] >= MIN_TARGET and b["height"] >= MIN_TARGET
    finally:
        context.close()


def test_errors_are_tied_to_their_fields(server: str, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 900})
    try:
        page = context.new_page()
        form_errors(page, server)
        stenosis = page.get_by_label("Degree of stenosis (%)")
        expect(stenosis).to_have_attribute("aria-invalid", "true")
        expect(stenosis).to_have_accessible_description(
            "Whole number from 0 to 100. Required for symptomatic intracranial stenosis."
            " Error: Must be from 0 to 100; got 101."
        )
        page.locator(".error-summary a[href='#stenosis_percent']").click()
        expect(stenosis).to_be_focused()
        assert scroll_width(page) <= 375
    finally:
        context.close()
