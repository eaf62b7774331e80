"""The two-by-two request's contract: any pair of counts, e.g. a centre's own rate against a trial arm.

Pure: `parse_two_by_two` validates the JSON body of ``POST /api/v1/two-by-two`` into a frozen
`TwoByTwo` or raises `TwoByTwoError` whose ``fields`` maps dotted field names
("intervention.events") to messages. The statistics are computed in app/api/twobytwo.py.
Contract choices:

- Counts are whole JSON numbers: floats (even 3.0), booleans and text are refused. Totals are at
  least 1 and at most `MAX_TOTAL` (1,000,000) so that no request can make the exact methods slow;
  events are 0 to the arm's total.
- ``confidence`` is optional (default 0.95); it must be a number greater than 0.5 and at most 0.999.
  It sets every interval, including each arm's exact Clopper-Pearson interval.
- ``event`` is optional: "harmful" or "beneficial". Without it the number needed to treat is
  computed (1/|RD|) but cannot be called NNTB or NNTH: ``kind`` is null, ``ci`` holds the two limits
  only when the risk-difference interval excludes zero (otherwise null, the limits being described
  in ``text``), and ``text`` says which arm has more events and that ``event`` is needed for a label.
- null for an optional field means "not given", as in the scenario contract; null for a required
  field is reported as "Required.".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

MAX_TOTAL = 1_000_000
DEFAULT_CONFIDENCE = 0.95
# Confidence must satisfy CONFIDENCE_ABOVE < confidence <= CONFIDENCE_MAX.
CONFIDENCE_ABOVE = 0.5
CONFIDENCE_MAX = 0.999
EVENTS = ("harmful", "beneficial")
ARMS = ("intervention", "comparator")
# Each count's smallest allowed value; every count is at most MAX_TOTAL.
COUNT_MINIMUM = {"events": 0, "total": 1}
ARM_FIELDS = tuple(COUNT_MINIMUM)
FIELDS = (*ARMS, "confidence", "event")
# The request's own words for its API description; the schema adds the limits above.
DESCRIPTIONS = {
    "request": "Two arms' counts, e.g. a centre's own complication rate against a trial arm.",
    "counts": "One arm's counts. events must not exceed total.",
    "confidence": "Confidence level of every interval; null or absent: 0.95.",
    "event": "Whether the counted event is harmful or beneficial; it labels the NNT as NNTB or"
    " NNTH. null or absent: the NNT is not labelled (kind null).",
}
MAX_NAME = 64


@dataclass(frozen=True, slots=True)
class Counts:
    """One arm: events out of total, validated (0 <= events <= total, 1 <= total <= MAX_TOTAL)."""

    events: int
    total: int


@dataclass(frozen=True, slots=True)
class TwoByTwo:
    """A validated two-by-two request."""

    intervention: Counts
    comparator: Counts
    confidence: float = DEFAULT_CONFIDENCE
    event: Literal["harmful", "beneficial"] | None = None

    def counts(self) -> dict[str, int]:
        """The keyword arguments app.stats takes for a two-arm table."""
        return {
            "intervention_events": self.intervention.events,
            "intervention_total": self.intervention.total,
            "comparator_events": self.comparator.events,
            "comparator_total": self.comparator.total,
        }


class TwoByTwoError(ValueError):
    """A request that breaks the contract; `fields` maps each dotted field name to its messages."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        self.fields = {name: list(messages) for name, messages in errors.items()}
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in self.fields.items()))


def _describe(value: Any) -> str:
    """Name a bad value briefly, without echoing anything long."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        shown = value if len(value) <= 20 else value[:20] + "…"
        return f"the text {shown!r}"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else "a non-finite number"
    if isinstance(value, int):
        return str(value) if abs(value) < 10**15 else "a very large number"
    if isinstance(value, list | dict):
        n, noun = len(value), "item" if isinstance(value, list) else "key"
        counted = f"1 {noun}" if n == 1 else f"{n} {noun}s"
        if isinstance(value, list):
            return "an empty list" if not n else f"a list of {counted}"
        return "an empty object" if not n else f"an object with {counted}"
    return type(value).__name__


def _whole(value: Any, low: int) -> tuple[int | None, str | None]:
    # bool is an int in Python, and 3.0 is not a count: both are refused.
    if isinstance(value, bool) or not isinstance(value, int):
        return None, f"Must be a whole number; got {_describe(value)}."
    if value < low:
        if low == 0:
            return None, f"Must not be negative; got {_describe(value)}."
        return None, f"Must be at least {low}; got {_describe(value)}."
    if value > MAX_TOTAL:
        return None, f"Must be at most {MAX_TOTAL:,}; got {_describe(value)}."
    return value, None


def _unknown(
    data: Mapping[str, Any],
    known: tuple[str, ...],
    prefix: str,
    errors: dict[str, list[str]],
) -> None:
    for key in data:
        if key not in known:
            name = f"{prefix}{str(key)[:MAX_NAME]}"
            errors.setdefault(name, []).append(f"Unknown field; fields are: {', '.join(known)}.")


def _arm(name: str, data: Any, errors: dict[str, list[str]]) -> Counts | None:
    if data is None:
        errors.setdefault(name, []).append("Required.")
        return None
    if not isinstance(data, Mapping):
        errors.setdefault(name, []).append(
            f"Must be an object with events and total; got {_describe(data)}."
        )
        return None
    _unknown(data, ARM_FIELDS, f"{name}.", errors)
    values: dict[str, int] = {}
    for field, low in COUNT_MINIMUM.items():
        raw = data.get(field)
        if raw is None:
            errors.setdefault(f"{name}.{field}", []).append("Required.")
            continue
        value, error = _whole(raw, low)
        if value is None:
            errors.setdefault(f"{name}.{field}", []).append(error or "Invalid.")
        else:
            values[field] = value
    if len(values) < 2:
        return None
    if values["events"] > values["total"]:
        errors.setdefault(f"{name}.events", []).append(
            f"Must not exceed {name}.total ({values['total']})."
        )
        return None
    return Counts(values["events"], values["total"])


def _confidence(raw: Any) -> tuple[float | None, str | None]:
    wanted = f"a number greater than {CONFIDENCE_ABOVE} and at most {CONFIDENCE_MAX}"
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return None, f"Must be {wanted}; got {_describe(raw)}."
    # False for NaN and infinities too; no float conversion, so huge integers cannot overflow.
    if not CONFIDENCE_ABOVE < raw <= CONFIDENCE_MAX:
        return None, f"Must be {wanted}; got {_describe(raw)}."
    return float(raw), None


def parse_two_by_two(data: Any) -> TwoByTwo:
    """Validate a two-by-two request body; raise TwoByTwoError naming every bad field."""
    if not isinstance(data, Mapping):
        raise TwoByTwoError({"body": [f"Must be a JSON object; got {_describe(data)}."]})
    errors: dict[str, list[str]] = {}
    _unknown(data, FIELDS, "", errors)
    intervention = _arm("intervention", data.get("intervention"), errors)
    comparator = _arm("comparator", data.get("comparator"), errors)
    confidence: float | None = DEFAULT_CONFIDENCE
    if data.get("confidence") is not None:
        confidence, error = _confidence(data["confidence"])
        if error:
            errors.setdefault("confidence", []).append(error)
    event = data.get("event")
    if event is not None and event not in EVENTS:
        errors.setdefault("event", []).append(
            f"Must be one of: {', '.join(EVENTS)}; got {_describe(event)}."
        )
    if errors or intervention is None or comparator is None or confidence is None:
        raise TwoByTwoError(errors)
    return TwoByTwo(intervention, comparator, confidence, event)
