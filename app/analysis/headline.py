"""Each outcome's headline relative effect, and whether its significance signals agree.

A ratio the study prints with its interval leads; the crude ratio recomputed from the counts is
then an audit figure. Without a printed ratio the crude risk ratio (Katz) leads.
"""

from __future__ import annotations

from dataclasses import dataclass
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
        found.append(
            (
                f"the published {RATIO_NAMES[effect.type]}'s 95% CI ({low.text}\u2013{high.text})",
                not low.value <= 1 <= high.value,
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
