"""Start-up tables (certainty, risks at the studies' baselines, the note's lines): the same as worked out per request."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Flask
from hypothesis import HealthCheck, given, settings

from app.analysis.certainty import judge_family
from app.analysis.statements import family_statement, outcome_statement
from app.contract.scenario import parse_scenario
from app.engine import personal
from app.engine.assess import assess
from app.engine.indirectness import family_indirectness
from app.engine.note import record_note
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
            if result.judged is None:
                assert certainty is None
                continue
            fresh = result.judged.with_indirectness(c.indirectness)
            statement = outcome_statement(fresh.rating, result.stats, c.analysis.study)
            assert certainty == replace(fresh, statement=statement)
            seen += 1
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


def same_risks(app: Flask, body: dict[str, Any]) -> int:
    """Compare the family risks from the tables with those worked out afresh; count the families."""
    tables = app.extensions["engine_tables"]
    scenario = parse_scenario(body)
    assessment = assess(scenario, tables)
    fits = {c.analysis.study.id: c.applicability.status for c in assessment.comparisons}
    effects = tables.base.relative
    fresh = personal.family_risks(effects, scenario, fits)
    assert personal.family_risks(effects, scenario, fits, tables.presets) == fresh
    return len(fresh)


def test_the_all_options_scenario_takes_its_risks_from_the_tables(app: Flask) -> None:
    assert same_risks(app, ALL_OPTIONS) == 8  # fixture evidence: eight families
    # An entered baseline is worked out per request; the other families still come from the tables.
    assert same_risks(app, {**ALL_OPTIONS, "baseline_risks": {"stroke_death_30d": 12.5}}) == 8


@SOME
@given(body=VALID_SCENARIOS)
def test_any_scenario_takes_its_risks_from_the_tables(app: Flask, body: dict[str, Any]) -> None:
    same_risks(app, body)


@SOME
@given(body=VALID_SCENARIOS)
def test_the_note_takes_each_studys_lines_from_the_tables(app: Flask, body: dict[str, Any]) -> None:
    assessment = assess(parse_scenario(body), app.extensions["engine_tables"])
    revision = app.extensions["evidence_base"].evidence.revision
    lines = app.extensions["web"]["notes"]
    assert record_note(assessment, revision, lines) == record_note(assessment, revision)
