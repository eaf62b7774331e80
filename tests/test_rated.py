"""Certainty from the start-up tables: the same ratings and statements as worked out per request."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Flask
from hypothesis import HealthCheck, given, settings

from app.analysis.certainty import judge_family
from app.analysis.statements import family_statement
from app.contract.scenario import parse_scenario
from app.engine.assess import assess
from app.engine.indirectness import family_indirectness, outcome_certainty
from tests.scenarios import ALL_OPTIONS
from tests.test_fuzz import VALID_SCENARIOS

SOME = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(app: Flask, body: dict[str, Any]) -> int:
    """Compare every certainty of the assessment with the one built from scratch; count them."""
    assessment = assess(parse_scenario(body), app.extensions["engine_tables"])
    seen = 0
    for c in assessment.comparisons:
        assert c.indirectness is not None
        for result, certainty in zip(c.outcomes, c.certainty, strict=True):
            assert certainty == outcome_certainty(result, c.analysis.study, c.indirectness)
            seen += certainty is not None
    members = {c.analysis.study.id: (c.indirectness.levels, "") for c in assessment.comparisons}
    for group, certainty in zip(assessment.side_by_side, assessment.family_certainty, strict=True):
        direct = certainty.domains[2]
        levels = family_indirectness(group, members).levels
        fresh = judge_family(group).with_indirectness(direct)
        assert direct.levels == levels
        assert certainty == replace(fresh, statement=family_statement(fresh.rating, group))
        seen += 1
    return seen


def test_the_all_options_scenario_rates_from_the_tables(app: Flask) -> None:
    # Fixture evidence: 18 rated outcomes of four comparisons, and the one family two of them share.
    assert check(app, ALL_OPTIONS) == 18 + 1


@SOME
@given(body=VALID_SCENARIOS)
def test_any_scenario_rates_from_the_tables(app: Flask, body: dict[str, Any]) -> None:
    check(app, body)
