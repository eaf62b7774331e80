"""What each setting and choice of options draws from the evidence, before any patient is looked at.

An assessment's studies, the pairs of chosen options no study compares, the registered trials that
compare them, the outcome families shown side by side and the "no direct comparison" warning
depend only on the setting and the options, so they are tabulated once at start-up for every
setting and ordered choice of distinct options (2 x 64); the engine adds the patient's fit.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from itertools import combinations, permutations

from app.analysis.caveats import Notice
from app.analysis.families import Group
from app.analysis.matching import TREATMENT_WORDS, arm_matches
from app.contract import vocabulary
from app.contract.scenario import OPTIONS, SETTINGS
from app.evidence.model import KnownTrial, Study

SETTING_WORDS = {code: term.short for code, term in vocabulary.SETTINGS.items()}


@dataclass(frozen=True, slots=True)
class Match:
    """Which of the clinician's options each arm of a study's comparison stands for."""

    intervention_option: str | None
    comparator_option: str | None
    unspecified_stent: bool


def match_comparison(study: Study, options: tuple[str, ...]) -> Match | None:
    """Return how the study's comparison maps onto the options, or None when it is not relevant."""
    first = study.arms[study.intervention].treatment
    second = study.arms[study.comparator].treatment
    unspecified = "stent_unspecified" in (first, second)
    if len(options) == 1:
        (option,) = options
        hits = (arm_matches(first, option), arm_matches(second, option))
        if not any(hits):
            return None
        return Match(option if hits[0] else None, option if hits[1] else None, unspecified)
    for a in options:
        for b in options:
            if a != b and arm_matches(first, a) and arm_matches(second, b):
                return Match(a, b, unspecified)
    return None


@dataclass(frozen=True, slots=True)
class PairGap:
    """Two chosen options, more invasive first, that no study in this setting compares."""

    options: tuple[str, str]
    text: str


@dataclass(frozen=True, slots=True)
class Plan:
    """The patient-independent part of an assessment for one setting and choice of options."""

    # (index into the evidence's studies, how its comparison maps onto the options), in file order.
    candidates: tuple[tuple[int, Match], ...]
    warnings: tuple[Notice, ...]
    gaps: tuple[PairGap, ...]
    known_trials: tuple[KnownTrial, ...]
    side_by_side: tuple[Group, ...]


def pairs_without_evidence(
    setting: str, options: Iterable[str], compared: Collection[tuple[str, str, str]]
) -> tuple[PairGap, ...]:
    """List each pair of chosen options that no study in the setting compares, more invasive first.

    `compared` is the evidence base's (setting, option, option) set (analysis.matching.compared_pairs).
    """
    ranked = sorted(options, key=lambda code: vocabulary.INVASIVENESS_RANK[code])
    return tuple(
        PairGap(
            (first, second),
            f"No study in this evidence base compares {TREATMENT_WORDS[first]} with"
            f" {TREATMENT_WORDS[second]} in this setting ({SETTING_WORDS[setting]});"
            " no numbers are borrowed from other comparisons.",
        )
        for first, second in combinations(ranked, 2)
        if (setting, first, second) not in compared
    )


def _stands_for(codes: Iterable[str], option: str) -> bool:
    return any(arm_matches(code, option) for code in codes)


def trial_compares(trial: KnownTrial, first: str, second: str) -> bool:
    """Say whether the registered trial's arms stand for the two options, in either order."""
    arms = trial.intervention, trial.comparator
    return (_stands_for(arms[0], first) and _stands_for(arms[1], second)) or (
        _stands_for(arms[0], second) and _stands_for(arms[1], first)
    )


def known_trials(
    setting: str,
    options: tuple[str, ...],
    register: Iterable[KnownTrial],
    gaps: Iterable[PairGap],
    any_comparison: bool,
) -> tuple[KnownTrial, ...]:
    """List registered trials in the setting that compare a pair no study compares (never numbers).

    With one option and no study including it, a trial with an arm standing for it is named.
    """
    pairs = [gap.options for gap in gaps]
    alone = len(options) == 1 and not any_comparison
    return tuple(
        trial
        for trial in register
        if trial.setting == setting
        and (
            any(trial_compares(trial, first, second) for first, second in pairs)
            or (alone and _stands_for((*trial.intervention, *trial.comparator), options[0]))
        )
    )


def side_by_side(
    setting: str, options: tuple[str, ...], groups: Iterable[Group]
) -> tuple[Group, ...]:
    """Select the outcome-family groups in the setting whose two treatments are both chosen."""
    return tuple(
        g
        for g in groups
        if g.setting == setting
        and any(arm_matches(g.treatments[0], o) for o in options)
        and any(arm_matches(g.treatments[1], o) for o in options)
    )


def no_comparison_warning(
    setting: str, options: tuple[str, ...], available: tuple[str, ...]
) -> Notice:
    """Say that no study compares (or includes) the options, and what the setting does compare."""
    chosen = " with ".join(OPTIONS[o].lower() for o in options)
    what = f"compares {chosen}" if len(options) > 1 else f"includes {chosen}"
    listed = "; ".join(available) if available else "nothing"
    return Notice(
        "no_direct_comparison",
        # The setting's name holds parentheses of its own: a colon, not nested brackets.
        f"No study in this evidence base {what} in this setting: {SETTINGS[setting]}."
        f" In this setting it compares: {listed}. Numbers are never borrowed from other"
        " comparisons.",
    )


def make_plan(
    setting: str,
    options: tuple[str, ...],
    *,
    studies: tuple[Study, ...],
    available: tuple[str, ...],
    compared: Collection[tuple[str, str, str]],
    register: Iterable[KnownTrial],
    families: Iterable[Group],
) -> Plan:
    """Find what the evidence holds for the setting and options (setting is a hard boundary)."""
    candidates = []
    for index, study in enumerate(studies):
        # Acute-LVO evidence never informs an elective decision, nor the reverse.
        if study.setting.value != setting:
            continue
        match = match_comparison(study, options)
        if match is not None:
            candidates.append((index, match))
    gaps = pairs_without_evidence(setting, options, compared)
    return Plan(
        candidates=tuple(candidates),
        warnings=() if candidates else (no_comparison_warning(setting, options, available),),
        gaps=gaps,
        known_trials=known_trials(setting, options, register, gaps, bool(candidates)),
        side_by_side=side_by_side(setting, options, families),
    )


def option_choices() -> Iterable[tuple[str, ...]]:
    """Every ordered choice of distinct options (64 with four options)."""
    for size in range(1, len(OPTIONS) + 1):
        yield from permutations(OPTIONS, size)
