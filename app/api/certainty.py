"""Certainty of evidence in the JSON: each assessed outcome's and each outcome family's, with schemas.

Outcomes are encoded once at start-up (app/api/encode.py) with their certainty at each level
indirectness may rate them down; only the patient's indirectness reason is spliced in per request.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from app.analysis.certainty import DOMAINS, RATINGS, Certainty, Domain, Rated
from app.analysis.families import Group
from app.api.jsonschema import (
    BOOLEAN,
    NUMBER,
    STRING,
    Schema,
    array,
    choice,
    closed,
    nullable,
    pair,
    ref,
)
from app.evidence.bias import BIAS_DOMAINS, JUDGEMENTS
from app.evidence.model import BiasJudgement

JSON = dict[str, Any]
_STRICT = orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME


def certainty_json(certainty: Certainty | None) -> JSON | None:
    """The rating, where it started, the informative statement and the five domains with reasons."""
    if certainty is None:
        return None
    return {
        "rating": certainty.rating,
        "start": certainty.start,
        "statement": certainty.statement,
        "domains": {
            d.name: {"levels_down": d.levels, "assessable": d.assessable, "reason": d.reason}
            for d in certainty.domains
        },
    }


def bias_json(judgement: BiasJudgement) -> JSON:
    """One recorded risk-of-bias judgement (its quote is added by the caller)."""
    return {
        "domain": judgement.domain,
        "judgement": judgement.judgement,
        "reason": judgement.reason,
    }


def nth(certainty: Sequence[Certainty | None], index: int) -> Certainty | None:
    return certainty[index] if index < len(certainty) else None


# Where this patient's indirectness reason goes in a certainty encoded at start-up.
_SLOT = "\u0000indirectness reason\u0000"
_INDIRECTNESS = DOMAINS.index("indirectness")


def outcomes_with_certainty(
    outcomes: Sequence[bytes], rated: Sequence[Rated | None]
) -> tuple[tuple[bytes, ...], ...]:
    """Encode a study's outcomes array with each outcome's certainty, once per indirectness level
    (0, 1, 2), cut where the patient's indirectness reason goes: a request joins the pieces."""
    slot = orjson.dumps(_SLOT)
    levels = len(next((r.statements for r in rated if r is not None), ("",)))
    found = []
    for level in range(levels):
        indirect = Domain("indirectness", level, _SLOT)
        objects = [
            outcome[:-1]
            + b',"certainty":'
            + orjson.dumps(certainty_json(None if r is None else r.rate(indirect)), option=_STRICT)
            + b"}"
            for outcome, r in zip(outcomes, rated, strict=True)
        ]
        found.append(tuple((b"[" + b",".join(objects) + b"]").split(slot)))
    return tuple(found)


def with_certainty(
    by_level: Sequence[tuple[bytes, ...]], certainty: Sequence[Certainty | None]
) -> orjson.Fragment:
    """Join the outcomes' pieces (outcomes_with_certainty) around this patient's indirectness."""
    rated = [c for c in certainty if c is not None]
    if not rated:
        return orjson.Fragment(by_level[0][0])
    direct = rated[0].domains[_INDIRECTNESS]
    # As the pieces were encoded: one indirectness for the whole comparison, always assessed.
    assert direct.assessable and all(c.domains[_INDIRECTNESS] is direct for c in rated)
    return orjson.Fragment(orjson.dumps(direct.reason).join(by_level[direct.levels]))


def family_json(group: Group, certainty: Certainty | None) -> JSON:
    """An outcome family two or more of the comparisons share: members, pooled RR, certainty."""
    pooled = group.risk_ratio
    return {
        "family": group.family.id,
        "label": group.family.label,
        "timeframe": group.family.timeframe,
        "setting": group.setting,
        "unit": group.unit,
        "treatments": list(group.treatments),
        "members": [{"study": m.study.id, "outcome": m.outcome.id} for m in group.members],
        "pooled_risk_ratio": None
        if pooled is None
        else {
            "estimate": float(pooled.estimate),
            "ci": [float(pooled.ci[0]), float(pooled.ci[1])],
            "method": pooled.method,
            "i2": float(pooled.heterogeneity.i2),
        },
        "notes": list(group.notes),
        "certainty": certainty_json(certainty),
    }


DOMAIN = closed(
    {
        "levels_down": {"type": "integer", "enum": [0, 1, 2]},
        "assessable": BOOLEAN,
        "reason": STRING,
    },
    "One GRADE domain: how many levels it rates the evidence down (0, 1 or 2), whether it could"
    " be assessed at all (not: a single study's inconsistency, publication bias with fewer than 10"
    " studies) and why, in one sentence.",
)

CERTAINTY = closed(
    {
        "rating": choice(reversed(RATINGS)),
        "start": choice(("high", "low")),
        "statement": STRING,
        "domains": closed(
            {name: ref("CertaintyDomain") for name in DOMAINS},
            "The five GRADE domains, each with its levels down and reason.",
        ),
    },
    "How sure one can be of this effect (GRADE): randomized trials start high, every other design"
    " low; each domain rates down 0, 1 or 2 levels; the rating is the start less every level"
    " (never below very_low). Indirectness depends on this patient's applicability. `statement` is"
    " the informative statement in GRADE's wording (Santesso et al., J Clin Epidemiol 2020):"
    " high 'increases/reduces', moderate 'probably', low 'may', very low 'very uncertain'.",
)

OUTCOME_FAMILY = closed(
    {
        "family": STRING,
        "label": STRING,
        "timeframe": STRING,
        "setting": STRING,
        "unit": STRING,
        "treatments": pair(STRING),
        "members": array(closed({"study": STRING, "outcome": STRING})),
        "pooled_risk_ratio": nullable(
            closed(
                {"estimate": NUMBER, "ci": pair(NUMBER), "method": STRING, "i2": NUMBER},
                "The fixed-effect (Mantel-Haenszel) pooled risk ratio, more invasive treatment"
                " first, with I² (%).",
            )
        ),
        "notes": array(STRING),
        "certainty": nullable(ref("Certainty")),
    },
    "Outcomes of two or more of these comparisons that the evidence declares comparable, with"
    " the pooled risk ratio where allowed and its certainty for this patient.",
)

BIAS_JUDGEMENT = closed(
    {
        "domain": choice(BIAS_DOMAINS),
        "judgement": choice(JUDGEMENTS),
        "reason": STRING,
        "quote": ref("Quote"),
    },
    "A risk-of-bias judgement recorded in the study's evidence file, with its reason and quote.",
)

SCHEMAS: dict[str, Schema] = {
    "BiasJudgement": BIAS_JUDGEMENT,
    "Certainty": CERTAINTY,
    "CertaintyDomain": DOMAIN,
    "OutcomeFamily": OUTCOME_FAMILY,
}
