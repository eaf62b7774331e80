"""Population criteria: how a study's limit on one scenario field compares with this patient.

One evaluator and one wording per kind of criterion (app/contract/scenario.py Eligibility), never
per field or per study: a field of a known kind brings only its own nouns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from app.contract.scenario import ELIGIBILITY, FIELD, CriterionKind, Eligibility
from app.evidence.model import Criterion, Quote, Study

CriterionStatus = Literal["met", "not_met", "unknown", "not_reported"]
Evaluation = tuple[CriterionStatus, str]


@dataclass(frozen=True, slots=True)
class Reason:
    """How one population criterion compares with the scenario, in plain words."""

    criterion: str
    status: CriterionStatus
    text: str
    source_kind: str
    quote: Quote


# criterion field -> (type of value, value) -> its reason; the type keeps True apart from 1.
ReasonTable = Mapping[str, Mapping[tuple[type, Any], Reason]]


def quantity(words: Eligibility, number: int) -> str:
    """Write a number with the field's unit: '80%', '1 day', '10 days', '64'."""
    return f"{number}{words.quantity[0] if number == 1 else words.quantity[1]}"


def range_text(c: Criterion, words: Eligibility, *, plain: bool = False) -> str:
    """Write a study's range: '70-99%', '21 days or more', 'up to 2'; `plain` for patients:
    '70 to 99%', 'at least 21 days'."""
    unit = words.quantity[1]
    if c.min is not None and c.max is not None:
        return f"{c.min} to {c.max}{unit}" if plain else f"{c.min}-{c.max}{unit}"
    if c.min is not None:
        return f"at least {c.min}{unit}" if plain else f"{c.min}{unit} or more"
    return f"up to {c.max}{unit}"


def allowed_text(c: Criterion, field: str) -> str:
    """List a study's allowed choices for clinicians: 'basilar artery or middle cerebral artery'."""
    names = [FIELD[field].choices[code].clinician.lower() for code in c.allowed]
    return ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]


def limit_text(c: Criterion) -> str:
    """Say who the study enrolled, for clinicians: 'patients aged 30-80', 'only symptomatic stenosis'."""
    words = ELIGIBILITY[c.field]
    if words.kind == "range":
        return words.enrolled.format(range=range_text(c, words))
    if words.kind == "allowed":
        return words.enrolled.format(range=allowed_text(c, c.field))
    return words.enrolled


def limit_sentence(c: Criterion) -> str:
    """State a reported criterion as the evidence page lists it: 'Patients aged 30-80.'"""
    kind = ELIGIBILITY[c.field].kind
    text = {
        "range": "{limit}",
        "required": "Only {limit}",
        "exclusion": "Excluded: {limit}",
        "allowed": "Treated: {limit}",
    }[kind].format(limit=limit_text(c))
    return f"{text[0].upper()}{text[1:]}. {c.note}".strip()


def _ranged(c: Criterion, words: Eligibility, value: int | None) -> Evaluation:
    if value is None:
        return "unknown", words.not_given
    within = (c.min is None or value >= c.min) and (c.max is None or value <= c.max)
    return ("met" if within else "not_met"), words.this.format(value=quantity(words, value))


def _yes_no(c: Criterion, words: Eligibility, value: bool | None) -> Evaluation:
    if value is None:
        return "unknown", words.not_given
    # A required criterion enrolls only the yes; an exclusion criterion enrolls only the no.
    met = value is (words.kind == "required")
    return ("met" if met else "not_met"), words.this if value else words.no


def _allowed(c: Criterion, words: Eligibility, value: str | None) -> Evaluation:
    if value is None:
        return "unknown", words.not_given
    name = FIELD[c.field].choices[value].clinician.lower()
    return ("met" if value in c.allowed else "not_met"), words.this.format(value=name)


EVALUATORS: dict[CriterionKind, Callable[[Criterion, Eligibility, Any], Evaluation]] = {
    "range": _ranged,
    "required": _yes_no,
    "exclusion": _yes_no,
    "allowed": _allowed,
}
VERBS: dict[CriterionKind, str] = {
    "range": "enrolled",
    "required": "enrolled only",
    "exclusion": "excluded",
    "allowed": "treated",
}


def reason(study: Study, field: str, value: Any) -> Reason:
    """Compare one of the study's criteria with the scenario's value for it, in plain words."""
    criterion = study.criteria[field]
    words = ELIGIBILITY[field]
    kind = study.sources[criterion.quote.source].kind
    if not criterion.reported:
        text = f"{study.short_name}: {words.topic} not reported. {criterion.note}"
        return Reason(field, "not_reported", text.strip(), kind, criterion.quote)
    status, fact = EVALUATORS[words.kind](criterion, words, value)
    text = f"{study.short_name} {VERBS[words.kind]} {limit_text(criterion)}; {fact}"
    if kind == "secondary":
        text += " (Criterion from a secondary source.)"
    elif (upper := criterion.upper_quote) and study.sources[upper.source].kind == "secondary":
        text += " (Upper limit from a secondary source.)"
    return Reason(field, status, text, kind, criterion.quote)


__all__ = [
    "CriterionStatus",
    "Reason",
    "allowed_text",
    "limit_sentence",
    "limit_text",
    "quantity",
    "range_text",
    "reason",
]
