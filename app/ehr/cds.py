"""CDS Hooks 2.0 service: discovery and the icas-evidence service on order-select and order-sign.

- ``GET /cds-services``: the discovery document (it describes the service only; no token needed).
- ``POST /cds-services/icas-evidence``: a bearer JWT (app/ehr/cds_auth.py) is checked first (401
  JSON when missing or refused), then the body, read by the same reader as every route
  (app/http/body.py and app/http/json_body.py: chunked decoding, the limit, here 512 KB however
  the body is sent, and the API's 400, 408, 413, 415 and 422 JSON answers); then a body that is
  not an object, an unknown hook, no hookInstance or context, or a context without
  ``draftOrders`` (or, for order-select, ``selections``), which the hooks require (CDS Hooks 2.0:
  412 is for FHIR data the service cannot obtain, not for a malformed request): 400 JSON. When a
  (selected) draft order's code is on the configured procedure list, the answer is one info card
  (app/ehr/cds_card.py); otherwise ``{"cards": []}``.

The routes answer 404 unless ICAS_PUBLIC_URL and ICAS_CDS_ISSUERS are set. CORS headers are sent
only to the configured origins. No request body, token or identifier is logged or kept (only the
jti of each token, until it expires, to refuse replays).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, request
from flask.blueprints import BlueprintSetupState
from werkzeug.exceptions import HTTPException

from app.ehr import config
from app.ehr.cds_auth import KeyCache, ReplayCache, TokenError, verify
from app.ehr.cds_card import card, find_assessment
from app.http.context import engine_tables
from app.http.errors import CODES, MESSAGES, Refused
from app.http.json_body import BodyError, read_json

bp = Blueprint("ehr_cds", __name__)
SERVICE_ID = "icas-evidence"
HOOKS = ("order-select", "order-sign")
MAX_BODY = 512 * 1024  # draftOrders bundles are larger than the API's 16 KB
STATE = "ehr_cds"
DESCRIPTION = (
    "When an intracranial angioplasty or stent order is selected or signed, names what the"
    " published evidence compares, with its key group-level numbers and a link to the calculator."
    " It never recommends a treatment."
)


@bp.record_once
def _install(state: BlueprintSetupState) -> None:
    if config.install(state.app).cds_enabled:
        # PyJWT and requests are imported where used (app/ehr/cds_auth.py); when the service is
        # configured, import them now, in the process gunicorn forks its workers from.
        import jwt  # noqa: F401
        import requests  # noqa: F401
    state.app.extensions[STATE] = {"keys": KeyCache(), "replays": ReplayCache()}


def _error(status: int, code: str, message: str) -> tuple[Response, int]:
    return jsonify({"error": code, "message": message}), status


@bp.before_request
def _enabled() -> None:
    if not config.settings().cds_enabled:
        abort(404)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    message = MESSAGES.get(status, "Error.")
    if isinstance(error, Refused) and error.description:
        message = error.description  # the body reader's own words (a malformed chunk, ...)
    if status == 413:
        message = "The request body is larger than 512 KB."
    response, _ = _error(status, CODES.get(status, "error"), message)
    response.status_code = status
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


@bp.errorhandler(BodyError)
def _body_error(error: BodyError) -> tuple[Response, int]:
    return jsonify(error.payload), error.status


@bp.after_request
def _cors(response: Response) -> Response:
    response.vary.add("Origin")
    origin = request.headers.get("Origin")
    if origin and origin in config.settings().cds_cors_origins:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Max-Age"] = "600"
    return response


@bp.get("/cds-services")
def discovery() -> Response:
    service = {"id": SERVICE_ID, "title": "ICAS evidence", "description": DESCRIPTION}
    return jsonify({"services": [{"hook": hook, **service} for hook in HOOKS]})


class NoToken(TokenError):
    """No bearer token at all (RFC 6750 section 3.1: the challenge then carries no error code)."""


def _authenticate() -> None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NoToken("A bearer JWT is required (Authorization: Bearer <JWT>).")
    settings = config.settings()
    state = current_app.extensions[STATE]
    verify(
        token.strip(),
        audience=f"{settings.public_url}/cds-services/{SERVICE_ID}",
        issuers=settings.cds_issuers,
        keys=state["keys"],
        replays=state["replays"],
    )


class HookError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _body() -> Mapping[str, Any]:
    request.max_content_length = MAX_BODY
    body = read_json()  # the API's reader and answers (app/http/json_body.py)
    if not isinstance(body, dict):
        raise HookError(400, "The request body must be a JSON object.")
    if body.get("hook") not in HOOKS:
        raise HookError(400, f"hook must be one of: {', '.join(HOOKS)}.")
    if not isinstance(body.get("hookInstance"), str) or not isinstance(body.get("context"), dict):
        raise HookError(400, "hookInstance (a string) and context (an object) are required.")
    return body


def _orders(body: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """Yield the draft orders the hook asks about (order-select: only the selected ones)."""
    context = body["context"]
    draft = context.get("draftOrders")
    if draft is None:
        raise HookError(400, "context.draftOrders is required and was not sent.")
    entries = draft.get("entry", []) if isinstance(draft, dict) else None
    if not isinstance(entries, list) or draft.get("resourceType") != "Bundle":
        raise HookError(400, "context.draftOrders must be a FHIR Bundle with an entry list.")
    selections: set[str] | None = None
    if body["hook"] == "order-select":
        chosen = context.get("selections")
        if chosen is None:
            raise HookError(400, "context.selections is required for order-select.")
        if not isinstance(chosen, list) or not all(isinstance(s, str) for s in chosen):
            raise HookError(400, "context.selections must be a list of strings.")
        selections = set(chosen)
    for entry in entries:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            raise HookError(400, "Every draftOrders entry must hold a resource.")
        name = f"{resource.get('resourceType')}/{resource.get('id')}"
        if selections is None or name in selections:
            yield resource


def _codes(resource: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    code = resource.get("code")
    codings = code.get("coding", []) if isinstance(code, dict) else []
    for coding in codings if isinstance(codings, list) else []:
        if isinstance(coding, dict) and isinstance(coding.get("code"), str):
            system = coding.get("system")
            yield (system if isinstance(system, str) else ""), coding["code"]


def ordered_options(body: Mapping[str, Any]) -> tuple[str, ...]:
    """The options of every listed procedure among the orders, in the order found."""
    procedures = config.settings().cds_procedures
    found: list[str] = []
    for resource in _orders(body):
        for system, code in _codes(resource):
            options = procedures.get(f"{system}|{code}") or (
                procedures.get(code) if system == config.CPT else None
            )
            found += [o for o in options or () if o not in found]
    return tuple(found)


@bp.post(f"/cds-services/{SERVICE_ID}")
def service() -> tuple[Response, int]:
    # Nothing here logs the body, the token or any identifier it carries.
    try:
        _authenticate()
    except TokenError as error:
        response, status = _error(401, "unauthorized", str(error))
        # RFC 6750 section 3.1: a request without authentication gets no error code.
        challenge = "Bearer" if isinstance(error, NoToken) else 'Bearer error="invalid_token"'
        response.headers["WWW-Authenticate"] = challenge
        return response, status
    try:
        options = ordered_options(_body())
    except HookError as error:
        return _error(error.status, "bad_request", error.message)
    assessment = find_assessment(options, engine_tables()) if options else None
    if assessment is None:
        return jsonify({"cards": []}), 200
    settings = config.settings()
    launch = f"{settings.public_url}/launch" if settings.smart_enabled else None
    return jsonify(
        {"cards": [card(assessment, base_url=settings.public_url, launch_url=launch)]}
    ), 200
