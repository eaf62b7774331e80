"""POST /api/v1/assess/fhir: the same scenario as /api/v1/assess, answered as a FHIR R5 Bundle.

The body is read and checked exactly as /api/v1/assess reads it (app.http.json_body.read_json and the
scenario contract: the same 400, 413, 415 and 422 JSON errors); the answer is app.ehr.fhir's
Bundle, ``Content-Type: application/fhir+json``. Links point at ICAS_PUBLIC_URL when it is set,
else at the address the request came to.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request
from flask.blueprints import BlueprintSetupState

from app.api.encode import dumps_checked
from app.contract.scenario import ScenarioError, parse_scenario
from app.ehr import config
from app.ehr.fhir import bundle
from app.engine import centre
from app.engine.assess import assess
from app.http.context import engine_tables
from app.http.json_body import BodyError, read_json

bp = Blueprint("ehr_fhir", __name__)
FHIR_JSON = "application/fhir+json"


@bp.record_once
def _install(state: BlueprintSetupState) -> None:
    config.install(state.app)


@bp.errorhandler(BodyError)
def _body_error(error: BodyError) -> tuple[Response, int]:
    return jsonify(error.payload), error.status


@bp.errorhandler(ScenarioError)
def _invalid(error: ScenarioError) -> tuple[Response, int]:
    return jsonify({"error": "validation_failed", "fields": error.fields}), 422


@bp.post("/api/v1/assess/fhir")
def assess_fhir() -> Response:
    tables = engine_tables()
    scenario = parse_scenario(read_json(), families=centre.families(tables.centre))
    assessment = assess(scenario, tables)
    base_url = config.settings().public_url or request.url_root.rstrip("/")
    body = dumps_checked(bundle(assessment, base_url=base_url))
    return current_app.response_class(body, mimetype=FHIR_JSON)
