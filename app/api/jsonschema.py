"""JSON Schema building blocks: the shapes app/api/schemas.py and app/api/pool.py compose."""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

STRING: Schema = {"type": "string"}
NULLABLE_STRING: Schema = {"type": ["string", "null"]}
BOOLEAN: Schema = {"type": "boolean"}
NULLABLE_BOOLEAN: Schema = {"type": ["boolean", "null"]}
COUNT: Schema = {"type": "integer", "minimum": 0}
PROPORTION: Schema = {"type": "number", "minimum": 0, "maximum": 1}
NUMBER: Schema = {"type": "number"}
WHOLE = "A whole number written without a decimal point (3.0 is refused)."


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


def array(items: Schema, **extra: Any) -> Schema:
    return {"type": "array", "items": items, **extra}


def pair(items: Schema) -> Schema:
    return array(items, minItems=2, maxItems=2)


def closed(properties: dict[str, Schema], description: str = "") -> Schema:
    """An object with exactly these properties, all required (a response shape)."""
    schema: Schema = {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
    if description:
        schema = {"description": description, **schema}
    return schema


def choice(values: Any, *, null: bool = False) -> Schema:
    values = list(values)
    if null:
        return {"type": ["string", "null"], "enum": [*values, None]}
    return {"type": "string", "enum": values}


def with_method(name: str, method: str) -> Schema:
    return {"allOf": [ref(name)], "properties": {"method": {"const": method}}}
