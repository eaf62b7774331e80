"""Each outcome's headline relative and absolute effects, and whether its significance signals agree.

A ratio the study prints with its interval leads; the crude ratio recomputed from the counts is
then an audit figure. Without a printed ratio the crude risk ratio (Katz) leads. Likewise a risk
difference the study prints with its interval leads the absolute difference, and the NNT is then
taken from it; without one the crude difference (Newcombe) and its NNT lead.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from app.analysis import stats
from app.analysis.outcomes import OutcomeStats
from app.evidence.model import Effect, Printed

RATIO_WORDS = {
    "risk_ratio": "risk ratio",
    "odds_ratio": "odds ratio",
    "hazard_ratio": "hazard ratio",
}
RATIO_NAMES = {"risk_ratio": "RR", "odds_ratio": "OR", "hazard_ratio": "HR"}
ALPHA = 0.05


@dataclass(frozen=True, slots=True)
class Headline:
    """The relative effect an outcome's row leads with."""

    source: Literal["published", "recomputed"]
    type: str  # risk_ratio, odds_ratio or hazard_ratio
    estimate: float
    lower: float
    upper: float
    # As printed (published), or the recomputation's method ("katz-log").
    method: str
    # intervention_vs_comparator, comparator_vs_intervention or not_stated.
    direction: str
    effect: Effect | None = None  # the printed estimate it is


def headline(entry: OutcomeStats) -> Headline | None:
    """Lead with the first printed ratio with an interval, else the crude risk ratio, else none."""
    for effect in entry.outcome.effects:
        if effect.type not in RATIO_NAMES:
            continue  # a printed difference is not a relative effect
        low, high = effect.ci
        return Headline(
            "published",
            effect.type,
            effect.estimate.value,
            low.value,
            high.value,
            "as printed",
            effect.direction,
            effect,
        )
    rr = entry.risk_ratio
    if isinstance(rr, stats.Interval):
        return Headline(
            "recomputed",
            "risk_ratio",
            rr.value,
            rr.lower,
            rr.upper,
            rr.method,
            "intervention_vs_comparator",
        )
    return None


@dataclass(frozen=True, slots=True)
class DifferenceLead:
    """The absolute difference (intervention - comparator, a proportion) a row leads with."""

    source: Literal["published", "recomputed"]
    difference: stats.Interval
    # From this difference; None where no NNT is given (no time frame, assumed counts).
    nnt: stats.NNT | None
    effect: Effect | None = None  # the printed estimate it is


def printed_difference(effect: Effect) -> stats.Interval | None:
    """A printed risk difference in percentage points as a proportion, intervention - comparator.

    Printed the other way round it is negated (limits swapped); with no stated direction it cannot
    be placed in the table's columns, so None.
    """
    if effect.type != "risk_difference" or effect.direction == "not_stated":
        return None
    flipped = effect.direction == "comparator_vs_intervention"
    sign = -1 if flipped else 1

    def proportion(printed: Printed) -> float:
        # Decimal division: 5.9 points is 0.059, not 0.059000000000000004.
        return float(sign * printed.number / 100)

    low, high = sorted(proportion(p) for p in effect.ci)
    method = "as printed, sign reversed" if flipped else "as printed"
    return stats.Interval(proportion(effect.estimate), low, high, 0.95, method)


def difference_lead(entry: OutcomeStats) -> DifferenceLead | None:
    """Lead with the first printed difference with an interval, else the crude one; none without counts.

    Only outcomes with counts in both groups have a difference cell to lead; their NNT follows
    the leading difference (1/difference, Altman 1998) where the counts' NNT is given at all.
    """
    crude = entry.risk_difference
    if crude is None:
        return None
    for effect in entry.outcome.effects:
        printed = printed_difference(effect)
        if printed is None:
            continue
        nnt = None
        if entry.nnt is not None:
            event = entry.outcome.event
            nnt = stats.number_needed_to_treat(printed, event=event)  # type: ignore[arg-type]
        return DifferenceLead("published", printed, nnt, effect)
    return DifferenceLead("recomputed", crude, entry.nnt)


# What the NNT cell says when the NNT is withheld, by reason (the full reason is `nnt_reason`).
NO_CLEAR_DIFFERENCE = "no clear difference: NNT not shown"
MEDIAN_FOLLOW_UP = "not shown: median follow-up, not a fixed time"


def one_nnt(entry: OutcomeStats) -> OutcomeStats:
    """Keep one NNT per outcome, the leading difference's, and only where it means something.

    An NNT (1/difference, Altman 1998) is given only when the leading difference's 95% CI excludes
    0 and the time frame is a fixed horizon, not a median follow-up; otherwise `nnt` is None and
    `nnt_reason` says why. Call once per outcome at start-up, before anything reads `nnt`.
    """
    lead = difference_lead(entry)
    if lead is None or lead.nnt is None:
        return replace(entry, nnt=None)
    low, high = lead.difference.lower, lead.difference.upper
    which = "published" if lead.source == "published" else "crude"
    if low <= 0 <= high:
        reason = (
            f"No clear difference, so no NNT is shown: the 95% CI of the {which} difference"
            f" ({_points(100 * low)} to {_points(100 * high)} percentage points) includes no"
            " difference, so a number needed to treat would mean nothing."
        )
        return replace(entry, nnt=None, nnt_reason=reason)
    if "median" in entry.outcome.timeframe.lower():
        reason = (
            f"NNT not shown: the time frame is a median follow-up ({entry.outcome.timeframe}), not a"
            " fixed horizon, so a number needed to treat has no fixed period to refer to."
        )
        return replace(entry, nnt=None, nnt_reason=reason)
    return replace(entry, nnt=lead.nnt)


def nnt_withheld(entry: OutcomeStats) -> str:
    """The NNT cell's words where no NNT is given for an outcome with a difference."""
    reason = entry.nnt_reason or ""
    if reason.startswith("No clear difference"):
        return NO_CLEAR_DIFFERENCE
    if reason:
        return MEDIAN_FOLLOW_UP
    return "not calculated: no time frame stated"


def _range(low: float, high: float) -> str:
    return f"{low:.2f}\u2013{high:.2f}"


def _points(value: float) -> str:
    """Percentage points with a sign and a true minus: '+0.5', '\u221219.5'."""
    return f"{value:+.1f}".replace("-", "\u2212")


def _printed_p(entry: OutcomeStats) -> Printed | None:
    outcome = entry.outcome
    if outcome.test is not None:
        return outcome.test.p
    return next((e.p for e in outcome.effects if e.p is not None), None)


def _p_significant(p: Printed) -> bool:
    return p.value < ALPHA or (p.bound == "<" and p.value <= ALPHA)


def verdicts(entry: OutcomeStats) -> list[tuple[str, bool]]:
    """Each method's reading at the 5% level: (what it is, in words; whether it shows a difference)."""
    found: list[tuple[str, bool]] = []
    rd = entry.risk_difference
    if rd is not None:
        pp = f"{_points(100 * rd.lower)} to {_points(100 * rd.upper)} pp"
        found.append((f"the difference's 95% CI (Newcombe, {pp})", not rd.lower <= 0 <= rd.upper))
    rr = entry.risk_ratio
    if isinstance(rr, stats.Interval):
        found.append(
            (
                f"the crude risk ratio's 95% CI (Katz, {_range(rr.lower, rr.upper)})",
                not rr.lower <= 1 <= rr.upper,
            )
        )
    for effect in entry.outcome.effects:
        low, high = effect.ci
        # A printed difference (percentage points) shows no difference at 0, a ratio at 1.
        null, name = (0, "difference") if effect.type == "risk_difference" else (1, None)
        found.append(
            (
                f"the published {name or RATIO_NAMES[effect.type]}'s 95% CI"
                f" ({low.text} to {high.text})"
                if name
                else f"the published {RATIO_NAMES[effect.type]}'s 95% CI ({low.text}\u2013{high.text})",
                not low.value <= null <= high.value,
            )
        )
    p = _printed_p(entry)
    if p is not None:
        found.append((f"the printed P ({p.text})", _p_significant(p)))
    return found


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def disagreement(entry: OutcomeStats) -> str | None:
    """Explain, in one sentence, methods that disagree at the 5% level about a difference."""
    found = verdicts(entry)
    yes = [what for what, shows in found if shows]
    no = [what for what, shows in found if not shows]
    if not yes or not no:
        return None
    verb = "excludes" if len(yes) == 1 else "exclude"
    other = "does" if len(no) == 1 else "do"
    # Only a ratio or P that the audit could not reproduce bears on this disagreement.
    audit = (
        " (the published figures cannot be reproduced from the counts; see the audit)"
        if any(
            item.agrees is False and ("ratio" in item.figure.lower() or "P value" in item.figure)
            for item in entry.audit
        )
        else ""
    )
    return (
        f"Methods disagree: {_join(yes)} {verb} no difference, but {_join(no)} {other} not"
        f"{audit}, so the result is borderline and whether there is a real difference is"
        " uncertain."
    )
