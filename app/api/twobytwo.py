"""Statistics for any pair of counts, e.g. a centre's own complication rate against a trial's arm.

Pure (no Flask): `parse_two_by_two` validates the JSON body of ``POST /api/v1/two-by-two`` into a
frozen `TwoByTwo` or raises `TwoByTwoError` whose ``fields`` maps dotted field names
("intervention.events") to messages; `two_by_two_json` computes and serializes the statistics with
the same methods the evidence uses (app.stats).

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
from dataclasses import dataclass, replace
from typing import Any, Literal

from app.analysis import stats
from app.api.encode import (
    JSON,
    interval_json,
    nnt_json,
    number,
    p_json,
    undefined_reason,
)

MAX_TOTAL = 1_000_000
DEFAULT_CONFIDENCE = 0.95
# Confidence must satisfy CONFIDENCE_ABOVE < confidence <= CONFIDENCE_MAX.
CONFIDENCE_ABOVE = 0.5
CONFIDENCE_MAX = 0.999
EVENTS = ("harmful", "beneficial")
ARMS = ("intervention", "comparator")
ARM_FIELDS = ("events", "total")
FIELDS = (*ARMS, "confidence", "event")
MAX_NAME = 64
# The project's NNT display convention (as in app.stats): round up after discarding float noise.
_CEIL_TOLERANCE = 1e-9


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
    return {list: "a list", dict: "an object"}.get(type(value), type(value).__name__)


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
    data: Mapping[str, Any], known: tuple[str, ...], prefix: str, errors: dict[str, list[str]]
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
    for field, low in (("events", 0), ("total", 1)):
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


# --------------------------------------------------------------------------- statistics


def _shown(nnt: float | None) -> str:
    """A whole number rounded up, as app.stats displays NNTs; None (an infinite NNT) is "∞"."""
    return "∞" if nnt is None else str(math.ceil(nnt - _CEIL_TOLERANCE))


def _per(nnt: float | None, more: bool) -> str:
    if nnt is None:
        return ""
    return f"1 {'more' if more else 'fewer'} event per {_shown(nnt)} treated"


def unlabelled_nnt(difference: stats.Interval) -> stats.NNT:
    """The NNT of a risk difference when it is not known whether the event is harmful or beneficial.

    The numbers are Altman's (computed as for a harmful event, where NNTH means the intervention
    arm has more events); the kind is None and the text describes the direction in events.
    """
    nnt = stats.number_needed_to_treat(difference, event="harmful")
    label = f"{round(difference.confidence * 100, 6):g}% CI"
    rd = difference.value
    if nnt.value is None:
        point = "No difference, NNT ∞"
    else:
        arm = "more" if rd > 0 else "fewer"
        point = f"NNT {_shown(nnt.value)}: 1 {arm} event per {_shown(nnt.value)} treated with the intervention"
    if nnt.spans_infinity:
        # Computed as harmful: lower is the limit on the "fewer events" side, upper on "more".
        sides = [s for s in (_per(nnt.lower, False), "∞", _per(nnt.upper, True)) if s]
        interval = f"{label} {' to '.join(sides)}"
        nnt = replace(nnt, lower=None, upper=None)
    else:
        interval = f"{label} {_shown(nnt.lower)} to {_shown(nnt.upper)}"
    text = (
        f"{point} ({interval}). Whether this is benefit or harm depends on the event: give"
        ' "event" ("harmful" or "beneficial") to label it NNTB or NNTH.'
    )
    return replace(nnt, kind=None, text=text)


def _arm_json(counts: Counts, confidence: float) -> JSON:
    rate = stats.proportion(events=counts.events, total=counts.total, confidence=confidence)
    return {
        "events": counts.events,
        "total": counts.total,
        "rate": number(rate.value),
        "ci": [number(rate.lower), number(rate.upper)],
        "ci_method": rate.method,
    }


def two_by_two_json(table: TwoByTwo) -> JSON:
    """Compute the comparison statistics of a validated table as plain JSON (no NaN)."""
    counts, level = table.counts(), table.confidence
    rd = stats.risk_difference(**counts, confidence=level)
    rr = stats.risk_ratio(**counts, confidence=level)
    odds = stats.odds_ratio(**counts, confidence=level)
    if table.event is None:
        nnt = unlabelled_nnt(rd)
    else:
        nnt = stats.number_needed_to_treat(rd, event=table.event)
    return {
        "intervention": _arm_json(table.intervention, level),
        "comparator": _arm_json(table.comparator, level),
        "risk_difference": interval_json(rd),
        "risk_ratio": interval_json(rr),
        "risk_ratio_undefined": undefined_reason(rr),
        "odds_ratio": interval_json(odds),
        "odds_ratio_undefined": undefined_reason(odds),
        "nnt": nnt_json(nnt),
        "p_value": p_json(stats.fisher_exact(**counts)),
        "confidence": level,
        "event": table.event,
    }
