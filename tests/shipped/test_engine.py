"""The scenario table: which shipped studies each scenario matches, in what order, and how well."""

from __future__ import annotations

import pytest

from app.analysis.base import EvidenceBase
from app.contract.scenario import parse_scenario
from app.engine.assess import assess
from tests.engine_tables import tables
from tests.test_engine import CASES, Case, lvo, run, sym

pytestmark = pytest.mark.shipped_evidence


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_scenario_table(base: EvidenceBase, case: Case) -> None:
    result = run(base, case)
    found = [(c.analysis.study.id, c.applicability.status) for c in result.comparisons]
    assert found == case.expected
    by_study = {c.analysis.study.id: c for c in result.comparisons}
    for study_id, codes in case.warnings.items():
        assert codes <= {w.code for w in by_study[study_id].warnings}
    for study_id, codes in case.absent.items():
        assert not codes & {w.code for w in by_study[study_id].warnings}
    for study_id, texts in case.reasons.items():
        assert texts <= {r.text for r in by_study[study_id].applicability.reasons}
    assert {w.code for w in result.warnings} == case.top


def test_no_direct_comparison_lists_what_is_compared(base: EvidenceBase) -> None:
    scenario = sym(["balloon_stent", "self_expanding_stent"], stenosis_percent=80)
    result = assess(parse_scenario(scenario), tables(base))
    (warning,) = result.warnings
    assert "balloon-mounted (balloon-expandable) stent with self-expanding stent" in warning.text
    assert result.available == (
        "a balloon-mounted stent vs medical therapy (VISSIT)",
        "a stent of unstated type vs angioplasty alone (Retrospective angioplasty vs stent (3 centres))",
        "a self-expanding stent vs medical therapy (SAMMPRIS)",
        "a self-expanding stent vs medical therapy (CASSISS)",
        "angioplasty alone vs medical therapy (BASIS)",
    )
    acute = assess(parse_scenario(lvo(["medical", "angioplasty"])), tables(base))
    assert acute.available == (
        "a self-expanding stent vs a balloon-mounted stent (RESCUE-ICAS (SES vs BMS))",
        "a stent of unstated type vs medical therapy (Rescue stenting meta-analysis (SVIN 2023))",
    )
