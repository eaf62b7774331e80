"""JSON API: thin routes that read the request, call the domain and serialize the answer.

Routes (described by the OpenAPI 3.1 document served at /api/openapi.json, built in app/openapi.py):

- ``POST /api/v1/assess``: a scenario (app/contract/scenario.py) -> its assessment
  (app/engine/assess.py), built by ``assessment_json`` and encoded with orjson. The
  patient-independent nine tenths of the answer (each study's outcomes with statistics, audit and
  signals; summaries, arms, caveats) are encoded once per app and embedded as fragments
  (app/api/encode.py ``prepare_studies``); the JSON is the plain builder's.
- ``POST /api/v1/assess/note``: the same scenario -> the note for the record as ``text/plain``
  (UTF-8, LF line ends, at most about 1,500 characters; app/engine/note.py), the text the results
  page shows in its read-only box. The same body rules and 422 answers as ``/api/v1/assess``.
- ``POST /api/v1/two-by-two``: statistics for any pair of counts (app/contract/twobytwo.py,
  app/api/twobytwo.py).
- ``POST /api/v1/pool``: two to a hundred two-arm tables pooled into one estimate
  (app/contract/pool.py, app/analysis/pooling.py, app/api/pool.py).
- ``GET /api/v1/evidence`` and ``GET /api/v1/evidence/<study_id>``: the evidence with its statistics
  and audit. They do not depend on the patient, so they are serialized once per app, when the
  blueprint is registered (with orjson, checked for NaN first), and served from
  ``app.extensions["api"]``.
- ``GET /healthz``: ``{"status": "ok", "evidence_version": ...}``.
- ``GET /api/openapi.json``: the API description, also serialized once.

Request bodies: read whole by app/http/body.py ``read_body`` (over MAX_CONTENT_LENGTH, 16 KB,
however sent: 413; a short or undecodable body: 400), then parsed by app/http/json_body.py
``read_json``, whose docstring lists its answers (415, 400, 422) in the order they are checked; the
same for the FHIR and CDS Hooks routes. app/http/errors.py renders every HTTP error under /api/ as
``{"error", "message"}`` JSON. Valid JSON that is not an object is a 422 with field "body"; field
errors are 422 ``{"error": "validation_failed", "fields": {name: [message, ...]}}``, names dotted for
nested fields ("intervention.events").

Numbers: a literal too large for a float (1e400) reads as infinity, and integer literals longer
than 18 digits are read as floats; the validators refuse both ("not a whole number" / "non-finite
number") naming the field. No valid value is that large, and this keeps integers of thousands of
digits (which Python refuses to convert past 4300 digits) out of the validators and messages. No
body gives a 500, and responses never contain NaN: jsonify's provider refuses it, and what orjson
encodes (which would write NaN as null) is checked at start-up or holds only validated numbers
(app/api/encode.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import Blueprint, Flask, Response, current_app, jsonify
from flask.blueprints import BlueprintSetupState

from app.api.encode import (
    StudyParts,
    assessment_json,
    dumps,
    dumps_checked,
    evidence_json,
    prepare_studies,
)
from app.api.openapi import build_document
from app.api.pool import PoolError, parse_pool, pool_json
from app.api.twobytwo import TwoByTwoError, parse_two_by_two, two_by_two_json
from app.contract.scenario import ScenarioError, parse_scenario
from app.engine import centre
from app.engine.assess import assess
from app.engine.note import StudyLines, note_lines, record_note
from app.http.context import evidence_base
from app.http.errors import CODES
from app.http.json_body import BodyError, read_json

bp = Blueprint("api", __name__)

EXTENSION = "api"


@dataclass(frozen=True, slots=True)
class Prepared:
    """Patient-independent answers, serialized once per app."""

    evidence: bytes
    studies: Mapping[str, bytes]
    openapi: bytes
    # Each study's patient-independent pieces of an assess answer, by study id.
    parts: Mapping[str, StudyParts]
    # Each study's evidence-only part of the note for the record, by study id.
    notes: Mapping[str, StudyLines]


@bp.record_once
def _prepare(state: BlueprintSetupState) -> None:
    app = state.app
    base = app.extensions["evidence_base"]
    evidence = evidence_json(base)
    app.extensions[EXTENSION] = Prepared(
        evidence=dumps_checked(evidence),
        studies={study["id"]: dumps_checked(study) for study in evidence["studies"]},
        openapi=dumps_checked(build_document(base.version, tuple(base.evidence.families))),
        parts=prepare_studies(app.extensions["engine_tables"]),
        notes=note_lines(base.studies),
    )


def _prepared() -> Prepared:
    prepared: Prepared = current_app.extensions[EXTENSION]
    return prepared


def _json_response(body: bytes) -> Response:
    return current_app.response_class(body, mimetype="application/json")


def _validation_failed(fields: Mapping[str, list[str]]) -> tuple[Response, int]:
    return jsonify({"error": "validation_failed", "fields": dict(fields)}), 422


@bp.errorhandler(BodyError)
def _body_error(error: BodyError) -> tuple[Response, int]:
    return jsonify(error.payload), error.status


@bp.errorhandler(ScenarioError)
@bp.errorhandler(TwoByTwoError)
@bp.errorhandler(PoolError)
def _invalid(error: ScenarioError | TwoByTwoError | PoolError) -> tuple[Response, int]:
    return _validation_failed(error.fields)


@bp.post("/api/v1/assess")
def assess_scenario() -> Response:
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]  # one proxy lookup
    tables = app.extensions["engine_tables"]
    scenario = parse_scenario(read_json(), families=centre.families(tables.centre))
    assessment = assess(scenario, tables)
    body = dumps(assessment_json(assessment, app.extensions[EXTENSION].parts))
    response: Response = app.response_class(body, mimetype="application/json")
    return response


@bp.post("/api/v1/assess/note")
def assess_note() -> Response:
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    tables = app.extensions["engine_tables"]
    scenario = parse_scenario(read_json(), families=centre.families(tables.centre))
    prepared = app.extensions[EXTENSION]
    note = record_note(assess(scenario, tables), evidence_base().evidence.revision, prepared.notes)
    response: Response = app.response_class(note, mimetype="text/plain")
    return response


@bp.post("/api/v1/two-by-two")
def two_by_two() -> Response:
    return jsonify(two_by_two_json(parse_two_by_two(read_json())))


@bp.post("/api/v1/pool")
def pool() -> Response:
    return jsonify(pool_json(parse_pool(read_json())))


@bp.get("/api/v1/evidence")
def evidence() -> Response:
    return _json_response(_prepared().evidence)


@bp.get("/api/v1/evidence/<study_id>")
def evidence_study(study_id: str) -> Response | tuple[Response, int]:
    studies = _prepared().studies
    body = studies.get(study_id)
    if body is None:
        message = f"There is no study with this id; studies are: {', '.join(studies)}."
        return jsonify({"error": CODES[404], "message": message}), 404
    return _json_response(body)


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify({"status": "ok", "evidence_version": evidence_base().version})


@bp.get("/api/openapi.json")
def openapi() -> Response:
    return _json_response(_prepared().openapi)
