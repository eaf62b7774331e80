"""A printed risk difference leads the absolute difference, and the NNT follows it (mini study)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.analysis import stats
from app.analysis.appraisal import OutcomeResult
from app.analysis.headline import difference_lead
from app.analysis.outcomes import OutcomeStats, analyse_outcome
from app.api.encode import outcome_json
from app.evidence.loader import load_evidence
from app.evidence.model import Study
from app.web.findings import binary_cells
from app.web.results import row_notes
from tests.minimal_study import SOURCE_TEXT, STUDY, write_evidence

SENTENCE = "The difference in stroke was 20% (95% CI, −10% to 45%)"
SENTENCE_FLIPPED = "The difference in stroke, medical minus stent, was −20% (95% CI, −45% to 10%)"


def effect(estimate: str, ci: tuple[str, str], direction: str, sentence: str) -> str:
    return (
        f'\n[[outcomes.effects]]\ntype = "risk_difference"\nestimate = "{estimate}"\n'
        f'ci = ["{ci[0]}", "{ci[1]}"]\nadjustment = "not stated"\ndirection = "{direction}"\n'
        f'source = "abstract"\nquote = "{sentence}"\n'
    )


def analysed(tmp_path: Path, extra: str = "", sentence: str = "") -> tuple[OutcomeStats, Study]:
    source = f"{SOURCE_TEXT} {sentence}." if sentence else SOURCE_TEXT
    study = load_evidence(write_evidence(tmp_path, STUDY + extra, source=source)).studies[0]
    return analyse_outcome(study.outcome("stroke_30d"), study), study


def test_a_printed_difference_leads_and_its_nnt_follows(tmp_path: Path) -> None:
    entry, _ = analysed(
        tmp_path, effect("20", ("−10", "45"), "intervention_vs_comparator", SENTENCE), SENTENCE
    )
    lead = difference_lead(entry)
    assert lead is not None and lead.source == "published"
    assert lead.difference == stats.Interval(0.2, -0.1, 0.45, 0.95, "as printed")
    # Altman: 1/0.20 = 5; limits 1/0.10 = 10 (benefit side) and 1/0.45 = 2.2, shown rounded up.
    assert lead.nnt is not None
    assert lead.nnt.text == "NNTH 5 (95% CI NNTB 10 to ∞ to NNTH 3)"
    assert lead.nnt.lower == pytest.approx(10.0) and lead.nnt.upper == pytest.approx(1 / 0.45)
    # The counts' own statistics are untouched: 3/10 vs 1/10 is also 20 points, Newcombe's interval.
    assert entry.risk_difference is not None
    assert entry.risk_difference.method == "newcombe-hybrid-score"


def test_a_difference_printed_the_other_way_is_reversed(tmp_path: Path) -> None:
    extra = effect("−20", ("−45", "10"), "comparator_vs_intervention", SENTENCE_FLIPPED)
    entry, study = analysed(tmp_path, extra, SENTENCE_FLIPPED)
    lead = difference_lead(entry)
    assert lead is not None
    assert lead.difference == stats.Interval(0.2, -0.1, 0.45, 0.95, "as printed, sign reversed")
    cells = binary_cells(entry, study)
    assert cells.difference.text == (
        "Published +20.0 pp (−10.0 to +45.0) (printed comparator − intervention, sign reversed)"
    )
    assert cells.difference.derived


def test_a_difference_without_a_direction_does_not_lead(tmp_path: Path) -> None:
    entry, _ = analysed(tmp_path, effect("20", ("−10", "45"), "not_stated", SENTENCE), SENTENCE)
    lead = difference_lead(entry)
    assert lead is not None and lead.source == "recomputed"
    assert lead.difference is entry.risk_difference and lead.nnt is entry.nnt


def test_without_a_printed_difference_the_crude_one_leads(tmp_path: Path) -> None:
    entry, _ = analysed(tmp_path)
    lead = difference_lead(entry)
    assert lead is not None and lead.source == "recomputed" and lead.effect is None
    assert lead.difference is entry.risk_difference and lead.nnt is entry.nnt


def test_no_nnt_from_a_printed_difference_without_a_time_frame(tmp_path: Path) -> None:
    extra = effect("20", ("−10", "45"), "intervention_vs_comparator", SENTENCE)
    no_time = STUDY.replace('timeframe = "30 days"', 'timeframe = "not stated"', 1)
    study = load_evidence(
        write_evidence(tmp_path, no_time + extra, source=f"{SOURCE_TEXT} {SENTENCE}.")
    ).studies[0]
    entry = analyse_outcome(study.outcome("stroke_30d"), study)
    assert entry.nnt is None
    lead = difference_lead(entry)
    assert lead is not None and lead.source == "published" and lead.nnt is None
    assert binary_cells(entry, study).nnt.text == "not calculated: no time frame stated"


def test_the_table_and_the_json_lead_with_the_printed_difference(tmp_path: Path) -> None:
    entry, study = analysed(
        tmp_path, effect("20", ("−10", "45"), "intervention_vs_comparator", SENTENCE), SENTENCE
    )
    cells = binary_cells(entry, study)
    assert cells.difference.text == "Published +20.0 pp (−10.0 to +45.0)"
    assert cells.difference.href.endswith("effect-1") and not cells.difference.derived
    assert cells.nnt.text == (
        "NNTH 5 (95% CI NNTB 10 to ∞ to NNTH 3), from the published difference"
    )
    assert cells.nnt.derived
    # The printed difference is in the cell, so it is not repeated among the notes.
    notes = row_notes(OutcomeResult(entry, ()), study)
    assert not any(n.label == "Published" for n in notes)
    assert outcome_json(entry, study)["absolute_effect"] == {
        "source": "published",
        "estimate": 0.2,
        "ci": [-0.1, 0.45],
        "method": "as printed",
        "adjustment": "not stated",
        "nnt": {
            "value": 5.0,
            "kind": "NNTH",
            "ci": [10.0, pytest.approx(1 / 0.45)],
            "spans_infinity": True,
            "text": "NNTH 5 (95% CI NNTB 10 to ∞ to NNTH 3)",
            "method": "altman-1998",
        },
    }


def test_the_json_names_the_crude_difference_when_it_leads(tmp_path: Path) -> None:
    entry, study = analysed(tmp_path)
    found = outcome_json(entry, study)["absolute_effect"]
    assert (found["source"], found["method"], found["adjustment"]) == (
        "recomputed",
        "newcombe-hybrid-score",
        None,
    )
    assert found["estimate"] == pytest.approx(0.2)
    assert found["nnt"] == outcome_json(entry, study)["nnt"]
