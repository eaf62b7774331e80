"""POST /api/v1/assess/fhir: an R5 Bundle of Evidence, validated with fhir.resources, equal to the API."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fhir.resources.bundle import Bundle
from fhir.resources.evidence import Evidence
from flask.testing import FlaskClient

from app import create_app
from app.ehr.fhir import decimal
from tests.ehr_openapi import declared_errors

ELECTIVE = {
    "setting": "symptomatic_icas",
    "options": ["medical", "balloon_stent"],
    "stenosis_percent": 80,
    "age": 64,
}
ACUTE = {"setting": "lvo_icas", "options": ["self_expanding_stent", "balloon_stent"]}
STATS = "http://terminology.hl7.org/CodeSystem/statistic-type"


def fhir(client: FlaskClient, body: Any) -> Any:
    return client.post("/api/v1/assess/fhir", json=body)


def statistic(resource: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [s for s in resource["statistic"] if s["statisticType"]["coding"][0]["code"] == code]


def ci(entry: dict[str, Any]) -> list[float]:
    (estimate,) = entry["attributeEstimate"]
    assert estimate["level"] == 0.95
    assert estimate["type"]["coding"][0]["code"] == "C53324"
    return [estimate["range"]["low"]["value"], estimate["range"]["high"]["value"]]


def test_the_bundle_validates_as_fhir_r5(client: FlaskClient) -> None:
    response = fhir(client, ELECTIVE)
    assert response.status_code == 200
    assert response.mimetype == "application/fhir+json"
    bundle = Bundle.model_validate_json(response.get_data())
    assert bundle.type == "collection"
    assert all(isinstance(e.resource, Evidence) for e in bundle.entry)
    assert len({e.fullUrl for e in bundle.entry}) == len(bundle.entry)


def test_one_evidence_per_outcome_with_counts_equal_to_the_api(client: FlaskClient) -> None:
    # Equal to the API's figures, to the 17 digits after the point an R5 decimal holds.
    assessed = client.post("/api/v1/assess", json=ELECTIVE).get_json()
    bundle = fhir(client, ELECTIVE).get_json()
    expected = [
        (c["study"]["id"], o)
        for c in assessed["comparisons"]
        for o in c["outcomes"]
        if o["intervention"] is not None and o["comparator"] is not None
    ]
    assert [e["resource"]["id"] for e in bundle["entry"]] == [
        f"{study}-{o['id']}".replace("_", "-") for study, o in expected
    ]
    # VISSIT: four outcomes have counts in both arms (a further study of the same pair adds its own).
    assert sum(study == "vissit" for study, _ in expected) == 4
    for entry, (_study, outcome) in zip(bundle["entry"], expected, strict=True):
        resource = entry["resource"]
        assert resource["version"] == assessed["evidence_version"]
        first, second = statistic(resource, "C44256")
        for arm, figures in ((first, outcome["intervention"]), (second, outcome["comparator"])):
            assert arm["quantity"]["value"] == decimal(figures["rate"])
            assert arm["numberOfEvents"] == figures["events"]
            assert arm["sampleSize"]["knownDataCount"] == figures["total"]
            assert ci(arm) == [decimal(bound) for bound in figures["ci"]]
            assert figures["ci_method"] in arm["attributeEstimate"][0]["description"]
        # The difference and ratio are the API's; where it gives none, neither does the Bundle.
        differences = statistic(resource, "0000424")
        if outcome["risk_difference"] is None:
            assert differences == []
        else:
            (difference,) = differences
            assert difference["quantity"]["value"] == decimal(outcome["risk_difference"]["value"])
            assert ci(difference) == [decimal(b) for b in outcome["risk_difference"]["ci"]]
            assert "newcombe-hybrid-score" in difference["attributeEstimate"][0]["description"]
        ratios = statistic(resource, "C93152")
        if outcome["risk_ratio"] is None:
            assert ratios == []
            assert resource["note"]
        else:
            (ratio,) = ratios
            assert ratio["quantity"]["value"] == decimal(outcome["risk_ratio"]["value"])
            assert ci(ratio) == [decimal(bound) for bound in outcome["risk_ratio"]["ci"]]
    # Both kinds of answer occur: VISSIT's haemorrhage outcome (0/53) has no risk ratio.
    ratios_given = [bool(statistic(e["resource"], "C93152")) for e in bundle["entry"]]
    assert True in ratios_given and False in ratios_given


def test_vissit_primary_safety_in_detail(client: FlaskClient) -> None:
    bundle = fhir(client, ELECTIVE).get_json()
    resource = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["id"] == "vissit-primary-safety-30d"
    )
    roles = [v["variableRole"]["coding"][0]["code"] for v in resource["variableDefinition"]]
    assert roles == ["population", "exposure", "referenceExposure", "measuredVariable"]
    assert resource["variableDefinition"][1]["description"] == (
        "Balloon-expandable stent plus medical therapy"
    )
    assert resource["variableDefinition"][2]["description"] == "Medical therapy alone"
    first, second = statistic(resource, "C44256")
    assert (first["numberOfEvents"], first["sampleSize"]["knownDataCount"]) == (14, 58)
    assert (second["numberOfEvents"], second["sampleSize"]["knownDataCount"]) == (5, 53)
    (difference,) = statistic(resource, "0000424")
    assert round(difference["quantity"]["value"], 3) == 0.147
    assert [round(v, 3) for v in ci(difference)] == [0.005, 0.282]
    (ratio,) = statistic(resource, "C93152")
    assert round(ratio["quantity"]["value"], 2) == 2.56
    assert "doi:10.1001/jama.2015.1693" in resource["citeAsMarkdown"]
    assert resource["url"] == "http://localhost/evidence/vissit#o-primary_safety_30d"
    assert resource["relatedArtifact"][0]["document"]["url"] == "http://localhost/evidence/vissit"
    assert "recommends no treatment" in resource["description"]


def test_back_calculated_counts_get_no_difference_or_ratio(client: FlaskClient) -> None:
    response = fhir(client, ACUTE)
    Bundle.model_validate_json(response.get_data())
    (entry,) = response.get_json()["entry"]
    resource = entry["resource"]
    assert resource["id"] == "rescue-icas-ses-bms-recurrent-stroke"
    codes = [s["statisticType"]["coding"][0]["code"] for s in resource["statistic"]]
    assert codes == ["C44256", "C44256"]
    first, second = resource["statistic"]
    assert (first["numberOfEvents"], second["numberOfEvents"]) == (15, 1)
    assert any("Back-calculated" in n["text"] for n in first["note"])
    assert resource["note"][0]["text"]  # why there is no difference or ratio


def test_no_patient_in_the_output(client: FlaskClient) -> None:
    text = fhir(client, ELECTIVE).get_data(as_text=True)
    assert "Patient" not in text and '"subject"' not in text
    # Nor the scenario: the Bundle holds group-level evidence only.
    assert "stenosis_percent" not in text and "scenario" not in json.loads(text)


def test_a_scenario_without_comparison_is_an_empty_bundle(client: FlaskClient) -> None:
    body = {
        "setting": "symptomatic_icas",
        "options": ["angioplasty", "medical"],
        "stenosis_percent": 80,
    }
    response = fhir(client, body)
    bundle = Bundle.model_validate_json(response.get_data())
    assert bundle.entry is None or bundle.entry == []


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"json": {"setting": "symptomatic_icas", "options": ["medical"]}}, 422),
        ({"json": {**ELECTIVE, "bmi": 31}}, 422),
        ({"data": "setting=x", "content_type": "text/plain"}, 415),
        ({"data": "{", "content_type": "application/json"}, 415),
        ({"json": {**ELECTIVE, "pad": "x" * 20_000}}, 413),
    ],
)
def test_bad_input_gets_the_apis_json_errors(
    client: FlaskClient, kwargs: dict[str, Any], status: int
) -> None:
    response = client.post("/api/v1/assess/fhir", **kwargs)
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["error"] in ("validation_failed", "unsupported_media_type", "payload_too_large")
    if status == 422:
        assert body["fields"]


def test_links_use_the_configured_public_url() -> None:
    app = create_app({"TESTING": True, "PUBLIC_URL": "https://icas.example.org"})
    bundle = app.test_client().post("/api/v1/assess/fhir", json=ELECTIVE).get_json()
    assert bundle["entry"][0]["resource"]["url"].startswith("https://icas.example.org/evidence/")


def test_answers_match_the_openapi_document(client: FlaskClient) -> None:
    app = client.application
    path = "/api/v1/assess/fhir"
    bundle = fhir(client, ELECTIVE).get_json()
    assert declared_errors(app, path, "post", 200, bundle, "application/fhir+json") == []
    assert declared_errors(
        app, path, "post", 200, {"resourceType": "Bundle"}, "application/fhir+json"
    )
    invalid = fhir(client, {"setting": "symptomatic_icas", "options": ["medical"]})
    assert declared_errors(app, path, "post", 422, invalid.get_json()) == []


# FHIR R5 decimal (datatypes.html#decimal, and the R5 JSON schema's pattern): at most 18 digits before
# the point and 17 after it, with an optional exponent.
R5_DECIMAL = re.compile(r"-?(0|[1-9][0-9]{0,17})(\.[0-9]{1,17})?([eE][+-]?[0-9]{1,9})?")


@pytest.mark.parametrize("scenario", [ELECTIVE, ACUTE], ids=["elective", "acute"])
def test_every_decimal_is_one_r5_allows(client: FlaskClient, scenario: dict[str, Any]) -> None:
    text = fhir(client, scenario).get_data(as_text=True)
    decimals: list[str] = []
    json.loads(text, parse_float=lambda token: decimals.append(token) or float(token))
    assert len(decimals) >= 8
    assert [d for d in decimals if not R5_DECIMAL.fullmatch(d)] == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.0012345678901234567, 0.00123456789012346),
        (0.24137931034482757, 0.24137931034482757),
        (2.5603448275862069, 2.5603448275862069),
        (1.5e-05, 1.5e-05),
    ],
)
def test_decimal_keeps_at_most_17_digits_after_the_point(value: float, expected: float) -> None:
    assert decimal(value) == expected
    assert len(repr(decimal(value)).partition(".")[2].partition("e")[0]) <= 17
