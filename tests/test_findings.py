"""[outcomes.finding]: what a study concluded about an outcome, read and checked like any figure."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.evidence.loader import load_evidence
from app.evidence.model import EvidenceError, Finding, Quote
from tests.minimal_study import STUDY, write_evidence

NARRATIVE = """
[[outcomes]]
id = "stroke_words"
kind = "narrative"
role = "primary safety"
label = "Stroke"
plain_label = "a stroke"
event = "harmful"
timeframe = "30 days"
statement = "Strokes were counted."

[outcomes.definition]
source = "abstract"
quote = "Stroke within 30 days"
"""
FINDING = """
[outcomes.finding]
result = "no_difference"
source = "abstract"
quote = "Stroke within 30 days occurred in 3/10"
"""


def problems_for(tmp_path: Path, study: str) -> list[str]:
    with pytest.raises(EvidenceError) as raised:
        load_evidence(write_evidence(tmp_path, study))
    return list(raised.value.problems)


def test_a_finding_is_read_with_its_quote(tmp_path: Path) -> None:
    evidence = load_evidence(write_evidence(tmp_path, STUDY + NARRATIVE + FINDING))
    outcome = evidence.studies[0].outcome("stroke_words")
    assert outcome.finding == Finding(
        "no_difference", Quote("abstract", "Stroke within 30 days occurred in 3/10")
    )
    assert outcome.is_main
    # A counted outcome needs none.
    assert evidence.studies[0].outcome("stroke_30d").finding is None


def test_a_main_outcome_without_figures_needs_a_finding(tmp_path: Path) -> None:
    assert problems_for(tmp_path, STUDY + NARRATIVE) == [
        "studies/mini.toml: outcomes[1].finding: required for a primary or safety outcome"
        " without figures for both compared arms: quote what the study found"
    ]


def test_a_secondary_outcome_without_figures_needs_none(tmp_path: Path) -> None:
    study = STUDY + NARRATIVE.replace('role = "primary safety"', 'role = "secondary"')
    outcome = load_evidence(write_evidence(tmp_path, study)).studies[0].outcome("stroke_words")
    assert outcome.finding is None and not outcome.is_main


def test_a_finding_is_checked(tmp_path: Path) -> None:
    bad = FINDING.replace('"no_difference"', '"better"').replace(
        "occurred in 3/10", "occurred in 4/10"
    )
    assert problems_for(tmp_path, STUDY + NARRATIVE + bad + 'extra = "x"\n') == [
        "studies/mini.toml: outcomes[1].finding.result: 'better' is not one of: no_difference,"
        " more_with_intervention, more_with_comparator",
        "studies/mini.toml: outcomes[1].finding.quote: not found verbatim in source 'abstract'",
        "studies/mini.toml: outcomes[1].finding.extra: unknown key",
    ]
