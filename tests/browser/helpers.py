"""What the browser tests do the way a clinician would: fill the form, submit, switch views, read numbers."""

from __future__ import annotations

import re
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from app.analysis.base import EvidenceBase, analyse
from app.analysis.outcomes import ArmStats
from app.evidence.loader import load_evidence
from tests.evidence_dirs import FIXTURE_DIR

# A VISSIT-like patient: elective, medical vs balloon-mounted stent, 80%, symptomatic, 10 days, MCA, 64.
VISSIT_OPTIONS = ("medical", "balloon_stent")
ALL_OPTIONS = ("medical", "angioplasty", "balloon_stent", "self_expanding_stent")
PAGE_COUNT = re.compile(rb"/Type\s*/Page[^s]")
RISK = re.compile(r"(\d+\.\d)% \((\d+\.\d)–(\d+\.\d)\) · (\d+)/(\d+)")
_BASES: dict[Path, EvidenceBase] = {}
_AXE = Axe()


def evidence(folder: Path = FIXTURE_DIR) -> EvidenceBase:
    """The evidence base with its statistics, loaded once per folder (as the app loads it)."""
    if folder not in _BASES:
        _BASES[folder] = analyse(load_evidence(folder))
    return _BASES[folder]


def vissit_arm(outcome_id: str, which: str, folder: Path = FIXTURE_DIR) -> ArmStats:
    """VISSIT's statistics for one arm of an outcome, from the tests' evidence unless told."""
    study = evidence(folder).by_id["vissit"]
    entry = next(o for o in study.outcomes if o.outcome.id == outcome_id)
    arm = entry.intervention if which == "intervention" else entry.comparator
    assert arm is not None
    return arm


def fill_vissit(page: Page, options: tuple[str, ...] = VISSIT_OPTIONS) -> None:
    """Fill the scenario form for a VISSIT-like patient (by label, as a person would)."""
    page.get_by_label("Symptomatic intracranial stenosis (elective decision)").check()
    labels = {
        "medical": "Medical therapy",
        "angioplasty": "Angioplasty alone",
        "balloon_stent": "Balloon-mounted (balloon-expandable) stent",
        "self_expanding_stent": "Self-expanding stent",
    }
    for option in options:
        page.get_by_label(labels[option], exact=True).check()
    page.get_by_label("Degree of stenosis (%)").fill("80")
    page.locator("fieldset", has_text="Is the stenosis symptomatic?").get_by_label("Yes").check()
    page.get_by_label("Days since the qualifying TIA or stroke").fill("10")
    page.get_by_label("Artery with the stenosis").select_option("mca")
    page.get_by_label("Age (years)").fill("64")


def submit(page: Page, button: str = "Show the evidence") -> None:
    """Press one of the form's submit buttons and wait for the page it posts to."""
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).first.click()


def risk_cell(page: Page, outcome_id: str, arm: str) -> tuple[float, float, float, int, int]:
    """Read one risk cell of the summary-of-findings table as numbers: rate, CI, events, total."""
    row = page.locator(f"tr:has(#c-vissit-{outcome_id})")
    text = row.locator(f"td.risk-{arm}").inner_text()
    found = RISK.search(text)
    assert found, text
    rate, low, high, events, total = found.groups()
    return float(rate), float(low), float(high), int(events), int(total)


def expected_cell(arm: ArmStats) -> tuple[float, float, float, int, int]:
    rate = arm.rate
    return (
        round(100 * rate.value, 1),
        round(100 * rate.lower, 1),
        round(100 * rate.upper, 1),
        arm.events,
        arm.total,
    )


def pdf_pages(page: Page, paper: str, path: Path) -> int:
    """Print the page to PDF in Chromium, save it, and count its pages (/Type /Page, not /Pages)."""
    pdf = page.pdf(format=paper, print_background=True)
    path.write_bytes(pdf)
    return len(PAGE_COUNT.findall(pdf))


def axe_violations(page: Page) -> str:
    """Run axe-core; return a readable list of violations ('' when there are none)."""
    results = _AXE.run(page)
    if results.violations_count == 0:
        return ""
    return results.generate_report()


def scroll_width(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def tab_until(page: Page, selector: str, *, limit: int = 60) -> None:
    """Press Tab until the focused element matches `selector` (keyboard only)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")
