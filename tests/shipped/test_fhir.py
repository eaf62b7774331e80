"""The FHIR Bundle leads with the API's figures for every outcome of every shipped study."""

from __future__ import annotations

import pytest
from fhir.resources.bundle import Bundle
from flask.testing import FlaskClient

from app.ehr.fhir import decimal
from tests.test_fhir import (
    DIFFERENCE,
    EVERY_SETTING,
    RATIOS,
    arm_evidence,
    assert_same,
    ci,
    codes,
    fhir,
    first_of,
    resources,
)

pytestmark = pytest.mark.shipped_evidence


@pytest.mark.parametrize("setting", ["symptomatic_icas", "lvo_icas"])
def test_every_outcome_leads_with_the_apis_figures(client: FlaskClient, setting: str) -> None:
    body = EVERY_SETTING[setting]
    assessed = client.post("/api/v1/assess", json=body).get_json()
    response = fhir(client, body)
    Bundle.model_validate_json(response.get_data())
    bundle = response.get_json()
    found = resources(bundle)
    checked = 0
    for comparison in assessed["comparisons"]:
        study = comparison["study"]["id"]
        for outcome in comparison["outcomes"]:
            resource = found[f"{study}-{outcome['id']}".replace("_", "-")]
            assert resource["version"] == assessed["evidence_version"]
            assert all("category" not in s for s in resource["statistic"])
            # Each arm: the engine's rate from counts, else the percentage as printed.
            for role in ("intervention", "comparator"):
                counts, printed = outcome[role], outcome["published"][role]
                rate = printed and (
                    printed["percent"] or printed["event_rate"] or printed["survival"]
                )
                if counts is None and not rate:
                    continue
                arm = arm_evidence(bundle, resource, role)
                assert arm["meta"]["profile"] == [
                    f"http://hl7.org/fhir/uv/ebm/StructureDefinition/{role}-only-evidence"
                ]
                (statistic,) = arm["statistic"]
                if counts is not None:
                    assert statistic["quantity"]["value"] == decimal(counts["rate"])
                    assert statistic["numberOfEvents"] == counts["events"]
                    assert statistic["sampleSize"]["knownDataCount"] == counts["total"]
                    assert ci(statistic) == [decimal(bound) for bound in counts["ci"]]
                else:
                    assert statistic["quantity"]["value"] == pytest.approx(float(rate) / 100)
            # The page's leading ratio leads the Bundle; the leading difference is the first one.
            relative, absolute = outcome["relative_effect"], outcome["absolute_effect"]
            if relative is not None:
                assert codes(resource)[0] in RATIOS
                assert_same(first_of(resource, RATIOS), relative, "estimate")
            elif not outcome["published"]["effects"]:
                assert first_of(resource, RATIOS) is None
            if absolute is not None:
                assert_same(first_of(resource, {DIFFERENCE}), absolute, "estimate")
            elif outcome["survival_difference"] is not None:
                survival = outcome["survival_difference"]
                assert_same(first_of(resource, {DIFFERENCE}), survival, "value")
            elif not any(e["type"] == "risk_difference" for e in outcome["published"]["effects"]):
                assert first_of(resource, {DIFFERENCE}) is None
            crude = [s for s in resource["statistic"] if s["description"].startswith("Crude RR")]
            if outcome["risk_ratio"] is None:
                assert crude == []
            else:
                assert_same(crude[0], outcome["risk_ratio"], "value")
            checked += 1
    assert checked == sum(len(c["outcomes"]) for c in assessed["comparisons"]) > 0


def test_every_shipped_study_is_compared_above(client: FlaskClient) -> None:
    evidence = client.get("/api/v1/evidence").get_json()
    compared = {
        c["study"]["id"]
        for body in EVERY_SETTING.values()
        for c in client.post("/api/v1/assess", json=body).get_json()["comparisons"]
    }
    assert compared == {s["id"] for s in evidence["studies"]}
