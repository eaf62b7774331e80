"""POST /api/v1/assess/fhir: an R5 Bundle of Evidence, validated with fhir.resources, equal to the API."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
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


def fhir(client: FlaskClient, body: Any) -> Any:
    return client.post("/api/v1/assess/fhir", json=body)


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


RATIOS = {"C93152", "C16932", "C93150"}
DIFFERENCE = "0000424"
EVERY_OPTION = ["medical", "angioplasty", "balloon_stent", "self_expanding_stent"]
ALL = {**ELECTIVE, "options": EVERY_OPTION}
EVERY_SETTING = {
    "symptomatic_icas": ALL,
    "lvo_icas": {"setting": "lvo_icas", "options": EVERY_OPTION},
}


def resources(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["resource"]["id"]: e["resource"] for e in bundle["entry"]}


def codes(resource: dict[str, Any]) -> list[str]:
    return [
        s["statisticType"]["coding"][0]["code"]
        for s in resource["statistic"]
        if "statisticType" in s
    ]


def first_of(resource: dict[str, Any], wanted: set[str]) -> dict[str, Any] | None:
    return next(
        (
            s
            for s in resource["statistic"]
            if "statisticType" in s and s["statisticType"]["coding"][0]["code"] in wanted
        ),
        None,
    )


def arm_evidence(bundle: dict[str, Any], comparative: dict[str, Any], role: str) -> dict[str, Any]:
    """The arm's own Evidence, found through the comparative resource's reference to it."""
    by_url = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    label = f"{role.capitalize()} group"
    (link,) = [a for a in comparative["relatedArtifact"] if a["label"] == label]
    assert link["type"] == "composed-of"
    return by_url[link["resourceReference"]["reference"]]


def assert_same(statistic: dict[str, Any] | None, figure: dict[str, Any], key: str) -> None:
    assert statistic is not None
    # Equal to the API's figures, to the 17 digits after the point an R5 decimal holds.
    assert statistic["quantity"]["value"] == decimal(figure[key])
    (interval,) = [
        a for a in statistic["attributeEstimate"] if a["type"]["coding"][0]["code"] == "C53324"
    ]
    low, high = interval["range"]["low"]["value"], interval["range"]["high"]["value"]
    assert [low, high] == [decimal(bound) for bound in figure["ci"]]


def test_vissit_primary_safety_in_detail(client: FlaskClient) -> None:
    bundle = fhir(client, ELECTIVE).get_json()
    resource = resources(bundle)["vissit-primary-safety-30d"]
    roles = [v["variableRole"]["coding"][0]["code"] for v in resource["variableDefinition"]]
    assert roles == ["population", "exposure", "referenceExposure", "measuredVariable"]
    assert resource["variableDefinition"][1]["description"] == (
        "Balloon-expandable stent plus medical therapy"
    )
    assert resource["variableDefinition"][2]["description"] == "Medical therapy alone"
    assert resource["meta"]["profile"] == [
        "http://hl7.org/fhir/uv/ebm/StructureDefinition/comparative-evidence"
    ]
    first = arm_evidence(bundle, resource, "intervention")["statistic"][0]
    second = arm_evidence(bundle, resource, "comparator")["statistic"][0]
    assert (first["numberOfEvents"], first["sampleSize"]["knownDataCount"]) == (14, 58)
    assert (second["numberOfEvents"], second["sampleSize"]["knownDataCount"]) == (5, 53)
    ratio, difference = resource["statistic"]
    assert ratio["statisticType"]["coding"][0]["code"] == "C93152"
    assert round(ratio["quantity"]["value"], 2) == 2.56
    assert ratio["quantity"]["unit"] == "ratio"
    assert difference["statisticType"]["coding"][0]["code"] == DIFFERENCE
    assert round(difference["quantity"]["value"], 3) == 0.147
    # Both comparative statistics say what they rest on: 19 events in 111 patients.
    for each in (ratio, difference):
        assert each["numberOfEvents"] == 19
        assert each["sampleSize"] == {
            "numberOfStudies": 1,
            "knownDataCount": 111,
            "numberOfParticipants": 111,
        }
    interval, p = difference["attributeEstimate"]
    limits = (interval["range"]["low"]["value"], interval["range"]["high"]["value"])
    assert [round(v, 3) for v in limits] == [0.005, 0.282]
    assert p["type"]["coding"][0] == {
        "system": "http://terminology.hl7.org/CodeSystem/attribute-estimate-type",
        "code": "C44185",
        "display": "P-value",
    }
    assessed = client.post("/api/v1/assess", json=ELECTIVE).get_json()
    vissit = next(c for c in assessed["comparisons"] if c["study"]["id"] == "vissit")
    safety = next(o for o in vissit["outcomes"] if o["id"] == "primary_safety_30d")
    assert p["quantity"]["value"] == decimal(safety["p_value"]["value"])
    assert "doi:10.1001/jama.2015.1693" in resource["citeAsMarkdown"]
    assert resource["url"] == "http://localhost/fhir/Evidence/vissit-primary-safety-30d"
    page = resource["relatedArtifact"][0]["document"]["url"]
    assert page == "http://localhost/evidence/vissit#o-primary_safety_30d"
    assert "recommends no treatment" in resource["description"]
    # A primary source only: no source note and no citation beside the statistics.
    assert "SOURCE" not in json.dumps(resource["statistic"])
    assert [a["type"] for a in resource["relatedArtifact"]] == [
        "documentation",
        "composed-of",
        "composed-of",
    ]


def test_an_outcome_lacking_only_an_nnt_keeps_its_difference_and_ratio(
    client: FlaskClient,
) -> None:
    body = {**ELECTIVE, "options": ["angioplasty", "balloon_stent"]}
    found = resources(fhir(client, body).get_json())
    resource = found["angioplasty-vs-stent-retro-periprocedural-death"]
    assert codes(resource) == ["C93152", DIFFERENCE]
    ratio, difference = resource["statistic"]
    assert round(ratio["quantity"]["value"], 2) == 1.94
    assert round(difference["quantity"]["value"], 3) == 0.010
    assert resource["note"][0]["text"].startswith("No NNT")
    assert not any(n["text"].startswith("NNT") for n in difference.get("note", []))


def test_secondary_figures_carry_their_own_source(client: FlaskClient) -> None:
    bundle = fhir(client, ALL).get_json()
    resource = resources(bundle)["cassiss-stroke-death-30d"]
    citations = [a for a in resource["relatedArtifact"] if a["type"] == "citation"]
    assert len(citations) == len(resource["statistic"]) == 2
    pairs = zip(resource["statistic"], citations, strict=True)
    for index, (each, citation) in enumerate(pairs, 1):
        assert citation["label"] == f"Source of statistic {index}"
        assert citation["display"].startswith("SECONDARY SOURCE: neuro.wiki")
        assert citation["document"]["url"] == "https://neuro.wiki/trials/stroke/cassiss/"
        (note,) = [n["text"] for n in each["note"] if "SECONDARY" in n["text"]]
        assert note.endswith(f"see 'Source of statistic {index}'.")
    # Each arm's own Evidence cites it beside its figure too.
    arm = arm_evidence(bundle, resource, "intervention")
    labels = [a["label"] for a in arm["relatedArtifact"] if a["type"] == "citation"]
    assert labels == ["Source of statistic 1"]


def test_printed_effects_lead_with_the_pages_figures(client: FlaskClient) -> None:
    resource = resources(fhir(client, ALL).get_json())["cassiss-primary-1y"]
    hazard, printed, crude, ratio = resource["statistic"]
    assert hazard["statisticType"]["coding"][0]["code"] == "C93150"
    assert hazard["quantity"] == {
        "value": 1.1,
        "unit": "ratio",
        "system": "http://unitsofmeasure.org",
        "code": "1",
    }
    interval, p = hazard["attributeEstimate"]
    assert (interval["range"]["low"]["value"], interval["range"]["high"]["value"]) == (0.52, 2.35)
    assert p["quantity"] == {"value": 0.82}
    # The printed difference leads the absolute figures in the page's words; the crude follows.
    assert printed["description"].startswith("Published +0.4 pp (−5.0 to +5.9)")
    assert printed["quantity"]["value"] == 0.004
    assert "recomputed from the counts" in crude["description"]
    assert ratio["description"].startswith("Crude RR 1.11")


def test_kaplan_meier_outcomes_are_exported(client: FlaskClient) -> None:
    body = {**ELECTIVE, "options": ["angioplasty", "balloon_stent"]}
    bundle = fhir(client, body).get_json()
    resource = resources(bundle)["angioplasty-vs-stent-retro-stroke-death-free-2y"]
    (difference,) = resource["statistic"]
    assert difference["description"].startswith("Difference in Kaplan-Meier survival −3.0 pp")
    survival = arm_evidence(bundle, resource, "intervention")["statistic"][0]
    assert survival["quantity"]["value"] == 0.89
    (se,) = survival["attributeEstimate"]
    assert se["type"]["coding"][0]["code"] == "0000037"
    assert se["quantity"]["value"] == 0.05
    # SAMMPRIS at 1 year: the Kaplan-Meier rates and the printed P; no errors, so no difference.
    sammpris = resources(fhir(client, ALL).get_json())["sammpris-primary-1y-km"]
    (comparison,) = sammpris["statistic"]
    (p,) = comparison["attributeEstimate"]
    assert p["quantity"] == {"value": 0.009}


def _walk(value: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key, item
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def test_codings_have_displays_ratios_units_and_urls_no_fragment(client: FlaskClient) -> None:
    bundle = fhir(client, ELECTIVE).get_json()
    pairs = list(_walk(bundle))
    codings = [c for key, item in pairs if key == "coding" for c in item]
    assert codings and all(c.get("display") for c in codings)
    for entry in bundle["entry"]:
        assert "#" not in entry["resource"]["url"]
        for each in entry["resource"].get("statistic", []):
            if first_of({"statistic": [each]}, RATIOS):
                assert each["quantity"]["unit"] == "ratio"
                interval = each["attributeEstimate"][0]["range"]
                assert interval["low"]["unit"] == interval["high"]["unit"] == "ratio"
    assert bundle["meta"]["tag"][0]["display"] == "Evidence version"


def test_back_calculated_counts_get_no_difference_or_ratio(client: FlaskClient) -> None:
    response = fhir(client, ACUTE)
    Bundle.model_validate_json(response.get_data())
    bundle = response.get_json()
    resource = resources(bundle)["rescue-icas-ses-bms-recurrent-stroke"]
    # Only the printed P for the comparison: no difference or ratio from back-calculated counts.
    (comparison,) = resource["statistic"]
    assert "statisticType" not in comparison
    assert [a["quantity"] for a in comparison["attributeEstimate"]] == [{"value": 0.001}]
    first = arm_evidence(bundle, resource, "intervention")["statistic"][0]
    second = arm_evidence(bundle, resource, "comparator")["statistic"][0]
    assert (first["numberOfEvents"], second["numberOfEvents"]) == (15, 1)
    assert any("Back-calculated" in n["text"] for n in first["note"])
    assert "back-calculated" in resource["note"][0]["text"]


def test_no_patient_in_the_output(client: FlaskClient) -> None:
    text = fhir(client, ELECTIVE).get_data(as_text=True)
    assert "Patient" not in text and '"subject"' not in text
    # Nor the scenario: the Bundle holds group-level evidence only.
    assert "stenosis_percent" not in text and "scenario" not in json.loads(text)


def test_options_only_the_register_names_get_a_note(client: FlaskClient) -> None:
    body = {
        "setting": "symptomatic_icas",
        "options": ["angioplasty", "medical"],
        "stenosis_percent": 80,
    }
    assessed = client.post("/api/v1/assess", json=body).get_json()
    response = fhir(client, body)
    Bundle.model_validate_json(response.get_data())
    bundle = response.get_json()
    assert assessed["comparisons"] == [] and assessed["known_trials"]
    assert [e["resource"]["id"] for e in bundle["entry"]] == [
        f"register-{t['id']}" for t in assessed["known_trials"]
    ]
    for entry, trial in zip(bundle["entry"], assessed["known_trials"], strict=True):
        resource = entry["resource"]
        assert "statistic" not in resource
        (note,) = resource["note"]
        assert note["text"].startswith("Not in this evidence base")
        assert trial["reason"] in note["text"]


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
    assert bundle["entry"][0]["resource"]["url"].startswith(
        "https://icas.example.org/fhir/Evidence/"
    )


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
