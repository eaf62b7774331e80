"""This patient's absolute risks as plain JSON (`personal_risks` of each comparison) and their schema."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any

from app.analysis.relative import RULE
from app.api.jsonschema import NUMBER, STRING, Schema, array, choice, closed, pair
from app.engine.personal import FamilyRisks, PersonalRisk, PresetRisks, Range

JSON = dict[str, Any]


def _n(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _with(risk: PersonalRisk) -> JSON | None:
    value = risk.with_intervention
    if value is None:
        return None
    return {
        "percent": _n(value.value),
        "ci": [_n(value.lower), _n(value.upper)],
        "source": risk.source,
        "counts": list(risk.centre) if risk.centre else None,
    }


def _difference(value: Range | None) -> JSON | None:
    if value is None:
        return None
    return {"points": _n(value.value), "ci": [_n(value.lower), _n(value.upper)]}


def risk_json(family: FamilyRisks, risk: PersonalRisk) -> JSON:
    """One family at one baseline, as the issue's `personal_risks` entry."""
    effect, baseline, ratio = risk.effect, risk.baseline, risk.ratio
    return {
        "family": effect.family.id,
        "label": effect.family.label,
        "timeframe": effect.family.timeframe,
        "event": effect.event,
        "options": list(effect.treatments),
        "baseline": {
            "percent": baseline.percent,
            "source": baseline.source,
            "study": baseline.study,
            "applicability": baseline.applicability,
            "counts": list(baseline.counts) if baseline.counts else None,
        },
        "relative_effect": None
        if ratio is None
        else {
            "measure": ratio.measure,
            "value": _n(ratio.value),
            "ci": [_n(ratio.lower), _n(ratio.upper)],
            "source": ratio.source,
            "studies": list(ratio.studies),
            "i2": None if ratio.i2 is None else _n(ratio.i2),
            "method": ratio.how,
            "randomized": ratio.randomized,
        },
        "why": family.why,
        "with_intervention": _with(risk),
        "difference": _difference(risk.difference),
        "nnt": None if risk.nnt is None else {"value": risk.nnt.value, "kind": risk.nnt.kind},
        "note": risk.note or None,
        "assumption": risk.assumption or None,
    }


def prepare_risks(
    presets: Iterable[PresetRisks], study_id: str, encode: Callable[[JSON], Any]
) -> Mapping[int, tuple[Any, ...]]:
    """Encode once the entries of every family risks tabulated for a family of the study
    (engine/personal.py PresetRisks), by the identity of those FamilyRisks."""
    return MappingProxyType(
        {
            id(family): tuple(encode(risk_json(family, r)) for r in family.risks)
            for table in presets
            if study_id in table.studies
            for family in table.by_fit.values()
        }
    )


def personal_risks_json(
    families: tuple[FamilyRisks, ...], prepared: Mapping[int, tuple[Any, ...]] | None = None
) -> list[Any]:
    """Every family of a comparison at every baseline, in order (`prepared`: the entries of the
    family risks tabulated at start-up, encoded once, by the identity of those FamilyRisks: alive
    as long as the engine's tables, no other object shares an id with them)."""
    found: list[Any] = []
    for f in families:
        ready = prepared.get(id(f)) if prepared is not None else None
        found += [risk_json(f, r) for r in f.risks] if ready is None else ready
    return found


NULLABLE_NUMBER: Schema = {"type": ["number", "null"]}
PERCENT_CI: Schema = closed(
    {
        "percent": NUMBER,
        "ci": pair(NUMBER),
        "source": choice(("relative_effect", "centre")),
        "counts": {"anyOf": [pair({"type": "integer"}), {"type": "null"}]},
    },
    "The risk with the more invasive option (%) at the baseline and its 95% CI. source"
    " relative_effect: baseline x the risk ratio's ends, or the odds-ratio conversion; the"
    " baseline is treated as known (counts null). source centre (use_centre_early_risk, early"
    " horizon only): the centre's own rate with its exact Clopper-Pearson 95% CI, counts its"
    " events and procedures; difference and nnt are then null (not a randomized comparison).",
)

PERSONAL_RISK: Schema = closed(
    {
        "family": STRING,
        "label": STRING,
        "timeframe": {**STRING, "description": "The family's time frame: the only horizon."},
        "event": choice(("harmful", "beneficial")),
        "options": pair(STRING),
        "baseline": closed(
            {
                "percent": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 100},
                "source": choice(("entered", "study")),
                "study": {"type": ["string", "null"]},
                "applicability": {
                    **choice(("applies", "unknown", "outside"), null=True),
                    "description": "Whether this patient fits the preset's study; null when"
                    " entered.",
                },
                "counts": {"anyOf": [pair({"type": "integer"}), {"type": "null"}]},
            },
            "The risk with the comparator option at the family's time frame: entered, or a"
            " member study's comparator arm (events/total), applicable studies first.",
        ),
        "relative_effect": {
            "anyOf": [
                closed(
                    {
                        "measure": choice(("risk_ratio", "odds_ratio")),
                        "value": NUMBER,
                        "ci": pair(NUMBER),
                        "source": choice(("pooled", "study")),
                        "studies": array(STRING, minItems=1),
                        "i2": NULLABLE_NUMBER,
                        "method": STRING,
                        "randomized": {"type": "boolean"},
                    }
                ),
                {"type": "null"},
            ],
            "description": f"The relative effect the rule chooses: {RULE}",
        },
        "why": STRING,
        "with_intervention": {"anyOf": [PERCENT_CI, {"type": "null"}]},
        "difference": {
            "anyOf": [
                closed(
                    {"points": NUMBER, "ci": pair(NUMBER)},
                    "with_intervention - baseline, in percentage points, with the same ends.",
                ),
                {"type": "null"},
            ]
        },
        "nnt": {
            "anyOf": [
                closed({"value": NUMBER, "kind": choice(("NNTB", "NNTH"))}),
                {"type": "null"},
            ],
            "description": "Only over a fixed horizon and where the difference's CI excludes 0.",
        },
        "note": {"type": ["string", "null"]},
        "assumption": {"type": ["string", "null"]},
    },
    "This patient's absolute risks for one outcome family at one baseline (GRADE Summary-of-"
    "Findings arithmetic). with_intervention and difference are null when there is no relative"
    " effect, or when the product would be above 100% (note says so).",
)
