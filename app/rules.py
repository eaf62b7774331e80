"""Match a scenario to study comparisons and to each study's population, from the evidence data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from app.evidence import Criterion, Quote, Study
from app.scenario import ARTERIES, Scenario

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


def _stenosis(name: str, c: Criterion, s: Scenario) -> Evaluation:
    enrolled = f"{name} enrolled {_range_text(c, '%')} stenosis"
    if s.stenosis_percent is None:
        return "unknown", f"{enrolled}; this patient's degree of stenosis was not given."
    status = "met" if _in_range(c, s.stenosis_percent) else "not_met"
    return status, f"{enrolled}; this patient has {s.stenosis_percent}%."


def _age(name: str, c: Criterion, s: Scenario) -> Evaluation:
    enrolled = f"{name} enrolled patients aged {_range_text(c, '')}"
    if s.age is None:
        return "unknown", f"{enrolled}; this patient's age was not given."
    status = "met" if _in_range(c, s.age) else "not_met"
    return status, f"{enrolled}; this patient is {s.age}."


def _days(name: str, c: Criterion, s: Scenario) -> Evaluation:
    window = _range_text(c, " days")
    enrolled = f"{name} enrolled patients {window} after the qualifying TIA or stroke"
    if s.days_since_event is None:
        return "unknown", f"{enrolled}; the time since this patient's event was not given."
    status = "met" if _in_range(c, s.days_since_event) else "not_met"
    day_word = "day" if s.days_since_event == 1 else "days"
    return status, f"{enrolled}; this patient's event was {s.days_since_event} {day_word} ago."


def _symptomatic(name: str, c: Criterion, s: Scenario) -> Evaluation:
    if not c.required:
        return "met", f"{name} enrolled symptomatic and asymptomatic stenosis."
    enrolled = f"{name} enrolled only symptomatic stenosis"
    if s.symptomatic is None:
        return (
            "unknown",
            f"{enrolled}; whether this patient's stenosis is symptomatic was not given.",
        )
    if s.symptomatic:
        return "met", f"{enrolled}; this patient's stenosis is symptomatic."
    return "not_met", f"{enrolled}; this patient's stenosis is asymptomatic."


def _artery(name: str, c: Criterion, s: Scenario) -> Evaluation:
    names = [ARTERIES[a].lower() for a in c.allowed]
    listed = ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]
    enrolled = f"{name} treated the {listed}"
    if s.artery is None:
        return "unknown", f"{enrolled}; this patient's artery was not given."
    status = "met" if s.artery in c.allowed else "not_met"
    return status, f"{enrolled}; this patient's artery is the {ARTERIES[s.artery].lower()}."


EVALUATORS: dict[str, Callable[[str, Criterion, Scenario], Evaluation]] = {
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


def applicability(study: Study, scenario: Scenario) -> Applicability:
    """Compare the scenario with every criterion the study reports (and list those it does not)."""
    reasons = []
    for field, criterion in study.criteria.items():
        kind = study.sources[criterion.quote.source].kind
        if not criterion.reported:
            text = f"{study.short_name}: {CRITERION_WORDS[field]} not reported. {criterion.note}"
            reasons.append(Reason(field, "not_reported", text.strip(), kind, criterion.quote))
            continue
        status, text = EVALUATORS[field](study.short_name, criterion, scenario)
        if kind == "secondary":
            text += " (Criterion from a secondary source.)"
        reasons.append(Reason(field, status, text, kind, criterion.quote))
    statuses = {r.status for r in reasons}
    overall: Status = (
        "outside" if "not_met" in statuses else "partial" if "unknown" in statuses else "applies"
    )
    return Applicability(overall, tuple(reasons))


def comparison_words(first: str, second: str) -> str:
    return f"{TREATMENT_WORDS[first]} vs {TREATMENT_WORDS[second]}"
