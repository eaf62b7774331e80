"""Each outcome's statistics and audit, computed once from the study's printed figures."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.analysis import stats
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


def analyse_outcome(outcome: Outcome, study: Study) -> OutcomeStats:
    """Compute the comparison statistics an outcome's data allow."""
    first = _arm_stats(outcome.arms.get(study.intervention))
    second = _arm_stats(outcome.arms.get(study.comparator))
    rd = rr = odds = nnt = p = None
    if first is not None and second is not None:
        counts = {
            "intervention_events": first.events,
            "intervention_total": first.total,
            "comparator_events": second.events,
            "comparator_total": second.total,
        }
        rd = stats.risk_difference(**counts)
        rr = stats.risk_ratio(**counts)
        odds = stats.odds_ratio(**counts)
        p = stats.fisher_exact(**counts)
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
    )
