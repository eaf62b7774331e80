"""The OpenAPI 3.1 document of the JSON API: paths, examples and errors (served once).

The component schemas are in app/api/schemas.py.
"""

from __future__ import annotations

import copy
from typing import Any

from app.api.schemas import SCHEMAS, STRING, Schema, ref

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
        "value": {"setting": "lvo_icas", "options": ["self_expanding_stent", "balloon_stent"]},
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
    return {"description": description, "content": {"application/json": {"schema": schema}}}


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
        **_json(ref("Error"), "The path does not accept this method; Allow lists those it does."),
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
        "get": {"operationId": operation_id, "summary": summary, "responses": responses, **extra}
    }


def build_document(evidence_version: str) -> Schema:
    """Return the OpenAPI 3.1.0 document; the evidence version goes in info.x-evidence-version."""
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
                                "Allow": {"schema": STRING, "description": "The accepted methods."}
                            },
                        },
                        "default": _html("Unexpected error; an HTML page (outside /api/)."),
                    },
                }
            },
            "/api/openapi.json": _get(
                "openapi", "This document", {"type": "object", "required": ["openapi"]}
            ),
        },
        "components": {"schemas": SCHEMAS, "responses": RESPONSES},
    }
    # A private copy: callers may change it without touching the module's schemas.
    return copy.deepcopy(document)
