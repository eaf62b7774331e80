"""Each outcome's statistics and audit, computed once from the study's printed figures."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.analysis import significance, stats
from app.analysis.audit import AuditItem, audit_outcome
from app.analysis.kinds import KINDS
from app.evidence.model import ArmResult, Outcome, Study


@dataclass(frozen=True, slots=True)
class ArmStats:
    """One compared arm's events with the exact interval of its rate."""

    arm: str
    events: int
    total: int
    rate: stats.Interval
    derived: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class OutcomeStats:
    """An outcome of one study with its computed statistics and audit."""

    outcome: Outcome
    intervention: ArmStats | None
    comparator: ArmStats | None
    risk_difference: stats.Interval | None
    risk_ratio: stats.Interval | stats.Undefined | None
    odds_ratio: stats.Interval | stats.Undefined | None
    nnt: stats.NNT | None
    p_value: stats.PValue | None
    survival_difference: stats.Interval | None
    survival_p: stats.PValue | None
    audit: tuple[AuditItem, ...]
    # Why no relative effect, difference or NNT is given although both arms have counts.
    not_computed_reason: str | None = None
    # Why the NNT alone is withheld although the difference is given (headline.one_nnt).
    nnt_reason: str | None = None

    @property
    def has_counts(self) -> bool:
        return self.intervention is not None and self.comparator is not None


def _arm_stats(result: ArmResult | None) -> ArmStats | None:
    if result is None or result.events is None or result.total is None:
        return None
    return ArmStats(
        arm=result.arm,
        events=result.events,
        total=result.total,
        rate=stats.proportion(events=result.events, total=result.total),
        derived=result.derived,
    )


# A time frame containing one of these is not one: no NNT is computed over it.
NO_TIMEFRAME = ("not reported", "not stated", "not defined")
ASSUMED_COUNTS = (
    "No relative effect, difference or NNT: the counts were back-calculated from the printed"
    " percentages over group sizes the source does not state for this outcome, so only the printed"
    " percentages and P are given."
)


def has_timeframe(outcome: Outcome) -> bool:
    """Say whether the outcome's time frame is stated (and defined) by the source."""
    timeframe = outcome.timeframe.lower()
    return bool(timeframe) and not any(words in timeframe for words in NO_TIMEFRAME)


def not_computed_reason(
    outcome: Outcome, first: ArmStats | None, second: ArmStats | None
) -> str | None:
    """Say why counts in both arms still give no effect (assumed counts) or no NNT (no time frame)."""
    if first is None or second is None:
        return None
    if any("events" in arm.derived and "total" in arm.derived for arm in (first, second)):
        return ASSUMED_COUNTS
    if not has_timeframe(outcome):
        return (
            f"No NNT: the source gives no time frame for this outcome ({outcome.timeframe}), and a"
            " number needed to treat means nothing without one."
        )
    return None


def analyse_outcome(outcome: Outcome, study: Study) -> OutcomeStats:
    """Compute the comparison statistics an outcome's data allow."""
    first = _arm_stats(outcome.arms.get(study.intervention))
    second = _arm_stats(outcome.arms.get(study.comparator))
    rd = rr = odds = nnt = p = None
    reason = not_computed_reason(outcome, first, second)
    if first is not None and second is not None and reason != ASSUMED_COUNTS:
        counts = {
            "intervention_events": first.events,
            "intervention_total": first.total,
            "comparator_events": second.events,
            "comparator_total": second.total,
        }
        rd = stats.risk_difference(**counts)
        rr = stats.risk_ratio(**counts)
        odds = stats.odds_ratio(**counts)
        p = significance.fisher_exact(**counts)
        if reason is None:
            nnt = stats.number_needed_to_treat(rd, event=outcome.event)  # type: ignore[arg-type]
    survival = KINDS[outcome.kind].survival(outcome, study)
    return OutcomeStats(
        outcome=outcome,
        intervention=first,
        comparator=second,
        risk_difference=rd,
        risk_ratio=rr,
        odds_ratio=odds,
        nnt=nnt,
        p_value=p,
        survival_difference=survival.difference,
        survival_p=survival.p,
        audit=audit_outcome(outcome, study),
        not_computed_reason=reason,
    )
