"""Select what the scenario adds beyond single studies: families side by side, and known trials.

Known trials are named, never their numbers, when they compare what no included study compares.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.analysis.families import Group
from app.analysis.matching import arm_matches
from app.contract.scenario import Scenario
from app.engine.scope import PairGap
from app.evidence.model import KnownTrial


def _stands_for(codes: Iterable[str], option: str) -> bool:
    return any(arm_matches(code, option) for code in codes)


def compares(trial: KnownTrial, first: str, second: str) -> bool:
    """Say whether the trial's arms stand for the two options, in either order."""
    arms = trial.intervention, trial.comparator
    return (_stands_for(arms[0], first) and _stands_for(arms[1], second)) or (
        _stands_for(arms[0], second) and _stands_for(arms[1], first)
    )


def side_by_side(scenario: Scenario, groups: Iterable[Group]) -> tuple[Group, ...]:
    """Select the outcome-family groups in the scenario's setting that compare two chosen options."""
    chosen = scenario.options
    return tuple(
        g
        for g in groups
        if g.setting == scenario.setting
        and any(arm_matches(g.treatments[0], o) for o in chosen)
        and any(arm_matches(g.treatments[1], o) for o in chosen)
    )


def known_trials(
    scenario: Scenario,
    register: Iterable[KnownTrial],
    gaps: Iterable[PairGap],
    any_comparison: bool,
) -> tuple[KnownTrial, ...]:
    """List registered trials in the scenario's setting that compare a pair no study compares.

    With one option and no study including it, a trial with an arm standing for it is named.
    """
    in_setting = [t for t in register if t.setting == scenario.setting]
    pairs = [gap.options for gap in gaps]
    found = []
    for trial in in_setting:
        if any(compares(trial, first, second) for first, second in pairs):
            found.append(trial)
        elif len(scenario.options) == 1 and not any_comparison:
            (option,) = scenario.options
            if _stands_for((*trial.intervention, *trial.comparator), option):
                found.append(trial)
    return tuple(found)
