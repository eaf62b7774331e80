"""Statistics for a validated two-by-two request (app/contract/twobytwo.py), as plain JSON.

`two_by_two_json` computes and serializes the statistics with the same methods the evidence uses
(app.analysis.stats). The contract's names are re-exported here for callers of the API module.
"""

from __future__ import annotations

import math
from dataclasses import replace

from app.analysis import significance, stats
from app.api.encode import (
    JSON,
    interval_json,
    nnt_json,
    number,
    p_json,
    undefined_reason,
)
from app.contract.twobytwo import (
    ARM_FIELDS,
    ARMS,
    CONFIDENCE_ABOVE,
    CONFIDENCE_MAX,
    DEFAULT_CONFIDENCE,
    EVENTS,
    FIELDS,
    MAX_NAME,
    MAX_TOTAL,
    Counts,
    TwoByTwo,
    TwoByTwoError,
    parse_two_by_two,
)

__all__ = [
    "ARMS",
    "ARM_FIELDS",
    "CONFIDENCE_ABOVE",
    "CONFIDENCE_MAX",
    "DEFAULT_CONFIDENCE",
    "EVENTS",
    "FIELDS",
    "MAX_NAME",
    "MAX_TOTAL",
    "Counts",
    "TwoByTwo",
    "TwoByTwoError",
    "parse_two_by_two",
    "two_by_two_json",
    "unlabelled_nnt",
]
# The project's NNT display convention (as in app.stats): round up after discarding float noise.
_CEIL_TOLERANCE = 1e-9


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
        "p_value": p_json(significance.fisher_exact(**counts)),
        "confidence": level,
        "event": table.event,
    }
