"""The patient scenario: its public contract, validated field by field, nothing defaulted."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

SETTINGS = {
    "symptomatic_icas": "Symptomatic intracranial stenosis (elective decision)",
    "lvo_icas": "Acute large-vessel occlusion with underlying ICAS (rescue treatment)",
}
OPTIONS = {
    "medical": "Medical therapy",
    "angioplasty": "Angioplasty alone",
    "balloon_stent": "Balloon-mounted (balloon-expandable) stent",
    "self_expanding_stent": "Self-expanding stent",
}
ARTERIES = {
    "intracranial_ica": "Intracranial internal carotid artery",
    "mca": "Middle cerebral artery",
    "vertebral": "Intracranial vertebral artery",
    "basilar": "Basilar artery",
    "other": "Other intracranial artery",
}
# (minimum, maximum) for each whole-number field.
RANGES = {"stenosis_percent": (0, 100), "days_since_event": (0, 3650), "age": (18, 120)}
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
        return {name: _plain(getattr(self, name)) for name in FIELD_NAMES}


FIELD_NAMES = tuple(f.name for f in fields(Scenario))


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
    return {list: "a list", dict: "an object", int: "a number"}.get(
        type(value), type(value).__name__
    )


def _choice(value: Any, choices: Mapping[str, str]) -> tuple[str | None, str | None]:
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
    if name in RANGES:
        low, high = RANGES[name]
        return (None, *range(low, high + 1))
    choices = {"setting": SETTINGS, "artery": ARTERIES}.get(name)
    if choices is not None:
        return (None, *choices)
    if name in ("symptomatic", "prestent_angioplasty"):
        return (None, True, False)
    raise KeyError(f"{name!r} has no finite set of values")


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
        if name == "setting":
            value, error = _choice(raw, SETTINGS)
        elif name == "options":
            value, error = _options(raw)
        elif name == "artery":
            value, error = _choice(raw, ARTERIES)
        elif name in RANGES:
            value, error = _whole(name, raw)
        else:
            value, error = _flag(raw)
        if error:
            errors.setdefault(name, []).append(error)
        else:
            values[name] = value
    for name in ("setting", "options"):
        if data.get(name) is None:
            errors.setdefault(name, []).append("Required.")
    if values.get("setting") == "symptomatic_icas" and data.get("stenosis_percent") is None:
        errors.setdefault("stenosis_percent", []).append(
            "Required for symptomatic intracranial stenosis."
        )
    if errors:
        raise ScenarioError(errors)
    return Scenario(**values)
