"""Compose evidence, statistics and rules into an assessment of one scenario (no Flask here)."""

from __future__ import annotations

from dataclasses import dataclass

from app.analysis import EvidenceBase, OutcomeStats, StudyAnalysis
from app.evidence import Study
from app.rules import (
    DESIGN_ORDER,
    STATUS_ORDER,
    TREATMENT_WORDS,
    Applicability,
    Match,
    applicability,
    comparison_words,
    match_comparison,
)
from app.scenario import OPTIONS, SETTINGS, Scenario

SMALL_NUMBERS = 10
DESIGN_WORDS = {
    "randomized_trial": "randomized trial",
    "prospective_registry": "prospective registry (observational)",
    "retrospective_cohort": "retrospective cohort (observational)",
}


@dataclass(frozen=True, slots=True)
class Warning:
    """A caveat with a stable code for programs and plain text for people."""

    code: str
    text: str


@dataclass(frozen=True, slots=True)
class Signal:
    """One reason bearing on how far an outcome's evidence can be trusted."""

    code: str
    text: str


@dataclass(frozen=True, slots=True)
class OutcomeResult:
    stats: OutcomeStats
    signals: tuple[Signal, ...]


@dataclass(frozen=True, slots=True)
class Comparison:
    """One relevant study comparison, as it bears on this scenario."""

    analysis: StudyAnalysis
    match: Match
    applicability: Applicability
    outcomes: tuple[OutcomeResult, ...]
    warnings: tuple[Warning, ...]


@dataclass(frozen=True, slots=True)
class Assessment:
    scenario: Scenario
    comparisons: tuple[Comparison, ...]
    warnings: tuple[Warning, ...]
    available: tuple[str, ...]
    evidence_version: str


def outcome_signals(entry: OutcomeStats, analysis: StudyAnalysis) -> tuple[Signal, ...]:
    """List what strengthens or weakens this outcome's evidence, each with its reason."""
    study, outcome = analysis.study, entry.outcome
    design = study.design.value
    signals = [Signal("design", f"Design: {DESIGN_WORDS[design]}.")]
    if design != "randomized_trial":
        signals.append(
            Signal(
                "observational",
                "Not randomized: the groups may differ in ways that affect the result.",
            )
        )
    if entry.intervention is not None and entry.comparator is not None:
        counts = (entry.intervention.events, entry.comparator.events)
        if min(counts) < SMALL_NUMBERS:
            signals.append(
                Signal(
                    "small_numbers",
                    f"Few events ({counts[0]} and {counts[1]}): fewer than {SMALL_NUMBERS} in an arm"
                    " makes the estimate imprecise.",
                )
            )
        rd = entry.risk_difference
        if rd is not None and rd.lower <= 0 <= rd.upper:
            signals.append(
                Signal(
                    "ci_includes_no_difference",
                    "The 95% CI of the difference includes no difference.",
                )
            )
        elif rd is not None:
            signals.append(
                Signal(
                    "ci_excludes_no_difference",
                    "The 95% CI of the difference excludes no difference.",
                )
            )
        derived = [
            f"{name}: {how}"
            for arm in (entry.intervention, entry.comparator)
            for name, how in arm.derived.items()
        ]
        if derived:
            signals.append(
                Signal("derived_counts", "Counts not printed in the source: " + " ".join(derived))
            )
    if outcome.kind == "adjusted_effect":
        adjustments = ", ".join(sorted({e.adjustment for e in outcome.effects}))
        signals.append(
            Signal(
                "adjusted_estimate_only",
                f"Only an adjusted effect is published (adjusted for: {adjustments}); no counts per group.",
            )
        )
    if outcome.kind == "narrative":
        signals.append(Signal("no_numbers", "The source gives no numbers for this outcome."))
    if outcome.kind == "binary" and entry.intervention is None:
        signals.append(
            Signal("no_counts", "Only percentages are printed; group sizes are not given.")
        )
    if any(item.agrees is False for item in entry.audit):
        signals.append(
            Signal(
                "published_figure_not_reproduced",
                "The audit found a published figure for this outcome that disagrees with its recomputation or its counts (see the audit).",
            )
        )
    return tuple(signals)


@dataclass(frozen=True, slots=True)
class _StudyParts:
    """What an assessment takes from one study whatever the patient: built once per analysis."""

    analysis: StudyAnalysis
    outcomes: tuple[OutcomeResult, ...]
    # Warnings about the study itself, before and after the stent-type warning (see below).
    design_warnings: tuple[Warning, ...]
    data_warnings: tuple[Warning, ...]


# Keyed by id() and checked by identity (an entry holds its analysis, so the id cannot be reused
# while cached); cleared when full, so apps built and dropped (as tests do) cannot grow it.
_PARTS: dict[int, _StudyParts] = {}
_PARTS_MAX = 64


def _design_warnings(study: Study) -> tuple[Warning, ...]:
    warnings = []
    if study.design.value != "randomized_trial":
        warnings.append(
            Warning(
                "observational",
                f"{study.short_name} is a {DESIGN_WORDS[study.design.value]}: treatment was not assigned"
                " at random, so differences may reflect who was treated rather than the treatment.",
            )
        )
    warnings += [Warning(c.code, c.text) for c in study.caveats if c.code in ("stopped_early",)]
    if study.unit.value == "procedures":
        warnings.append(
            Warning(
                "unit_is_procedure",
                "Counts are procedures, not patients; a patient may count more than once.",
            )
        )
    return tuple(warnings)


def _data_warnings(analysis: StudyAnalysis) -> tuple[Warning, ...]:
    study = analysis.study
    warnings = []
    outcomes = analysis.outcomes
    results = [r for o in study.outcomes for r in (*o.arms.values(), o.overall) if r is not None]
    if any(r.derived for r in results) or any(arm.derived for arm in study.arms.values()):
        warnings.append(
            Warning(
                "derived_counts",
                "Some counts are not printed in the source and were derived; each is marked.",
            )
        )
    if any(o.outcome.kind == "adjusted_effect" for o in outcomes):
        warnings.append(
            Warning(
                "adjusted_estimate_only",
                "Some outcomes are published only as adjusted effects, without counts per group.",
            )
        )
    small = [
        o.outcome.label
        for o in outcomes
        if o.intervention
        and o.comparator
        and min(o.intervention.events, o.comparator.events) < SMALL_NUMBERS
    ]
    if small:
        warnings.append(
            Warning(
                "small_numbers",
                f"Fewer than {SMALL_NUMBERS} events in an arm for {len(small)} outcome(s); estimates are imprecise.",
            )
        )
    if disagreements := analysis.disagreements:
        warnings.append(
            Warning(
                "published_figure_not_reproduced",
                f"{len(disagreements)} published figure(s) could not be reproduced; see the audit.",
            )
        )
    return tuple(warnings)


def _parts(analysis: StudyAnalysis) -> _StudyParts:
    parts = _PARTS.get(id(analysis))
    if parts is not None and parts.analysis is analysis:
        return parts
    parts = _StudyParts(
        analysis=analysis,
        outcomes=tuple(OutcomeResult(o, outcome_signals(o, analysis)) for o in analysis.outcomes),
        design_warnings=_design_warnings(analysis.study),
        data_warnings=_data_warnings(analysis),
    )
    if len(_PARTS) >= _PARTS_MAX:
        _PARTS.clear()
    _PARTS[id(analysis)] = parts
    return parts


def outcome_results(analysis: StudyAnalysis) -> tuple[OutcomeResult, ...]:
    """Every outcome of a study with its signals; the same tuple each time for the same analysis."""
    return _parts(analysis).outcomes


def _comparison_warnings(
    analysis: StudyAnalysis, match: Match, fit: Applicability, scenario: Scenario
) -> tuple[Warning, ...]:
    study, parts = analysis.study, _parts(analysis)
    warnings: list[Warning] = []
    if fit.status == "outside":
        unmet = " ".join(r.text for r in fit.reasons if r.status == "not_met")
        warnings.append(
            Warning("outside_population", f"This patient is outside the study population: {unmet}")
        )
    elif fit.status == "partial":
        warnings.append(
            Warning(
                "population_partly_unknown",
                "Some criteria could not be checked because the scenario leaves them unknown.",
            )
        )
    warnings += parts.design_warnings
    if match.unspecified_stent:
        warnings.append(
            Warning(
                "stent_type_not_reported",
                f"{study.short_name} does not say which type of stent was used; it is shown for the stent"
                " option you chose, but may not represent it.",
            )
        )
    warnings += parts.data_warnings
    for note in study.scenario_notes:
        weighed = note.option in (match.intervention_option, match.comparator_option)
        if weighed and getattr(scenario, note.field) is note.equals:
            warnings.append(Warning("subgroup_note", note.text))
    return tuple(warnings)


def available_comparisons(base: EvidenceBase, setting: str) -> tuple[str, ...]:
    """Describe every comparison the evidence base holds in one setting."""
    return tuple(
        f"{comparison_words(a.study.arms[a.study.intervention].treatment, a.study.arms[a.study.comparator].treatment)}"
        f" ({a.study.short_name})"
        for a in base.studies
        if a.study.setting.value == setting
    )


def assess(scenario: Scenario, base: EvidenceBase) -> Assessment:
    """Find the comparisons relevant to the scenario and how well the patient fits each."""
    comparisons = []
    for analysis in base.studies:
        # Setting is a hard boundary: acute-LVO evidence never informs an elective decision.
        if analysis.study.setting.value != scenario.setting:
            continue
        match = match_comparison(analysis.study, scenario.options)
        if match is None:
            continue
        fit = applicability(analysis.study, scenario)
        comparisons.append(
            Comparison(
                analysis=analysis,
                match=match,
                applicability=fit,
                outcomes=outcome_results(analysis),
                warnings=_comparison_warnings(analysis, match, fit, scenario),
            )
        )
    comparisons.sort(
        key=lambda c: (
            STATUS_ORDER[c.applicability.status],
            DESIGN_ORDER[c.analysis.study.design.value],
        )
    )
    available = available_comparisons(base, scenario.setting)
    warnings = []
    if not comparisons:
        chosen = " with ".join(OPTIONS[o].lower() for o in scenario.options)
        what = f"compares {chosen}" if len(scenario.options) > 1 else f"includes {chosen}"
        listed = "; ".join(available) if available else "nothing"
        warnings.append(
            Warning(
                "no_direct_comparison",
                f"No study in this evidence base {what} in this setting"
                f" ({SETTINGS[scenario.setting]}). In this setting it compares: {listed}."
                " Numbers are never borrowed from other comparisons.",
            )
        )
    return Assessment(
        scenario=scenario,
        comparisons=tuple(comparisons),
        warnings=tuple(warnings),
        available=available,
        evidence_version=base.version,
    )


__all__ = ["TREATMENT_WORDS", "Assessment", "Comparison", "Warning", "assess", "outcome_results"]
