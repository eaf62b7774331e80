"""The OpenAPI 3.1 document of the JSON API: paths, examples and errors (served once).

The component schemas are in app/api/schemas.py; the pool endpoint's are in app/api/pool.py.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from app.api import pool
from app.api.jsonschema import STRING, Schema, ref
from app.api.schemas import SCHEMAS

API_VERSION = "1.0.0"

# --------------------------------------------------------------------------- examples and paths

SCENARIO_EXAMPLES: dict[str, Schema] = {
    "elective": {
        "summary": "Symptomatic MCA stenosis, stent vs medical therapy",
        "value": {
            "setting": "symptomatic_icas",
            "options": ["medical", "balloon_stent"],
            "stenosis_percent": 80,
            "symptomatic": True,
            "days_since_event": 10,
            "artery": "mca",
            "age": 64,
        },
    },
    "acute": {
        "summary": "Acute LVO with underlying ICAS, two stent types",
        "value": {
            "setting": "lvo_icas",
            "options": ["self_expanding_stent", "balloon_stent"],
        },
    },
    "minimal": {
        "summary": "Only the required fields",
        "value": {
            "setting": "symptomatic_icas",
            "options": ["angioplasty"],
            "stenosis_percent": 75,
        },
    },
}

TWO_BY_TWO_EXAMPLES: dict[str, Schema] = {
    "centre_vs_trial": {
        "summary": "VISSIT's 30-day primary safety end point, stent vs medical arm",
        "value": {
            "intervention": {"events": 14, "total": 58},
            "comparator": {"events": 5, "total": 53},
            "confidence": 0.95,
            "event": "harmful",
        },
    },
    "unlabelled": {
        "summary": "Counts only (Newcombe 1998 example); the NNT is not labelled",
        "value": {
            "intervention": {"events": 56, "total": 70},
            "comparator": {"events": 48, "total": 80},
        },
    },
}


def _json(schema: Schema, description: str) -> Schema:
    return {
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }


RESPONSES: dict[str, Schema] = {
    "ValidationFailed": _json(
        ref("ValidationError"),
        "Invalid, missing or unknown fields, a key given twice, or a body that is not a JSON object.",
    ),
    "BadRequest": _json(
        ref("Error"),
        "The body could not be read: shorter than its Content-Length, chunked encoding that"
        " cannot be decoded, or not UTF-8 (the message says which).",
    ),
    "PayloadTooLarge": _json(ref("Error"), "The body is larger than 16 KB, however it is sent."),
    "UnsupportedMediaType": _json(
        ref("Error"),
        "The body is not JSON: Content-Type is not application/json, or the body does not parse"
        " (NaN and Infinity are not JSON).",
    ),
    "NotFound": _json(ref("Error"), "Nothing at this address."),
    "MethodNotAllowed": {
        **_json(
            ref("Error"),
            "The path does not accept this method; Allow lists those it does.",
        ),
        "headers": {"Allow": {"schema": STRING, "description": "The accepted methods."}},
    },
    "Error": _json(ref("Error"), "Unexpected error."),
}


def _html(description: str) -> Schema:
    return {"description": description, "content": {"text/html": {"schema": STRING}}}


def _error(name: str) -> Schema:
    return {"$ref": f"#/components/responses/{name}"}


def _post(operation_id: str, summary: str, request: str, examples: Schema, result: str) -> Schema:
    return {
        "post": {
            "operationId": operation_id,
            "summary": summary,
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": ref(request), "examples": examples}},
            },
            "responses": {
                "200": _json(ref(result), "The result."),
                "400": _error("BadRequest"),
                "405": _error("MethodNotAllowed"),
                "413": _error("PayloadTooLarge"),
                "415": _error("UnsupportedMediaType"),
                "422": _error("ValidationFailed"),
                "default": _error("Error"),
            },
        }
    }


def _get(operation_id: str, summary: str, result: Schema, **extra: Any) -> Schema:
    responses = {
        "200": _json(result, "The result."),
        "405": _error("MethodNotAllowed"),
        "default": _error("Error"),
    }
    responses.update(extra.pop("responses", {}))
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "responses": responses,
            **extra,
        }
    }


# --------------------------------------------------------------------------- EHR (issue 14)

FHIR_BUNDLE: Schema = {
    "type": "object",
    "description": "A FHIR R5 Bundle (type collection) of Evidence resources: per outcome of each"
    " matched comparison a comparative one and one for each arm's own result; a registered trial"
    " named for the options is an Evidence with a note and no statistic. See docs/ehr.md, FHIR output.",
    "required": ["resourceType", "type", "entry"],
    "properties": {
        "resourceType": {"const": "Bundle"},
        "type": {"const": "collection"},
        "entry": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["fullUrl", "resource"],
                "properties": {
                    "fullUrl": STRING,
                    "resource": {
                        "type": "object",
                        "required": ["resourceType", "status", "variableDefinition"],
                        "properties": {"resourceType": {"const": "Evidence"}},
                    },
                },
            },
        },
    },
}
CDS_ERROR = _json(
    {
        "type": "object",
        "required": ["error", "message"],
        "properties": {
            "error": {
                "enum": [
                    "bad_request",
                    "unauthorized",
                    "not_found",
                    "request_timeout",
                    "payload_too_large",
                    "unsupported_media_type",
                ]
            },
            "message": STRING,
        },
        "additionalProperties": False,
    },
    "Refused; the message says why (CDS Hooks errors are not under /api/).",
)


def _fhir_assess() -> Schema:
    path = _post(
        "assessFhir",
        "The assessment as a FHIR R5 Bundle of Evidence resources",
        "Scenario",
        SCENARIO_EXAMPLES,
        "Assessment",
    )
    path["post"]["responses"]["200"] = {
        "description": "The Bundle (Content-Type application/fhir+json).",
        "content": {"application/fhir+json": {"schema": FHIR_BUNDLE}},
    }
    return path


def _note_assess() -> Schema:
    path = _post(
        "assessNote",
        "The note for the record: the assessment's main figures as plain text",
        "Scenario",
        SCENARIO_EXAMPLES,
        "Assessment",
    )
    path["post"]["description"] = (
        "The scenario as used, the options, each comparison's main outcomes with each arm's rate,"
        " exact 95% CI and counts, the pairs no study compares, the evidence version and date, and"
        " the sentence that the tool recommends no treatment: the text the results page shows in"
        " its note box, at most about 1,500 characters. Errors are JSON, as for /api/v1/assess."
    )
    path["post"]["responses"]["200"] = {
        "description": "The note (Content-Type text/plain; charset=utf-8, LF line ends).",
        "content": {"text/plain": {"schema": {"type": "string"}}},
    }
    return path


def _cds(method: str, operation_id: str, summary: str, result: Schema, **extra: Any) -> Schema:
    """A CDS Hooks operation: JSON answers; 404 when not configured; 405 as an HTML page."""
    responses = {
        "200": _json(result, "The result."),
        "404": {
            **CDS_ERROR,
            "description": "The CDS Hooks service is not configured here.",
        },
        "405": {
            **_html("The path does not accept this method; an HTML page (outside /api/)."),
            "headers": {"Allow": {"schema": STRING, "description": "The accepted methods."}},
        },
        "default": _html("Unexpected error; an HTML page (outside /api/)."),
    }
    responses.update(extra.pop("responses", {}))
    operation = {
        "operationId": operation_id,
        "summary": summary,
        "responses": responses,
    }
    return {method: {**operation, **extra}}


CDS_PATHS: dict[str, Schema] = {
    "/cds-services": _cds(
        "get",
        "cdsDiscovery",
        "CDS Hooks discovery: the icas-evidence service on order-select and order-sign",
        {
            "type": "object",
            "required": ["services"],
            "properties": {"services": {"type": "array"}},
        },
    ),
    "/cds-services/icas-evidence": _cds(
        "post",
        "cdsIcasEvidence",
        "CDS Hooks service: one info card when a listed procedure is ordered (a signed JWT is"
        " required: ES384 or RS384 from an allow-listed issuer, aud = this URL)",
        {
            "type": "object",
            "required": ["cards"],
            "properties": {"cards": {"type": "array"}},
        },
        requestBody={
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["hook", "hookInstance", "context"],
                        "properties": {
                            "hook": {"enum": ["order-select", "order-sign"]},
                            "hookInstance": STRING,
                            "context": {"type": "object"},
                        },
                    }
                }
            },
        },
        responses={
            "400": CDS_ERROR,
            "401": CDS_ERROR,
            "408": CDS_ERROR,
            "413": CDS_ERROR,
            "415": CDS_ERROR,
            "422": _error("ValidationFailed"),
        },
    ),
}


def build_document(evidence_version: str, families: Sequence[str] = ()) -> Schema:
    """Return the OpenAPI 3.1.0 document; the evidence version goes in info.x-evidence-version.

    `families` are the evidence's outcome family ids: the keys `baseline_risks` accepts.
    """
    document = {
        "openapi": "3.1.0",
        "info": {
            "title": "ICAS evidence calculator API",
            "version": API_VERSION,
            "description": "Evidence for intracranial atherosclerotic stenosis: each number traceable"
            " to its source. It presents evidence and never recommends a treatment. Requests are"
            " JSON objects of at most 16 KB.",
            "x-evidence-version": evidence_version,
        },
        "paths": {
            "/api/v1/assess": _post(
                "assess",
                "Find the studies comparing the options and how the patient fits each",
                "Scenario",
                SCENARIO_EXAMPLES,
                "Assessment",
            ),
            "/api/v1/two-by-two": _post(
                "twoByTwo",
                "Rates, risk difference, ratios, NNT and Fisher P for any two arms' counts",
                "TwoByTwoRequest",
                TWO_BY_TWO_EXAMPLES,
                "TwoByTwoResult",
            ),
            "/api/v1/pool": _post(
                "pool",
                "Pool two-arm tables: Mantel-Haenszel or DerSimonian-Laird (Hartung-Knapp)",
                "PoolRequest",
                pool.EXAMPLES,
                "PoolResult",
            ),
            "/api/v1/evidence": _get("listEvidence", "The whole evidence base", ref("Evidence")),
            "/api/v1/evidence/{study_id}": _get(
                "getStudy",
                "One study",
                ref("Study"),
                parameters=[
                    {
                        "name": "study_id",
                        "in": "path",
                        "required": True,
                        "schema": STRING,
                        "example": "vissit",
                    }
                ],
                responses={"404": _error("NotFound")},
            ),
            # Outside /api/, so its errors are HTML pages (app/errors.py).
            "/healthz": {
                "get": {
                    "operationId": "health",
                    "summary": "Liveness and the evidence version",
                    "responses": {
                        "200": _json(ref("Health"), "The service is up."),
                        "405": {
                            **_html("The path accepts GET only; an HTML page (outside /api/)."),
                            "headers": {
                                "Allow": {
                                    "schema": STRING,
                                    "description": "The accepted methods.",
                                }
                            },
                        },
                        "default": _html("Unexpected error; an HTML page (outside /api/)."),
                    },
                }
            },
            "/api/openapi.json": _get(
                "openapi", "This document", {"type": "object", "required": ["openapi"]}
            ),
            "/api/v1/assess/fhir": _fhir_assess(),
            "/api/v1/assess/note": _note_assess(),
            **CDS_PATHS,
        },
        "components": {"schemas": {**SCHEMAS, **pool.SCHEMAS}, "responses": RESPONSES},
    }
    # A private copy: callers may change it without touching the module's schemas.
    built: Schema = copy.deepcopy(document)
    if families:
        risks = built["components"]["schemas"]["Scenario"]["properties"]["baseline_risks"]
        risks["propertyNames"] = {"enum": sorted(families)}
    return built
