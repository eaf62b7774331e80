"""Compute every outcome's statistics and audit once, when the evidence loads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from app.analysis.appraisal import Appraisal, appraise
from app.analysis.audit import AuditItem, audit_study
from app.analysis.families import Group, family_groups
from app.analysis.matching import MatchTable, compared_pairs, comparison_words, match_table
from app.analysis.outcomes import OutcomeStats, analyse_outcome
from app.analysis.plans import Plan, make_plan, option_choices
from app.analysis.population import ReasonTable, reason_table
from app.evidence.model import SETTINGS, Evidence, Study


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
    # (setting, option, option) for every pair of options some study compares, both orders.
    compared: frozenset[tuple[str, str, str]]
    # Outcome families shown side by side across studies (app/analysis/families.py).
    families: tuple[Group, ...] = ()
    # (setting, options in the order chosen) -> what the evidence holds for them (plans.py).
    plans: Mapping[tuple[str, tuple[str, ...]], Plan] = field(
        default_factory=lambda: MappingProxyType({})
    )

    @property
    def version(self) -> str:
        return self.evidence.version

    def plan(self, setting: str, options: tuple[str, ...]) -> Plan:
        """Return the tabulated plan for the setting and options, or make it (options outside the table)."""
        found = self.plans.get((setting, options))
        return self.make_plan(setting, options) if found is None else found

    def make_plan(self, setting: str, options: tuple[str, ...]) -> Plan:
        """Work out the plan for the setting and options from the studies, register and families."""
        return make_plan(
            setting,
            options,
            studies=tuple(a.study for a in self.studies),
            matches=tuple(a.matches for a in self.studies),
            available=self.available.get(setting, ()),
            compared=self.compared,
            register=self.evidence.register,
            families=self.families,
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
    base = EvidenceBase(
        evidence=evidence,
        studies=studies,
        by_id=MappingProxyType({s.study.id: s for s in studies}),
        available=MappingProxyType({s: available_comparisons(studies, s) for s in SETTINGS}),
        compared=compared_pairs(evidence.studies),
        families=family_groups(evidence.studies, evidence.families),
    )
    plans = {(s, o): base.make_plan(s, o) for s in SETTINGS for o in option_choices()}
    return replace(base, plans=MappingProxyType(plans))
