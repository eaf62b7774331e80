"""The patient view's key outcomes for each shipped study."""

from __future__ import annotations

import pytest

from app.analysis.base import EvidenceBase
from tests.scenarios import ALL_OPTIONS
from tests.test_counsel import LVO, view

pytestmark = pytest.mark.shipped_evidence


def test_key_outcomes_per_study(base: EvidenceBase) -> None:
    found = {c.study_id: [o.id for o in c.outcomes] for c in view(base, ALL_OPTIONS).comparisons}
    assert found == {
        "vissit": ["primary_safety_30d", "primary_stroke_tia_12m"],
        "angioplasty-vs-stent-retro": ["periprocedural_death", "periprocedural_stroke"],
        "sammpris": ["stroke_death_30d", "primary_final"],
        "cassiss": ["primary_1y", "stroke_death_30d"],
    }
    (rescue,) = view(base, LVO).comparisons
    # Its primary and safety outcomes have no counts; the one counted outcome fills in (not the subgroup).
    assert [o.id for o in rescue.outcomes] == ["recurrent_stroke"]
    assert len(rescue.not_shown) == 2
    assert "being able to look after themselves" in rescue.not_shown[0]
    assert "The study did not print some of these counts." in rescue.outcomes[0].notes[0]
    assert rescue.outcomes[0].time == "over a time not stated in the study"
    assert [o.option for o in rescue.outcomes[0].options] == [
        "balloon_stent",
        "self_expanding_stent",
    ]
