"""Certainty of the shipped evidence: in the JSON, the OpenAPI document, the pages and FHIR."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from app.analysis.base import EvidenceBase
from app.analysis.certainty import DOMAINS
from app.analysis.headline import difference_lead
from tests.scenarios import ALL_OPTIONS, VISSIT_LIKE
from tests.test_counsel import LVO

pytestmark = pytest.mark.shipped_evidence
RATINGS = {"high", "moderate", "low", "very_low"}
SCENARIOS = {
    "all four": ALL_OPTIONS,
    "self-expanding stent, 30 days on": {
        "setting": "symptomatic_icas",
        "options": ["medical", "self_expanding_stent"],
        "stenosis_percent": 80,
        "days_since_event": 30,
        "age": 64,
        "mrs": 1,
    },
    "acute": LVO,
}


def assess_json(client: FlaskClient, scenario: dict[str, Any]) -> Any:
    response = client.post("/api/v1/assess", json=scenario)
    assert response.status_code == 200
    return response.get_json()


def check(certainty: Any) -> None:
    assert certainty["rating"] in RATINGS
    assert certainty["start"] in {"high", "low"}
    assert certainty["statement"].endswith(".")
    assert tuple(certainty["domains"]) == DOMAINS
    for domain in certainty["domains"].values():
        assert domain["levels_down"] in (0, 1, 2)
        assert domain["reason"].endswith(".") and len(domain["reason"]) > 20


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_every_outcome_and_family_has_certainty(client: FlaskClient, name: str) -> None:
    body = assess_json(client, SCENARIOS[name])
    outcomes = [o for c in body["comparisons"] for o in c["outcomes"]]
    assert outcomes
    for outcome in outcomes:
        check(outcome["certainty"])
    for comparison in body["comparisons"]:
        expected = "high" if comparison["study"]["design"] == "randomized_trial" else "low"
        assert {o["certainty"]["start"] for o in comparison["outcomes"]} == {expected}
    for family in body["outcome_families"]:
        check(family["certainty"])


def test_sammpris_and_cassiss_ratings_for_a_patient_30_days_on(client: FlaskClient) -> None:
    body = assess_json(client, SCENARIOS["self-expanding stent, 30 days on"])
    rated = {
        (c["study"]["id"], o["id"]): o["certainty"]
        for c in body["comparisons"]
        for o in c["outcomes"]
    }
    early = rated["sammpris", "stroke_death_30d"]
    # Randomized (high), stopping early alone is not serious, 46 events < 300: moderate.
    assert early["rating"] == "moderate"
    assert [d["levels_down"] for d in early["domains"].values()] == [0, 0, 0, 1, 0]
    assert early["statement"] == (
        "Self-expanding stent probably increases stroke or death within 30 days compared with"
        " medical therapy."
    )
    # CASSISS's HR 1.10 (0.52-2.35) spans appreciable benefit and harm: two levels down.
    primary = rated["cassiss", "primary_1y"]
    assert primary["domains"]["imprecision"]["levels_down"] == 2
    assert primary["rating"] == "low"
    (family,) = body["outcome_families"]
    assert family["family"] == "stroke_death_30d"
    assert family["certainty"]["domains"]["inconsistency"]["reason"] == (
        "I² = 0% and the intervals overlap; not rated down."
    )
    assert family["pooled_risk_ratio"]["estimate"] == pytest.approx(2.51, abs=0.01)


def test_the_openapi_document_describes_certainty(client: FlaskClient) -> None:
    spec = client.get("/api/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    assert set(schemas["Certainty"]["properties"]) == {"rating", "start", "statement", "domains"}
    assert schemas["Certainty"]["properties"]["rating"]["enum"] == [
        "high",
        "moderate",
        "low",
        "very_low",
    ]
    assert set(schemas["Certainty"]["properties"]["domains"]["properties"]) == set(DOMAINS)
    assert "certainty" in schemas["AssessedOutcome"]["properties"]
    assert "outcome_families" in schemas["Assessment"]["properties"]


def test_one_nnt_the_same_everywhere_and_only_where_it_means_something(
    base: EvidenceBase, client: FlaskClient
) -> None:
    for name in sorted(SCENARIOS):
        for comparison in assess_json(client, SCENARIOS[name])["comparisons"]:
            for outcome in comparison["outcomes"]:
                lead = outcome["absolute_effect"]
                if lead is None:
                    assert outcome["nnt"] is None
                    continue
                assert lead["nnt"] == outcome["nnt"]
                low, high = lead["ci"]
                if low <= 0 <= high or "median" in outcome["timeframe"]:
                    assert outcome["nnt"] is None, outcome["id"]
                    assert outcome["not_computed_reason"]
    # At start-up too: each outcome's NNT is its leading difference's, the one the page shows.
    for entry in (o for s in base.studies for o in s.outcomes):
        lead = difference_lead(entry)
        assert entry.nnt == (None if lead is None else lead.nnt)


def test_the_clinician_page_shows_each_rating_and_statement(client: FlaskClient) -> None:
    form = {k: v for k, v in ALL_OPTIONS.items() if k != "options"}
    data: dict[str, Any] = {
        k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in form.items()
    }
    data["symptomatic"] = "yes"
    data["options"] = ALL_OPTIONS["options"]
    page = html.unescape(client.post("/", data=data).get_data(as_text=True))
    block = page[page.index('id="c-sammpris-certainty"') :]
    block = block[: block.index("</div>")]
    assert (
        "<strong>Risk of bias:</strong> SAMMPRIS: stopping early (some concerns); not rated down."
        in block
    )
    assert (
        '<strong class="certainty-moderate">Moderate</strong> (from high: −1 imprecision):'
        ' <a href="#c-sammpris-stroke_death_30d">Self-expanding stent probably increases stroke or'
        " death within 30 days compared with medical therapy.</a>"
    ) in block
    assert 'id="forest-stroke_death_30d-0-certainty"' in page


def test_patient_and_print_views_give_the_rating_in_words(client: FlaskClient) -> None:
    data: dict[str, Any] = {
        k: str(v) for k, v in VISSIT_LIKE.items() if k not in ("options", "symptomatic")
    }
    data |= {"options": VISSIT_LIKE["options"], "symptomatic": "yes"}
    patient = html.unescape(
        client.post("/", data={**data, "view": "patient"}).get_data(as_text=True)
    )
    text = " ".join(re.sub(r"<[^>]+>", " ", patient).split())
    assert (
        "How sure are we of these results? Not very sure. The true answer could be quite different."
    ) in text
    printed = html.unescape(client.post("/", data={**data, "view": "print"}).get_data(as_text=True))
    assert '<strong class="sure">How sure are we? Not very sure.</strong>' in printed


def test_fhir_evidence_carries_certainty_and_design_notes(client: FlaskClient) -> None:
    bundle = client.post("/api/v1/assess/fhir", json=SCENARIOS["all four"]).get_json()
    resources = {e["resource"]["id"]: e["resource"] for e in bundle["entry"]}
    early = resources["sammpris-stroke-death-30d"]
    (certainty,) = early["certainty"]
    assert certainty["type"]["coding"][0]["code"] == "Overall"
    assert certainty["rating"]["coding"][0] == {
        "system": "http://hl7.org/fhir/certainty-rating",
        "code": "moderate",
        "display": "Moderate quality",
    }
    parts = {p["type"]["coding"][0]["code"]: p for p in certainty["subcomponent"]}
    assert list(parts) == [
        "RiskOfBias",
        "Inconsistency",
        "Indirectness",
        "Imprecision",
        "PublicationBias",
    ]
    assert parts["Imprecision"]["rating"]["coding"][0]["code"] == "serious-concern"
    assert parts["RiskOfBias"]["rating"]["coding"][0]["code"] == "no-concern"
    assert any("Stopped early" in n["text"] for n in early["note"])
    retro = next(r for i, r in resources.items() if i.startswith("angioplasty-vs-stent-retro"))
    assert any(n["text"].startswith("Observational design") for n in retro["note"])
    assert retro["certainty"][0]["rating"]["coding"][0]["code"] == "very-low"


def test_risk_of_bias_judgements_are_shown_with_their_quotes(client: FlaskClient) -> None:
    study = client.get("/api/v1/evidence/vissit").get_json()
    assert [(j["domain"], j["judgement"]) for j in study["risk_of_bias"]] == [
        ("stopped_early", "some_concerns"),
        ("blinding", "some_concerns"),
        ("attrition", "some_concerns"),
    ]
    assert study["risk_of_bias"][1]["quote"]["text"] == "open label"
    page = html.unescape(client.get("/evidence/cassiss").get_data(as_text=True))
    block = page[page.index('id="risk-of-bias"') : page.index("<h2>Sources</h2>")]
    assert "<dt>Outcome assessment: low risk</dt><dd>Outcome assessors were blinded" in block
    assert "outcome assessor–blinded trial conducted at 8 centers in China." in block
