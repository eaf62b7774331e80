"""Results-page pieces no patient changes, prepared at start-up: the same as built per request."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.contract import vocabulary
from app.contract.scenario import parse_scenario
from app.engine.assess import Assessment, assess
from app.web.counsel_glance import glance, study_glance
from app.web.forest import forest_views
from app.web.results import comparison_view
from app.web.views import compact
from tests.scenarios import ALL_OPTIONS, VISSIT_LIKE

ALL_FOUR = ALL_OPTIONS["options"]
# All four options in each setting (every study compares two of them in its own setting).
SCENARIOS = [ALL_OPTIONS, {"setting": "lvo_icas", "options": ALL_FOUR}]


def every_setting(app: Flask) -> list[Assessment]:
    assert {s["setting"] for s in SCENARIOS} == set(vocabulary.SETTINGS)
    base = app.extensions["evidence_base"]
    return [assess(parse_scenario(scenario), base) for scenario in SCENARIOS]


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
                # The page compacts its indentation (views.compact); so are the prepared tables.
                assert compact(str(render(prepared))) == compact(str(render(fresh)))
                seen.add(comparison.analysis.study.id)
    assert seen == set(tables)


def test_a_comparison_with_other_outcomes_gets_its_own_table(app: Flask) -> None:
    tables = app.extensions["web"]["tables"]
    comparison = next(c for a in every_setting(app) for c in a.comparisons if len(c.outcomes) > 1)
    fewer = replace(comparison, outcomes=comparison.outcomes[:1])
    view = comparison_view(fewer, tables)
    assert view.table_html is None
    assert [r.id for r in view.rows] == [comparison.outcomes[0].stats.outcome.id]
    renamed = replace(comparison.analysis.study, short_name="Renamed")
    other = replace(comparison, analysis=replace(comparison.analysis, study=renamed))
    view = comparison_view(other, tables)
    assert view.table_html is None and view.table.caption.endswith(", Renamed")


@pytest.mark.parametrize("options", [ALL_FOUR, VISSIT_LIKE["options"]])
def test_the_results_page_shows_the_prepared_tables(
    app: Flask, client: FlaskClient, options: list[str]
) -> None:
    scenario = {**ALL_OPTIONS, "options": options}
    form = form_body(scenario)
    page = client.post("/", data=form, content_type="application/x-www-form-urlencoded")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assessment = assess(parse_scenario(scenario), app.extensions["evidence_base"])
    assert assessment.comparisons
    for comparison in assessment.comparisons:
        assert app.extensions["web"]["tables"][comparison.analysis.study.id].html in html


def test_forest_plots_drawn_at_start_up_are_those_drawn_per_request(app: Flask) -> None:
    base = app.extensions["evidence_base"]
    forests = app.extensions["web"]["forests"]
    assert set(forests) == {key for key, plan in base.plans.items() if plan.side_by_side}
    for (setting, options), (groups, views) in forests.items():
        assessment = assess(
            parse_scenario({**ALL_OPTIONS, "setting": setting, "options": list(options)}), base
        )
        assert assessment.side_by_side is groups
        assert forest_views(assessment, forests) is views
        assert forest_views(assessment) == views


def test_other_families_than_prepared_are_drawn_for_the_request(app: Flask) -> None:
    forests = app.extensions["web"]["forests"]
    assessment = assess(parse_scenario(ALL_OPTIONS), app.extensions["evidence_base"])
    assert forest_views(replace(assessment, side_by_side=()), forests) == ()


def test_glance_outcomes_prepared_at_start_up_are_those_built_per_request(app: Flask) -> None:
    glances = app.extensions["web"]["glances"]
    assert set(glances) == set(app.extensions["evidence_base"].by_id)
    for assessment in every_setting(app):
        assert glance(assessment, glances) == glance(assessment)
        for shown, comparison in zip(
            glance(assessment, glances).comparisons, assessment.comparisons, strict=True
        ):
            assert shown.outcomes is glances[comparison.analysis.study.id].glance
    # A comparison showing other outcomes (none here) than those prepared: built for the request.
    comparison = next(
        c for a in every_setting(app) for c in a.comparisons if glances[c.analysis.study.id].glance
    )
    alone = replace(assessment, comparisons=(replace(comparison, outcomes=()),))
    (shown,) = glance(alone, glances).comparisons
    assert shown.outcomes == () == study_glance(comparison.analysis.study, ())
