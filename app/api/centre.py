"""The JSON Schemas of the centre's own results: a `centre_results` entry and `centre_comparisons`.

app/api/encode.py `centre_json` builds the answer these describe.
"""

from __future__ import annotations

from typing import get_args

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
from app.engine.centre import Verdict

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
ENTRIES: Schema = {"type": ["array", "null"], "items": ENTRY, "maxItems": contract.MAX_ENTRIES}
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
