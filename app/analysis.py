"""Compute every outcome's statistics and audit once, when the evidence loads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from app import stats
from app.appraisal import Appraisal, appraise
from app.audit import AuditItem, audit_outcome, audit_study
from app.evidence import SETTINGS, ArmResult, Evidence, Outcome, Study
from app.rules import MatchTable, ReasonTable, comparison_words, match_table, reason_table


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


@dataclass(frozen=True, slots=True)
class StudyAnalysis:
    study: Study
    outcomes: tuple[OutcomeStats, ...]
    audit: tuple[AuditItem, ...]
    appraisal: Appraisal
    # Every applicability reason the study can give, and how it matches every choice of options
    # (app/rules.py reason_table and match_table).
    reasons: ReasonTable
    matches: MatchTable

    @property
    def disagreements(self) -> tuple[tuple[str, AuditItem], ...]:
        """Every audit item that does not agree, with the outcome id it belongs to ('' for the study)."""
        found = [("", item) for item in self.audit if item.agrees is False]
        for entry in self.outcomes:
            found += [(entry.outcome.id, item) for item in entry.audit if item.agrees is False]
        return tuple(found)


@dataclass(frozen=True, slots=True)
class EvidenceBase:
    """The validated evidence with everything that does not depend on the patient precomputed."""

    evidence: Evidence
    studies: tuple[StudyAnalysis, ...]
    by_id: Mapping[str, StudyAnalysis]
    # Setting -> what the evidence base compares there, in words (for "no direct comparison").
    available: Mapping[str, tuple[str, ...]]

    @property
    def version(self) -> str:
        return self.evidence.version


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
    km = km_p = None
    a, b = outcome.arms.get(study.intervention), outcome.arms.get(study.comparator)
    if outcome.kind == "kaplan_meier" and a and b and a.se and b.se and a.survival and b.survival:
        inputs = {
            "intervention_survival": a.survival.value / 100,
            "intervention_se": a.se.value / 100,
            "comparator_survival": b.survival.value / 100,
            "comparator_se": b.se.value / 100,
        }
        km = stats.km_difference(**inputs)
        km_p = stats.km_difference_p(**inputs)
    return OutcomeStats(
        outcome=outcome,
        intervention=first,
        comparator=second,
        risk_difference=rd,
        risk_ratio=rr,
        odds_ratio=odds,
        nnt=nnt,
        p_value=p,
        survival_difference=km,
        survival_p=km_p,
        audit=audit_outcome(outcome, study),
    )


def available_comparisons(studies: tuple[StudyAnalysis, ...], setting: str) -> tuple[str, ...]:
    """Describe every comparison the evidence base holds in one setting."""
    return tuple(
        f"{comparison_words(s.arms[s.intervention].treatment, s.arms[s.comparator].treatment)}"
        f" ({s.short_name})"
        for s in (a.study for a in studies)
        if s.setting.value == setting
    )


def _analyse_study(study: Study) -> StudyAnalysis:
    outcomes = tuple(analyse_outcome(o, study) for o in study.outcomes)
    audit = audit_study(study)
    appraisal = appraise(study, outcomes, audit)
    return StudyAnalysis(study, outcomes, audit, appraisal, reason_table(study), match_table(study))


def analyse(evidence: Evidence) -> EvidenceBase:
    """Precompute statistics, audits and appraisals for every study; call once at start-up."""
    studies = tuple(_analyse_study(study) for study in evidence.studies)
    return EvidenceBase(
        evidence=evidence,
        studies=studies,
        by_id=MappingProxyType({s.study.id: s for s in studies}),
        available=MappingProxyType({s: available_comparisons(studies, s) for s in SETTINGS}),
    )
