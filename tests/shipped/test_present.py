"""The results summary sentences, which count and name the shipped studies a scenario matches."""

from __future__ import annotations

import pytest

from app.analysis.base import EvidenceBase
from app.web import results
from tests.scenarios import VISSIT_LIKE
from tests.test_present import assessed, only

pytestmark = pytest.mark.shipped_evidence


def test_summary_applies(base: EvidenceBase) -> None:
    assert results.summary_sentence(assessed(base, **VISSIT_LIKE)) == (
        "1 study compares these options for symptomatic ICAS: VISSIT (randomized trial)"
        " — applies: the patient meets every criterion checked (checked 4 of 7; 3 criteria not"
        " reported)."
    )


def test_summary_partial(base: EvidenceBase) -> None:
    assessment = assessed(
        base, setting="symptomatic_icas", options=["medical", "balloon_stent"], stenosis_percent=80
    )
    assert results.summary_sentence(assessment).endswith(
        "VISSIT (randomized trial) — cannot be checked: checked 2 of 7 criteria (2 not known for"
        " this patient, 3 not reported by the study), too few to say whether the study applies."
    )
    view = results.comparison_view(only(assessment))
    assert view.status == "unchecked"
    assert view.reasons_open
    assert view.tally == "2 met, 2 unknown, 3 not reported"


def test_summary_outside(base: EvidenceBase) -> None:
    assessment = assessed(base, **{**VISSIT_LIKE, "stenosis_percent": 100})
    assert results.summary_sentence(assessment).endswith(
        "VISSIT (randomized trial) — outside the study population: VISSIT enrolled 70-99%"
        " stenosis; this patient has 100%. (Criterion from a secondary source.)"
    )
    view = results.comparison_view(only(assessment))
    assert view.status == "outside"
    assert view.status_text.startswith("Outside the study population: VISSIT enrolled 70-99%")
    assert view.status_text.count("utside the study population") == 1
    assert [r.status_text for r in view.reasons][:1] == ["Not met"]


def test_summary_single_option(base: EvidenceBase) -> None:
    assessment = assessed(
        base, setting="symptomatic_icas", options=["medical"], stenosis_percent=80
    )
    assert results.summary_sentence(assessment).startswith(
        "4 studies include this option for symptomatic ICAS: VISSIT"
    )
