"""Which treatments a study compares, and which of the four options each of its arms stands for."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import permutations

from app.contract import vocabulary
from app.evidence.model import Study

STENT_OPTIONS = vocabulary.STENT_OPTIONS
OPTIONS = tuple(vocabulary.OPTIONS)
TREATMENT_WORDS = {code: term.short for code, term in vocabulary.TREATMENTS.items()}


def arm_matches(treatment: str, option: str) -> bool:
    """An arm stands for an option when the codes agree; an unspecified stent stands for either stent."""
    return treatment == option or (treatment == "stent_unspecified" and option in STENT_OPTIONS)


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
