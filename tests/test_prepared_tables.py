"""Study tables, prepared at start-up: the same HTML as built per request."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings

from app import create_app
from app.contract import vocabulary
from app.contract.scenario import parse_scenario
from app.engine.assess import Assessment, assess
from app.web.personal import personal_view
from app.web.results import comparison_view
from tests.engine_tables import tables
from tests.scenarios import ALL_OPTIONS, VISSIT_LIKE
from tests.test_fuzz import VALID_SCENARIOS

ALL_FOUR = ALL_OPTIONS["options"]
FORM = "application/x-www-form-urlencoded"
# All four options in each setting (every study compares two of them in its own setting).
SCENARIOS = [ALL_OPTIONS, {"setting": "lvo_icas", "options": ALL_FOUR}]


def every_setting(app: Flask) -> list[Assessment]:
    assert {s["setting"] for s in SCENARIOS} == set(vocabulary.SETTINGS)
    base = app.extensions["evidence_base"]
    return [assess(parse_scenario(scenario), tables(base)) for scenario in SCENARIOS]


def form_body(scenario: dict[str, Any]) -> str:
    """The scenario as the HTML form posts it (yes/no for true/false)."""
    words = {True: "yes", False: "no"}
    pairs = {k: words.get(v, v) if isinstance(v, bool) else v for k, v in scenario.items()}
    return urlencode(pairs, doseq=True)


def macros(app: Flask) -> Any:
    return app.jinja_env.get_template("calculator/macros.html").make_module()


def test_every_study_has_a_prepared_table(app: Flask) -> None:
    tables = app.extensions["web"]["tables"]
    assert set(tables) == set(app.extensions["evidence_base"].by_id)
    for study_id, prepared in tables.items():
        assert prepared.table.anchor == f"c-{study_id}"
        assert prepared.html.startswith('<div class="table-wrap sof-wrap"')
        assert prepared.html.rstrip().endswith("</details>")


def test_prepared_tables_are_the_html_the_page_would_render(app: Flask) -> None:
    tables = app.extensions["web"]["tables"]
    seen = set()
    with app.test_request_context():
        render = macros(app).comparison
        for assessment in every_setting(app):
            for comparison in assessment.comparisons:
                prepared = comparison_view(comparison, tables)
                fresh = comparison_view(comparison)
                assert prepared.table_html is not None and fresh.table_html is None
                assert prepared.table == fresh.table
                assert str(render(prepared)) == str(render(fresh))
                seen.add(comparison.analysis.study.id)
    assert seen == set(tables)


@pytest.mark.parametrize("options", [ALL_FOUR, VISSIT_LIKE["options"]])
def test_the_results_page_shows_the_prepared_tables(
    app: Flask, client: FlaskClient, options: list[str]
) -> None:
    scenario = {**ALL_OPTIONS, "options": options}
    form = form_body(scenario)
    page = client.post("/", data=form, content_type="application/x-www-form-urlencoded")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assessment = assess(parse_scenario(scenario), app.extensions["engine_tables"])
    assert assessment.comparisons
    for comparison in assessment.comparisons:
        assert app.extensions["web"]["tables"][comparison.analysis.study.id].html in html


def test_in_debug_mode_tables_are_rendered_per_request() -> None:
    # Templates reload as they are edited in debug mode: a table prepared at start-up would not.
    debug = create_app({"TESTING": True, "DEBUG": True})
    assert debug.extensions["web"]["tables"] == {}
    client = debug.test_client()
    page = client.post("/", data=form_body(VISSIT_LIKE), content_type=FORM)
    assert page.status_code == 200
    assert '<div class="table-wrap sof-wrap"' in page.get_data(as_text=True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=VALID_SCENARIOS)
def test_prepared_certainty_is_the_block_the_page_would_render(
    app: Flask, body: dict[str, Any]
) -> None:
    # A study's certainty block is rendered once per indirectness level; the patient's reason is
    # filled in per request (app/web/certainty_view.py).
    tables = app.extensions["web"]["tables"]
    assessment = assess(parse_scenario(body), app.extensions["engine_tables"])
    with app.test_request_context():
        render = macros(app).comparison
        for comparison in assessment.comparisons:
            prepared = comparison_view(comparison, tables)
            fresh = comparison_view(comparison)
            assert (prepared.certainty_html is None) == (fresh.certainty is None)
            assert str(render(prepared)) == str(render(fresh))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=VALID_SCENARIOS)
def test_prepared_personal_panels_are_the_ones_the_page_would_render(
    app: Flask, body: dict[str, Any]
) -> None:
    # Panels of the family risks tabulated at start-up are rendered once (personal.prepare_panels).
    panels = app.extensions["web"]["panels"]
    assessment = assess(parse_scenario(body), app.extensions["engine_tables"])
    with app.test_request_context():
        template = app.jinja_env.get_template("calculator/personal.html")
        prepared = personal_view(assessment, panels)
        fresh = personal_view(assessment)
        assert prepared.panels == fresh.panels
        assert all(html is not None for html in prepared.panel_html)  # no baseline: all tabulated
        assert template.render(personal=prepared) == template.render(personal=fresh)


def test_a_panel_of_an_entered_baseline_is_built_for_the_request(app: Flask) -> None:
    panels = app.extensions["web"]["panels"]
    body = {**ALL_OPTIONS, "baseline_risks": {"stroke_death_30d": 12.5}}
    view = personal_view(assess(parse_scenario(body), app.extensions["engine_tables"]), panels)
    entered = [
        html for p, html in zip(view.panels, view.panel_html, strict=True) if "12.5" in str(p.rows)
    ]
    assert entered == [None]


def test_prepared_glance_outcomes_are_the_ones_the_page_would_render(app: Flask) -> None:
    prepared = app.extensions["web"]["glance_html"]
    glances = app.extensions["web"]["glances"]
    assert set(prepared) == set(glances) == set(app.extensions["evidence_base"].by_id)
    with app.test_request_context():
        render = app.jinja_env.get_template("calculator/_glance.html").make_module().glance_outcomes
        for study, outcomes in glances.items():
            assert str(prepared[study]) == str(render(outcomes))
            assert prepared[study].startswith('<ul class="glance-outcomes">')
