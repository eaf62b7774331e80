"""Plans: what a setting and choice of options draw from the evidence, tabulated at start-up."""

from __future__ import annotations

from itertools import permutations

import pytest

from app.analysis.base import EvidenceBase, analyse
from app.contract.scenario import OPTIONS, SETTINGS, parse_scenario
from app.engine.assess import assess
from app.engine.plans import option_choices
from app.engine.tables import plan_for
from app.evidence.loader import load_evidence
from tests.engine_tables import tables
from tests.evidence_dirs import FIXTURE_DIR


@pytest.fixture(scope="module")
def base() -> EvidenceBase:
    return analyse(load_evidence(FIXTURE_DIR))


def test_every_setting_and_ordered_choice_of_options_is_tabulated(base: EvidenceBase) -> None:
    choices = list(option_choices())
    # 4 + 12 + 24 + 24 ordered choices of distinct options.
    assert len(choices) == 64 == len(set(choices))
    assert set(choices) == {p for n in range(1, 5) for p in permutations(OPTIONS, n)}
    assert set(tables(base).plans) == {(s, c) for s in SETTINGS for c in choices}


def test_tabulated_plans_equal_plans_made_on_demand(base: EvidenceBase) -> None:
    for (setting, options), plan in tables(base).plans.items():
        assert plan == plan_for(base, setting, options), (setting, options)


def test_assess_takes_candidates_warnings_and_gaps_from_the_plan(base: EvidenceBase) -> None:
    scenario = parse_scenario(
        {
            "setting": "symptomatic_icas",
            "options": ["self_expanding_stent", "angioplasty"],
            "stenosis_percent": 80,
            "symptomatic": True,
            "days_since_event": 10,
            "artery": "mca",
            "age": 64,
        }
    )
    plan = tables(base).plans[(scenario.setting, scenario.options)]
    assessment = assess(scenario, tables(base))
    assert {c.analysis.study.id for c in assessment.comparisons} == {
        base.studies[i].study.id for i, _ in plan.candidates
    }
    assert assessment.pairs_without_evidence == plan.gaps
    assert assessment.known_trials == plan.known_trials
    assert assessment.warnings == plan.warnings
