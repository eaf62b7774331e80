"""Match a scenario to study comparisons and to each study's population, from the evidence data."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import permutations
from types import MappingProxyType
from typing import Any, Literal

from app.evidence import Criterion, Quote, Study
from app.scenario import ARTERIES, OPTIONS, Scenario, field_values

Status = Literal["applies", "partial", "outside"]
CriterionStatus = Literal["met", "not_met", "unknown", "not_reported"]

STENT_OPTIONS = ("balloon_stent", "self_expanding_stent")
DESIGN_ORDER = {"randomized_trial": 0, "prospective_registry": 1, "retrospective_cohort": 2}
STATUS_ORDER = {"applies": 0, "partial": 1, "outside": 2}
TREATMENT_WORDS = {
    "medical": "medical therapy",
    "angioplasty": "angioplasty alone",
    "balloon_stent": "a balloon-mounted stent",
    "self_expanding_stent": "a self-expanding stent",
    "stent_unspecified": "a stent of unstated type",
}


@dataclass(frozen=True, slots=True)
class Reason:
    """How one population criterion compares with the scenario, in plain words."""

    criterion: str
    status: CriterionStatus
    text: str
    source_kind: str
    quote: Quote


@dataclass(frozen=True, slots=True)
class Applicability:
    status: Status
    reasons: tuple[Reason, ...]


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


# --- population criteria: one evaluator per kind of criterion, never per study ---------------------


def _range_text(criterion: Criterion, unit: str) -> str:
    if criterion.min is not None and criterion.max is not None:
        return f"{criterion.min}-{criterion.max}{unit}"
    if criterion.min is not None:
        return f"{criterion.min}{unit} or more"
    return f"up to {criterion.max}{unit}"


def _in_range(criterion: Criterion, value: int) -> bool:
    low_ok = criterion.min is None or value >= criterion.min
    return low_ok and (criterion.max is None or value <= criterion.max)


Evaluation = tuple[CriterionStatus, str]


def _stenosis(name: str, c: Criterion, percent: int | None) -> Evaluation:
    enrolled = f"{name} enrolled {_range_text(c, '%')} stenosis"
    if percent is None:
        return "unknown", f"{enrolled}; this patient's degree of stenosis was not given."
    status = "met" if _in_range(c, percent) else "not_met"
    return status, f"{enrolled}; this patient has {percent}%."


def _age(name: str, c: Criterion, age: int | None) -> Evaluation:
    enrolled = f"{name} enrolled patients aged {_range_text(c, '')}"
    if age is None:
        return "unknown", f"{enrolled}; this patient's age was not given."
    status = "met" if _in_range(c, age) else "not_met"
    return status, f"{enrolled}; this patient is {age}."


def _days(name: str, c: Criterion, days: int | None) -> Evaluation:
    window = _range_text(c, " days")
    enrolled = f"{name} enrolled patients {window} after the qualifying TIA or stroke"
    if days is None:
        return "unknown", f"{enrolled}; the time since this patient's event was not given."
    status = "met" if _in_range(c, days) else "not_met"
    day_word = "day" if days == 1 else "days"
    return status, f"{enrolled}; this patient's event was {days} {day_word} ago."


def _symptomatic(name: str, c: Criterion, symptomatic: bool | None) -> Evaluation:
    if not c.required:
        return "met", f"{name} enrolled symptomatic and asymptomatic stenosis."
    enrolled = f"{name} enrolled only symptomatic stenosis"
    if symptomatic is None:
        return (
            "unknown",
            f"{enrolled}; whether this patient's stenosis is symptomatic was not given.",
        )
    if symptomatic:
        return "met", f"{enrolled}; this patient's stenosis is symptomatic."
    return "not_met", f"{enrolled}; this patient's stenosis is asymptomatic."


def _artery(name: str, c: Criterion, artery: str | None) -> Evaluation:
    names = [ARTERIES[a].lower() for a in c.allowed]
    listed = ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]
    enrolled = f"{name} treated the {listed}"
    if artery is None:
        return "unknown", f"{enrolled}; this patient's artery was not given."
    status = "met" if artery in c.allowed else "not_met"
    return status, f"{enrolled}; this patient's artery is the {ARTERIES[artery].lower()}."


# Each evaluator reads the scenario field named like its criterion.
EVALUATORS: dict[str, Callable[[str, Criterion, Any], Evaluation]] = {
    "stenosis_percent": _stenosis,
    "symptomatic": _symptomatic,
    "days_since_event": _days,
    "artery": _artery,
    "age": _age,
}
CRITERION_WORDS = {
    "stenosis_percent": "degree of stenosis",
    "symptomatic": "whether the stenosis had to be symptomatic",
    "days_since_event": "time since the qualifying event",
    "artery": "arteries treated",
    "age": "age limits",
}


def reason(study: Study, field: str, value: Any) -> Reason:
    """Compare one of the study's criteria with the scenario's value for it, in plain words."""
    criterion = study.criteria[field]
    kind = study.sources[criterion.quote.source].kind
    if not criterion.reported:
        text = f"{study.short_name}: {CRITERION_WORDS[field]} not reported. {criterion.note}"
        return Reason(field, "not_reported", text.strip(), kind, criterion.quote)
    status, text = EVALUATORS[field](study.short_name, criterion, value)
    if kind == "secondary":
        text += " (Criterion from a secondary source.)"
    return Reason(field, status, text, kind, criterion.quote)


# criterion field -> (type of value, value) -> its reason; the type keeps True apart from 1.
ReasonTable = Mapping[str, Mapping[tuple[type, Any], Reason]]


def reason_table(study: Study) -> ReasonTable:
    """Write the study's reason for every value each criterion's field can hold; call at start-up.

    The scenario contract bounds every such field (app/scenario.py field_values: about 3,800
    values in all), so each reason a study can give is written before any patient is seen and a
    request looks its reasons up. The table holds every value, not the ones asked about.
    """
    table = {}
    for field, criterion in study.criteria.items():
        keys = [(type(value), value) for value in field_values(field)]
        if criterion.reported:
            reasons = {key: reason(study, field, key[1]) for key in keys}
        else:
            reasons = dict.fromkeys(keys, reason(study, field, None))
        table[field] = MappingProxyType(reasons)
    return MappingProxyType(table)


def applicability(
    study: Study, scenario: Scenario, table: ReasonTable | None = None
) -> Applicability:
    """Compare the scenario with every criterion the study reports (and list those it does not).

    Reasons come from the study's reason_table when given; a value it lacks (a Scenario built
    without parse_scenario) is compared as it comes.
    """
    reasons = []
    for field in study.criteria:
        value = getattr(scenario, field)
        found = None if table is None else table[field].get((type(value), value))
        reasons.append(reason(study, field, value) if found is None else found)
    statuses = {r.status for r in reasons}
    overall: Status = (
        "outside" if "not_met" in statuses else "partial" if "unknown" in statuses else "applies"
    )
    return Applicability(overall, tuple(reasons))


def comparison_words(first: str, second: str) -> str:
    return f"{TREATMENT_WORDS[first]} vs {TREATMENT_WORDS[second]}"
