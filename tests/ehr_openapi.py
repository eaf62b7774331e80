"""Check an EHR endpoint's real answer against the schema the served OpenAPI document declares."""

from __future__ import annotations

from typing import Any

from flask import Flask
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

ROOT = "urn:icas:openapi"


def declared_errors(
    app: Flask, path: str, method: str, status: int, body: Any, media: str = "application/json"
) -> list[str]:
    """Validate `body` against the document's schema for this answer; return the errors found."""
    document = app.test_client().get("/api/openapi.json").get_json()
    responses = document["paths"][path][method]["responses"]
    response = responses[str(status)]
    if "$ref" in response:
        response = document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    schema = response["content"][media]["schema"]
    registry = Registry().with_resource(
        ROOT, Resource.from_contents(document, default_specification=DRAFT202012)
    )
    if "$ref" in schema:  # a component: resolved inside the whole document
        schema = {"$ref": ROOT + schema["$ref"]}
    validator = Draft202012Validator(schema, registry=registry)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)]
