"""What an assessment cannot answer: pairs of chosen options no study compares, and scope."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations
from typing import Literal

from app.analysis.matching import TREATMENT_WORDS, arm_matches
from app.contract import vocabulary
from app.contract.scenario import Scenario
from app.engine.applicability import Applicability
from app.evidence.model import Study

ScopeStatus = Literal["in_scope", "outside"]
SETTING_WORDS = {code: term.short for code, term in vocabulary.SETTINGS.items()}


@dataclass(frozen=True, slots=True)
class PairGap:
    """Two chosen options, more invasive first, that no study in this setting compares."""

    options: tuple[str, str]
    text: str


@dataclass(frozen=True, slots=True)
class Scope:
    """Whether the evidence base speaks to this scenario at all, and why not."""

    status: ScopeStatus
    reasons: tuple[str, ...]


IN_SCOPE = Scope("in_scope", ())


def compares(study: Study, first: str, second: str) -> bool:
    """Say whether the study's two arms stand for the two options, in either order."""
    a = study.arms[study.intervention].treatment
    b = study.arms[study.comparator].treatment
    return (arm_matches(a, first) and arm_matches(b, second)) or (
        arm_matches(a, second) and arm_matches(b, first)
    )


def pairs_without_evidence(scenario: Scenario, studies: Iterable[Study]) -> tuple[PairGap, ...]:
    """List each pair of chosen options that no study in the scenario's setting compares."""
    in_setting = [s for s in studies if s.setting.value == scenario.setting]
    ranked = sorted(scenario.options, key=lambda code: vocabulary.INVASIVENESS_RANK[code])
    gaps = []
    for first, second in combinations(ranked, 2):
        if any(compares(study, first, second) for study in in_setting):
            continue
        gaps.append(
            PairGap(
                (first, second),
                f"No study in this evidence base compares {TREATMENT_WORDS[first]} with"
                f" {TREATMENT_WORDS[second]} in this setting ({SETTING_WORDS[scenario.setting]});"
                " no numbers are borrowed from other comparisons.",
            )
        )
    return tuple(gaps)


def scenario_outside(scenario: Scenario) -> tuple[str, ...]:
    """Say why the scenario lies outside what the tool covers (the elective setting's limits)."""
    if scenario.setting != "symptomatic_icas":
        return ()
    reasons = []
    if scenario.symptomatic is False:
        reasons.append(
            "The stenosis is asymptomatic: this tool covers symptomatic intracranial stenosis only."
        )
    if scenario.stenosis_percent == 100:
        reasons.append(
            "100% is an occlusion, not a stenosis: the elective setting covers stenosis, not"
            " chronic occlusion."
        )
    elif scenario.stenosis_percent == 0:
        reasons.append("0% means no stenosis: there is nothing for these treatments to treat.")
    return tuple(reasons)


def scope(scenario: Scenario, fits: Iterable[tuple[str, Applicability]]) -> Scope:
    """Outside when the scenario is beyond the tool's coverage or every comparison is outside."""
    reasons = list(scenario_outside(scenario))
    fits = list(fits)
    if fits and all(fit.status == "outside" for _, fit in fits):
        names = ", ".join(name for name, _ in fits)
        reasons.append(
            f"This patient is outside the population of every study that compares these options"
            f" ({names})."
        )
    return Scope("outside", tuple(reasons)) if reasons else IN_SCOPE
