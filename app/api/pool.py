"""The pool endpoint: a validated request (app/contract/pool.py) pooled as plain JSON, and its schemas.

`pool_json` runs app.analysis.pooling on the request's tables and serializes the answer; tables
from which the estimate cannot be computed become a `PoolError` on ``studies`` (422, like every
other invalid field). `SCHEMAS` are the request and answer's OpenAPI component schemas, kept here
beside the code whose output they describe (app/api/openapi.py adds them to the document);
`EXAMPLES` are the request examples the document shows.
"""

from __future__ import annotations

import math

from app.analysis import pooling
from app.api.encode import JSON, number
from app.api.jsonschema import (
    NUMBER,
    STRING,
    WHOLE,
    Schema,
    array,
    choice,
    closed,
    pair,
    ref,
)
from app.contract import pool as contract
from app.contract.pool import PoolError, PoolRequest, parse_pool

__all__ = ["EXAMPLES", "SCHEMAS", "PoolError", "parse_pool", "pool_json"]


def _tables(request: PoolRequest) -> list[pooling.TwoArm]:
    return [
        pooling.TwoArm(
            label=study.label,
            intervention_events=study.intervention.events,
            intervention_total=study.intervention.total,
            comparator_events=study.comparator.events,
            comparator_total=study.comparator.total,
        )
        for study in request.studies
    ]


def _study_json(study: pooling.StudyResult) -> JSON:
    return {
        "label": study.label,
        "estimate": number(study.estimate),
        "ci": None if study.ci is None else [number(study.ci[0]), number(study.ci[1])],
        "weight": number(study.weight),
    }


def pool_json(request: PoolRequest) -> JSON:
    """Pool a validated request as plain JSON (no NaN); PoolError on studies when it cannot be."""
    try:
        result = pooling.pool(
            _tables(request),
            measure=request.measure,
            model=request.model,
            adjustment=request.adjustment,
            confidence=request.confidence,
        )
    except pooling.PoolingError as error:
        raise PoolError({"studies": [str(error)]}) from None
    het = result.heterogeneity
    warnings = _narrower_than_dl(request, result)
    return {
        "measure": result.measure,
        "model": result.model,
        "method": result.method,
        "estimate": number(result.estimate),
        "ci": [number(result.ci[0]), number(result.ci[1])],
        "p_value": number(result.p_value),
        "heterogeneity": {
            "q": number(het.q),
            "df": het.df,
            "p_value": number(het.p_value),
            "i2": number(het.i2),
            "tau2": number(het.tau2),
        },
        "studies": [_study_json(study) for study in result.studies],
        "warnings": warnings,
    }


def _narrower_than_dl(request: PoolRequest, result: pooling.Pooled) -> list[JSON]:
    """Warn when the untruncated Hartung-Knapp interval is narrower than DerSimonian-Laird's."""
    if result.adjustment != "hartung-knapp":
        return []
    plain = pooling.pool(
        _tables(request), measure=request.measure, model="random", confidence=request.confidence
    )
    # Ratios are compared on the log scale, where both intervals are symmetric.
    if result.se * _crit(result) >= plain.se * _crit(plain):
        return []
    return [
        {
            "code": "narrower_than_dersimonian_laird",
            "text": "The Hartung-Knapp interval is narrower than the DerSimonian-Laird one"
            f" ({_span(result)} vs {_span(plain)}): its scale factor is below 1 with these"
            ' studies. The truncated form ("hartung-knapp-truncated") is never narrower.',
        }
    ]


def _crit(result: pooling.Pooled) -> float:
    """Half the interval's width on the analysis scale, over its standard error."""
    low, high = result.ci
    if result.measure == "risk_difference":
        return (high - low) / 2.0 / result.se
    return (math.log(high) - math.log(low)) / 2.0 / result.se


def _span(result: pooling.Pooled) -> str:
    return f"{result.ci[0]:.4g} to {result.ci[1]:.4g}"


# --------------------------------------------------------------------------- OpenAPI

PERCENT: Schema = {"type": "number", "minimum": 0, "maximum": 100}

POOL_STUDY: Schema = {
    "type": "object",
    "description": f"{contract.DESCRIPTIONS['study']} {WHOLE}",
    "properties": {
        "label": {
            **STRING,
            "minLength": 1,
            "maxLength": contract.MAX_LABEL,
            "description": contract.DESCRIPTIONS["label"],
        },
        **{arm: ref("Counts") for arm in contract.STUDY_FIELDS[1:]},
    },
    "required": list(contract.STUDY_FIELDS),
    "additionalProperties": False,
}

POOL_REQUEST: Schema = {
    "type": "object",
    "description": contract.DESCRIPTIONS["request"]
    + " Tables from which the estimate cannot be computed (e.g. no events in an arm of any study"
    " for a Mantel-Haenszel ratio) are refused with 422 naming studies.",
    "properties": {
        "studies": array(
            ref("PoolStudy"),
            minItems=contract.MIN_STUDIES,
            maxItems=contract.MAX_STUDIES,
        ),
        "measure": {
            **choice(contract.MEASURES),
            "description": contract.DESCRIPTIONS["measure"],
        },
        "model": {
            **choice(contract.MODELS),
            "description": contract.DESCRIPTIONS["model"],
        },
        "adjustment": {
            **choice(contract.ADJUSTMENTS, null=True),
            "description": contract.DESCRIPTIONS["adjustment"],
        },
        "confidence": {
            "type": ["number", "null"],
            "exclusiveMinimum": contract.CONFIDENCE_ABOVE,
            "maximum": contract.CONFIDENCE_MAX,
            "default": contract.DEFAULT_CONFIDENCE,
            "description": contract.DESCRIPTIONS["confidence"],
        },
    },
    "required": ["studies", "measure", "model"],
    "additionalProperties": False,
    # Hartung-Knapp belongs to the random model: with "fixed" only a null adjustment is valid.
    "if": {"properties": {"model": {"const": "fixed"}}, "required": ["model"]},
    "then": {"properties": {"adjustment": {"type": "null"}}},
}

POOL_RESULT: Schema = closed(
    {
        "measure": choice(contract.MEASURES),
        "model": choice(contract.MODELS),
        "method": STRING,
        "estimate": {
            **NUMBER,
            "description": "Intervention vs comparator; ratios > 0.",
        },
        "ci": pair(NUMBER),
        "p_value": {"type": "number", "minimum": 0, "maximum": 1},
        "heterogeneity": closed(
            {
                "q": {"type": "number", "minimum": 0},
                "df": {"type": "integer", "minimum": 0},
                "p_value": {"type": "number", "minimum": 0, "maximum": 1},
                "i2": PERCENT,
                "tau2": {
                    "type": "number",
                    "minimum": 0,
                    "description": "Between-study variance on the analysis scale (log for"
                    " ratios); 0 in the fixed model.",
                },
            },
            "Cochran's Q over studies with an estimate of their own, its df and P; I² in %.",
        ),
        "warnings": array(
            closed(
                {"code": choice(("narrower_than_dersimonian_laird",)), "text": STRING},
                'Given with adjustment "hartung-knapp" when its interval is narrower than'
                " DerSimonian-Laird's for the same studies.",
            )
        ),
        "studies": array(
            closed(
                {
                    "label": STRING,
                    "estimate": {"type": ["number", "null"]},
                    "ci": {"anyOf": [pair(NUMBER), {"type": "null"}]},
                    "weight": PERCENT,
                },
                "A study's own estimate and normal interval (0.5 added to every cell when one is"
                " 0) and its weight in %. estimate and ci are null, in the fixed model only, for a"
                " study with no events in either arm or only events.",
            ),
            minItems=contract.MIN_STUDIES,
            maxItems=contract.MAX_STUDIES,
        ),
    },
    "The pooled estimate (ratios on the natural scale) with its interval, P and heterogeneity.",
)

SCHEMAS: dict[str, Schema] = {
    "PoolStudy": POOL_STUDY,
    "PoolRequest": POOL_REQUEST,
    "PoolResult": POOL_RESULT,
}


def _study(label: str, events: tuple[int, int], totals: tuple[int, int]) -> JSON:
    return {
        "label": label,
        "intervention": {"events": events[0], "total": totals[0]},
        "comparator": {"events": events[1], "total": totals[1]},
    }


# dat.bcg (metafor's BCG vaccine trials), three of its studies; the values metafor prints for them
# are in tests/test_pool_api.py.
BCG = [
    _study("Aronson 1948", (4, 11), (123, 139)),
    _study("Ferguson & Simes 1949", (6, 29), (306, 303)),
    _study("Rosenthal et al 1960", (3, 11), (231, 220)),
]
EXAMPLES: dict[str, Schema] = {
    "random_hartung_knapp": {
        "summary": "Three BCG vaccine trials (metafor's dat.bcg), random effects, Hartung-Knapp",
        "value": {
            "studies": BCG,
            "measure": "risk_ratio",
            "model": "random",
            "adjustment": "hartung-knapp",
            "confidence": 0.95,
        },
    },
    "random_hartung_knapp_truncated": {
        "summary": "The same three trials with the truncated (modified) Hartung-Knapp interval",
        "value": {
            "studies": BCG,
            "measure": "risk_ratio",
            "model": "random",
            "adjustment": "hartung-knapp-truncated",
        },
    },
    "fixed_zero_cell": {
        "summary": "Mantel-Haenszel risk difference, one study without events in an arm",
        "value": {
            "studies": [
                _study("A", (0, 2), (25, 24)),
                _study("B", (3, 1), (40, 38)),
                _study("C", (12, 20), (100, 98)),
            ],
            "measure": "risk_difference",
            "model": "fixed",
        },
    },
}
