"""The reproduction audit's disagreement counts for each shipped study."""

from __future__ import annotations

import pytest

from app.analysis.base import EvidenceBase

pytestmark = pytest.mark.shipped_evidence


def test_disagreement_counts_per_study(base: EvidenceBase) -> None:
    counts = {entry.study.id: len(entry.disagreements) for entry in base.studies}
    assert counts == {
        # 58 analysed of 59 randomized, in 4 outcomes (the one-sided 0-5.5% differs in method).
        "vissit": 4,
        "angioplasty-vs-stent-retro": 5,
        # The OR's P 0.02 vs the Wald 0.027-0.031 of its CI differs in method only.
        "rescue-icas-ses-bms": 0,
        # The medical group's 5·8% is a product-limit estimate (13/227 = 5.7%): method differs.
        "sammpris": 0,
        # Printed difference 0.4 vs crude 0.8 points; 181 of 182 twice. The four printed Cox P
        # values just outside the Wald range of their hazard ratio's CI differ in method only.
        "cassiss": 3,
        # Printed percentages and ratios only: nothing recomputable disagrees.
        "basis": 0,
        "rescue-stenting-meta-2023": 0,
    }
    differs = {
        entry.study.id: sum(
            i.method_differs for i in (*entry.audit, *(i for o in entry.outcomes for i in o.audit))
        )
        for entry in base.studies
    }
    assert differs == {
        "vissit": 1,
        "angioplasty-vs-stent-retro": 0,
        "rescue-icas-ses-bms": 1,
        "sammpris": 1,
        "cassiss": 4,
        "basis": 0,
        "rescue-stenting-meta-2023": 0,
    }
