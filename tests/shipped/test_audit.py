"""The reproduction audit's disagreement counts for each shipped study."""

from __future__ import annotations

import pytest

from app.analysis.base import EvidenceBase

pytestmark = pytest.mark.shipped_evidence


def test_disagreement_counts_per_study(base: EvidenceBase) -> None:
    counts = {entry.study.id: len(entry.disagreements) for entry in base.studies}
    assert counts == {
        "vissit": 5,
        "angioplasty-vs-stent-retro": 5,
        "rescue-icas-ses-bms": 1,
        # The medical group's product-limit 5·8% (13/227 = 5.7%).
        "sammpris": 1,
        # Printed difference 0.4 vs crude 0.8 points; 181 of 182 twice; four printed P values
        # outside the range a Wald test on their hazard ratio's CI allows (two of them now
        # outcomes of the long-term report, one still a fact: its territory stroke).
        "cassiss": 7,
        # Printed percentages and ratios only: nothing recomputable disagrees.
        "basis": 0,
        "rescue-stenting-meta-2023": 0,
    }
