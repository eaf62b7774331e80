"""POST /api/v1/pool: metafor's values through the API, the error contract, and the schema.

The statistics themselves are checked against metafor in tests/test_pooling.py; here the two
documented examples are checked against values printed by R 4.2.2 with metafor 3.8-1:

    library(metafor)
    bcg <- dat.bcg[1:3, ]
    res <- rma(ai = tpos, n1i = tpos + tneg, ci = cpos, n2i = cpos + cneg, data = bcg,
               measure = "RR", method = "DL", test = "knha")
    print(c(exp(c(res$beta, res$ci.lb, res$ci.ub)), res$pval, res$QE, res$QEp, res$I2,
            res$tau2), digits = 10)
    print(weights(res), digits = 10)
    d <- data.frame(ai = c(0, 3, 12), n1i = c(25, 40, 100), ci = c(2, 1, 20),
                    n2i = c(24, 38, 98))
    res <- rma.mh(ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = d, measure = "RD")
    print(c(res$beta, res$ci.lb, res$ci.ub, res$pval, res$QE, res$QEp, res$I2), digits = 10)
    print(weights(res), digits = 10)
    print(summary(escalc(measure = "RD", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = d)),
          digits = 10)
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from app.analysis import pooling
from app.api.pool import EXAMPLES
from app.contract import pool as contract
from app.contract.pool import PoolError, PoolRequest, PoolStudy, parse_pool
from app.contract.twobytwo import Counts
from tests.test_openapi import ROOT, check_response, request_pointer, schema_errors

FAST = settings(database=None, deadline=None, max_examples=60)
PATH = "/api/v1/pool"


def approx(value: float) -> Any:
    return pytest.approx(value, rel=1e-9, abs=1e-10)


def study(label: str, a: int, n1: int, c: int, n2: int) -> dict[str, Any]:
    return {
        "label": label,
        "intervention": {"events": a, "total": n1},
        "comparator": {"events": c, "total": n2},
    }


def post(client: FlaskClient, body: Any) -> tuple[int, Any]:
    response = client.post(PATH, json=body)
    assert response.mimetype == "application/json"
    return response.status_code, json.loads(response.get_data(as_text=True))


TWO = [study("A", 10, 100, 5, 100), study("B", 8, 90, 9, 95)]


# --------------------------------------------------------------------------- metafor's values


def test_the_random_example_gives_metafors_hartung_knapp_values(client: FlaskClient) -> None:
    status, answer = post(client, EXAMPLES["random_hartung_knapp"]["value"])
    assert status == 200
    assert answer["measure"] == "risk_ratio" and answer["model"] == "random"
    assert answer["estimate"] == approx(0.26441534140)
    assert answer["ci"] == [approx(0.10733128467), approx(0.65139882542)]
    assert answer["p_value"] == approx(0.02392717618)
    assert answer["heterogeneity"] == {
        "q": approx(0.93246986273),
        "df": 2,
        "p_value": approx(0.62735988022),
        "i2": 0.0,
        "tau2": 0.0,
    }
    weights = [s["weight"] for s in answer["studies"]]
    assert weights == [approx(28.92592506), approx(48.40058710), approx(22.67348784)]
    assert [s["label"] for s in answer["studies"]] == [
        "Aronson 1948",
        "Ferguson & Simes 1949",
        "Rosenthal et al 1960",
    ]
    assert 'rma(method="DL", test="knha")' in answer["method"]
    assert "t distribution, 2 df" in answer["method"]


def test_the_truncated_example_gives_metafors_adhoc_values(client: FlaskClient) -> None:
    # R: res <- rma(ai = tpos, n1i = tpos + tneg, ci = cpos, n2i = cpos + cneg,
    #               data = dat.bcg[1:3, ], measure = "RR", method = "DL", test = "adhoc")
    #    print(c(exp(c(res$beta, res$ci.lb, res$ci.ub)), res$pval), digits = 11)
    # Q/(k-1) = 0.47 here: the truncation sets the scale factor to 1, so the interval is wider
    # than the untruncated one (0.107 to 0.651) and than DerSimonian-Laird's.
    status, answer = post(client, EXAMPLES["random_hartung_knapp_truncated"]["value"])
    assert status == 200
    assert answer["estimate"] == approx(0.264415341399)
    assert answer["ci"] == [approx(0.070605040235), approx(0.990233452654)]
    assert answer["p_value"] == approx(0.049318395013)
    assert 'rma(method="DL", test="adhoc")' in answer["method"]
    assert answer["warnings"] == []


def test_the_fixed_example_gives_metafors_mantel_haenszel_values(client: FlaskClient) -> None:
    status, answer = post(client, EXAMPLES["fixed_zero_cell"]["value"])
    assert status == 200
    assert answer["estimate"] == approx(-0.05211696815)
    assert answer["ci"] == [approx(-0.12114225329), approx(0.01690831698)]
    assert answer["p_value"] == approx(0.13891207378)
    het = answer["heterogeneity"]
    assert (het["q"], het["df"], het["p_value"]) == (
        approx(4.78479740588),
        2,
        approx(0.09141015488),
    )
    assert (het["i2"], het["tau2"]) == (approx(58.20094707577), 0.0)
    assert answer["studies"] == [
        {
            "label": "A",
            # 0/25 vs 2/24 with 0.5 added to every cell.
            "estimate": approx(-0.0807692308),
            "ci": [approx(-0.2096720110), approx(0.0481335495)],
            "weight": approx(15.07490600),
        },
        {
            "label": "B",
            "estimate": approx(0.0486842105),
            "ci": [approx(-0.0475073304), approx(0.1448757515)],
            "weight": approx(23.99100425),
        },
        {
            "label": "C",
            "estimate": approx(-0.0840816327),
            "ci": [approx(-0.1861781235), approx(0.0180148582)],
            "weight": approx(60.93408975),
        },
    ]
    assert answer["method"].startswith("Mantel-Haenszel fixed-effect risk difference")


def test_the_answer_has_exactly_the_issues_fields(client: FlaskClient) -> None:
    status, answer = post(client, {"studies": TWO, "measure": "odds_ratio", "model": "random"})
    assert status == 200
    assert list(answer) == [
        "measure",
        "model",
        "method",
        "estimate",
        "ci",
        "p_value",
        "heterogeneity",
        "studies",
        "warnings",
    ]
    assert answer["warnings"] == []
    assert list(answer["heterogeneity"]) == ["q", "df", "p_value", "i2", "tau2"]
    assert all(list(s) == ["label", "estimate", "ci", "weight"] for s in answer["studies"])
    assert sum(s["weight"] for s in answer["studies"]) == pytest.approx(100.0)
    # Ratios on the natural scale: study A is 10/100 vs 5/100, odds ratio (10 * 95) / (90 * 5).
    assert answer["studies"][0]["estimate"] == approx(950 / 450)


def test_a_double_zero_study_has_no_estimate_in_the_fixed_model(client: FlaskClient) -> None:
    body = {"studies": [*TWO, study("Z", 0, 30, 0, 31)], "measure": "risk_ratio", "model": "fixed"}
    status, answer = post(client, body)
    assert status == 200
    assert answer["studies"][2] == {"label": "Z", "estimate": None, "ci": None, "weight": 0.0}
    assert answer["heterogeneity"]["df"] == 1
    status, answer = post(client, {**body, "model": "random"})
    assert answer["studies"][2]["estimate"] == approx(32 / 31)
    assert answer["heterogeneity"]["df"] == 2


def test_confidence_sets_every_interval(client: FlaskClient) -> None:
    body = {"studies": TWO, "measure": "risk_difference", "model": "random"}
    _, at95 = post(client, body)
    _, at90 = post(client, {**body, "confidence": 0.9})
    _, default = post(client, {**body, "confidence": None})
    assert default == at95
    assert at90["ci"][0] > at95["ci"][0] and at90["ci"][1] < at95["ci"][1]
    assert at90["studies"][0]["ci"][1] < at95["studies"][0]["ci"][1]
    assert "90% normal interval" in at90["method"]


# --------------------------------------------------------------------------- errors


def invalid(fields: dict[str, list[str]]) -> dict[str, Any]:
    return {"error": "validation_failed", "fields": fields}


MEASURE_CHOICES = "risk_ratio, risk_difference, odds_ratio"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        (
            {},
            {
                "studies": ["Required."],
                "measure": [f"Required: one of {MEASURE_CHOICES}."],
                "model": ["Required: one of fixed, random."],
            },
        ),
        (
            {"studies": TWO[:1], "measure": "risk_ratio", "model": "fixed"},
            {"studies": ["Must be a list of 2 to 100 studies; got 1."]},
        ),
        (
            {"studies": {"A": 1}, "measure": "risk_ratio", "model": "fixed"},
            {"studies": ["Must be a list of 2 to 100 studies; got an object with 1 key."]},
        ),
        (
            {"studies": [TWO[0], 3], "measure": "risk_ratio", "model": "fixed"},
            {"studies[1]": ["Must be an object with label, intervention, comparator; got 3."]},
        ),
        (
            {
                "studies": [TWO[0], {**study("", 6, 5, 1, 0), "n": 1}],
                "measure": "rr",
                "model": "fixed",
            },
            {
                "studies[1].n": ["Unknown field; fields are: label, intervention, comparator."],
                "studies[1].label": ["Must be 1 to 80 characters long; got 0."],
                "studies[1].intervention.events": [
                    "Must not exceed studies[1].intervention.total (5)."
                ],
                "studies[1].comparator.total": ["Must be at least 1; got 0."],
                "measure": [f"Must be one of: {MEASURE_CHOICES}; got the text 'rr'."],
            },
        ),
        (
            {
                "studies": [TWO[0], {"label": 7, "intervention": {"events": 2.0, "total": 9}}],
                "measure": "odds_ratio",
                "model": "random",
            },
            {
                "studies[1].label": ["Must be text; got 7."],
                "studies[1].intervention.events": ["Must be a whole number; got 2.0."],
                "studies[1].comparator": ["Required."],
            },
        ),
        (
            {
                "studies": TWO,
                "measure": "risk_ratio",
                "model": "fixed",
                "adjustment": "hartung-knapp",
            },
            {"adjustment": ['Applies to the random model only; give null, or "model": "random".']},
        ),
        (
            {
                "studies": TWO,
                "measure": "risk_ratio",
                "model": "random",
                "adjustment": "knha",
                "confidence": 1,
                "alpha": 0.05,
            },
            {
                "alpha": [
                    "Unknown field; fields are: studies, measure, model, adjustment, confidence."
                ],
                "adjustment": [
                    "Must be null or one of: hartung-knapp, hartung-knapp-truncated; got the"
                    " text 'knha'."
                ],
                "confidence": ["Must be a number greater than 0.5 and at most 0.999; got 1."],
            },
        ),
        ([TWO], {"body": ["Must be a JSON object; got a list of 1 item."]}),
    ],
    ids=[
        "empty",
        "one-study",
        "studies-object",
        "study-not-object",
        "bad-study-and-measure",
        "label-and-float-count",
        "knha-with-fixed",
        "unknown-adjustment-confidence",
        "array-body",
    ],
)
def test_pool_errors_name_the_field(client: FlaskClient, body: Any, fields: Any) -> None:
    assert post(client, body) == (422, invalid(fields))


def test_two_to_a_hundred_studies_and_labels_up_to_80_characters(client: FlaskClient) -> None:
    many = [study(f"S{i}", 1 + i % 7, 50, 1 + i % 5, 50) for i in range(101)]
    body = {"studies": many[:100], "measure": "risk_ratio", "model": "random"}
    status, answer = post(client, body)
    assert status == 200 and len(answer["studies"]) == 100
    assert post(client, {**body, "studies": many}) == (
        422,
        invalid({"studies": ["Must be a list of 2 to 100 studies; got 101."]}),
    )
    long = [{**TWO[0], "label": "x" * 80}, {**TWO[1], "label": "é" * 81}]
    status, answer = post(client, {**body, "studies": long})
    assert answer == invalid({"studies[1].label": ["Must be 1 to 80 characters long; got 81."]})


@pytest.mark.parametrize(
    ("studies", "measure", "model", "adjustment", "message"),
    [
        (
            [study("A", 3, 50, 0, 50), study("B", 2, 40, 0, 41)],
            "risk_ratio",
            "fixed",
            None,
            "The Mantel-Haenszel risk ratio cannot be estimated: no study has events in the"
            " comparator arm.",
        ),
        (
            [study("A", 0, 50, 0, 50), study("B", 0, 40, 0, 41)],
            "risk_difference",
            "fixed",
            None,
            "The Mantel-Haenszel risk difference has no variance: in every study each arm has"
            " either no events or only events.",
        ),
        (
            [study("A", 10, 100, 5, 100), study("B", 10, 100, 5, 100)],
            "risk_ratio",
            "random",
            "hartung-knapp",
            "The Hartung-Knapp interval cannot be computed: every study has the same estimate, so"
            " its variance estimate is 0.",
        ),
    ],
)
def test_tables_that_cannot_be_pooled_are_refused_on_studies(
    client: FlaskClient,
    studies: list[Any],
    measure: str,
    model: str,
    adjustment: str | None,
    message: str,
) -> None:
    body = {"studies": studies, "measure": measure, "model": model, "adjustment": adjustment}
    assert post(client, body) == (422, invalid({"studies": [message]}))


def test_an_interval_beyond_a_float_is_refused_not_infinite(client: FlaskClient) -> None:
    body = {
        "studies": [study("A", 1, 10, 9, 10), study("B", 9, 10, 1, 10)],
        "measure": "odds_ratio",
        "model": "random",
        "adjustment": "hartung-knapp",
        "confidence": 0.999,
    }
    assert post(client, body) == (
        422,
        invalid(
            {
                "studies": [
                    "The interval is too wide to express: a limit of the ratio is below 1e-308."
                ]
            }
        ),
    )
    status, answer = post(client, {**body, "confidence": 0.95})
    assert status == 200 and answer["ci"][0] > 0


def test_the_body_errors_are_those_of_every_endpoint(client: FlaskClient) -> None:
    good = json.dumps({"studies": TWO, "measure": "risk_ratio", "model": "fixed"})
    response = client.post(PATH, data=good, content_type="text/plain")
    assert response.status_code == 415
    assert response.get_json()["message"] == (
        "The request body must be JSON (Content-Type: application/json)."
    )
    response = client.post(PATH, data='{"confidence": NaN}', content_type="application/json")
    assert response.status_code == 415
    response = client.post(PATH, data="{", content_type="application/json")
    assert (response.status_code, response.get_json()["error"]) == (415, "unsupported_media_type")
    big = json.dumps({"studies": [study("x" * 80, 1, 2, 1, 2)] * 150})
    response = client.post(PATH, data=big, content_type="application/json")
    assert (response.status_code, response.get_json()["error"]) == (413, "payload_too_large")
    response = client.get(PATH)
    assert response.status_code == 405 and "POST" in response.headers["Allow"]


# --------------------------------------------------------------------------- the parser


def test_the_parser_is_pure_and_defaults() -> None:
    parsed = parse_pool({"studies": TWO, "measure": "risk_ratio", "model": "random"})
    assert parsed == PoolRequest(
        (
            PoolStudy("A", Counts(10, 100), Counts(5, 100)),
            PoolStudy("B", Counts(8, 90), Counts(9, 95)),
        ),
        "risk_ratio",
        "random",
        None,
        0.95,
    )
    with pytest.raises(PoolError) as raised:
        parse_pool(None)
    assert raised.value.fields == {"body": ["Must be a JSON object; got null."]}


def test_the_contract_and_the_statistics_share_their_vocabulary() -> None:
    assert (pooling.MEASURES, pooling.MODELS) == (contract.MEASURES, contract.MODELS)
    assert pooling.ADJUSTMENTS == contract.ADJUSTMENTS


# --------------------------------------------------------------------------- schema and fuzzing


@pytest.fixture(scope="module")
def pool_spec(app: Flask) -> tuple[dict[str, Any], Registry]:
    document = json.loads(app.test_client().get("/api/openapi.json").get_data(as_text=True))
    resource = Resource.from_contents(document, default_specification=DRAFT202012)
    return document, Registry().with_resource(ROOT, resource)


@st.composite
def arms(draw: st.DrawFn) -> dict[str, int]:
    total = draw(st.integers(1, 60) | st.just(1_000_000))
    return {"events": draw(st.integers(0, total)), "total": total}


STUDY = st.fixed_dictionaries(
    {"label": st.text(min_size=1, max_size=8), "intervention": arms(), "comparator": arms()}
)
VALID_POOL = st.fixed_dictionaries(
    {
        "studies": st.lists(STUDY, min_size=2, max_size=6),
        "measure": st.sampled_from(contract.MEASURES),
        "model": st.sampled_from(contract.MODELS),
    },
    optional={
        "adjustment": st.sampled_from([None, "hartung-knapp"]),
        "confidence": st.sampled_from([None, 0.5001, 0.9, 0.95, 0.999]),
    },
)
WRONG: dict[str, Any] = {
    "studies": st.sampled_from([None, [], "A", [{"label": "A"}] * 2, [{}] * 3]),
    "measure": st.sampled_from([None, "hazard_ratio", 1]),
    "model": st.sampled_from([None, "mixed", True]),
    "adjustment": st.sampled_from(["knha", 0]),
    "confidence": st.sampled_from([0.5, 1, "0.95", False]),
    "extra": st.just(1),
}


@st.composite
def pool_bodies(draw: st.DrawFn) -> dict[str, Any]:
    """Valid bodies, about half of them with one or two fields made wrong (None: left out)."""
    body = draw(VALID_POOL)
    for name in draw(st.sets(st.sampled_from(list(WRONG)), max_size=2)):
        value = draw(WRONG[name])
        if value is None:
            body.pop(name, None)
        else:
            body[name] = value
    return body


# Hypothesis warns when it builds the repr of a large generated body (a diagnostic about its own
# cost, not a finding); with warnings as errors that failed the run at random on busy machines.
@pytest.mark.filterwarnings(
    "ignore:Generating overly large repr:hypothesis.errors.HypothesisWarning"
)
@FAST
@given(body=pool_bodies())
def test_schema_and_api_agree_on_pool(
    app: Flask, pool_spec: tuple[dict[str, Any], Registry], body: dict[str, Any]
) -> None:
    document, registry = pool_spec
    valid = not schema_errors(registry, request_pointer(document, PATH), body)
    response = app.test_client().post(PATH, json=body)
    if valid and response.status_code == 422:
        # The one rule a schema cannot state: tables from which no estimate can be computed.
        fields = response.get_json()["fields"]
        assert list(fields) == ["studies"] and fields["studies"][0].startswith("The "), body
    else:
        assert response.status_code == (200 if valid else 422), (body, response.get_json())
    check_response(document, registry, PATH, "post", response, response.status_code)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=9),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=9), children, max_size=4)
    ),
    max_leaves=12,
)


@FAST
@given(
    body=st.dictionaries(
        st.sampled_from([*contract.FIELDS, "x"]), JSON_VALUES | st.lists(STUDY), max_size=6
    )
    | JSON_VALUES
)
def test_no_json_body_gives_a_server_error(app: Flask, body: Any) -> None:
    response = app.test_client().post(
        PATH, data=json.dumps(body, allow_nan=True), content_type="application/json"
    )
    assert response.status_code in (200, 415, 422)
    json.loads(response.get_data(as_text=True), parse_constant=pytest.fail)
