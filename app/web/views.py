"""HTML pages: the scenario form with its results, and the evidence pages every number links to.

POST / takes the scenario form and a `view` chosen by the button pressed:

- ``clinician`` (default, and for any unknown value): the form with the summary-of-findings results,
  and under their view buttons the note for the record (app/engine/note.py) in a collapsed
  read-only text box;
- ``patient``: the counselling view in plain words with icon arrays (app/counsel.py);
- ``print``: the printable consent summary built from the same counselling view;
- ``options``: the option grid, every option chosen side by side (app/web/option_grid.py), printable;
- ``note``: the same note for the record on a light page of its own, one step from the patient,
  print and option grid pages.

POST /summary takes the same form body and answers only the quick summary, an HTML fragment the
page's script swaps in as the form changes (app/web/summary.py); the browser holds no clinical rule.

The patient and print pages carry the entered values in hidden inputs of their own POST form, so
switching views re-posts the same scenario; nothing goes in a URL or a cookie. An invalid scenario
shows the form with its errors (422) whichever view was asked for.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    make_response,
    render_template,
    request,
)
from flask.blueprints import BlueprintSetupState

from app.contract.scenario import ScenarioError
from app.engine.assess import assess
from app.engine.note import note_lines, record_note
from app.http.context import engine_tables, evidence_base
from app.http.security import BACK_BUTTON_CACHE
from app.web import (
    centre,
    counsel,
    counsel_glance,
    evidence_pages,
    forest,
    form_html,
    formatting,
    known,
    option_grid,
    results,
)
from app.web import personal as personal_risks
from app.web import summary as live
from app.web.forms import ScenarioForm

bp = Blueprint("web", __name__)
EXTENSION = "web"


@bp.record_once
def _prepare(state: BlueprintSetupState) -> None:
    """Build what no patient changes once: the evidence pages, the study tables, the form's sections.

    A study's table is two fifths of the results page's time when rendered per request
    (tests/perf/README.md). In debug mode, where templates reload as they are edited, tables are
    rendered per request instead, so an edit to the table's template shows at once; so are the
    personal risks panels.
    """
    app = state.app
    base = app.extensions["evidence_base"]
    tables = app.extensions["engine_tables"]
    families = personal_risks.form_families(base)
    glances = counsel_glance.prepare_glances(base.studies)
    glance = _macro(state, "calculator/_glance.html", "glance_outcomes")
    app.extensions[EXTENSION] = {
        "index": evidence_pages.evidence_index(base),
        "studies": {a.study.id: evidence_pages.study_view(a) for a in base.studies},
        "tables": {}
        if app.debug
        else results.prepare_tables(
            tables,
            _macro(state, "calculator/table.html", "study_table"),
            _macro(state, "calculator/certainty.html", "certainty_block"),
        ),
        "families": families,
        "plots": forest.prepare_plots(base.families),
        "glances": glances,
        # Each study's glance outcomes rendered once (debug mode: with the page, as the tables).
        "glance_html": {}
        if app.debug
        else {study: glance(found) for study, found in glances.items()},
        "notes": note_lines(base.studies),
        "panels": {}
        if app.debug
        else personal_risks.prepare_panels(
            tables.presets, _macro(state, "calculator/personal_panel.html", "family_panel")
        ),
        # The form's baseline-risks and centre sections as far as the evidence alone decides them.
        "form": form_html.Sections(families, centre.centre_rows(tables.centre, None)),
    }


def _macro(state: BlueprintSetupState, template: str, name: str) -> Any:
    """A template's macro, whose output the page holds unchanged when rendered at start-up."""
    return getattr(state.app.jinja_env.get_template(template).module, name)


def _prepared() -> dict[str, Any]:
    prepared: dict[str, Any] = current_app.extensions[EXTENSION]
    return prepared


@bp.app_context_processor
def evidence_version() -> dict[str, Any]:
    """Every page, error pages included, names the evidence version it was built from."""
    return {
        "evidence_version": evidence_base().version,
        "disclaimer": formatting.DISCLAIMER,
        "intended_use": formatting.INTENDED_USE_LINE,
    }


@bp.app_context_processor
def form_markup() -> dict[str, Any]:
    """The form's sections, written in Python (app/web/form_html.py), for this page and the EHR's.

    Passed as context, not as Jinja globals: each global makes every `{% from ... import %}` of a
    page slower (Jinja compares the page's globals with the imported template's at each import).
    """
    sections: form_html.Sections = _prepared()["form"]
    return {
        "form_columns": form_html.columns_html,
        "form_field": form_html.field_html,
        "form_sections": form_html.sections,
        "form_risks": sections.risks_html,
        "form_centre": sections.centre_html,
    }


@bp.get("/")
def index() -> str:
    return render_template(
        "calculator/index.html",
        form=ScenarioForm(),
        results=None,
        errors=(),
        nav="calculator",
    )


@bp.post("/")
def calculate() -> Response:
    """Answer the form; Back after following a link shows this page again without re-posting."""
    page, status = _calculate()
    response = make_response(page, status)
    response.headers["Cache-Control"] = BACK_BUTTON_CACHE
    return response


def _calculate() -> tuple[str, int]:
    # Nothing from the form is logged or stored: the scenario lives only in this response (and in
    # this browser's own cache, for Back; see app/http/security.py).
    form = ScenarioForm(request.form)
    scenario = form.scenario()
    assessment = None
    if scenario is not None:
        try:
            assessment = assess(scenario, engine_tables())
        except ScenarioError as error:  # a baseline for a family the evidence does not declare
            form.apply_errors(error)
    if assessment is None:
        page = render_template(
            "calculator/index.html",
            form=form,
            results=None,
            errors=form.error_summary(),
            nav="calculator",
        )
        return page, 422
    view = request.form.get("view", "clinician")
    mine = personal_risks.personal_view(assessment, _prepared()["panels"])
    if view in ("patient", "print"):
        template = "counsel/patient.html" if view == "patient" else "counsel/print.html"
        page = render_template(
            template,
            page=counsel.counsel_view(assessment, today=dt.date.today()),
            carried=form.carried(),
            centre=centre.centre_views(assessment.centre),
            view=view,
            nav="calculator",
            known_trials=known.known_trial_views(assessment),
            personal=mine,
        )
        return page, 200
    revision = evidence_base().evidence.revision
    if view == "options":
        page = render_template(
            "counsel/options.html",
            grid=option_grid.option_grid(assessment, revision=revision, today=dt.date.today()),
            carried=form.carried(),
            view=view,
            nav="calculator",
        )
        return page, 200
    if view == "note":
        page = render_template(
            "calculator/note.html",
            note=record_note(assessment, revision, _prepared()["notes"]),
            carried=form.carried(),
            view=view,
            nav="calculator",
        )
        return page, 200
    shown = results.results(assessment, form.ignored_inputs(), _prepared()["tables"])
    page = render_template(
        "calculator/index.html",
        form=form,
        results=shown,
        glance=counsel_glance.glance(
            assessment, _prepared()["glances"], _prepared()["glance_html"]
        ),
        errors=(),
        nav="calculator",
        known_trials=known.known_trial_views(assessment),
        forests=forest.forest_views(assessment, _prepared()["plots"]),
        personal=mine,
        centre=centre.centre_views(assessment.centre),
        note=record_note(assessment, revision, _prepared()["notes"]),
    )
    return page, 200


@bp.post("/summary")
def summary() -> tuple[str, int]:
    """Answer the live summary for the form as it stands, as an HTML fragment (422 until valid)."""
    # The same form body as POST /: nothing in a URL, nothing logged or stored.
    form = ScenarioForm(request.form)
    scenario = form.scenario()
    if scenario is None:
        return render_template("calculator/_summary.html", summary=live.form_messages(form)), 422
    try:
        assessment = assess(scenario, engine_tables())
    except ScenarioError as error:
        form.apply_errors(error)
        return render_template("calculator/_summary.html", summary=live.form_messages(form)), 422
    view = live.live_summary(assessment)
    return render_template("calculator/_summary.html", summary=view), 200


@bp.get("/evidence")
def evidence() -> str:
    return render_template("evidence/index.html", page=_prepared()["index"], nav="evidence")


@bp.get("/evidence/<study_id>")
def study(study_id: str) -> str:
    view = _prepared()["studies"].get(study_id)
    if view is None:
        abort(404)
    return render_template("evidence/study.html", study=view, nav="evidence")
