"""What came instead of a valid value, in the words a field's error message uses."""

from __future__ import annotations

import math
from typing import Any


def describe(value: Any) -> str:
    """Say what a value is, e.g. the text 'abc', true/false, a list of 2 items."""
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
        return _container(value)
    return "a number" if isinstance(value, int) else type(value).__name__


def _container(value: list[Any] | dict[str, Any]) -> str:
    """Say what came instead of a value: 'an empty list', 'a list of 2 items', 'an object'."""
    if isinstance(value, dict):
        return "an empty object" if not value else f"an object with {_count(len(value), 'key')}"
    return "an empty list" if not value else f"a list of {_count(len(value), 'item')}"


def _count(n: int, noun: str) -> str:
    return f"1 {noun}" if n == 1 else f"{n} {noun}s"
