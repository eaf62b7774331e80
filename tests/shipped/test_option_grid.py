"""The IPDAS items that apply to the option grid, on the shipped studies, and the note's length.

IPDAS (International Patient Decision Aid Standards) items asserted on the grid of each shipped
scenario: options and their outcomes in equal detail (the same rows for every option, each filled
or saying why not, every figure in the same parts); probabilities with the same denominator and time
frame across a row (per 100 people, the row's own time frame only); uncertainty (each figure's range
or why it has none, and how sure it is); sources and their date (each study cited, the evidence
version and its date); values clarification (the same number of prompts for every option, no score,
no recommendation).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from flask import Flask

from app.analysis.base import EvidenceBase
from app.contract.scenario import parse_scenario
from app.engine.assess import Assessment, assess
from app.engine.note import LIMIT, record_note
from app.web import option_grid
from app.web import option_grid_words as words
from tests.engine_tables import tables
from tests.scenarios import ALL_OPTIONS, VISSIT_LIKE
from tests.test_counsel import FORBIDDEN, LVO

pytestmark = pytest.mark.shipped_evidence

SHIPPED_SCENARIOS = {
    "vissit": VISSIT_LIKE,
    "all-four": ALL_OPTIONS,
    "two-comparisons": {**VISSIT_LIKE, "options": ["medical", "angioplasty", "balloon_stent"]},
    "sammpris-cassiss": {**VISSIT_LIKE, "options": ["medical", "self_expanding_stent"]},
    "lvo": LVO,
}
ROW_FRAMES = {"month": words.FIRST_MONTH_FRAMES, "later": words.LATER_FRAMES}


def assessed(base: EvidenceBase, scenario: dict[str, Any]) -> Assessment:
    return assess(parse_scenario(scenario), tables(base))


def grid(base: EvidenceBase, scenario: dict[str, Any]) -> option_grid.OptionGrid:
    return option_grid.option_grid(
        assessed(base, scenario), revision=base.evidence.revision, today=dt.date(2026, 12, 7)
    )


@pytest.mark.parametrize("name", sorted(SHIPPED_SCENARIOS))
def test_options_and_outcomes_in_equal_detail(base: EvidenceBase, name: str) -> None:
    view = grid(base, SHIPPED_SCENARIOS[name])
    chosen = SHIPPED_SCENARIOS[name]["options"]
    assert sorted(c.option for c in view.columns) == sorted(chosen)
    for column in view.columns:
        assert [cell.row for cell in column.cells] == [row.id for row in view.rows]
        assert all(cell.filled for cell in column.cells), (name, column.option)
        involves = column.cells[0]
        assert involves.texts[0]  # the option described in plain words, always first
        for cell in column.cells[1:3]:
            # A figure, or why there is none: never both missing.
            assert bool(cell.entries) != bool(cell.why_not), (name, column.option, cell.row)
            assert bool(cell.basis) == bool(cell.entries)  # which kind of figure: once per cell
            for entry in cell.entries:
                assert entry.study and entry.title and entry.share and entry.counts
                assert entry.certainty and entry.href


@pytest.mark.parametrize("name", sorted(SHIPPED_SCENARIOS))
def test_same_denominator_and_time_frame_across_a_row(base: EvidenceBase, name: str) -> None:
    assessment = assessed(base, SHIPPED_SCENARIOS[name])
    view = grid(base, SHIPPED_SCENARIOS[name])
    outcomes = {
        (c.analysis.study.short_name, r.stats.outcome.plain_label): r.stats.outcome.timeframe
        for c in assessment.comparisons
        for r in c.outcomes
    }
    for row_index, row in enumerate(view.rows):
        if row.id not in ROW_FRAMES:
            continue
        assert row.time.startswith("Out of 100 people")
        for column in view.columns:
            for entry in column.cells[row_index].entries:
                assert re.fullmatch(
                    r"(About \d+ of 100|Fewer than 1 in 100) people had it\.", entry.share
                )
                study = entry.study.split(" (")[0]
                label = entry.title[:1].lower() + entry.title[1:]
                timeframe = outcomes[study, label]
                assert timeframe.lower() in ROW_FRAMES[row.id], (entry.title, timeframe)


@pytest.mark.parametrize("name", sorted(SHIPPED_SCENARIOS))
def test_uncertainty_sources_date_and_values_clarification(base: EvidenceBase, name: str) -> None:
    view = grid(base, SHIPPED_SCENARIOS[name])
    assessment = assessed(base, SHIPPED_SCENARIOS[name])
    entries = [e for c in view.columns for cell in c.cells for e in cell.entries]
    for entry in entries:
        # An exact 95% range in words, or that the study gave none (a printed percentage).
        assert entry.range.startswith("The true number could be") or (
            entry.range == words.NO_RANGE and entry.counts.startswith("The study gave")
        )
        assert entry.certainty.startswith("How sure:")
    assert len(view.sources) == len({c.analysis.study.id for c in assessment.comparisons})
    assert view.evidence_version == base.version
    assert view.evidence_date == f"{base.evidence.revision.day} {base.evidence.revision:%B %Y}"
    prompts = [c.cells[4].texts for c in view.columns]
    assert len({len(p) for p in prompts}) == 1 and all(prompts)
    for paragraph in option_grid.grid_paragraphs(view):
        assert not FORBIDDEN.search(paragraph), paragraph
        assert not re.search(r"\bscore\b", paragraph.replace("no score", "")), paragraph


def test_all_four_grid_figures_are_the_trial_arms(base: EvidenceBase) -> None:
    view = grid(base, ALL_OPTIONS)
    found = {
        c.option: [
            f"{e.study}: {e.counts.split(' people')[0].split(' for this group')[0]}"
            for cell in c.cells[1:3]
            for e in cell.entries
        ]
        for c in view.columns
    }
    assert found == {
        "medical": ["VISSIT: In the study, 5 of 53", "SAMMPRIS: In the study, 13 of 227",
                    "BASIS: The study gave 1.6%", "VISSIT: In the study, 8 of 53",
                    "SAMMPRIS: The study gave 12.2%", "BASIS: The study gave 13.5%",
                    "CASSISS: In the study, 13 of 181"],
        "angioplasty": ["BASIS: The study gave 3.2%", "BASIS: The study gave 4.4%"],
        "balloon_stent": ["VISSIT: In the study, 14 of 58", "VISSIT: In the study, 21 of 58"],
        "self_expanding_stent": ["SAMMPRIS: In the study, 33 of 224", "SAMMPRIS: The study gave 20.0%",
                                 "CASSISS: In the study, 14 of 176"],
    }  # fmt: skip
    # BASIS's figures come only from summaries by others: labelled SECONDARY wherever they appear.
    basis = [
        e for c in view.columns for cell in c.cells for e in cell.entries if e.study == "BASIS"
    ]
    assert basis and all("SECONDARY SOURCE" in e.counts for e in basis)
    quotes = [q for c in view.columns for q in c.cells[0].quotes if "BASIS" in q.intro]
    assert any("SECONDARY SOURCE" in q.intro for q in quotes)


def test_all_four_note_fits_and_holds_each_main_outcome(base: EvidenceBase, app: Flask) -> None:
    assessment = assessed(base, ALL_OPTIONS)
    note = record_note(assessment, base.evidence.revision)
    print(f"All-four note: {len(note)} characters")
    assert len(note) <= LIMIT
    main = [
        r.stats.outcome
        for c in assessment.comparisons
        for r in c.outcomes
        if r.stats.outcome.is_main and "subgroup" not in r.stats.outcome.role
    ]
    # Five studies weigh the four options: every main outcome is there, with its interval; the
    # counts are left to the results page to keep within 1,500 characters, and the note says so.
    assert len(main) == len(re.findall(r"^- ", note, re.M)) == 12
    assert "counts on results page" in note
    for figure in (
        "VISSIT (RCT; fits; GRADE low):",
        "- primary safety, 30 d: BMS 24.1% (13.9–37.2) vs MT 9.4% (3.1–20.7).",
        "- Stroke or death ≤30 d: SES 14.7% (10.4–20.1) vs MT 5.7% (3.1–9.6).",
        "SES 20.0% vs MT 12.2% (printed)",
        "SES 23.2% (17.9–29.3) vs MT 15.0% (10.6–20.3)",
        "- primary (SECONDARY), 12 mo: PTA 4.4% vs MT 13.5% (printed).",
        "stent (type NS) 7.1% vs PTA 7.4% (printed)",
        "- primary, 1 y: SES 8.0% (4.4–13.0) vs MT 7.2% (3.9–12.0).",
        f"Evidence version {base.version} ({base.evidence.revision.isoformat()}).",
    ):
        assert figure in note, figure
    with app.test_client() as client:
        api = client.post("/api/v1/assess/note", json=ALL_OPTIONS).get_data(as_text=True)
        page = client.post(
            "/", data={**{k: str(v) for k, v in ALL_OPTIONS.items() if k != "options"},
                       "options": ALL_OPTIONS["options"], "symptomatic": "yes"}
        ).get_data(as_text=True)  # fmt: skip
    assert api == note
    # Each interval in the note is printed on the results page.
    for rate, low, high in re.findall(r"(\d+\.\d)% \((\d+\.\d)–(\d+\.\d)\)", note):
        assert f"{rate}% ({low}–{high})" in page, rate


def test_an_entered_baseline_makes_the_figures_personal(base: EvidenceBase, app: Flask) -> None:
    """risk_for's personal branch: 10% x the pooled 30-day risk ratio (SAMMPRIS and CASSISS)."""
    scenario = {
        **VISSIT_LIKE,
        "options": ["medical", "self_expanding_stent"],
        "baseline_risks": {"stroke_death_30d": 10},
    }
    view = grid(base, scenario)
    medical, stent = (c.cells[1] for c in view.columns)
    assert stent.basis == medical.basis == words.BASIS["personal"]
    (ses,) = stent.entries
    assert ses.share == "About 25 of 100 people like you would have it."
    assert ses.range == "The true number could be as low as 15 or as high as 43."
    assert ses.counts == ""  # no study count behind a personal estimate
    (mt,) = medical.entries
    assert mt.share == "About 10 of 100 people like you would have it."
    assert mt.range == words.ENTERED
    # The later row has no entered baseline: the trial's groups, said so.
    assert view.columns[1].cells[2].basis == words.BASIS["trial"]
    note = record_note(assessed(base, scenario), base.evidence.revision)
    assert "SES personal 25.1% (14.6–43.2) vs MT baseline entered 10.0%" in note
    assert "baseline stroke_death_30d 10%" in note
    with app.test_client() as client:
        api = client.post("/api/v1/assess/note", json=scenario).get_data(as_text=True)
    assert api == note
