"""The encoder's test scenarios reach every kind of comparison in the shipped evidence."""

from __future__ import annotations

import pytest
from flask import Flask

from app.contract.scenario import parse_scenario
from app.engine.assess import assess
from tests.engine_tables import tables
from tests.test_encode import SCENARIOS

pytestmark = pytest.mark.shipped_evidence


def test_the_scenarios_reach_every_kind_of_comparison(app: Flask) -> None:
    # The comparison above must not be vacuous: prepared pieces, each status, no comparison.
    base = app.extensions["evidence_base"]
    found = {
        name: [(c.analysis.study.id, c.applicability.status) for c in assessment.comparisons]
        + [w.code for w in assessment.warnings]
        for name, assessment in (
            (name, assess(parse_scenario(body), tables(base))) for name, body in SCENARIOS.items()
        )
    }
    assert found["vissit_like"] == [("vissit", "applies")]
    assert found["all_options"] == [
        ("vissit", "applies"),
        ("sammpris", "applies"),
        ("basis", "applies"),
        ("angioplasty-vs-stent-retro", "unknown"),
        ("cassiss", "outside"),
    ]
    assert found["partly_unknown"] == [
        ("vissit", "unknown"),
        ("sammpris", "unknown"),
        ("cassiss", "unknown"),
        ("basis", "unknown"),
        ("angioplasty-vs-stent-retro", "unknown"),
    ]
    assert found["partial"] == [
        ("vissit", "applies"),
        ("sammpris", "applies"),
        ("basis", "applies"),
        ("angioplasty-vs-stent-retro", "unknown"),
        ("cassiss", "outside"),
    ]
    assert found["outside"] == [("vissit", "outside")]
    assert found["acute"] == [("rescue-icas-ses-bms", "unknown")]
    assert found["no_comparison"] == ["no_direct_comparison"]
    assert found["one_option"] == [("basis", "applies"), ("angioplasty-vs-stent-retro", "unknown")]
