"""The JSON Schemas of the API's request bodies, derived from the contracts' declarations.

Closed objects (``additionalProperties: false``), enums and ranges taken from the contracts' own
constants (app/contract/), so a contract and its schema cannot drift apart.
"""

from __future__ import annotations

from app.api import centre
from app.api.jsonschema import (
    NULLABLE_BOOLEAN,
    WHOLE,
    Schema,
    array,
    choice,
    ref,
)
from app.contract import scenario, twobytwo
from app.contract.scenario import Field


def _values(field: Field) -> str:
    return "; ".join(f"{code}: {term.clinician}" for code, term in field.choices.items())


def field_schema(field: Field) -> Schema:
    """One scenario field's JSON Schema, with its description, from the contract's declaration."""
    unknown = "null or absent: not known."
    if field.kind == "entries":
        return {**centre.ENTRIES, "description": f"{field.api} null or absent: none given."}
    if field.kind == "options":
        return array(
            choice(field.choices),
            minItems=1,
            maxItems=len(field.choices),
            uniqueItems=True,
            description=f"{field.api}; {_values(field)}.",
        )
    if field.kind == "whole":
        low, high = field.limits
        return {
            "type": ["integer", "null"],
            "minimum": low,
            "maximum": high,
            "description": f"{field.api} {WHOLE} {unknown}",
        }
    if field.kind == "flag":
        return {**NULLABLE_BOOLEAN, "description": f"{field.api}; {unknown}"}
    if field.kind == "risks":
        return {
            "type": ["object", "null"],
            "propertyNames": {"pattern": f"^{scenario.FAMILY_KEY.pattern}$"},
            "additionalProperties": {
                "type": "number",
                "exclusiveMinimum": field.percent_above,
                "exclusiveMaximum": field.percent_below,
            },
            "maxProperties": scenario.MAX_RISKS,
            "description": field.api,
        }
    lead = f"{field.api}; " if field.api else ""
    if field.required:
        return {**choice(field.choices), "description": f"{lead}{_values(field)}."}
    return {
        **choice(field.choices, null=True),
        "description": f"{lead}{_values(field)}; {unknown}",
    }


REQUIRED_IN: dict[str, list[str]] = {}
for _field in scenario.FIELDS:
    for _setting, _message in _field.required_in:
        REQUIRED_IN.setdefault(_setting, []).append(_field.name)


def _condition(setting: str, names: list[str]) -> Schema:
    return {
        "if": {"properties": {"setting": {"const": setting}}, "required": ["setting"]},
        "then": {
            "required": names,
            "properties": {name: field_schema_type(name) for name in names},
        },
    }


def field_schema_type(name: str) -> Schema:
    """The non-null type a field must have once required."""
    kind = scenario.FIELD[name].kind
    return {"type": {"whole": "integer", "flag": "boolean", "options": "array"}.get(kind, "string")}


def _conditions() -> Schema:
    """The required-when rules: one if/then, or allOf of them when several settings have some."""
    rules = [_condition(setting, names) for setting, names in REQUIRED_IN.items()]
    return rules[0] if len(rules) == 1 else {"allOf": rules} if rules else {}


def _scenario_description() -> str:
    required = " and ".join(f.name for f in scenario.FIELDS if f.required)
    extra = "; ".join(f"{', '.join(names)} for {setting}" for setting, names in REQUIRED_IN.items())
    return (
        f"A patient scenario. Only {required} are required"
        + (f" (and {extra})" if extra else "")
        + "; unknown fields are refused."
    )


SCENARIO_PROPERTIES: dict[str, Schema] = {f.name: field_schema(f) for f in scenario.FIELDS}
SCENARIO: Schema = {
    "type": "object",
    "description": _scenario_description(),
    "properties": SCENARIO_PROPERTIES,
    "required": [f.name for f in scenario.FIELDS if f.required],
    "additionalProperties": False,
    **_conditions(),
}

COUNTS: Schema = {
    "type": "object",
    "description": f"{twobytwo.DESCRIPTIONS['counts']} {WHOLE}",
    "properties": {
        name: {"type": "integer", "minimum": low, "maximum": twobytwo.MAX_TOTAL}
        for name, low in twobytwo.COUNT_MINIMUM.items()
    },
    "required": list(twobytwo.ARM_FIELDS),
    "additionalProperties": False,
}

TWO_BY_TWO_REQUEST: Schema = {
    "type": "object",
    "description": twobytwo.DESCRIPTIONS["request"],
    "properties": {
        **{arm: ref("Counts") for arm in twobytwo.ARMS},
        "confidence": {
            "type": ["number", "null"],
            "exclusiveMinimum": twobytwo.CONFIDENCE_ABOVE,
            "maximum": twobytwo.CONFIDENCE_MAX,
            "default": twobytwo.DEFAULT_CONFIDENCE,
            "description": twobytwo.DESCRIPTIONS["confidence"],
        },
        "event": {
            **choice(twobytwo.EVENTS, null=True),
            "description": twobytwo.DESCRIPTIONS["event"],
        },
    },
    "required": list(twobytwo.ARMS),
    "additionalProperties": False,
}
