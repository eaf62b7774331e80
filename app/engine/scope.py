"""Whether the evidence speaks to the scenario at all: the tool's coverage and every study's fit.

Pairs of chosen options no study compares are tabulated at start-up (app/engine/plans.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from app.contract.scenario import Scenario
from app.engine.applicability import Applicability

ScopeStatus = Literal["in_scope", "outside"]


@dataclass(frozen=True, slots=True)
class Scope:
    """Whether the evidence base speaks to this scenario at all, and why not."""

    status: ScopeStatus
    reasons: tuple[str, ...]


IN_SCOPE = Scope("in_scope", ())


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
