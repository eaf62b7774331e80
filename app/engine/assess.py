"""Compose evidence, statistics and rules into an assessment of one scenario (no Flask here)."""

from __future__ import annotations

from dataclasses import dataclass

from app.analysis.appraisal import SMALL_NUMBERS, OutcomeResult
from app.analysis.base import StudyAnalysis
from app.analysis.caveats import Notice, Signal
from app.analysis.certainty import Certainty, Domain
from app.analysis.families import Group
from app.analysis.matching import TREATMENT_WORDS
from app.contract import vocabulary
from app.contract.scenario import Scenario
from app.engine import personal
from app.engine.applicability import STATUS_ORDER, Applicability, applicability
from app.engine.centre import CentreComparison, centre_comparisons, use_early_risks
from app.engine.indirectness import family_certainty, indirectness
from app.engine.plans import Match, PairGap
from app.engine.scope import IN_SCOPE, Scope, scope
from app.engine.tables import Tables
from app.evidence.model import KnownTrial

DESIGN_ORDER = {code: rank for rank, code in enumerate(vocabulary.DESIGNS)}


@dataclass(frozen=True, slots=True)
class Comparison:
    """One relevant study comparison, as it bears on this scenario."""

    analysis: StudyAnalysis
    match: Match
    applicability: Applicability
    warnings: tuple[Notice, ...]
    # This patient's absolute risks for each family the study belongs to (app/engine/personal.py).
    personal: tuple[personal.FamilyRisks, ...] = ()
    # This patient's indirectness and each outcome's certainty, in the outcomes' order.
    indirectness: Domain | None = None
    certainty: tuple[Certainty | None, ...] = ()

    @property
    def outcomes(self) -> tuple[OutcomeResult, ...]:
        return self.analysis.appraisal.outcomes

    def certainty_of(self, result: OutcomeResult) -> Certainty | None:
        """This outcome's certainty for the patient (None when it was not rated)."""
        for candidate, certainty in zip(self.outcomes, self.certainty, strict=False):
            if candidate is result:
                return certainty
        return None


@dataclass(frozen=True, slots=True)
class Assessment:
    scenario: Scenario
    comparisons: tuple[Comparison, ...]
    warnings: tuple[Notice, ...]
    available: tuple[str, ...]
    evidence_version: str
    # Each pair of chosen options no study compares, more invasive first.
    pairs_without_evidence: tuple[PairGap, ...] = ()
    scope: Scope = IN_SCOPE
    # Registered trials (never their numbers) comparing a pair no included study compares.
    known_trials: tuple[KnownTrial, ...] = ()
    # Outcome families that two or more of these studies share (forest plot, pooled estimate).
    side_by_side: tuple[Group, ...] = ()
    # This patient's absolute risks, one entry per family and pair (app/engine/personal.py).
    personal: tuple[personal.FamilyRisks, ...] = ()
    # Each side-by-side family's certainty for this patient, in the same order.
    family_certainty: tuple[Certainty, ...] = ()
    # The centre's own results beside the trial arms of the same option and family (engine/centre.py).
    centre: tuple[CentreComparison, ...] = ()


def _comparison_warnings(
    analysis: StudyAnalysis, match: Match, fit: Applicability, scenario: Scenario
) -> tuple[Notice, ...]:
    parts = analysis.appraisal
    warnings: list[Notice] = []
    if fit.status == "outside":
        unmet = " ".join(r.text for r in fit.reasons if r.status == "not_met")
        warnings.append(
            Notice("outside_population", f"This patient is outside the study population: {unmet}")
        )
    elif fit.status == "unknown" and not any(r.status == "unknown" for r in fit.reasons):
        warnings.append(
            Notice(
                "population_unchecked",
                f"{analysis.study.short_name} reports {fit.checked} of the {fit.total} population"
                " criteria this tool checks, too few to say whether it applies to this patient.",
            )
        )
    elif fit.status == "unknown":
        warnings.append(
            Notice(
                "population_unchecked",
                f"Only {fit.checked} of {fit.total} population criteria could be checked (the rest"
                " are not reported by the study or not known for this patient), too few to say"
                " whether the study applies to this patient.",
            )
        )
    elif any(r.status == "unknown" for r in fit.reasons):
        warnings.append(
            Notice(
                "population_partly_unknown",
                "Some criteria could not be checked because the scenario leaves them unknown.",
            )
        )
    warnings += parts.design_warnings
    if match.unspecified_stent:
        warnings.append(parts.stent_type_warning)
    warnings += parts.data_warnings
    for note, warning in parts.note_warnings:
        weighed = note.option in (match.intervention_option, match.comparator_option)
        if weighed and getattr(scenario, note.field) is note.equals:
            warnings.append(warning)
    return tuple(warnings)


def assess(scenario: Scenario, tables: Tables) -> Assessment:
    """Find the comparisons relevant to the scenario and how well the patient fits each."""
    # What the setting and options draw from the evidence was tabulated at start-up.
    base = tables.base
    personal.check_families(scenario, base.evidence.families)
    key = scenario.setting, scenario.options
    plan = tables.plans[key]
    found = []
    for index, match in plan.candidates:
        analysis = base.studies[index]
        fit = applicability(analysis.study, scenario, tables.reasons[index])
        found.append((index, analysis, match, fit))
    found.sort(key=lambda f: (STATUS_ORDER[f[3].status], DESIGN_ORDER[f[1].study.design.value]))
    fits = {analysis.study.id: fit.status for _, analysis, _, fit in found}
    risks = personal.family_risks(base.relative, scenario, fits, tables.presets)
    risks, centre_notices = use_early_risks(scenario, tables.centre, risks)
    comparisons = []
    for index, analysis, match, fit in found:
        direct = indirectness(fit, match, analysis.study.short_name)
        study_id = analysis.study.id
        comparisons.append(
            Comparison(
                analysis=analysis,
                match=match,
                applicability=fit,
                warnings=_comparison_warnings(analysis, match, fit, scenario),
                personal=tuple(f for f in risks if study_id in f.effect.study_ids),
                indirectness=direct,
                # Each outcome's statement at this level was written at start-up (engine/tables.py).
                certainty=tuple(None if r is None else r.rate(direct) for r in tables.rated[index]),
            )
        )
    warnings = plan.warnings + centre_notices
    unused = personal.unused_baselines(scenario, risks)
    if unused:
        warnings += (
            Notice(
                "baseline_not_used",
                f"Baseline risks entered for {', '.join(unused)} are not used: no comparison"
                " shown here belongs to that outcome family.",
            ),
        )
    return Assessment(
        scenario=scenario,
        comparisons=tuple(comparisons),
        warnings=warnings,
        available=base.available.get(scenario.setting, ()),
        evidence_version=base.version,
        pairs_without_evidence=plan.gaps,
        scope=scope(
            scenario,
            ((c.analysis.study.short_name, c.applicability) for c in comparisons),
        ),
        known_trials=plan.known_trials,
        side_by_side=plan.side_by_side,
        personal=risks,
        family_certainty=family_certainty(
            plan.side_by_side,
            tables.families[key],
            {
                c.analysis.study.id: (c.applicability, c.match, c.analysis.study.short_name)
                for c in comparisons
            },
        ),
        centre=centre_comparisons(scenario, tables.centre),
    )


__all__ = [
    "SMALL_NUMBERS",
    "TREATMENT_WORDS",
    "Assessment",
    "Comparison",
    "Notice",
    "OutcomeResult",
    "PairGap",
    "Scope",
    "Signal",
    "assess",
]
