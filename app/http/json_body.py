"""JSON request bodies: the API's rules, shared by every JSON route (the API, FHIR output, CDS Hooks).

In the order they are checked (the body itself is read by app/http/body.py ``read_body`` first: its
size limit, chunked decoding and 400s):

1. Content-Type not JSON (``application/json`` or ``application/*+json``): 415, "The request body
   must be JSON (Content-Type: application/json)."
2. Not UTF-8 (RFC 8259: JSON exchanged between systems is UTF-8): 400 naming the byte and its
   position.
3. Not parseable as JSON, including an empty body: 415, "The request body is not valid JSON." The
   literals NaN, Infinity and -Infinity, which Python's json module would accept, are not JSON
   (RFC 8259) and are refused the same way, with a message saying so.
4. A key given twice in one object: 422 naming it (dotted when nested: "intervention.events");
   Python's decoder would silently keep the last one.
5. JSON nested deeper than Python's recursion limit allows to be read: 422 with field "body".

Integer literals longer than 18 digits are read as floats, so no validator ever converts an integer
of thousands of digits.
"""

from __future__ import annotations

import json
from typing import Any

from flask import request

from app.http.body import read_body
from app.http.errors import CODES, MESSAGES

NOT_JSON = "The request body is not valid JSON."
NOT_JSON_CONSTANT = (
    "The request body is not valid JSON: NaN, Infinity and -Infinity are not JSON numbers."
)
# Integer literals with more digits than this are read as floats (and so refused as counts).
MAX_INT_DIGITS = 18


class BodyError(Exception):
    """A request body refused before validation, with its status and JSON answer."""

    def __init__(self, status: int, payload: dict[str, Any]) -> None:
        super().__init__(status)
        self.status = status
        self.payload = payload


class _NotJSONConstant(ValueError):
    pass


def _refuse_constant(name: str) -> Any:
    raise _NotJSONConstant(name)


def _parse_int(text: str) -> int | float:
    return int(text) if len(text.lstrip("-")) <= MAX_INT_DIGITS else float(text)


class _DuplicateKey(Exception):  # a signal to name the keys, never shown as such
    pass


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Build a JSON object, refusing a key given twice (Python's decoder keeps the last one)."""
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _DuplicateKey()
    return result


class _Marked(dict[str, Any]):
    """A JSON object that remembers which of its keys were given more than once."""

    duplicates: tuple[str, ...] = ()


def _marked(pairs: list[tuple[str, Any]]) -> _Marked:
    result = _Marked(pairs)
    keys = [key for key, _ in pairs]
    result.duplicates = tuple(dict.fromkeys(k for k in keys if keys.count(k) > 1))
    return result


def _duplicate_paths(value: Any, path: str = "") -> list[str]:
    """The dotted names of every key given twice, found in a body parsed with `_marked`."""
    found: list[str] = []
    if isinstance(value, _Marked):
        found += [f"{path}.{key}" if path else key for key in value.duplicates]
        for key, item in value.items():
            found += _duplicate_paths(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _duplicate_paths(item, f"{path}[{index}]" if path else f"body[{index}]")
    return found


# Built once: json.loads with hooks would build a decoder (and its scanner) on every call.
_DECODER = json.JSONDecoder(
    parse_constant=_refuse_constant, parse_int=_parse_int, object_pairs_hook=_object
)
# Used only to name the duplicated keys of a body already refused for having some.
_MARKING_DECODER = json.JSONDecoder(
    parse_constant=_refuse_constant, parse_int=_parse_int, object_pairs_hook=_marked
)
DUPLICATE = "Given more than once; give each field once."


def read_json() -> Any:
    """Return the parsed JSON body, or raise BodyError (or 413, 400) as the module docstring lists."""
    req = request._get_current_object()  # type: ignore[attr-defined]  # one proxy lookup
    raw = read_body(req)
    # The common case first: Werkzeug's is_json parses the header to find the same answer.
    if req.environ.get("CONTENT_TYPE") != "application/json" and not req.is_json:
        raise BodyError(415, {"error": CODES[415], "message": MESSAGES[415]})
    try:
        # RFC 8259: JSON exchanged between systems is UTF-8.
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        message = (
            f"The request body is not valid UTF-8 (byte 0x{raw[error.start]:02x} at position"
            f" {error.start})."
        )
        raise BodyError(400, {"error": CODES[400], "message": message}) from None
    try:
        return _decode(_DECODER, text)
    except _DuplicateKey:
        # Parsed again only to name every duplicated key; a later error in the body wins.
        names = _duplicate_paths(_decode(_MARKING_DECODER, text))
        raise BodyError(
            422, {"error": "validation_failed", "fields": {name: [DUPLICATE] for name in names}}
        ) from None


def _decode(decoder: json.JSONDecoder, text: str) -> Any:
    """Decode, turning what the decoder refuses into the answers the module docstring lists."""
    try:
        return decoder.decode(text)
    except _NotJSONConstant:
        raise BodyError(415, {"error": CODES[415], "message": NOT_JSON_CONSTANT}) from None
    except RecursionError:
        raise BodyError(
            422,
            {"error": "validation_failed", "fields": {"body": ["Nested too deeply to be read."]}},
        ) from None
    except ValueError:  # JSONDecodeError
        raise BodyError(415, {"error": CODES[415], "message": NOT_JSON}) from None
