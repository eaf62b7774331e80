"""The JSON Schemas of the API's request and response bodies (the OpenAPI components).

Request schemas are derived from the contracts' declarations (app/contract/): closed objects
(``additionalProperties: false``), enums and ranges taken from the same constants. Response schemas
describe what app/api/encode.py and app/api/twobytwo.py produce, field for field: every object lists all
its fields as required and allows no others, and a value is nullable only where the serializer can
put null. Two rules a schema cannot express are stated in descriptions: events must not exceed
total, and whole numbers must be written without a decimal point (JSON Schema counts 3.0 as an
integer; the API refuses it).
"""

from __future__ import annotations

from typing import get_args

from app.analysis import matching, stats
from app.api import centre, certainty
from app.api.jsonschema import (
    BOOLEAN,
    COUNT,
    NULLABLE_BOOLEAN,
    NULLABLE_STRING,
    NUMBER,
    PROPORTION,
    STRING,
    Schema,
    array,
    choice,
    closed,
    nullable,
    pair,
    ref,
    with_method,
)
from app.api.personal import PERSONAL_RISK
from app.api.request_schemas import COUNTS, SCENARIO, SCENARIO_PROPERTIES, TWO_BY_TWO_REQUEST
from app.contract import scenario, twobytwo
from app.engine import applicability, criteria, scope
from app.evidence import model as evidence
from app.http.errors import CODES

# --------------------------------------------------------------------------- shared response parts

QUOTE = closed(
    {"source": STRING, "source_title": STRING, "source_kind": STRING, "text": STRING},
    "A verbatim quotation from a stored source text.",
)

SUMMARY_PROPERTIES: dict[str, Schema] = {
    "id": STRING,
    "name": STRING,
    "title": STRING,
    "design": choice(evidence.DESIGNS),
    "setting": choice(evidence.SETTINGS),
    "unit": choice(evidence.UNITS),
    "citation": NULLABLE_STRING,
    "citation_note": NULLABLE_STRING,
    "doi": NULLABLE_STRING,
    "pmid": NULLABLE_STRING,
    "registration": NULLABLE_STRING,
}

ARM_INFO = closed(
    {
        "arm": STRING,
        "treatment": choice(matching.TREATMENT_WORDS),
        "label": STRING,
        "n": {"type": "integer", "minimum": 1},
        "n_derived": NULLABLE_STRING,
        "matched_option": choice(scenario.OPTIONS, null=True),
        "quote": ref("Quote"),
    },
    "A study arm; matched_option is the scenario option it stands for (null in the evidence).",
)

DERIVED: Schema = {
    "type": ["object", "null"],
    "additionalProperties": STRING,
    "description": "Values not printed in the source, each with how it was derived.",
}

ARM_STATS = closed(
    {
        "events": COUNT,
        "total": {"type": "integer", "minimum": 1},
        "rate": PROPORTION,
        "ci": pair(PROPORTION),
        "ci_method": {"const": "clopper-pearson"},
        "derived": DERIVED,
        "subset": NULLABLE_STRING,
    },
    "One arm's events with the exact (Clopper-Pearson) interval of its rate.",
)

INTERVAL = closed(
    {
        "value": NUMBER,
        "ci": pair(NUMBER),
        "confidence": {
            "type": "number",
            "exclusiveMinimum": 0.5,
            "exclusiveMaximum": 1,
        },
        "method": choice(get_args(stats.Method)),
    },
    "A point estimate with its two-sided confidence interval.",
)

NNT = closed(
    {
        "value": {
            "type": ["number", "null"],
            "minimum": 1,
            "description": "1/|risk difference|; null when the difference is exactly 0.",
        },
        "kind": {"type": ["string", "null"], "enum": ["NNTB", "NNTH", None]},
        "ci": {
            "anyOf": [
                pair({"type": ["number", "null"], "minimum": 1}),
                {"type": "null"},
            ],
            "description": "When spans_infinity, [NNTB limit, NNTH limit], each null where the"
            " difference's limit is exactly 0.",
        },
        "spans_infinity": BOOLEAN,
        "text": STRING,
        "method": {"const": "altman-1998"},
    },
    "Number needed to treat (Altman 1998). The text rounds up to whole numbers.",
)

P_VALUE = closed(
    {"value": PROPORTION, "method": choice(get_args(stats.Method))},
    "A two-sided P value.",
)

PUBLISHED_ARM = closed(
    {
        "events": {"type": ["integer", "null"], "minimum": 0},
        "total": {"type": ["integer", "null"], "minimum": 1},
        "percent": NULLABLE_STRING,
        "ci": nullable(pair(STRING)),
        "survival": NULLABLE_STRING,
        "se": NULLABLE_STRING,
        "event_rate": NULLABLE_STRING,
        "derived": DERIVED,
        "discrepancy": NULLABLE_STRING,
        "quote": ref("Quote"),
    },
    "An arm's figures as printed (strings keep the printed precision).",
)

EFFECT = closed(
    {
        "type": choice(evidence.EFFECT_TYPES),
        "estimate": STRING,
        "ci": pair(STRING),
        "p": NULLABLE_STRING,
        "adjustment": STRING,
        "direction": choice(evidence.DIRECTIONS),
        "i2": NULLABLE_STRING,
        "quote": ref("Quote"),
    },
    "A published (possibly adjusted or pooled) effect estimate, as printed; i2 is a pooled"
    " estimate's printed heterogeneity (I², percent).",
)

AUDIT_ITEM = closed(
    {
        "figure": STRING,
        "published": STRING,
        "recomputed": STRING,
        "agrees": NULLABLE_BOOLEAN,
        "status": choice(("agrees", "not_reproduced", "method_differs", "not_recomputable")),
        "note": STRING,
        "quote": ref("Quote"),
    },
    "A published figure, its recomputation and whether they agree (null: cannot be judged by"
    " the source's own method). `status` says which: `method_differs` is a figure the source"
    " estimated another way (a log-rank or Cox P, a product-limit percent), listed but never"
    " counted as not reproduced.",
)

# What both headline effects say: where the figure comes from, the figure, and how it was got.
LEAD: dict[str, Schema] = {
    "source": choice(("published", "recomputed")),
    "estimate": NUMBER,
    "ci": pair(NUMBER),
    "method": STRING,
    "adjustment": NULLABLE_STRING,
}
OUTCOME_PROPERTIES: dict[str, Schema] = {
    "id": STRING,
    "label": STRING,
    "plain_label": STRING,
    "role": STRING,
    "timeframe": STRING,
    "kind": choice(evidence.OUTCOME_KINDS),
    "event": choice(evidence.EVENT_TYPES),
    "note": NULLABLE_STRING,
    "statement": NULLABLE_STRING,
    "definition": ref("Quote"),
    "intervention": nullable(ref("ArmStats")),
    "comparator": nullable(ref("ArmStats")),
    "risk_difference": nullable(ref("Interval")),
    "risk_ratio": nullable(ref("Interval")),
    "risk_ratio_undefined": NULLABLE_STRING,
    "odds_ratio": nullable(ref("Interval")),
    "odds_ratio_undefined": NULLABLE_STRING,
    "relative_effect": nullable(
        closed(
            {
                **LEAD,
                "type": choice(("risk_ratio", "odds_ratio", "hazard_ratio")),
                "direction": choice(evidence.DIRECTIONS),
                "p": NULLABLE_STRING,
                "i2": NULLABLE_STRING,
            },
            "The headline relative effect: the ratio the study prints with its interval (source"
            " published, figures as printed, direction as printed; a pooled ratio with its printed"
            " I² in percent), else the crude risk ratio recomputed from the counts (Katz); null"
            " when neither exists.",
        )
    ),
    "absolute_effect": nullable(
        closed(
            {**LEAD, "nnt": nullable(ref("NNT"))},
            "The headline difference, intervention minus comparator, as a proportion: the one the"
            " study prints with its interval (source published, printed points / 100; method 'as"
            " printed, sign reversed' when printed the other way), else the crude difference"
            " (Newcombe); `nnt` is taken from it, null where no NNT is given (Altman). Null"
            " without counts in both groups.",
        )
    ),
    "nnt": nullable(ref("NNT")),
    "p_value": nullable(ref("PValue")),
    "survival_difference": nullable(ref("Interval")),
    "survival_p_value": nullable(ref("PValue")),
    "published": closed(
        {
            "intervention": nullable(ref("PublishedArm")),
            "comparator": nullable(ref("PublishedArm")),
            "overall": nullable(ref("PublishedArm")),
            "p": NULLABLE_STRING,
            "p_quote": nullable(ref("Quote")),
            "effects": array(ref("Effect")),
        }
    ),
    "audit": array(ref("AuditItem")),
    "not_computed_reason": {
        **NULLABLE_STRING,
        "description": "Why risk_difference, risk_ratio, odds_ratio and nnt are null although both"
        " groups have counts (counts back-calculated from percentages over unstated group sizes),"
        " or why nnt alone is null (no time frame, a median follow-up, or no clear difference:"
        " the leading difference's 95% CI includes 0). Null when nothing is withheld.",
    },
}

CODED = closed({"code": STRING, "text": STRING}, "A stable code for programs and text for people.")

# --------------------------------------------------------------------------- response bodies

KNOWN_TRIAL = closed(
    {
        "id": STRING,
        "short_name": STRING,
        "title": STRING,
        "setting": choice(evidence.SETTINGS),
        "design": STRING,
        "intervention": array(choice(evidence.TREATMENTS)),
        "comparator": array(choice(evidence.TREATMENTS)),
        "comparator_label": STRING,
        "citation": closed(
            {
                "text": STRING,
                **dict.fromkeys(("doi", "pmid", "registration"), NULLABLE_STRING),
            },
            "The trial's citation; identifiers only where verified.",
        ),
        "reason": STRING,
    },
    "A trial known but not in the evidence base, named because it compares a pair of the chosen"
    " options that no included study compares; never a number from it, and why.",
)

ASSESSMENT = closed(
    {
        "scenario": closed(
            {
                name: {k: v for k, v in schema.items() if k != "description"}
                for name, schema in SCENARIO_PROPERTIES.items()
            },
            "The validated scenario; null marks a value not given.",
        ),
        "comparisons": array(ref("Comparison")),
        "centre_comparisons": array(ref("CentreComparison")),
        "warnings": array(ref("Coded")),
        "pairs_without_evidence": array(
            closed(
                {
                    "options": pair(choice(scenario.OPTIONS)),
                    "text": STRING,
                },
                "Two chosen options, more invasive first, that no study in this setting compares.",
            )
        ),
        "scope": closed(
            {
                "status": choice(get_args(scope.ScopeStatus)),
                "reasons": array(STRING),
            },
            "outside: every comparison is outside its study's population, or the scenario is"
            " outside what the tool covers (asymptomatic, 100% or 0% stenosis in the elective"
            " setting).",
        ),
        "known_trials": array(KNOWN_TRIAL),
        "outcome_families": array(ref("OutcomeFamily")),
        "available_comparisons": array(STRING),
        "evidence_version": STRING,
    },
    "The studies relevant to a scenario and how the patient fits each; no recommendation.",
)

COMPARISON = closed(
    {
        "study": ref("StudySummary"),
        "intervention": ref("ArmInfo"),
        "comparator": ref("ArmInfo"),
        "applicability": closed(
            {
                "status": choice(get_args(applicability.Status)),
                "checked": COUNT,
                "total": COUNT,
                "reasons": array(
                    closed(
                        {
                            "criterion": choice(evidence.CRITERIA),
                            "status": choice(get_args(criteria.CriterionStatus)),
                            "text": STRING,
                            "source_kind": STRING,
                            "quote": ref("Quote"),
                        }
                    )
                ),
            }
        ),
        "caveats": array(ref("Coded")),
        "outcomes": array(ref("AssessedOutcome")),
        "warnings": array(ref("Coded")),
        "personal_risks": array(ref("PersonalRisk")),
    },
    "One study comparison as it bears on the scenario.",
)

STUDY = closed(
    {
        **SUMMARY_PROPERTIES,
        "file": STRING,
        "sources": array(
            closed(
                {
                    "id": STRING,
                    "kind": choice(evidence.SOURCE_KINDS),
                    "title": STRING,
                    "origin": STRING,
                }
            )
        ),
        "criteria": array(
            closed(
                {
                    "field": choice(evidence.CRITERIA),
                    "reported": BOOLEAN,
                    "min": {"type": ["integer", "null"]},
                    "max": {"type": ["integer", "null"]},
                    "required": NULLABLE_BOOLEAN,
                    "allowed": nullable(array(STRING)),
                    "note": NULLABLE_STRING,
                    "quote": ref("Quote"),
                }
            )
        ),
        "intervention": ref("ArmInfo"),
        "comparator": ref("ArmInfo"),
        "facts": array(closed({"label": STRING, "value": STRING, "quote": ref("Quote")})),
        "caveats": array(closed({"code": STRING, "text": STRING, "quote": ref("Quote")})),
        "outcomes": array(ref("StudyOutcome")),
        "risk_of_bias": array(ref("BiasJudgement")),
        "audit": array(ref("AuditItem")),
        "disagreements": COUNT,
    },
    "A whole study: population criteria, arms, caveats, outcomes with statistics and audit.",
)

EVIDENCE = closed(
    {
        "evidence_version": STRING,
        "revision": {"type": "string", "format": "date"},
        "studies": array(ref("Study")),
    },
    "The whole evidence base.",
)

TWO_BY_TWO_ARM = closed(
    {
        "events": COUNT,
        "total": {"type": "integer", "minimum": 1},
        "rate": PROPORTION,
        "ci": pair(PROPORTION),
        "ci_method": {"const": "clopper-pearson"},
    }
)

TWO_BY_TWO_RESULT = closed(
    {
        "intervention": ref("TwoByTwoArm"),
        "comparator": ref("TwoByTwoArm"),
        "risk_difference": with_method("Interval", "newcombe-hybrid-score"),
        "risk_ratio": nullable(with_method("Interval", "katz-log")),
        "risk_ratio_undefined": {
            **NULLABLE_STRING,
            "description": "Why risk_ratio is null (an arm has no events).",
        },
        "odds_ratio": nullable(with_method("Interval", "woolf-log")),
        "odds_ratio_undefined": {
            **NULLABLE_STRING,
            "description": "Why odds_ratio is null (a cell is zero).",
        },
        "nnt": ref("NNT"),
        "p_value": with_method("PValue", "fisher-exact"),
        "confidence": NUMBER,
        "event": choice(twobytwo.EVENTS, null=True),
    },
    "Intervention minus comparator. Without event, nnt.kind is null and nnt.ci is null when the"
    " interval spans infinity; nnt.text describes the direction in events.",
)

HEALTH = closed({"status": {"const": "ok"}, "evidence_version": STRING})

ERROR = closed(
    {"error": choice(CODES.values()), "message": STRING},
    "An error with a stable code and a plain message.",
)

VALIDATION_ERROR = closed(
    {
        "error": {"const": "validation_failed"},
        "fields": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": array(STRING, minItems=1),
            "description": 'Messages per field; nested fields are dotted ("intervention.events");'
            ' "body" when the body is not an object.',
        },
    },
    "Some fields are missing, unknown or invalid.",
)

SCHEMAS: dict[str, Schema] = {
    "Scenario": SCENARIO,
    "Counts": COUNTS,
    "TwoByTwoRequest": TWO_BY_TWO_REQUEST,
    "Assessment": ASSESSMENT,
    "Comparison": COMPARISON,
    "PersonalRisk": PERSONAL_RISK,
    "CentreComparison": centre.CENTRE_COMPARISON,
    "StudySummary": closed(SUMMARY_PROPERTIES, "Identifies a study and its design."),
    "ArmInfo": ARM_INFO,
    "Quote": QUOTE,
    "Coded": CODED,
    "ArmStats": ARM_STATS,
    "Interval": INTERVAL,
    "NNT": NNT,
    "PValue": P_VALUE,
    "PublishedArm": PUBLISHED_ARM,
    "Effect": EFFECT,
    "AuditItem": AUDIT_ITEM,
    "AssessedOutcome": closed(
        {
            **OUTCOME_PROPERTIES,
            "signals": array(ref("Coded")),
            "certainty": nullable(ref("Certainty")),
        },
        "An outcome's figures, statistics and audit, with what bears on trusting them and its"
        " GRADE certainty for this patient (null only for an outcome the engine did not rate).",
    ),
    "StudyOutcome": closed(OUTCOME_PROPERTIES, "An outcome's figures, statistics and audit."),
    "Study": STUDY,
    "Evidence": EVIDENCE,
    "TwoByTwoArm": TWO_BY_TWO_ARM,
    "TwoByTwoResult": TWO_BY_TWO_RESULT,
    "Health": HEALTH,
    "Error": ERROR,
    "ValidationError": VALIDATION_ERROR,
    **certainty.SCHEMAS,
}
