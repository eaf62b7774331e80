"""The scenario contract: each bad field is named, nothing is defaulted."""

from __future__ import annotations

from typing import Any

import pytest

from app.contract.scenario import (
    FIELD_NAMES,
    RANGES,
    Scenario,
    ScenarioError,
    field_values,
    parse_scenario,
)

VALID: dict[str, Any] = {
    "setting": "symptomatic_icas",
    "options": ["medical", "balloon_stent"],
    "stenosis_percent": 80,
}


def errors(data: Any) -> dict[str, list[str]]:
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(data)
    return raised.value.fields


def test_minimal_scenario() -> None:
    assert parse_scenario(VALID) == Scenario("symptomatic_icas", ("medical", "balloon_stent"), 80)


def test_full_scenario_round_trips_to_json() -> None:
    data = {
        **VALID,
        "symptomatic": True,
        "days_since_event": 0,
        "artery": "basilar",
        "age": 18,
        "mrs": 0,
        "perforator_infarct": False,
        "prestent_angioplasty": False,
        "baseline_risks": {"stroke_death_30d": 12.5},
        "centre_results": [
            {"option": "medical", "family": "stroke_30d", "events": 0, "total": 1},
        ],
    }
    # Every field is named in the JSON, null when not given (a field added later among them).
    assert parse_scenario(data).to_json() == {**dict.fromkeys(FIELD_NAMES), **data}


def test_null_optional_means_not_given() -> None:
    assert parse_scenario({**VALID, "age": None, "symptomatic": None}).age is None


def test_zero_stenosis_is_valid() -> None:
    assert parse_scenario({**VALID, "stenosis_percent": 0}).stenosis_percent == 0


def test_required_fields() -> None:
    assert errors({}) == {"setting": ["Required."], "options": ["Required."]}


def test_stenosis_required_only_for_symptomatic_icas() -> None:
    assert errors({"setting": "symptomatic_icas", "options": ["medical"]}) == {
        "stenosis_percent": ["Required for symptomatic intracranial stenosis."]
    }
    assert (
        parse_scenario({"setting": "lvo_icas", "options": ["balloon_stent"]}).stenosis_percent
        is None
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("stenosis_percent", 101, "Must be from 0 to 100; got 101."),
        ("stenosis_percent", -1, "Must be from 0 to 100; got -1."),
        ("stenosis_percent", 70.5, "Must be a whole number from 0 to 100; got a decimal number."),
        ("stenosis_percent", "80", "Must be a whole number from 0 to 100; got the text '80'."),
        ("stenosis_percent", True, "Must be a whole number from 0 to 100; got true/false."),
        ("age", 17, "Must be from 18 to 120; got 17."),
        ("age", 121, "Must be from 18 to 120; got 121."),
        ("days_since_event", 3651, "Must be from 0 to 3650; got 3651."),
        ("symptomatic", "yes", "Must be true or false; got the text 'yes'."),
        ("symptomatic", 1, "Must be true or false; got a number."),
        ("prestent_angioplasty", [], "Must be true or false; got an empty list."),
        (
            "artery",
            "aorta",
            "Must be one of: intracranial_ica, mca, vertebral, basilar, other; got the text 'aorta'.",
        ),
        (
            "setting",
            "asymptomatic",
            "Must be one of: symptomatic_icas, lvo_icas; got the text 'asymptomatic'.",
        ),
        (
            "options",
            [],
            "Must be a non-empty list of: medical, angioplasty, balloon_stent, self_expanding_stent; got an empty list.",
        ),
        (
            "options",
            "medical",
            "Must be a non-empty list of: medical, angioplasty, balloon_stent, self_expanding_stent; got the text 'medical'.",
        ),
        ("options", ["medical", "medical"], "Each option may be listed once."),
        (
            "options",
            ["stent"],
            "Unknown option the text 'stent'; options are: medical, angioplasty, balloon_stent, self_expanding_stent.",
        ),
        (
            "options",
            [1],
            "Unknown option a number; options are: medical, angioplasty, balloon_stent, self_expanding_stent.",
        ),
    ],
)
def test_field_errors(field: str, value: Any, message: str) -> None:
    assert errors({**VALID, field: value}) == {field: [message]}


def test_unknown_field_is_rejected() -> None:
    assert errors({**VALID, "stenosis": 80}) == {
        "stenosis": [f"Unknown field; fields are: {', '.join(FIELD_NAMES)}."]
    }


def test_every_bad_field_is_reported_at_once() -> None:
    found = errors({"setting": "lvo_icas", "options": ["x"], "age": 5, "artery": 3, "extra": 1})
    assert set(found) == {"options", "age", "artery", "extra"}


def test_body_must_be_an_object() -> None:
    assert errors([1, 2]) == {"body": ["Must be a JSON object; got a list of 2 items."]}


@pytest.mark.parametrize(
    "name",
    [
        "setting",
        "stenosis_percent",
        "symptomatic",
        "days_since_event",
        "artery",
        "age",
        "mrs",
        "perforator_infarct",
        "prestent_angioplasty",
    ],
)
def test_field_values_are_exactly_what_parse_scenario_admits(name: str) -> None:
    # app/rules.py writes every applicability reason in advance from these values: a value
    # missing here would be compared as it comes, and one too many would never be asked about.
    values = field_values(name)
    assert values[0] is None and len(set(map(repr, values))) == len(values)
    for value in values[1:]:
        assert getattr(parse_scenario({**VALID, name: value}), name) == value
    if name in RANGES:
        low, high = RANGES[name]
        assert values[1:] == tuple(range(low, high + 1))
        for outside in (low - 1, high + 1, True, float(low)):
            assert name in errors({**VALID, name: outside})
    elif name in ("symptomatic", "perforator_infarct", "prestent_angioplasty"):
        assert set(values[1:]) == {True, False}
        assert name in errors({**VALID, name: 1})
    else:
        assert name in errors({**VALID, name: "something else"})


def test_options_have_no_finite_set_of_values() -> None:
    with pytest.raises(KeyError):
        field_values("options")
