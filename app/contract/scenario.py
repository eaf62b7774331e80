"""The patient scenario: its public contract, validated field by field, nothing defaulted."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as attribute
from types import MappingProxyType
from typing import Any, Literal

from app.contract import vocabulary

Kind = Literal["choice", "options", "whole", "flag"]
Widget = Literal["radio", "checkbox", "select", "text"]
ALL_SETTINGS = tuple(vocabulary.SETTINGS)
REQUIRED = "Required."


@dataclass(frozen=True, slots=True)
class Field:
    """One scenario field: everything a page, a form, the API or its schema says about it."""

    name: str
    kind: Kind
    widget: Widget
    label: str  # the clinician's label (form, results page, error summary)
    patient_label: str  # the patient and print views' label; "" when those views do not show it
    hint: str  # under the form input
    api: str  # the API description's own words; the schema adds the allowed values
    choices: Mapping[str, vocabulary.Term] = attribute(default_factory=dict)
    limits: tuple[int, int] = (0, 0)  # inclusive, for whole numbers
    example: int = 0  # shown in the form's message for unreadable text
    unit: str = ""  # written straight after a whole number ("80%")
    required: bool = False
    required_message: str = ""  # what "Required." means in a clinician's words (the form)
    required_in: tuple[tuple[str, str], ...] = ()  # (setting, message) where it becomes required
    used_in: tuple[str, ...] = ALL_SETTINGS
    unused_reason: str = ""  # why a setting outside used_in ignores it
    needs_option: str = ""  # used only when this option is among those weighed
    needs_option_reason: str = ""
    criterion: bool = False  # studies may state an eligibility limit on it
    # A criterion's words: what a study may limit (clinician), and for patients what could not be
    # checked and what a study did not say it limited.
    criterion_words: str = ""
    check_words: str = ""
    limit_words: str = ""
    section: str = "Patient and lesion"  # the form's column


SETTING_AND_OPTIONS = "Setting and options"
_LVO_EVENT = "in the acute LVO setting the occlusion is the qualifying event."
FIELDS: tuple[Field, ...] = (
    Field(
        "setting",
        "choice",
        "radio",
        "Clinical setting",
        "The problem",
        "Required. Evidence from one setting is never used for the other.",
        "",
        choices=vocabulary.SETTINGS,
        section=SETTING_AND_OPTIONS,
        required=True,
        required_message="Choose the clinical setting.",
    ),
    Field(
        "options",
        "options",
        "checkbox",
        "Treatment options being weighed",
        "",
        "Required: choose one or more. With two or more, only studies comparing two of them"
        " directly are shown.",
        "The treatments being weighed",
        choices=vocabulary.OPTIONS,
        section=SETTING_AND_OPTIONS,
        required=True,
        required_message="Choose at least one treatment option.",
    ),
    Field(
        "stenosis_percent",
        "whole",
        "text",
        "Degree of stenosis (%)",
        "How narrow the artery is",
        "Whole number from 0 to 100. Required for symptomatic intracranial stenosis.",
        "Degree of stenosis in percent; required for symptomatic_icas.",
        limits=(0, 100),
        example=80,
        unit="%",
        required_in=(("symptomatic_icas", "Required for symptomatic intracranial stenosis."),),
        criterion=True,
        criterion_words="degree of stenosis",
        check_words="how narrow the artery is",
        limit_words="how narrow the artery was",
    ),
    Field(
        "symptomatic",
        "flag",
        "radio",
        "Is the stenosis symptomatic?",
        "Narrowing has caused a stroke or mini-stroke",
        "Not used in the acute LVO setting (the occlusion is the qualifying event).",
        "Whether the stenosis is symptomatic",
        used_in=("symptomatic_icas",),
        unused_reason=_LVO_EVENT,
        criterion=True,
        criterion_words="whether the stenosis had to be symptomatic",
        check_words="whether it caused a stroke or mini-stroke",
        limit_words="symptoms",
    ),
    Field(
        "days_since_event",
        "whole",
        "text",
        "Days since the qualifying TIA or stroke",
        "Days since the last stroke or mini-stroke",
        "Whole number from 0 to 3650. Not used in the acute LVO setting.",
        "Days since the qualifying TIA or stroke.",
        limits=(0, 3650),
        example=10,
        used_in=("symptomatic_icas",),
        unused_reason=_LVO_EVENT,
        criterion=True,
        criterion_words="time since the qualifying event",
        check_words="the time since the stroke or mini-stroke",
        limit_words="timing",
    ),
    Field(
        "artery",
        "choice",
        "select",
        "Artery with the stenosis",
        "Which artery",
        "",
        "",
        choices=vocabulary.ARTERIES,
        criterion=True,
        criterion_words="arteries treated",
        check_words="which artery",
        limit_words="which artery",
    ),
    Field(
        "age",
        "whole",
        "text",
        "Age (years)",
        "Age",
        "Whole number from 18 to 120.",
        "Age in years.",
        limits=(18, 120),
        example=64,
        criterion=True,
        criterion_words="age limits",
        check_words="age",
        limit_words="age",
    ),
    Field(
        "prestent_angioplasty",
        "flag",
        "radio",
        "Angioplasty planned before a self-expanding stent",
        "Balloon widening planned before a self-expanding stent",
        "Used only in the acute LVO setting when a self-expanding stent is among the options.",
        "Whether angioplasty before stenting is planned",
        used_in=("lvo_icas",),
        unused_reason="it is used only in the acute LVO setting.",
        needs_option="self_expanding_stent",
        needs_option_reason="it is used only when a self-expanding stent is among the options.",
        section=SETTING_AND_OPTIONS,
    ),
)
FIELD = MappingProxyType({f.name: f for f in FIELDS})
FIELD_NAMES = tuple(FIELD)
SETTINGS = vocabulary.clinician(vocabulary.SETTINGS)
OPTIONS = vocabulary.clinician(vocabulary.OPTIONS)
ARTERIES = vocabulary.clinician(vocabulary.ARTERIES)
# (minimum, maximum) for each whole-number field.
RANGES = {f.name: f.limits for f in FIELDS if f.kind == "whole"}
CRITERIA = tuple(f.name for f in FIELDS if f.criterion)
# Fields that may be given as strings from the web form are converted by the form, not here.
MAX_STRING = 64


@dataclass(frozen=True, slots=True)
class Scenario:
    """A validated scenario; None means the clinician did not give that value (unknown)."""

    setting: str
    options: tuple[str, ...]
    stenosis_percent: int | None = None
    symptomatic: bool | None = None
    days_since_event: int | None = None
    artery: str | None = None
    age: int | None = None
    prestent_angioplasty: bool | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the scenario as plain JSON values, every field named (null when not given)."""
        return {name: _plain(getattr(self, name)) for name in FIELD_NAMES}


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


class ScenarioError(ValueError):
    """A scenario that breaks the contract; `fields` maps each field name to its messages."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        self.fields = {name: list(messages) for name, messages in errors.items()}
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in self.fields.items()))


def _describe(value: Any) -> str:
    if isinstance(value, str):
        shown = value if len(value) <= 20 else value[:20] + "…"
        return f"the text {shown!r}"
    if isinstance(value, bool):
        return "true/false"
    if value is None:
        return "null"
    if isinstance(value, float):
        return "a decimal number" if math.isfinite(value) else "a non-finite number"
    if isinstance(value, list | dict):
        return _describe_container(value)
    return "a number" if isinstance(value, int) else type(value).__name__


def _describe_container(value: list[Any] | dict[str, Any]) -> str:
    """Say what came instead of a value: 'an empty list', 'a list of 2 items', 'an object'."""
    if isinstance(value, dict):
        return "an empty object" if not value else f"an object with {_count(len(value), 'key')}"
    return "an empty list" if not value else f"a list of {_count(len(value), 'item')}"


def _count(n: int, noun: str) -> str:
    return f"1 {noun}" if n == 1 else f"{n} {noun}s"


def _choice(value: Any, choices: Mapping[str, Any]) -> tuple[str | None, str | None]:
    if not isinstance(value, str) or value not in choices:
        return None, f"Must be one of: {', '.join(choices)}; got {_describe(value)}."
    return value, None


def _whole(name: str, value: Any) -> tuple[int | None, str | None]:
    low, high = RANGES[name]
    # bool is an int in Python; true is not 1 year of age.
    if isinstance(value, bool) or not isinstance(value, int):
        return None, f"Must be a whole number from {low} to {high}; got {_describe(value)}."
    if not low <= value <= high:
        return None, f"Must be from {low} to {high}; got {value}."
    return value, None


def _flag(value: Any) -> tuple[bool | None, str | None]:
    if not isinstance(value, bool):
        return None, f"Must be true or false; got {_describe(value)}."
    return value, None


def _options(value: Any) -> tuple[tuple[str, ...] | None, str | None]:
    if not isinstance(value, list) or not value:
        return None, f"Must be a non-empty list of: {', '.join(OPTIONS)}; got {_describe(value)}."
    bad = [v for v in value if not isinstance(v, str) or v not in OPTIONS]
    if bad:
        return None, f"Unknown option {_describe(bad[0])}; options are: {', '.join(OPTIONS)}."
    if len(set(value)) != len(value):
        return None, "Each option may be listed once."
    return tuple(value), None


def field_values(name: str) -> tuple[Any, ...]:
    """Every value parse_scenario can give a single-valued field, None (not given) first."""
    field = FIELD[name]
    if field.kind == "whole":
        low, high = field.limits
        return (None, *range(low, high + 1))
    if field.kind == "choice":
        return (None, *field.choices)
    if field.kind == "flag":
        return (None, True, False)
    raise KeyError(f"{name!r} has no finite set of values")


def ignored_fields(setting: str | None, options: Sequence[str]) -> dict[str, str]:
    """Map each scenario field the setting does not use to the reason, in plain words."""
    ignored: dict[str, str] = {}
    if setting not in vocabulary.SETTINGS:
        return ignored
    for field in FIELDS:
        if setting not in field.used_in:
            ignored[field.name] = field.unused_reason
        elif field.needs_option and field.needs_option not in options:
            ignored[field.name] = field.needs_option_reason
    return ignored


def missing_fields(data: Mapping[str, Any], setting: str | None) -> dict[str, str]:
    """Map each required field that `data` leaves out (None) to its contract message."""
    missing = {f.name: REQUIRED for f in FIELDS if f.required and data.get(f.name) is None}
    for field in FIELDS:
        for needed_in, message in field.required_in:
            if setting == needed_in and data.get(field.name) is None:
                missing.setdefault(field.name, message)
    return missing


def _check(field: Field, raw: Any) -> tuple[Any, str | None]:
    if field.kind == "choice":
        return _choice(raw, field.choices)
    if field.kind == "options":
        return _options(raw)
    if field.kind == "whole":
        return _whole(field.name, raw)
    return _flag(raw)


def parse_scenario(data: Any) -> Scenario:
    """Validate a scenario mapping (the JSON API's body); raise ScenarioError naming every bad field."""
    if not isinstance(data, Mapping):
        raise ScenarioError({"body": [f"Must be a JSON object; got {_describe(data)}."]})
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for key in data:
        if key not in FIELD_NAMES:
            name = str(key)[:MAX_STRING]
            errors.setdefault(name, []).append(
                f"Unknown field; fields are: {', '.join(FIELD_NAMES)}."
            )
    for name in FIELD_NAMES:
        raw = data.get(name)
        if raw is None:
            continue  # Absent and null both mean "not given"; requirements are checked below.
        value, error = _check(FIELD[name], raw)
        if error:
            errors.setdefault(name, []).append(error)
        else:
            values[name] = value
    for name, message in missing_fields(data, values.get("setting")).items():
        errors.setdefault(name, []).append(message)
    if errors:
        raise ScenarioError(errors)
    return Scenario(**values)
