"""Which of the clinician's options each arm of a study stands for, tabulated at start-up."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import permutations
from types import MappingProxyType

from app.contract import vocabulary
from app.contract.scenario import OPTIONS
from app.evidence.model import Study

STENT_OPTIONS = vocabulary.STENT_OPTIONS
TREATMENT_WORDS = {code: term.short for code, term in vocabulary.TREATMENTS.items()}


@dataclass(frozen=True, slots=True)
class Match:
    """Which of the clinician's options each arm of a study's comparison stands for."""

    intervention_option: str | None
    comparator_option: str | None
    unspecified_stent: bool


def arm_matches(treatment: str, option: str) -> bool:
    """An arm stands for an option when the codes agree; an unspecified stent stands for either stent."""
    return treatment == option or (treatment == "stent_unspecified" and option in STENT_OPTIONS)


# options, in the order given -> how the study's comparison maps onto them (None: not relevant).
MatchTable = Mapping[tuple[str, ...], Match | None]


def match_comparison(
    study: Study, options: tuple[str, ...], table: MatchTable | None = None
) -> Match | None:
    """Return how the study's comparison maps onto the options, or None when it is not relevant.

    With the study's match_table the answer is looked up; options it lacks are matched here.
    """
    if table is not None and options in table:
        return table[options]
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


def match_table(study: Study) -> MatchTable:
    """Match the study with every ordered choice of distinct options (64 of them); call at start-up."""
    choices = (
        options for size in range(1, len(OPTIONS) + 1) for options in permutations(OPTIONS, size)
    )
    return MappingProxyType({options: match_comparison(study, options) for options in choices})


def comparison_words(first: str, second: str) -> str:
    return f"{TREATMENT_WORDS[first]} vs {TREATMENT_WORDS[second]}"


def compares(study: Study, first: str, second: str) -> bool:
    """Say whether the study's two arms stand for the two options, in either order."""
    a = study.arms[study.intervention].treatment
    b = study.arms[study.comparator].treatment
    return (arm_matches(a, first) and arm_matches(b, second)) or (
        arm_matches(a, second) and arm_matches(b, first)
    )


def compared_pairs(studies: Iterable[Study]) -> frozenset[tuple[str, str, str]]:
    """List every (setting, option, option) some study compares, in both orders; call at start-up."""
    return frozenset(
        (study.setting.value, first, second)
        for study in studies
        for first, second in permutations(OPTIONS, 2)
        if compares(study, first, second)
    )
