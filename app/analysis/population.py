"""Every reason a study's population criteria can give, for every value the contract allows."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from app.contract.scenario import ARTERIES, FIELDS, field_values
from app.evidence.model import Criterion, Quote, Study

CriterionStatus = Literal["met", "not_met", "unknown", "not_reported"]


@dataclass(frozen=True, slots=True)
class Reason:
    """How one population criterion compares with the scenario, in plain words."""

    criterion: str
    status: CriterionStatus
    text: str
    source_kind: str
    quote: Quote


# One evaluator per kind of criterion, never per study.


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


def _ranged(
    c: Criterion, value: int | None, enrolled: str, not_given: str, this: str
) -> Evaluation:
    """Evaluate a whole-number criterion: unknown without a value, else met when within range."""
    if value is None:
        return "unknown", f"{enrolled}; {not_given}"
    return ("met" if _in_range(c, value) else "not_met"), f"{enrolled}; {this}"


def _stenosis(name: str, c: Criterion, percent: int | None) -> Evaluation:
    enrolled = f"{name} enrolled {_range_text(c, '%')} stenosis"
    not_given = "this patient's degree of stenosis was not given."
    return _ranged(c, percent, enrolled, not_given, f"this patient has {percent}%.")


def _age(name: str, c: Criterion, age: int | None) -> Evaluation:
    enrolled = f"{name} enrolled patients aged {_range_text(c, '')}"
    return _ranged(c, age, enrolled, "this patient's age was not given.", f"this patient is {age}.")


def _days(name: str, c: Criterion, days: int | None) -> Evaluation:
    window = _range_text(c, " days")
    enrolled = f"{name} enrolled patients {window} after the qualifying TIA or stroke"
    not_given = "the time since this patient's event was not given."
    ago = f"this patient's event was {days} {'day' if days == 1 else 'days'} ago."
    return _ranged(c, days, enrolled, not_given, ago)


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


def _mrs(name: str, c: Criterion, score: int | None) -> Evaluation:
    enrolled = f"{name} enrolled patients with a modified Rankin score of {_range_text(c, '')}"
    not_given = "this patient's baseline score was not given."
    return _ranged(c, score, enrolled, not_given, f"this patient's score is {score}.")


def _perforator(name: str, c: Criterion, perforator: bool | None) -> Evaluation:
    excluded = (
        f"{name} excluded patients whose qualifying stroke was a perforator (brainstem or basal"
        " ganglia) infarct"
    )
    if perforator is None:
        return "unknown", f"{excluded}; for this patient that was not given."
    if perforator:
        return "not_met", f"{excluded}; this patient's qualifying stroke was one."
    return "met", f"{excluded}; this patient's qualifying stroke was not."


# Each evaluator reads the scenario field named like its criterion.
EVALUATORS: dict[str, Callable[[str, Criterion, Any], Evaluation]] = {
    "stenosis_percent": _stenosis,
    "symptomatic": _symptomatic,
    "days_since_event": _days,
    "artery": _artery,
    "age": _age,
    "mrs": _mrs,
    "perforator_infarct": _perforator,
}
CRITERION_WORDS = {f.name: f.criterion_words for f in FIELDS if f.criterion}


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
    elif (upper := criterion.upper_quote) and study.sources[upper.source].kind == "secondary":
        text += " (Upper limit from a secondary source.)"
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
