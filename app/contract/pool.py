"""The pool request's contract: two to a hundred two-arm binary results to combine into one estimate.

Pure: `parse_pool` validates the JSON body of ``POST /api/v1/pool`` into a frozen `PoolRequest` or
raises `PoolError` whose ``fields`` maps dotted field names ("studies[2].intervention.events") to
messages. The pooling itself is app/analysis/pooling.py; app/api/pool.py joins the two.
Contract choices:

- ``studies`` holds 2 to `MAX_STUDIES` (100) objects ``{"label", "intervention", "comparator"}``;
  each arm's counts follow the two-by-two contract (app/contract/twobytwo.py: whole numbers, total
  1 to 1,000,000, events 0 to the total) with the same messages. Outside 2-100 only the count is
  reported, not every study. The 16 KB body limit holds too: 100 studies fit with short labels.
- ``label`` is text of 1 to `MAX_LABEL` (80) characters, returned as given; labels need not be
  unique.
- ``measure`` ("risk_ratio", "risk_difference", "odds_ratio") and ``model`` ("fixed", "random")
  are required: the choice changes the answer, so none is assumed.
- ``adjustment`` is optional: null (or absent), "hartung-knapp" (metafor's test="knha") or
  "hartung-knapp-truncated" (test="adhoc"), which apply to the random model only (asking for one
  with "fixed" is refused on ``adjustment``).
- ``confidence`` is optional (default 0.95), a number greater than 0.5 and at most 0.999, as in
  the two-by-two contract; it sets the pooled and every study's interval.
- null for an optional field means "not given"; null for a required field is "Required.".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

# The same checks and messages as the two-by-two request, so that an arm reads alike in both.
from app.contract.twobytwo import (
    ARMS,
    CONFIDENCE_ABOVE,
    CONFIDENCE_MAX,
    DEFAULT_CONFIDENCE,
    MAX_NAME,
    Counts,
    _arm,
    _confidence,
    _describe,
    _unknown,
)

__all__ = [
    "ADJUSTMENTS",
    "CONFIDENCE_ABOVE",
    "CONFIDENCE_MAX",
    "DEFAULT_CONFIDENCE",
    "FIELDS",
    "MAX_LABEL",
    "MAX_NAME",
    "MAX_STUDIES",
    "MEASURES",
    "MIN_STUDIES",
    "MODELS",
    "STUDY_FIELDS",
    "PoolError",
    "PoolRequest",
    "PoolStudy",
    "parse_pool",
]

MIN_STUDIES = 2
MAX_STUDIES = 100
MAX_LABEL = 80
MEASURES = ("risk_ratio", "risk_difference", "odds_ratio")
MODELS = ("fixed", "random")
ADJUSTMENTS = ("hartung-knapp", "hartung-knapp-truncated")
FIELDS = ("studies", "measure", "model", "adjustment", "confidence")
STUDY_FIELDS = ("label", *ARMS)
# The request's own words for its API description; the schema adds the limits above.
DESCRIPTIONS = {
    "request": "Two to a hundred two-arm binary results (events out of total in each arm) to pool"
    " into one risk ratio, odds ratio or risk difference, intervention vs comparator.",
    "study": "One study's result. Each arm's events must not exceed its total.",
    "label": "The study's name as it should appear in the answer.",
    "measure": "The effect measure pooled; ratios are answered on the natural scale.",
    "model": "fixed: Mantel-Haenszel; random: DerSimonian-Laird (inverse variance on the log scale"
    " for ratios).",
    "adjustment": 'null or absent: normal intervals; "hartung-knapp": the Hartung-Knapp interval'
    ' and P (t distribution, k-1 df; metafor test="knha"), answered with a warning whenever its'
    ' interval is narrower than DerSimonian-Laird\'s; "hartung-knapp-truncated": the modified'
    " (truncated) form whose scale factor is never below 1, so its interval is never narrower"
    ' than DerSimonian-Laird\'s (metafor test="adhoc"). Random model only.',
    "confidence": "Confidence level of every interval; null or absent: 0.95.",
}


@dataclass(frozen=True, slots=True)
class PoolStudy:
    """One validated study: its label and each arm's counts."""

    label: str
    intervention: Counts
    comparator: Counts


@dataclass(frozen=True, slots=True)
class PoolRequest:
    """A validated pool request."""

    studies: tuple[PoolStudy, ...]
    measure: Literal["risk_ratio", "risk_difference", "odds_ratio"]
    model: Literal["fixed", "random"]
    adjustment: Literal["hartung-knapp", "hartung-knapp-truncated"] | None = None
    confidence: float = DEFAULT_CONFIDENCE


class PoolError(ValueError):
    """A request that breaks the contract; `fields` maps each dotted field name to its messages."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        self.fields = {name: list(messages) for name, messages in errors.items()}
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in self.fields.items()))


def _label(name: str, raw: Any, errors: dict[str, list[str]]) -> str | None:
    if raw is None:
        errors.setdefault(name, []).append("Required.")
    elif not isinstance(raw, str):
        errors.setdefault(name, []).append(f"Must be text; got {_describe(raw)}.")
    elif not 1 <= len(raw) <= MAX_LABEL:
        errors.setdefault(name, []).append(
            f"Must be 1 to {MAX_LABEL} characters long; got {len(raw)}."
        )
    else:
        return raw
    return None


def _study(index: int, data: Any, errors: dict[str, list[str]]) -> PoolStudy | None:
    name = f"studies[{index}]"
    if not isinstance(data, Mapping):
        errors.setdefault(name, []).append(
            f"Must be an object with {', '.join(STUDY_FIELDS)}; got {_describe(data)}."
        )
        return None
    _unknown(data, STUDY_FIELDS, f"{name}.", errors)
    label = _label(f"{name}.label", data.get("label"), errors)
    intervention = _arm(f"{name}.intervention", data.get("intervention"), errors)
    comparator = _arm(f"{name}.comparator", data.get("comparator"), errors)
    if label is None or intervention is None or comparator is None:
        return None
    return PoolStudy(label, intervention, comparator)


def _studies(raw: Any, errors: dict[str, list[str]]) -> tuple[PoolStudy, ...] | None:
    wanted = f"a list of {MIN_STUDIES} to {MAX_STUDIES} studies"
    if raw is None:
        errors.setdefault("studies", []).append("Required.")
        return None
    if not isinstance(raw, list):
        errors.setdefault("studies", []).append(f"Must be {wanted}; got {_describe(raw)}.")
        return None
    if not MIN_STUDIES <= len(raw) <= MAX_STUDIES:
        errors.setdefault("studies", []).append(f"Must be {wanted}; got {len(raw)}.")
        return None
    studies = [_study(index, item, errors) for index, item in enumerate(raw)]
    if any(study is None for study in studies):
        return None
    return tuple(s for s in studies if s is not None)


def _choice(name: str, raw: Any, allowed: tuple[str, ...], errors: dict[str, list[str]]) -> None:
    if raw is None:
        errors.setdefault(name, []).append(f"Required: one of {', '.join(allowed)}.")
    elif raw not in allowed:
        errors.setdefault(name, []).append(
            f"Must be one of: {', '.join(allowed)}; got {_describe(raw)}."
        )


def parse_pool(data: Any) -> PoolRequest:
    """Validate a pool request body; raise PoolError naming every bad field."""
    if not isinstance(data, Mapping):
        raise PoolError({"body": [f"Must be a JSON object; got {_describe(data)}."]})
    errors: dict[str, list[str]] = {}
    _unknown(data, FIELDS, "", errors)
    studies = _studies(data.get("studies"), errors)
    measure, model, adjustment = (
        data.get("measure"),
        data.get("model"),
        data.get("adjustment"),
    )
    _choice("measure", measure, MEASURES, errors)
    _choice("model", model, MODELS, errors)
    if adjustment is not None:
        if adjustment not in ADJUSTMENTS:
            errors.setdefault("adjustment", []).append(
                f"Must be null or one of: {', '.join(ADJUSTMENTS)}; got {_describe(adjustment)}."
            )
        elif model == "fixed":
            errors.setdefault("adjustment", []).append(
                'Applies to the random model only; give null, or "model": "random".'
            )
    confidence: float | None = DEFAULT_CONFIDENCE
    if data.get("confidence") is not None:
        confidence, error = _confidence(data["confidence"])
        if error:
            errors.setdefault("confidence", []).append(error)
    if errors or studies is None or confidence is None:
        raise PoolError(errors)
    # _choice has checked both against their literals above.
    return PoolRequest(studies, measure, model, adjustment, confidence)  # type: ignore[arg-type]
