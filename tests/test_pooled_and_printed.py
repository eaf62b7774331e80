"""Printed ratios without counts, pooled (meta-analysis) percentages and a pooled ratio's I², on
small fixture studies written by the tests (tests/minimal_study.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.analysis.base import EvidenceBase, analyse
from app.api.encode import effect_json, headline_json
from app.evidence.loader import load_evidence
from app.evidence.model import EvidenceError
from app.web import results
from app.web.formatting import effect_text
from tests.minimal_study import STUDY, write_evidence

# The fixture's binary outcome as printed percentages only, with the adjusted OR printed beside it.
PERCENT_ONLY = (
    STUDY.replace("events = 3\ntotal = 10\n", "", 1).replace("events = 1\ntotal = 10\n", "", 1)
    + """
[[outcomes.effects]]
type = "odds_ratio"
estimate = "2.0"
ci = ["1.1", "3.6"]
adjustment = "not stated"
direction = "intervention_vs_comparator"
source = "abstract"
quote = "The odds ratio of stroke adjusted for age was 2.0 (95% CI, 1.1-3.6)."
"""
)


def edited(study: str, old: str, new: str) -> str:
    assert old in study, f"test edit target not found: {old!r}"
    return study.replace(old, new, 1)


def analysed(tmp_path: Path, study: str, source: str | None = None) -> EvidenceBase:
    folder = (
        write_evidence(tmp_path, study, source=source)
        if source
        else write_evidence(tmp_path, study)
    )
    return analyse(load_evidence(folder))


def row(base: EvidenceBase, outcome_id: str) -> results.OutcomeRow:
    study = base.by_id["mini"]
    (result,) = [r for r in study.appraisal.outcomes if r.stats.outcome.id == outcome_id]
    return results.outcome_row(result, study.study)


def test_a_printed_ratio_leads_a_row_without_counts(tmp_path: Path) -> None:
    base = analysed(tmp_path, PERCENT_ONLY)
    cells = row(base, "stroke_30d")
    assert cells.intervention.text == "30% (printed) · group size not given"
    assert cells.relative.text == "Published OR (adjustment not stated) 2.0 (1.1–3.6)"
    assert cells.relative.href == "/evidence/mini#o-stroke_30d-effect-1"
    # Shown in its cell, so not again as a note.
    assert not [n for n in cells.notes if n.kind == "published" and "2.0" in n.text]


def test_a_meta_analysis_shows_pooled_percentages_and_no_counts(tmp_path: Path) -> None:
    study = edited(
        PERCENT_ONLY, 'value = "randomized_trial"', 'value = "meta_analysis_nonrandomized"'
    )
    base = analysed(tmp_path, study)
    cells = row(base, "stroke_30d")
    assert (cells.intervention.text, cells.comparator.text) == ("30% (pooled)", "10% (pooled)")
    assert cells.difference.text == "not estimable: pooled percentages, not counts"
    assert cells.nnt.text == "not calculated: pooled percentages, not counts"
    assert cells.participants.text == "20 patients (1 meta-analysis of non-randomized studies)"
    (result,) = base.by_id["mini"].appraisal.outcomes
    codes = {s.code: s.text for s in result.signals}
    assert codes["no_counts"].startswith("Pooled percentages over several studies, not counts")
    assert "observational" in codes
    warnings = {w.code for w in base.by_id["mini"].appraisal.design_warnings}
    assert "observational" in warnings


def test_i2_is_read_checked_against_its_quote_and_shown(tmp_path: Path) -> None:
    source = (
        "We randomized 20 patients with stenosis of 70-99% and a symptomatic event in the past 30"
        " days. Stroke within 30 days occurred in 3/10 (30%) with stenting vs 1/10 (10%) with"
        " medical therapy (P = .58). The pooled odds ratio was 2.0 (95% CI, 1.1-3.6; I2=41%)."
    )
    study = PERCENT_ONLY.replace(
        'quote = "The odds ratio of stroke adjusted for age was 2.0 (95% CI, 1.1-3.6)."',
        'i2 = "41"\nquote = "The pooled odds ratio was 2.0 (95% CI, 1.1-3.6; I2=41%)."',
    )
    base = analysed(tmp_path, study, source)
    (result,) = base.by_id["mini"].appraisal.outcomes
    (effect,) = result.stats.outcome.effects
    assert effect.i2 is not None and effect.i2.text == "41"
    assert effect_text(effect) == "OR (adjustment not stated) 2.0 (1.1–3.6); I² 41%"
    study_model = base.by_id["mini"].study
    assert effect_json(effect, study_model)["i2"] == "41"
    lead = headline_json(result.stats)
    assert lead is not None and lead["i2"] == "41"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('"42"', "printed 42 is not in its quote as written"),
        ('"141"', "I² is a percentage from 0 to 100, got 141"),
        ('"many"', "must be a number as printed"),
    ],
)
def test_a_wrong_i2_is_refused(tmp_path: Path, value: str, message: str) -> None:
    study = PERCENT_ONLY.replace(
        'direction = "intervention_vs_comparator"\nsource = "abstract"\nquote = "The odds ratio',
        f'direction = "intervention_vs_comparator"\ni2 = {value}\nsource = "abstract"\nquote = "The odds ratio',
    )
    with pytest.raises(EvidenceError) as raised:
        load_evidence(write_evidence(tmp_path, study))
    assert any("effects[0].i2" in p and message in p for p in raised.value.problems), (
        raised.value.problems
    )
