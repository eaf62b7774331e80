"""The centre's own results in the assess answer (`centre_comparisons`) and their JSON Schemas.

Each trial arm's ``difference`` and ``p_value`` are the same objects ``POST /api/v1/two-by-two``
returns as ``risk_difference`` and ``p_value`` for the table (centre as intervention, the trial
arm as comparator), built by the same serializers.
"""

from __future__ import annotations

from typing import get_args

from app.analysis.funnel import Limits
from app.api.encode import JSON, interval_json, number, p_json
from app.api.jsonschema import (
    BOOLEAN,
    COUNT,
    PROPORTION,
    STRING,
    Schema,
    array,
    choice,
    closed,
    nullable,
    ref,
)
from app.contract import centre as contract
from app.contract import vocabulary
from app.engine.centre import ArmComparison, CentreComparison, Verdict


def _limits_json(limits: Limits) -> JSON:
    return {
        "n": limits.n,
        "lower_998": number(limits.lower_998),
        "lower_95": number(limits.lower_95),
        "upper_95": number(limits.upper_95),
        "upper_998": number(limits.upper_998),
    }


def _arm_json(c: ArmComparison) -> JSON:
    arm = c.arm
    return {
        "study_id": arm.study.id,
        "study": arm.study.short_name,
        "outcome_id": arm.outcome.id,
        "arm": arm.arm_label,
        "design": arm.study.design.value,
        "events": arm.events,
        "total": arm.total,
        "rate": interval_json(arm.rate),
        "secondary": arm.secondary,
        "derived": arm.derived,
        "difference": interval_json(c.difference),
        "p_value": p_json(c.p_value),
        "verdict": c.verdict,
    }


def centre_json(c: CentreComparison) -> JSON:
    """One centre result beside its trial arms, with the funnel plot's benchmark and limits."""
    family, benchmark = c.reference.family, c.benchmark
    return {
        "option": c.entry.option,
        "family": family.id,
        "family_label": family.label,
        "definition": family.definition,
        "timeframe": family.timeframe,
        "events": c.entry.events,
        "total": c.entry.total,
        "rate": interval_json(c.rate),
        "few_procedures": c.few,
        "text": c.text,
        "trial_arms": [_arm_json(a) for a in c.arms],
        "benchmark": None
        if benchmark is None
        else {
            "events": benchmark.events,
            "total": benchmark.total,
            "rate": number(benchmark.rate),
            "studies": list(benchmark.studies),
        },
        "funnel": {
            "limits": [_limits_json(lim) for lim in c.funnel],
            "points": [
                {
                    "label": label,
                    "events": events,
                    "total": total,
                    "rate": number(events / total),
                    "limits": _limits_json(lim),
                    "within_95": lim.within(events / total, wide=False),
                    "within_998": lim.within(events / total, wide=True),
                }
                for label, events, total, lim in c.points
            ],
        },
    }


# --------------------------------------------------------------------------- schemas

ENTRY: Schema = closed(
    {
        "option": choice(vocabulary.OPTIONS),
        "family": STRING,
        "events": {"type": "integer", "minimum": 0, "maximum": contract.MAX_TOTAL},
        "total": {"type": "integer", "minimum": 1, "maximum": contract.MAX_TOTAL},
    },
    "One centre result: events of total procedures. events must not exceed total; whole numbers"
    " written without a decimal point.",
)
LIMITS: Schema = closed(
    {
        "n": {"type": "integer", "minimum": 1},
        **{k: PROPORTION for k in ("lower_998", "lower_95", "upper_95", "upper_998")},
    },
    "Exact binomial control limits (Spiegelhalter 2005) at n procedures, as rates.",
)
CENTRE_COMPARISON: Schema = closed(
    {
        "option": choice(vocabulary.OPTIONS),
        "family": STRING,
        "family_label": STRING,
        "definition": STRING,
        "timeframe": STRING,
        "events": COUNT,
        "total": COUNT,
        "rate": ref("Interval"),
        "few_procedures": BOOLEAN,
        "text": STRING,
        "trial_arms": array(
            closed(
                {
                    "study_id": STRING,
                    "study": STRING,
                    "outcome_id": STRING,
                    "arm": STRING,
                    "design": choice(vocabulary.DESIGNS),
                    "events": COUNT,
                    "total": COUNT,
                    "rate": ref("Interval"),
                    "secondary": BOOLEAN,
                    "derived": BOOLEAN,
                    "difference": ref("Interval"),
                    "p_value": ref("PValue"),
                    "verdict": choice(get_args(Verdict)),
                },
                "A trial arm of the same option and family; difference is centre - trial"
                " (Newcombe), p_value Fisher's exact, as POST /api/v1/two-by-two gives them.",
            )
        ),
        "benchmark": nullable(
            closed(
                {"events": COUNT, "total": COUNT, "rate": PROPORTION, "studies": array(STRING)},
                "The funnel's centre: the pooled rate of this option's arms in the family's"
                " randomized studies.",
            )
        ),
        "funnel": closed(
            {
                "limits": array(LIMITS),
                "points": array(
                    closed(
                        {
                            "label": STRING,
                            "events": COUNT,
                            "total": COUNT,
                            "rate": PROPORTION,
                            "limits": LIMITS,
                            "within_95": BOOLEAN,
                            "within_998": BOOLEAN,
                        }
                    )
                ),
            }
        ),
    },
    "The centre's own result beside the trial arms of the same option and outcome family.",
)
