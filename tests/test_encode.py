"""The assess answer: plain builders, pieces encoded once at start-up, orjson, never NaN."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from typing import Any

import orjson
import pytest
from flask import Flask

from app.analysis.base import EvidenceBase, analyse
from app.api.encode import (
    assessment_json,
    comparison_json,
    dumps,
    dumps_checked,
    fragment,
    prepare_studies,
    require_finite,
)
from app.contract.scenario import parse_scenario
from app.engine.assess import assess
from app.evidence.loader import load_evidence
from tests.engine_tables import tables
from tests.evidence_dirs import FIXTURE_DIR
from tests.scenarios import ALL_OPTIONS, VISSIT_LIKE

SCENARIOS: dict[str, dict[str, Any]] = {
    "vissit_like": VISSIT_LIKE,
    "all_options": ALL_OPTIONS,
    # Criteria left unknown: the partly-unknown warning and "unknown" reasons.
    "partly_unknown": {
        "setting": "symptomatic_icas",
        "options": ALL_OPTIONS["options"],
        "stenosis_percent": 80,
    },
    # Five of SAMMPRIS's seven criteria checked, its Rankin limit not known: a partial match.
    "partial": {
        "setting": "symptomatic_icas",
        "options": ALL_OPTIONS["options"],
        "stenosis_percent": 80,
        "symptomatic": True,
        "days_since_event": 9,
        "artery": "mca",
        "age": 64,
    },
    "outside": {**VISSIT_LIKE, "age": 19, "stenosis_percent": 30, "artery": "basilar"},
    "acute": {"setting": "lvo_icas", "options": ["self_expanding_stent", "balloon_stent"]},
    "no_comparison": {"setting": "lvo_icas", "options": ["medical", "angioplasty"]},
    "one_option": {**VISSIT_LIKE, "options": ["angioplasty"]},
}


def _text(value: Any) -> str:
    # json.dumps keeps key order: equal text means equal content in the same order.
    return json.dumps(value, allow_nan=False)


@pytest.mark.parametrize("name", SCENARIOS)
def test_api_answer_is_the_plain_builders(app: Flask, name: str) -> None:
    body = SCENARIOS[name]
    response = app.test_client().post("/api/v1/assess", json=body)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    data = response.get_data()
    assert data.endswith(b"}\n") and b"NaN" not in data and b"Infinity" not in data
    expected = assessment_json(assess(parse_scenario(body), app.extensions["engine_tables"]))
    assert _text(json.loads(data)) == _text(expected)


@pytest.fixture(scope="module")
def base() -> EvidenceBase:
    return analyse(load_evidence(FIXTURE_DIR))


def test_prepared_pieces_are_fragments_of_the_same_json(base: EvidenceBase) -> None:
    assessment = assess(parse_scenario(ALL_OPTIONS), tables(base))
    parts = prepare_studies(tables(base))
    prepared = assessment_json(assessment, parts)
    comparison = prepared["comparisons"][0]
    for key in ("study", "intervention", "comparator", "caveats", "outcomes"):
        assert isinstance(comparison[key], orjson.Fragment), key
    # Reasons depend on the patient: built per request, as plain JSON.
    reasons = comparison["applicability"]["reasons"]
    assert reasons and all(isinstance(r, dict) for r in reasons)
    assert json.loads(dumps(prepared)) == assessment_json(assessment)
    assert _text(json.loads(dumps(prepared))) == _text(assessment_json(assessment))


def test_an_option_nothing_was_prepared_for_is_built(base: EvidenceBase) -> None:
    assessment = assess(parse_scenario(VISSIT_LIKE), tables(base))
    parts = prepare_studies(tables(base))
    (first,) = [c for c in assessment.comparisons if c.analysis.study.id == "vissit"]
    study_parts = parts[first.analysis.study.id]
    # That arm is built, the rest still prepared.
    odd = replace(first, match=replace(first.match, intervention_option="an option of tomorrow"))
    built = comparison_json(odd, study_parts)
    assert built["intervention"]["matched_option"] == "an option of tomorrow"
    assert isinstance(built["outcomes"], orjson.Fragment)
    assert json.loads(dumps(built)) == comparison_json(odd)


def test_answer_is_utf8_json_with_a_newline() -> None:
    assert dumps({"text": "\u2264 5 \u00e9", "n": [1, 2.5, None, True]}) == (
        '{"text":"\u2264 5 \u00e9","n":[1,2.5,null,true]}\n'.encode()
    )


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_nan_and_infinity_are_refused_where_json_is_encoded_once(bad: float) -> None:
    value = {"outcomes": [{"ci": [0.1, bad]}]}
    with pytest.raises(ValueError, match=r"at \$\.outcomes\[0\]\.ci\[1\]"):
        require_finite(value)
    with pytest.raises(ValueError, match="is not JSON"):
        fragment(value)
    with pytest.raises(ValueError, match="is not JSON"):
        dumps_checked(value)
    require_finite({"outcomes": [{"ci": [0.1, 0.2]}], "n": None})  # finite: no error


def test_objects_the_builders_should_have_converted_are_refused(base: EvidenceBase) -> None:
    # orjson would serialize a dataclass on its own; the json module refused it, and so does this.
    with pytest.raises(TypeError):
        dumps({"study": base.studies[0].study.citation})


def test_personal_risks_at_the_studies_baselines_are_prepared(base: EvidenceBase) -> None:
    # Without an entered baseline every family's risks were tabulated, and encoded, at start-up.
    parts = prepare_studies(tables(base))
    for body, prepared_only in (
        (ALL_OPTIONS, True),
        ({**ALL_OPTIONS, "baseline_risks": {"stroke_death_30d": 12.5}}, False),
    ):
        assessment = assess(parse_scenario(body), tables(base))
        built = assessment_json(assessment, parts)
        entries = [e for c in built["comparisons"] for e in c["personal_risks"]]
        assert entries
        assert all(isinstance(e, orjson.Fragment) for e in entries) is prepared_only
        assert json.loads(dumps(built)) == assessment_json(assessment)
