"""Compute every outcome's statistics and audit once, when the evidence loads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from app.analysis.appraisal import Appraisal, appraise
from app.analysis.audit import AuditItem, audit_study
from app.analysis.families import Group, family_groups
from app.analysis.headline import one_nnt
from app.analysis.matching import compared_pairs, comparison_words
from app.analysis.outcomes import OutcomeStats, analyse_outcome
from app.analysis.relative import FamilyEffect, family_effects
from app.evidence.model import SETTINGS, Evidence, Study


@dataclass(frozen=True, slots=True)
class StudyAnalysis:
    study: Study
    outcomes: tuple[OutcomeStats, ...]
    audit: tuple[AuditItem, ...]
    appraisal: Appraisal

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
    # Each family's relative-effect candidates and baseline presets (app/analysis/relative.py).
    relative: tuple[FamilyEffect, ...] = ()

    @property
    def version(self) -> str:
        return self.evidence.version


def available_comparisons(studies: tuple[StudyAnalysis, ...], setting: str) -> tuple[str, ...]:
    """Describe every comparison the evidence base holds in one setting."""
    return tuple(
        f"{comparison_words(s.arms[s.intervention].treatment, s.arms[s.comparator].treatment)}"
        f" ({s.short_name})"
        for s in (a.study for a in studies)
        if s.setting.value == setting
    )


def _analyse_study(study: Study) -> StudyAnalysis:
    outcomes = tuple(one_nnt(analyse_outcome(o, study)) for o in study.outcomes)
    audit = audit_study(study)
    appraisal = appraise(study, outcomes, audit)
    return StudyAnalysis(study, outcomes, audit, appraisal)


def analyse(evidence: Evidence) -> EvidenceBase:
    """Precompute statistics, audits and appraisals for every study; call once at start-up."""
    studies = tuple(_analyse_study(study) for study in evidence.studies)
    return EvidenceBase(
        evidence=evidence,
        studies=studies,
        by_id=MappingProxyType({s.study.id: s for s in studies}),
        available=MappingProxyType({s: available_comparisons(studies, s) for s in SETTINGS}),
        compared=compared_pairs(evidence.studies),
        families=family_groups(evidence.studies, evidence.families),
        relative=family_effects(evidence.studies, evidence.families),
    )
