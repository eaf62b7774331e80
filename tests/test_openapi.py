"""The OpenAPI document: valid, complete, and true of the API's real requests and responses."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from werkzeug.test import TestResponse

from app.api.openapi import build_document
from app.contract.scenario import ARTERIES, OPTIONS, RANGES, SETTINGS
from tests.scenarios import VISSIT_LIKE

FAST = settings(database=None, deadline=None, max_examples=60)
ROOT = "urn:icas:openapi"


@pytest.fixture(scope="module")
def document(app: Flask) -> dict[str, Any]:
    response = app.test_client().get("/api/openapi.json")
    assert response.status_code == 200
    return json.loads(response.get_data(as_text=True))


@pytest.fixture(scope="module")
def registry(document: dict[str, Any]) -> Registry:
    resource = Resource.from_contents(document, default_specification=DRAFT202012)
    return Registry().with_resource(ROOT, resource)


class Spec:
    """The document and its registry, with a short repr for Hypothesis' failure reports."""

    def __init__(self, document: dict[str, Any], registry: Registry) -> None:
        self.document = document
        self.registry = registry

    def __repr__(self) -> str:
        return "Spec(<the served OpenAPI document>)"


@pytest.fixture(scope="module")
def spec(document: dict[str, Any], registry: Registry) -> Spec:
    return Spec(document, registry)


def validator(registry: Registry, pointer: str) -> Draft202012Validator:
    """A validator for the schema at `pointer` ("#/components/schemas/X") in the document."""
    return Draft202012Validator(
        {"$ref": ROOT + pointer},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def schema_errors(registry: Registry, pointer: str, instance: Any) -> list[str]:
    found = validator(registry, pointer).iter_errors(instance)
    return [f"{list(e.absolute_path)}: {e.message}" for e in found]


def response_pointer(document: dict[str, Any], path: str, method: str, status: int) -> str:
    """The pointer of the schema the document declares for this operation's response."""
    responses = document["paths"][path][method]["responses"]
    response = responses.get(str(status), responses.get("default"))
    if "$ref" in response:
        name = response["$ref"].rsplit("/", 1)[1]
        response = document["components"]["responses"][name]
    schema = response["content"]["application/json"]["schema"]
    assert "$ref" in schema, (path, method, status)
    return schema["$ref"].removeprefix("#")


def check_response(
    document: dict[str, Any],
    registry: Registry,
    path: str,
    method: str,
    response: TestResponse,
    status: int,
) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    body = json.loads(response.get_data(as_text=True))
    pointer = "#" + response_pointer(document, path, method, status)
    assert schema_errors(registry, pointer, body) == []
    return body


def request_pointer(document: dict[str, Any], path: str) -> str:
    content = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]
    return content["schema"]["$ref"]


# --------------------------------------------------------------------------- the document


def test_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_document_is_built_once_and_carries_the_evidence_version(
    app: Flask, document: dict[str, Any]
) -> None:
    assert document["info"]["version"] == "1.0.0"
    version = app.extensions["evidence_base"].version
    assert document["info"]["x-evidence-version"] == version
    families = tuple(app.extensions["evidence_base"].evidence.families)
    assert document == json.loads(json.dumps(build_document(version, families)))
    risks = document["components"]["schemas"]["Scenario"]["properties"]["baseline_risks"]
    assert risks["propertyNames"] == {"enum": sorted(families)}
    # A caller changing a built document does not change the next one.
    changed = build_document(version)
    changed["components"]["schemas"]["Scenario"]["properties"].clear()
    assert build_document(version)["components"]["schemas"]["Scenario"]["properties"]


def test_document_paths_are_exactly_the_routes(app: Flask, document: dict[str, Any]) -> None:
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(("/api/", "/cds-services")) or rule.rule == "/healthz":
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            methods = {m.lower() for m in rule.methods or ()} - {"head", "options"}
            routes.setdefault(path, set()).update(methods)
    documented = {path: set(item) - {"parameters"} for path, item in document["paths"].items()}
    assert documented == routes
    assert set(routes) == {
        "/api/v1/assess",
        "/api/v1/two-by-two",
        "/api/v1/pool",
        "/api/v1/evidence",
        "/api/v1/evidence/{study_id}",
        "/healthz",
        "/api/openapi.json",
        "/api/v1/assess/fhir",
        "/api/v1/assess/note",
        "/cds-services",
        "/cds-services/icas-evidence",
    }


def test_every_reference_resolves(document: dict[str, Any], registry: Registry) -> None:
    text = json.dumps(document)
    refs = set(re.findall(r'"\$ref": "(#/[^"]+)"', text))
    assert refs
    resolver = registry.resolver(base_uri=ROOT)
    for pointer in refs:
        assert resolver.lookup(ROOT + pointer).contents, pointer


def test_request_enums_and_ranges_follow_the_scenario_contract(document: dict[str, Any]) -> None:
    scenario = document["components"]["schemas"]["Scenario"]
    properties = scenario["properties"]
    assert scenario["additionalProperties"] is False
    assert properties["setting"]["enum"] == list(SETTINGS)
    assert properties["options"]["items"]["enum"] == list(OPTIONS)
    assert (properties["options"]["uniqueItems"], properties["options"]["minItems"]) == (True, 1)
    assert properties["artery"]["enum"] == [*ARTERIES, None]
    for name, (low, high) in RANGES.items():
        assert (properties[name]["minimum"], properties[name]["maximum"]) == (low, high)
    assert (RANGES["stenosis_percent"], RANGES["days_since_event"], RANGES["age"]) == (
        (0, 100),
        (0, 3650),
        (18, 120),
    )
    for name in ("TwoByTwoRequest", "Counts"):
        assert document["components"]["schemas"][name]["additionalProperties"] is False


# --------------------------------------------------------------------------- real responses

SCENARIOS = {
    "elective-vissit-like": VISSIT_LIKE,
    "acute-stents": {"setting": "lvo_icas", "options": ["self_expanding_stent", "balloon_stent"]},
    "no-direct-comparison": {"setting": "lvo_icas", "options": ["medical", "angioplasty"]},
    "unspecified-stent": {
        "setting": "symptomatic_icas",
        "options": ["angioplasty", "self_expanding_stent"],
        "stenosis_percent": 60,
        "prestent_angioplasty": True,
    },
    "outside-population": {
        "setting": "symptomatic_icas",
        "options": ["balloon_stent", "medical"],
        "stenosis_percent": 50,
        "symptomatic": False,
        "days_since_event": 400,
        "artery": "basilar",
        "age": 90,
    },
    "single-option": {
        "setting": "symptomatic_icas",
        "options": ["medical"],
        "stenosis_percent": 99,
    },
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_assess_responses_match_the_schema(
    client: FlaskClient, document: dict[str, Any], registry: Registry, name: str
) -> None:
    scenario = SCENARIOS[name]
    assert schema_errors(registry, request_pointer(document, "/api/v1/assess"), scenario) == []
    response = client.post("/api/v1/assess", json=scenario)
    body = check_response(document, registry, "/api/v1/assess", "post", response, 200)
    if name == "no-direct-comparison":
        assert body["comparisons"] == []
        assert body["warnings"][0]["code"] == "no_direct_comparison"
    else:
        assert body["comparisons"]


def test_assessment_schema_rejects_a_changed_shape(
    client: FlaskClient, document: dict[str, Any], registry: Registry
) -> None:
    body = client.post("/api/v1/assess", json=SCENARIOS["elective-vissit-like"]).get_json()
    pointer = "#/components/schemas/Assessment"
    outcome = body["comparisons"][0]["outcomes"][0]
    outcome["extra"] = 1
    assert schema_errors(registry, pointer, body)
    del outcome["extra"]
    outcome["p_value"]["value"] = None
    assert schema_errors(registry, pointer, body)
    outcome["p_value"]["value"] = 0.05
    del body["comparisons"][0]["applicability"]["reasons"][0]["quote"]
    assert schema_errors(registry, pointer, body)


@pytest.mark.parametrize(
    ("path", "data", "content_type", "status"),
    [
        (
            "/api/v1/assess",
            json.dumps({"setting": "nowhere", "options": []}),
            "application/json",
            422,
        ),
        ("/api/v1/assess", "[]", "application/json", 422),
        ("/api/v1/assess", "setting=lvo_icas", "text/plain", 415),
        ("/api/v1/assess", "{", "application/json", 415),
        ("/api/v1/assess", "x" * 17_000, "application/json", 413),
        ("/api/v1/two-by-two", json.dumps({"intervention": {}}), "application/json", 422),
        ("/api/v1/two-by-two", '{"confidence": NaN}', "application/json", 415),
        ("/api/v1/two-by-two", "{}", "text/csv", 415),
        ("/api/v1/pool", json.dumps({"studies": []}), "application/json", 422),
        ("/api/v1/pool", '{"confidence": Infinity}', "application/json", 415),
        ("/api/v1/pool", "x" * 17_000, "application/json", 413),
    ],
)
def test_error_responses_match_the_schema(
    client: FlaskClient,
    document: dict[str, Any],
    registry: Registry,
    path: str,
    data: str,
    content_type: str,
    status: int,
) -> None:
    response = client.post(path, data=data, content_type=content_type)
    body = check_response(document, registry, path, "post", response, status)
    assert (
        body["error"]
        == {
            413: "payload_too_large",
            415: "unsupported_media_type",
            422: "validation_failed",
        }[status]
    )


def test_405_and_404_match_the_schema(
    client: FlaskClient, document: dict[str, Any], registry: Registry
) -> None:
    response = client.get("/api/v1/two-by-two")
    check_response(document, registry, "/api/v1/two-by-two", "post", response, 405)
    assert "POST" in response.headers["Allow"]
    assert "Allow" in document["components"]["responses"]["MethodNotAllowed"]["headers"]
    response = client.post("/api/v1/evidence", json={})
    check_response(document, registry, "/api/v1/evidence", "get", response, 405)
    assert "GET" in response.headers["Allow"]
    response = client.get("/api/v1/evidence/nope")
    check_response(document, registry, "/api/v1/evidence/{study_id}", "get", response, 404)


TABLES = [
    {
        "intervention": {"events": 14, "total": 58},
        "comparator": {"events": 5, "total": 53},
        "event": "harmful",
    },
    {"intervention": {"events": 5, "total": 58}, "comparator": {"events": 0, "total": 53}},
    {
        "intervention": {"events": 0, "total": 10},
        "comparator": {"events": 10, "total": 10},
        "confidence": 0.99,
        "event": "beneficial",
    },
    {"intervention": {"events": 3, "total": 30}, "comparator": {"events": 3, "total": 30}},
    {
        "intervention": {"events": 1, "total": 1},
        "comparator": {"events": 1, "total": 1},
        "event": None,
        "confidence": None,
    },
]


@pytest.mark.parametrize("table", TABLES)
def test_two_by_two_responses_match_the_schema(
    client: FlaskClient, document: dict[str, Any], registry: Registry, table: dict[str, Any]
) -> None:
    assert schema_errors(registry, request_pointer(document, "/api/v1/two-by-two"), table) == []
    response = client.post("/api/v1/two-by-two", json=table)
    check_response(document, registry, "/api/v1/two-by-two", "post", response, 200)


def test_evidence_responses_match_the_schema(
    app: Flask, client: FlaskClient, document: dict[str, Any], registry: Registry
) -> None:
    response = client.get("/api/v1/evidence")
    body = check_response(document, registry, "/api/v1/evidence", "get", response, 200)
    # Every loaded study, whatever the evidence holds (the shipped count: tests/shipped/).
    loaded = [a.study.id for a in app.extensions["evidence_base"].studies]
    assert [study["id"] for study in body["studies"]] == loaded
    for study in body["studies"]:
        response = client.get(f"/api/v1/evidence/{study['id']}")
        check_response(document, registry, "/api/v1/evidence/{study_id}", "get", response, 200)


def test_health_and_document_match_the_schema(
    client: FlaskClient, document: dict[str, Any], registry: Registry
) -> None:
    check_response(document, registry, "/healthz", "get", client.get("/healthz"), 200)
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert json.loads(response.get_data(as_text=True)) == document


# --------------------------------------------------------------------------- requests


@pytest.mark.parametrize("path", ["/api/v1/assess", "/api/v1/two-by-two", "/api/v1/pool"])
def test_documented_examples_are_valid_and_accepted(
    client: FlaskClient, document: dict[str, Any], registry: Registry, path: str
) -> None:
    content = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]
    assert content["examples"]
    for name, example in content["examples"].items():
        assert schema_errors(registry, request_pointer(document, path), example["value"]) == [], (
            name
        )
        response = client.post(path, json=example["value"])
        check_response(document, registry, path, "post", response, 200)


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "/api/v1/assess",
            {"setting": "lvo_icas", "options": ["medical"], "bmi": 31},
            "bmi",
        ),
        (
            "/api/v1/two-by-two",
            {
                "intervention": {"events": 1, "total": 9},
                "comparator": {"events": 2, "total": 9},
                "alpha": 0.05,
            },
            "alpha",
        ),
        (
            "/api/v1/two-by-two",
            {
                "intervention": {"events": 1, "total": 9, "rate": 0.11},
                "comparator": {"events": 2, "total": 9},
            },
            "intervention.rate",
        ),
        (
            "/api/v1/pool",
            {
                "studies": [
                    {
                        "label": f"S{i}",
                        "intervention": {"events": 1, "total": 9},
                        "comparator": {"events": 2, "total": 9},
                        **({"weight": 50} if i else {}),
                    }
                    for i in range(2)
                ],
                "measure": "risk_ratio",
                "model": "fixed",
            },
            "studies[1].weight",
        ),
    ],
)
def test_additional_properties_are_refused_by_schema_and_api(
    client: FlaskClient,
    document: dict[str, Any],
    registry: Registry,
    path: str,
    body: dict[str, Any],
    field: str,
) -> None:
    errors = list(validator(registry, request_pointer(document, path)).iter_errors(body))
    assert [e.validator for e in errors] == ["additionalProperties"]
    response = client.post(path, json=body)
    answer = check_response(document, registry, path, "post", response, 422)
    assert list(answer["fields"]) == [field]


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return strategy | st.none()


def _range(name: str) -> st.SearchStrategy[int]:
    low, high = RANGES[name]
    return st.integers(low, high)


def _out_of_range(name: str) -> st.SearchStrategy[Any]:
    low, high = RANGES[name]
    return st.sampled_from([low - 1, high + 1, 50.5, True, "50", [50]])


VALID_SCENARIO = st.fixed_dictionaries(
    {
        "setting": st.sampled_from(list(SETTINGS)),
        "options": st.lists(st.sampled_from(list(OPTIONS)), min_size=1, max_size=4, unique=True),
        "stenosis_percent": _range("stenosis_percent"),
    },
    optional={
        "symptomatic": _maybe(st.booleans()),
        "days_since_event": _maybe(_range("days_since_event")),
        "artery": _maybe(st.sampled_from(list(ARTERIES))),
        "age": _maybe(_range("age")),
        "prestent_angioplasty": _maybe(st.booleans()),
    },
)
# A wrong value for each field; absent (None here) for the required ones.
WRONG_SCENARIO: dict[str, st.SearchStrategy[Any]] = {
    "setting": st.sampled_from([None, "other", 1]),
    "options": st.sampled_from([None, [], ["medical", "medical"], ["surgery"], "medical"]),
    "stenosis_percent": st.sampled_from([None, -1, 101, 80.5, False]),
    "symptomatic": st.sampled_from([1, "yes", [True]]),
    "days_since_event": _out_of_range("days_since_event"),
    "artery": st.sampled_from(["aorta", 3, ["mca"]]),
    "age": _out_of_range("age"),
    "prestent_angioplasty": st.sampled_from([0, "no"]),
    "colour": st.just("red"),
}


@st.composite
def mutated(draw: st.DrawFn, valid: st.SearchStrategy, wrong: dict[str, Any]) -> dict[str, Any]:
    """Valid bodies, about half of them with one or two fields made wrong (None: left out)."""
    body = draw(valid)
    for name in draw(st.sets(st.sampled_from(list(wrong)), max_size=2)):
        value = draw(wrong[name])
        if value is None:
            body.pop(name, None)
        else:
            body[name] = value
    return body


def scenarios() -> st.SearchStrategy:
    """Valid scenarios, about half of them with one or two fields made wrong."""
    return mutated(VALID_SCENARIO, WRONG_SCENARIO)


@FAST
@given(body=VALID_SCENARIO)
def test_valid_scenarios_are_accepted(app: Flask, spec: Spec, body: dict[str, Any]) -> None:
    assert (
        schema_errors(spec.registry, request_pointer(spec.document, "/api/v1/assess"), body) == []
    )
    response = app.test_client().post("/api/v1/assess", json=body)
    check_response(spec.document, spec.registry, "/api/v1/assess", "post", response, 200)


@FAST
@given(body=scenarios())
def test_schema_and_api_agree_on_scenarios(app: Flask, spec: Spec, body: dict[str, Any]) -> None:
    valid = not schema_errors(spec.registry, request_pointer(spec.document, "/api/v1/assess"), body)
    response = app.test_client().post("/api/v1/assess", json=body)
    status = 200 if valid else 422
    assert response.status_code == status, (body, response.get_json())
    check_response(spec.document, spec.registry, "/api/v1/assess", "post", response, status)


@st.composite
def arms(draw: st.DrawFn) -> dict[str, int]:
    total = draw(st.integers(1, 60) | st.just(1_000_000))
    return {"events": draw(st.integers(0, total)), "total": total}


VALID_TABLE = st.fixed_dictionaries(
    {"intervention": arms(), "comparator": arms()},
    optional={
        "confidence": _maybe(st.sampled_from([0.5001, 0.8, 0.95, 0.999])),
        "event": _maybe(st.sampled_from(["harmful", "beneficial"])),
    },
)
WRONG_TABLE: dict[str, st.SearchStrategy[Any]] = {
    "intervention": st.sampled_from(
        [None, [1, 2], {"events": 1}, {"events": 1, "total": 2, "n": 2}]
    ),
    "comparator": st.sampled_from(
        [
            {"events": 2.5, "total": 5},
            {"events": -1, "total": 5},
            {"events": 0, "total": 0},
            {"events": 1, "total": 1_000_001},
            {"events": False, "total": 5},
        ]
    ),
    "confidence": st.sampled_from([0.5, 0.9991, 1, "0.9", True]),
    "event": st.sampled_from(["neutral", 1]),
    "alpha": st.just(0.05),
}


def tables() -> st.SearchStrategy:
    """Valid tables, about half of them with one or two fields made wrong."""
    return mutated(VALID_TABLE, WRONG_TABLE)


@FAST
@given(body=tables())
def test_schema_and_api_agree_on_two_by_two(app: Flask, spec: Spec, body: dict[str, Any]) -> None:
    valid = not schema_errors(
        spec.registry, request_pointer(spec.document, "/api/v1/two-by-two"), body
    )
    response = app.test_client().post("/api/v1/two-by-two", json=body)
    status = 200 if valid else 422
    assert response.status_code == status, (body, response.get_json())
    check_response(spec.document, spec.registry, "/api/v1/two-by-two", "post", response, status)


def test_the_rule_no_schema_states_events_over_total(
    client: FlaskClient, document: dict[str, Any], registry: Registry
) -> None:
    body = {"intervention": {"events": 6, "total": 5}, "comparator": {"events": 1, "total": 5}}
    assert schema_errors(registry, request_pointer(document, "/api/v1/two-by-two"), body) == []
    response = client.post("/api/v1/two-by-two", json=body)
    answer = check_response(document, registry, "/api/v1/two-by-two", "post", response, 422)
    assert list(answer["fields"]) == ["intervention.events"]


def test_integral_floats_are_the_documented_difference(
    client: FlaskClient, document: dict[str, Any], registry: Registry
) -> None:
    # JSON Schema counts 3.0 as an integer; the API does not, and the schema says so.
    body = {"intervention": {"events": 3.0, "total": 10}, "comparator": {"events": 1, "total": 10}}
    assert schema_errors(registry, request_pointer(document, "/api/v1/two-by-two"), body) == []
    assert "3.0 is refused" in document["components"]["schemas"]["Counts"]["description"]
    response = client.post("/api/v1/two-by-two", json=body)
    answer = check_response(document, registry, "/api/v1/two-by-two", "post", response, 422)
    assert answer["fields"] == {"intervention.events": ["Must be a whole number; got 3.0."]}
    scenario = {**SCENARIOS["acute-stents"], "age": 64.0}
    assert schema_errors(registry, request_pointer(document, "/api/v1/assess"), scenario) == []
    assert (
        "3.0 is refused"
        in document["components"]["schemas"]["Scenario"]["properties"]["age"]["description"]
    )
    assert client.post("/api/v1/assess", json=scenario).status_code == 422
