"""The JSON API: real values from the evidence, the error contract, and no 500 for any body."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder, TestResponse, run_wsgi_app

from app import create_app
from app.analysis import significance, stats
from app.api import views as api_module
from app.api.twobytwo import (
    MAX_TOTAL,
    Counts,
    TwoByTwo,
    TwoByTwoError,
    parse_two_by_two,
)
from app.contract.scenario import FIELD_NAMES
from app.http.context import evidence_base
from tests.scenarios import VISSIT_LIKE

# Hypothesis must not write a database into the shared working tree; scipy can be slow at first.
FAST = settings(database=None, deadline=None, max_examples=60)

FIELD_LIST = ", ".join(FIELD_NAMES)
VISSIT_SAFETY = {
    "intervention": {"events": 14, "total": 58},
    "comparator": {"events": 5, "total": 53},
}
NOT_JSON_TYPE = {
    "error": "unsupported_media_type",
    "message": "The request body must be JSON (Content-Type: application/json).",
}
NOT_JSON = {"error": "unsupported_media_type", "message": "The request body is not valid JSON."}
TOO_LARGE = {"error": "payload_too_large", "message": "The request body is larger than 16 KB."}


def _refuse(name: str) -> None:
    raise AssertionError(f"{name} in a response")


def strict_json(response: TestResponse) -> Any:
    """Parse a response as strict JSON: NaN and Infinity fail the test."""
    assert response.mimetype == "application/json"
    return json.loads(response.get_data(as_text=True), parse_constant=_refuse)


def post(client: FlaskClient, path: str, body: Any) -> tuple[int, Any]:
    response = client.post(path, json=body)
    return response.status_code, strict_json(response)


def post_raw(
    client: FlaskClient, path: str, data: str | bytes, content_type: str = "application/json"
) -> tuple[int, Any]:
    response = client.post(path, data=data, content_type=content_type)
    return response.status_code, strict_json(response)


def invalid(fields: dict[str, list[str]]) -> dict[str, Any]:
    return {"error": "validation_failed", "fields": fields}


def pct(value: float) -> float:
    return round(value * 100, 1)


# --------------------------------------------------------------------------- assess


def test_assess_vissit_like_scenario_reproduces_the_published_figures(client: FlaskClient) -> None:
    status, body = post(client, "/api/v1/assess", VISSIT_LIKE)
    assert status == 200
    # Every field of the contract is echoed, null when not given.
    assert body["scenario"] == {**dict.fromkeys(FIELD_NAMES), **VISSIT_LIKE}
    first = body["comparisons"][0]
    assert first["study"]["id"] == "vissit"
    assert first["applicability"]["status"] == "applies"
    outcome = first["outcomes"][0]
    assert outcome["id"] == "primary_safety_30d"
    arm = outcome["intervention"]
    assert (arm["events"], arm["total"]) == (14, 58)
    assert arm["rate"] == pytest.approx(0.2414, abs=5e-5)
    # VISSIT (JAMA 2015): 14/58; 24.1% [95% CI, 13.9%-37.2%] vs 5/53; 9.4% [3.1%-20.7%] (P = .05).
    assert [pct(x) for x in arm["ci"]] == [13.9, 37.2]
    assert [pct(x) for x in outcome["comparator"]["ci"]] == [3.1, 20.7]
    assert round(outcome["p_value"]["value"], 2) == 0.05
    assert outcome["p_value"]["method"] == "fisher-exact"


def test_assess_with_no_direct_comparison_warns(client: FlaskClient) -> None:
    # No acute study includes angioplasty alone (ANGEL-REBOOT is only in the register).
    status, body = post(
        client, "/api/v1/assess", {"setting": "lvo_icas", "options": ["angioplasty"]}
    )
    assert status == 200
    assert body["comparisons"] == []
    assert [w["code"] for w in body["warnings"]] == ["no_direct_comparison"]


def test_assess_unknown_field(client: FlaskClient) -> None:
    status, body = post(client, "/api/v1/assess", {**VISSIT_LIKE, "colour": "red"})
    assert status == 422
    assert body == invalid({"colour": [f"Unknown field; fields are: {FIELD_LIST}."]})


def test_assess_missing_setting(client: FlaskClient) -> None:
    scenario = {k: v for k, v in VISSIT_LIKE.items() if k != "setting"}
    assert post(client, "/api/v1/assess", scenario) == (422, invalid({"setting": ["Required."]}))


def test_assess_stenosis_out_of_range(client: FlaskClient) -> None:
    status, body = post(client, "/api/v1/assess", {**VISSIT_LIKE, "stenosis_percent": 101})
    assert status == 422
    assert body == invalid({"stenosis_percent": ["Must be from 0 to 100; got 101."]})


def test_assess_duplicated_options(client: FlaskClient) -> None:
    status, body = post(
        client, "/api/v1/assess", {**VISSIT_LIKE, "options": ["medical", "medical"]}
    )
    assert status == 422
    assert body == invalid({"options": ["Each option may be listed once."]})


def test_assess_body_that_is_not_an_object(client: FlaskClient) -> None:
    status, body = post(client, "/api/v1/assess", [VISSIT_LIKE])
    assert (status, body) == (
        422,
        invalid({"body": ["Must be a JSON object; got a list of 1 item."]}),
    )
    status, body = post_raw(client, "/api/v1/assess", '"text"')
    assert (status, body) == (
        422,
        invalid({"body": ["Must be a JSON object; got the text 'text'."]}),
    )


def test_assess_refuses_a_body_that_is_not_json_typed(client: FlaskClient) -> None:
    text = json.dumps(VISSIT_LIKE)
    assert post_raw(client, "/api/v1/assess", text, "text/plain") == (415, NOT_JSON_TYPE)
    assert post_raw(client, "/api/v1/assess", text, "application/x-www-form-urlencoded") == (
        415,
        NOT_JSON_TYPE,
    )
    response = client.post("/api/v1/assess", data=text)  # no Content-Type at all
    assert (response.status_code, strict_json(response)) == (415, NOT_JSON_TYPE)


def test_assess_accepts_json_content_type_with_charset(client: FlaskClient) -> None:
    text = json.dumps(VISSIT_LIKE)
    status, body = post_raw(client, "/api/v1/assess", text, "application/json; charset=utf-8")
    assert status == 200
    assert body["comparisons"][0]["study"]["id"] == "vissit"


@pytest.mark.parametrize(
    "data",
    ['{"setting": "symptomatic_icas",', "", "{'setting': 1}", "[1,]"],
    ids=["truncated", "empty", "single-quotes", "trailing-comma"],
)
def test_assess_refuses_malformed_json(client: FlaskClient, data: str | bytes) -> None:
    assert post_raw(client, "/api/v1/assess", data) == (415, NOT_JSON)


def test_assess_refuses_invalid_utf8_naming_the_byte(client: FlaskClient) -> None:
    assert post_raw(client, "/api/v1/assess", b'{"setting": "lvo\xe9_icas"}') == (
        400,
        {
            "error": "bad_request",
            "message": "The request body is not valid UTF-8 (byte 0xe9 at position 16).",
        },
    )


def test_a_duplicate_key_before_other_bad_json_is_that_bad_json(client: FlaskClient) -> None:
    assert post_raw(client, "/api/v1/assess", '[{"a": 1, "a": 2}, NaN]')[0] == 415
    assert post_raw(client, "/api/v1/assess", '[{"a": 1, "a": 2}, }')[0] == 415
    nested = '[{"a": 1, "a": 2}, ' + "[" * 5000 + "]" * 5000 + "]"
    assert post_raw(client, "/api/v1/assess", nested)[0] == 422


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (
            '{"setting": "lvo_icas", "options": ["medical"], "setting": "symptomatic_icas"}',
            "setting",
        ),
        (
            '{"intervention": {"events": 1, "total": 5, "events": 2},'
            ' "comparator": {"events": 1, "total": 5}}',
            "intervention.events",
        ),
    ],
    ids=["top-level", "nested"],
)
def test_duplicate_json_keys_are_refused_by_name(client: FlaskClient, data: str, name: str) -> None:
    path = "/api/v1/two-by-two" if name.startswith("intervention") else "/api/v1/assess"
    assert post_raw(client, path, data) == (
        422,
        invalid({name: ["Given more than once; give each field once."]}),
    )


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_assess_refuses_non_json_number_literals(client: FlaskClient, literal: str) -> None:
    status, body = post_raw(
        client, "/api/v1/assess", f'{{"setting": "lvo_icas", "age": {literal}}}'
    )
    assert status == 415
    assert body == {
        "error": "unsupported_media_type",
        "message": "The request body is not valid JSON: NaN, Infinity and -Infinity are not JSON"
        " numbers.",
    }


def test_assess_overflowing_numbers_are_invalid_values(client: FlaskClient) -> None:
    data = '{"setting": "lvo_icas", "options": ["medical"], "age": 1e400, "stenosis_percent": 1%s}'
    status, body = post_raw(client, "/api/v1/assess", data % ("0" * 5000))
    assert status == 422
    assert body == invalid(
        {
            "stenosis_percent": ["Must be a whole number from 0 to 100; got a non-finite number."],
            "age": ["Must be a whole number from 18 to 120; got a non-finite number."],
        }
    )
    # 19 digits are read as a float: refused as not whole, never echoed at length.
    status, body = post_raw(
        client,
        "/api/v1/assess",
        '{"setting": "lvo_icas", "options": ["medical"], "age": 1%s}' % ("0" * 18),
    )
    assert (status, body) == (
        422,
        invalid({"age": ["Must be a whole number from 18 to 120; got a decimal number."]}),
    )


def test_assess_deeply_nested_body(client: FlaskClient) -> None:
    data = "[" * 5000 + "]" * 5000
    assert post_raw(client, "/api/v1/assess", data) == (
        422,
        invalid({"body": ["Nested too deeply to be read."]}),
    )


def test_assess_body_over_16_kb(client: FlaskClient) -> None:
    body = {**VISSIT_LIKE, "padding": "x" * (17 * 1024)}
    assert post(client, "/api/v1/assess", body) == (413, TOO_LARGE)
    # The limit holds whatever the declared type.
    assert post_raw(client, "/api/v1/assess", "x" * 17 * 1024, "text/plain") == (413, TOO_LARGE)


@pytest.mark.parametrize(("size", "status"), [(100, 422), (16 * 1024, 413), (17 * 1024, 413)])
def test_body_without_content_length_is_limited_while_read(
    app: Flask, size: int, status: int
) -> None:
    # A chunked request, as gunicorn passes it: no CONTENT_LENGTH, input marked as terminated.
    # Werkzeug reads such a body only up to the limit; it must be refused, not parsed truncated.
    data = json.dumps({"setting": "lvo_icas", "options": ["medical"], "pad": "x" * size}).encode()
    environ = EnvironBuilder(
        path="/api/v1/assess", method="POST", data=data, content_type="application/json"
    ).get_environ()
    del environ["CONTENT_LENGTH"]
    environ["wsgi.input_terminated"] = True
    chunks, status_line, _ = run_wsgi_app(app, environ, buffered=True)
    body = json.loads(b"".join(chunks), parse_constant=_refuse)
    assert int(status_line.split()[0]) == status
    if status == 413:
        assert body == TOO_LARGE
    else:
        assert list(body["fields"]) == ["pad"]


def _run_declared(app: Flask, data: bytes, content_length: str) -> tuple[int, Any]:
    environ = EnvironBuilder(
        path="/api/v1/assess", method="POST", data=data, content_type="application/json"
    ).get_environ()
    environ["CONTENT_LENGTH"] = content_length
    chunks, status_line, _ = run_wsgi_app(app, environ, buffered=True)
    return int(status_line.split()[0]), json.loads(b"".join(chunks), parse_constant=_refuse)


def test_declared_length_is_read_exactly(app: Flask) -> None:
    # The body is read in one call of exactly Content-Length bytes (PEP 3333): what follows is
    # not read, and a body that ends sooner (the client went away) is refused, not parsed.
    data = json.dumps(VISSIT_LIKE).encode()
    status, body = _run_declared(app, data + b"trailing bytes", str(len(data)))
    assert status == 200 and body["scenario"]["stenosis_percent"] == VISSIT_LIKE["stenosis_percent"]
    assert _run_declared(app, data, str(len(data) + 10)) == (
        400,
        {
            "error": "bad_request",
            "message": "The request body ended before its declared length: it was not read.",
        },
    )
    # A Content-Length that is not a whole number reads as an empty body, as Werkzeug reads it.
    assert _run_declared(app, data, "12x") == (
        415,
        {"error": "unsupported_media_type", "message": "The request body is not valid JSON."},
    )


def test_assess_body_just_under_16_kb_is_read(client: FlaskClient) -> None:
    body = {**VISSIT_LIKE, "padding": ""}
    body["padding"] = "x" * (16 * 1024 - len(json.dumps(body)))
    data = json.dumps(body)
    assert len(data) == 16 * 1024
    status, answer = post_raw(client, "/api/v1/assess", data)
    assert status == 422
    assert list(answer["fields"]) == ["padding"]


def test_assess_wrong_method(client: FlaskClient) -> None:
    response = client.get("/api/v1/assess")
    assert response.status_code == 405
    assert "POST" in {m.strip() for m in response.headers["Allow"].split(",")}
    assert strict_json(response) == {
        "error": "method_not_allowed",
        "message": "This address does not accept that method.",
    }
    assert client.put("/api/v1/two-by-two", json={}).status_code == 405


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
SCENARIO_KEYS = st.sampled_from([*FIELD_LIST.split(", "), "colour"])
SCENARIO_VALUES = (
    JSON_VALUES
    | st.sampled_from(["symptomatic_icas", "lvo_icas", "mca", "medical", "balloon_stent"])
    | st.lists(st.sampled_from(["medical", "angioplasty", "balloon_stent", "x"]), max_size=5)
)


@FAST
@given(
    body=st.dictionaries(SCENARIO_KEYS, SCENARIO_VALUES, max_size=8) | JSON_VALUES,
    path=st.sampled_from(["/api/v1/assess", "/api/v1/two-by-two"]),
)
def test_no_json_body_gives_a_server_error(app: Flask, body: Any, path: str) -> None:
    response = app.test_client().post(path, data=json.dumps(body), content_type="application/json")
    assert response.status_code in (200, 422)
    answer = strict_json(response)
    if response.status_code == 422:
        assert answer["error"] == "validation_failed"
        assert answer["fields"]
        assert all(isinstance(m, str) for ms in answer["fields"].values() for m in ms)


@FAST
@given(data=st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_no_raw_body_gives_a_server_error(app: Flask, data: bytes) -> None:
    response = app.test_client().post(
        "/api/v1/two-by-two", data=data, content_type="application/json"
    )
    assert response.status_code in (200, 400, 415, 422)
    strict_json(response)


# --------------------------------------------------------------------------- two-by-two


def table_stats(a: int, n1: int, c: int, n2: int) -> dict[str, int]:
    return {
        "intervention_events": a,
        "intervention_total": n1,
        "comparator_events": c,
        "comparator_total": n2,
    }


def test_two_by_two_vissit_safety(client: FlaskClient) -> None:
    status, body = post(client, "/api/v1/two-by-two", {**VISSIT_SAFETY, "event": "harmful"})
    assert status == 200
    assert list(body) == [
        "intervention",
        "comparator",
        "risk_difference",
        "risk_ratio",
        "risk_ratio_undefined",
        "odds_ratio",
        "odds_ratio_undefined",
        "nnt",
        "p_value",
        "confidence",
        "event",
    ]
    counts = table_stats(14, 58, 5, 53)
    rd = stats.risk_difference(**counts)
    assert body["risk_difference"] == {
        "value": rd.value,
        "ci": [rd.lower, rd.upper],
        "confidence": 0.95,
        "method": "newcombe-hybrid-score",
    }
    assert body["risk_difference"]["value"] == pytest.approx(0.1470, abs=5e-5)
    assert body["risk_difference"]["ci"] == pytest.approx([0.0052, 0.2820], abs=5e-5)
    assert body["intervention"] == {
        "events": 14,
        "total": 58,
        "rate": 14 / 58,
        "ci": pytest.approx([0.1387, 0.3717], abs=5e-5),
        "ci_method": "clopper-pearson",
    }
    assert [pct(x) for x in body["comparator"]["ci"]] == [3.1, 20.7]
    assert body["risk_ratio"]["value"] == pytest.approx(14 / 58 / (5 / 53))
    assert body["risk_ratio"]["method"] == "katz-log"
    assert body["risk_ratio_undefined"] is None
    assert body["odds_ratio"]["value"] == pytest.approx((14 * 48) / (44 * 5))
    assert body["odds_ratio"]["method"] == "woolf-log"
    assert body["nnt"]["kind"] == "NNTH"
    assert body["nnt"]["text"] == "NNTH 7 (95% CI NNTH 4 to 195)"
    assert body["nnt"]["value"] == pytest.approx(1 / rd.value)
    assert body["p_value"] == {
        "value": significance.fisher_exact(**counts).value,
        "method": "fisher-exact",
    }
    assert round(body["p_value"]["value"], 2) == 0.05
    assert (body["confidence"], body["event"]) == (0.95, "harmful")


def test_two_by_two_newcombe_published_example(client: FlaskClient) -> None:
    # Newcombe RG. Stat Med 1998;17:873-90, example (a): 56/70 - 48/80 = 0.2000, 0.0524 to 0.3339.
    body = {"intervention": {"events": 56, "total": 70}, "comparator": {"events": 48, "total": 80}}
    status, answer = post(client, "/api/v1/two-by-two", body)
    assert status == 200
    rd = answer["risk_difference"]
    assert round(rd["value"], 4) == 0.2
    assert [round(x, 4) for x in rd["ci"]] == [0.0524, 0.3339]


def test_two_by_two_zero_events_has_no_ratio(client: FlaskClient) -> None:
    # VISSIT's 30-day intracranial haemorrhage: 5/58 vs 0/53.
    body = {"intervention": {"events": 5, "total": 58}, "comparator": {"events": 0, "total": 53}}
    status, answer = post(client, "/api/v1/two-by-two", {**body, "event": "harmful"})
    assert status == 200
    assert answer["risk_ratio"] is None
    assert answer["risk_ratio_undefined"] == (
        "The risk ratio cannot be estimated because the comparator arm has no events, so its"
        " logarithm is infinite or undefined."
    )
    assert answer["odds_ratio"] is None
    assert "comparator events" in answer["odds_ratio_undefined"]
    assert answer["comparator"]["ci"][0] == 0.0
    assert answer["risk_difference"]["value"] == pytest.approx(5 / 58)


def test_two_by_two_confidence_sets_every_interval(client: FlaskClient) -> None:
    _, at95 = post(client, "/api/v1/two-by-two", {**VISSIT_SAFETY, "event": "harmful"})
    status, at90 = post(
        client, "/api/v1/two-by-two", {**VISSIT_SAFETY, "event": "harmful", "confidence": 0.9}
    )
    assert status == 200
    assert at90["confidence"] == 0.9
    rd = stats.risk_difference(**table_stats(14, 58, 5, 53), confidence=0.9)
    assert at90["risk_difference"]["ci"] == [rd.lower, rd.upper]
    assert at90["risk_difference"]["confidence"] == 0.9

    def width(ci: list[float]) -> float:
        return ci[1] - ci[0]

    assert width(at90["risk_difference"]["ci"]) < width(at95["risk_difference"]["ci"])
    assert width(at90["intervention"]["ci"]) < width(at95["intervention"]["ci"])
    assert width(at90["risk_ratio"]["ci"]) < width(at95["risk_ratio"]["ci"])
    assert at90["risk_difference"]["value"] == at95["risk_difference"]["value"]
    assert at90["nnt"]["text"].startswith("NNTH 7 (90% CI NNTH ")
    assert at90["p_value"] == at95["p_value"]


def test_two_by_two_beneficial_event_is_an_nntb(client: FlaskClient) -> None:
    status, body = post(client, "/api/v1/two-by-two", {**VISSIT_SAFETY, "event": "beneficial"})
    assert status == 200
    assert body["nnt"]["kind"] == "NNTB"
    assert body["nnt"]["text"] == "NNTB 7 (95% CI NNTB 4 to 195)"


def test_two_by_two_without_event_does_not_label_the_nnt(client: FlaskClient) -> None:
    status, body = post(client, "/api/v1/two-by-two", VISSIT_SAFETY)
    assert status == 200
    assert body["event"] is None
    nnt = body["nnt"]
    assert nnt["kind"] is None
    assert nnt["ci"] == pytest.approx([3.5466, 194.1158], abs=5e-5)
    assert nnt["text"] == (
        "NNT 7: 1 more event per 7 treated with the intervention (95% CI 4 to 195). Whether this is"
        ' benefit or harm depends on the event: give "event" ("harmful" or "beneficial") to label'
        " it NNTB or NNTH."
    )
    assert "NNTH 7" not in nnt["text"]


def test_two_by_two_without_event_spanning_no_difference(client: FlaskClient) -> None:
    body = {"intervention": {"events": 5, "total": 50}, "comparator": {"events": 5, "total": 50}}
    status, answer = post(client, "/api/v1/two-by-two", body)
    assert status == 200
    nnt = answer["nnt"]
    assert (nnt["value"], nnt["kind"], nnt["ci"], nnt["spans_infinity"]) == (None, None, None, True)
    assert nnt["text"].startswith(
        "No difference, NNT ∞ (95% CI 1 fewer event per 8 treated to ∞ to 1 more event per 8"
        " treated)."
    )


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        (
            {"intervention": {"events": 11, "total": 10}, "comparator": {"events": 1, "total": 10}},
            {"intervention.events": ["Must not exceed intervention.total (10)."]},
        ),
        (
            {"intervention": {"events": -1, "total": 10}, "comparator": {"events": 1, "total": 10}},
            {"intervention.events": ["Must not be negative; got -1."]},
        ),
        (
            {
                "intervention": {"events": 3.0, "total": 10},
                "comparator": {"events": 1, "total": 10},
            },
            {"intervention.events": ["Must be a whole number; got 3.0."]},
        ),
        (
            {
                "intervention": {"events": 1, "total": 10},
                "comparator": {"events": True, "total": 10},
            },
            {"comparator.events": ["Must be a whole number; got true."]},
        ),
        (
            {"intervention": {"events": 0, "total": 0}, "comparator": {"events": 1, "total": 10}},
            {"intervention.total": ["Must be at least 1; got 0."]},
        ),
        (
            {
                "intervention": {"events": 1, "total": "10"},
                "comparator": {"events": 1, "total": 10},
            },
            {"intervention.total": ["Must be a whole number; got the text '10'."]},
        ),
        (
            {**VISSIT_SAFETY, "confidence": 1.0},
            {"confidence": ["Must be a number greater than 0.5 and at most 0.999; got 1.0."]},
        ),
        (
            {**VISSIT_SAFETY, "confidence": 0.5},
            {"confidence": ["Must be a number greater than 0.5 and at most 0.999; got 0.5."]},
        ),
        (
            {**VISSIT_SAFETY, "confidence": "95%"},
            {
                "confidence": [
                    "Must be a number greater than 0.5 and at most 0.999; got the text '95%'."
                ]
            },
        ),
        (
            {**VISSIT_SAFETY, "event": "bad"},
            {"event": ["Must be one of: harmful, beneficial; got the text 'bad'."]},
        ),
        ({"intervention": VISSIT_SAFETY["intervention"]}, {"comparator": ["Required."]}),
        (
            {**VISSIT_SAFETY, "comparator": [5, 53]},
            {"comparator": ["Must be an object with events and total; got a list of 2 items."]},
        ),
        (
            {"intervention": {"events": 1}, "comparator": {"total": 10}},
            {"intervention.total": ["Required."], "comparator.events": ["Required."]},
        ),
        (
            {**VISSIT_SAFETY, "centre": "mine"},
            {"centre": ["Unknown field; fields are: intervention, comparator, confidence, event."]},
        ),
        (
            {**VISSIT_SAFETY, "comparator": {"events": 5, "total": 53, "rate": 0.09}},
            {"comparator.rate": ["Unknown field; fields are: events, total."]},
        ),
        (
            {
                "intervention": {"events": 10**12, "total": 10**12},
                "comparator": {"events": 1, "total": MAX_TOTAL + 1},
            },
            {
                "intervention.events": ["Must be at most 1,000,000; got 1000000000000."],
                "intervention.total": ["Must be at most 1,000,000; got 1000000000000."],
                "comparator.total": ["Must be at most 1,000,000; got 1000001."],
            },
        ),
        ([VISSIT_SAFETY], {"body": ["Must be a JSON object; got a list of 1 item."]}),
    ],
    ids=[
        "events-over-total",
        "negative",
        "float",
        "boolean",
        "total-zero",
        "text",
        "confidence-1",
        "confidence-0.5",
        "confidence-text",
        "event",
        "missing-comparator",
        "arm-not-object",
        "missing-counts",
        "unknown-field",
        "unknown-nested-field",
        "huge",
        "array-body",
    ],
)
def test_two_by_two_errors(client: FlaskClient, body: Any, fields: dict[str, list[str]]) -> None:
    assert post(client, "/api/v1/two-by-two", body) == (422, invalid(fields))


def test_two_by_two_overflowing_numbers(client: FlaskClient) -> None:
    data = (
        '{"intervention": {"events": 1e400, "total": 1%s}, "comparator": {"events": 1, "total": 2},'
        ' "confidence": -1e400}' % ("0" * 3000)
    )
    assert post_raw(client, "/api/v1/two-by-two", data) == (
        422,
        invalid(
            {
                "intervention.events": ["Must be a whole number; got a non-finite number."],
                "intervention.total": ["Must be a whole number; got a non-finite number."],
                "confidence": [
                    "Must be a number greater than 0.5 and at most 0.999; got a non-finite number."
                ],
            }
        ),
    )


def test_two_by_two_largest_counts_answer(client: FlaskClient) -> None:
    body = {
        "intervention": {"events": MAX_TOTAL // 2, "total": MAX_TOTAL},
        "comparator": {"events": MAX_TOTAL // 3, "total": MAX_TOTAL},
        "confidence": 0.999,
    }
    status, answer = post(client, "/api/v1/two-by-two", body)
    assert status == 200
    assert answer["risk_difference"]["value"] == pytest.approx(0.5 - 333333 / MAX_TOTAL)
    assert answer["p_value"]["value"] == 0.0


def test_two_by_two_parser_is_pure_and_defaults() -> None:
    parsed = parse_two_by_two({**VISSIT_SAFETY, "confidence": None, "event": None})
    assert parsed == TwoByTwo(Counts(14, 58), Counts(5, 53), 0.95, None)
    with pytest.raises(TwoByTwoError) as raised:
        parse_two_by_two({"intervention": None, "comparator": {"events": 1, "total": 10**5000}})
    assert raised.value.fields == {
        "intervention": ["Required."],
        "comparator.total": ["Must be at most 1,000,000; got a very large number."],
    }


@FAST
@given(
    n1=st.integers(1, 400),
    n2=st.integers(1, 400),
    data=st.data(),
    event=st.sampled_from(["harmful", "beneficial", None]),
    confidence=st.sampled_from([0.8, 0.9, 0.95, 0.99, 0.999]),
)
def test_two_by_two_matches_the_statistics_core(
    app: Flask, n1: int, n2: int, data: st.DataObject, event: str | None, confidence: float
) -> None:
    a = data.draw(st.integers(0, n1))
    c = data.draw(st.integers(0, n2))
    body = {
        "intervention": {"events": a, "total": n1},
        "comparator": {"events": c, "total": n2},
        "confidence": confidence,
        "event": event,
    }
    status, answer = post(app.test_client(), "/api/v1/two-by-two", body)
    assert status == 200
    rd = stats.risk_difference(**table_stats(a, n1, c, n2), confidence=confidence)
    assert answer["risk_difference"]["ci"] == [rd.lower, rd.upper]
    nnt = answer["nnt"]
    if event is None:
        assert nnt["kind"] is None
        assert "NNTB" not in nnt["text"].replace("NNTB or NNTH", "")
        assert "NNTH" not in nnt["text"].replace("NNTB or NNTH", "")
    else:
        expected = stats.number_needed_to_treat(rd, event=event)  # type: ignore[arg-type]
        assert (nnt["kind"], nnt["text"]) == (expected.kind, expected.text)
    assert (answer["risk_ratio"] is None) == (a == 0 or c == 0)
    assert (answer["risk_ratio_undefined"] is None) == (answer["risk_ratio"] is not None)
    assert math.isclose(answer["intervention"]["rate"], a / n1)


# --------------------------------------------------------------------------- evidence and health


def test_healthz(app: Flask, client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    with app.app_context():
        version = evidence_base().version
    assert strict_json(response) == {"status": "ok", "evidence_version": version}
    assert version


def test_evidence_study_vissit(client: FlaskClient) -> None:
    response = client.get("/api/v1/evidence/vissit")
    assert response.status_code == 200
    study = strict_json(response)
    assert study["id"] == "vissit"
    assert [o["id"] for o in study["outcomes"]] == [
        "primary_safety_30d",
        "ich_30d",
        "primary_stroke_tia_12m",
        "mrs_worsening_12m",
        "eq5d_12m",
    ]
    ich = study["outcomes"][1]
    one_sided = [a for a in ich["audit"] if a["status"] == "method_differs"]
    assert [(a["published"], a["recomputed"], a["agrees"]) for a in one_sided] == [
        ("0–5.5%", "0.0–6.7%", None)
    ]
    safety = study["outcomes"][0]["audit"]
    assert {a["figure"]: a["agrees"] for a in safety}["P value between groups"] is True
    assert {a["figure"]: a["status"] for a in safety}["P value between groups"] == "agrees"
    # 58 analysed of 59 randomized, in four outcomes; the one-sided interval is not counted.
    assert study["disagreements"] == 4
    # The detail is the same study the list serves.
    listed = strict_json(client.get("/api/v1/evidence"))["studies"][0]
    assert listed == study


def test_evidence_is_serialized_once_per_app(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    original = api_module.evidence_json

    def counting(base: Any) -> Any:
        calls.append(base)
        return original(base)

    monkeypatch.setattr(api_module, "evidence_json", counting)
    application = create_app({"TESTING": True})
    client = application.test_client()
    first = client.get("/api/v1/evidence")
    second = client.get("/api/v1/evidence")
    study = client.get("/api/v1/evidence/vissit")
    assert first.status_code == second.status_code == study.status_code == 200
    assert len(calls) == 1
    assert calls[0] is application.extensions["evidence_base"]
    prepared = application.extensions[api_module.EXTENSION]
    assert first.get_data() == second.get_data() == prepared.evidence
    assert study.get_data() == prepared.studies["vissit"]
