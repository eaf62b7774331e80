"""Turn assessments, evidence and statistics into plain JSON, and encode it with orjson.

Builders return plain dicts and lists (floats or null, never NaN). `dumps` encodes what is built
per request; what does not depend on the patient (each study's summary, arms, caveats and outcomes
with statistics, audit and signals: about nine tenths of an assessment) is encoded once at start-up
by `prepare_studies` and embedded as `orjson.Fragment`s. orjson writes NaN and infinity as null,
which would hide a bug, so whatever is encoded at start-up is checked by `require_finite` first
(evidence that breaks this stops the app starting); per request, the only numbers outside those
fragments are the scenario's, which its contract has already checked.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import orjson

from app.analysis import stats
from app.analysis.appraisal import OutcomeResult
from app.analysis.audit import AuditItem
from app.analysis.base import EvidenceBase, StudyAnalysis
from app.analysis.certainty import Rated
from app.analysis.funnel import Limits
from app.analysis.headline import difference_lead, headline
from app.analysis.outcomes import ArmStats, OutcomeStats
from app.api.certainty import (
    bias_json,
    certainty_json,
    family_json,
    nth,
    outcomes_with_certainty,
    with_certainty,
)
from app.api.personal import personal_risks_json, prepare_risks
from app.engine.assess import Assessment, Comparison
from app.engine.centre import ArmComparison, CentreComparison
from app.engine.criteria import Reason
from app.engine.personal import PresetRisks
from app.engine.tables import Tables
from app.evidence.model import (
    OPTIONS,
    ArmResult,
    Effect,
    KnownTrial,
    Printed,
    Quote,
    Study,
)

JSON = dict[str, Any]


def number(value: float | None) -> float | None:
    """Return a plain float, or None for missing or non-finite values (JSON has no NaN)."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def quote_json(quote: Quote, study: Study) -> JSON:
    source = study.sources.get(quote.source)
    return {
        "source": quote.source,
        "source_title": source.title if source else "",
        "source_kind": source.kind if source else "",
        "text": quote.text,
    }


def interval_json(interval: stats.Interval | stats.Undefined | None) -> JSON | None:
    if not isinstance(interval, stats.Interval):
        return None
    return {
        "value": number(interval.value),
        "ci": [number(interval.lower), number(interval.upper)],
        "confidence": interval.confidence,
        "method": interval.method,
    }


def undefined_reason(value: stats.Interval | stats.Undefined | None) -> str | None:
    return value.reason if isinstance(value, stats.Undefined) else None


def nnt_json(nnt: stats.NNT | None) -> JSON | None:
    if nnt is None:
        return None
    return {
        "value": number(nnt.value),
        "kind": nnt.kind,
        "ci": [number(nnt.lower), number(nnt.upper)]
        if nnt.lower is not None or nnt.upper is not None
        else None,
        "spans_infinity": nnt.spans_infinity,
        "text": nnt.text,
        "method": nnt.method,
    }


def p_json(p: stats.PValue | None) -> JSON | None:
    return None if p is None else {"value": number(p.value), "method": p.method}


def arm_stats_json(arm: ArmStats | None, result: ArmResult | None) -> JSON | None:
    if arm is None:
        return None
    return {
        "events": arm.events,
        "total": arm.total,
        "rate": number(arm.rate.value),
        "ci": [number(arm.rate.lower), number(arm.rate.upper)],
        "ci_method": arm.rate.method,
        "derived": dict(arm.derived) or None,
        "subset": (result.subset or None) if result else None,
    }


def printed(value: Printed | None) -> str | None:
    return None if value is None else value.text


def published_arm_json(result: ArmResult, study: Study) -> JSON:
    return {
        "events": result.events,
        "total": result.total,
        "percent": printed(result.percent),
        "ci": [p.text for p in result.ci] if result.ci else None,
        "survival": printed(result.survival),
        "se": printed(result.se),
        "event_rate": printed(result.event_rate),
        "derived": dict(result.derived) or None,
        "discrepancy": result.discrepancy or None,
        "quote": quote_json(result.quote, study),
    }


def effect_json(effect: Effect, study: Study) -> JSON:
    return {
        "type": effect.type,
        "estimate": effect.estimate.text,
        "ci": [p.text for p in effect.ci],
        "p": printed(effect.p),
        "adjustment": effect.adjustment,
        "direction": effect.direction,
        "i2": printed(effect.i2),
        "quote": quote_json(effect.quote, study),
    }


def audit_json(item: AuditItem, study: Study) -> JSON:
    return {
        "figure": item.figure,
        "published": item.published,
        "recomputed": item.recomputed,
        "agrees": item.agrees,
        "status": item.status,
        "note": item.note,
        "quote": quote_json(item.quote, study),
    }


def headline_json(entry: OutcomeStats) -> JSON | None:
    """The relative effect the outcome leads with: the published ratio, else the crude RR."""
    lead = headline(entry)
    if lead is None:
        return None
    return {
        "source": lead.source,
        "type": lead.type,
        "estimate": number(lead.estimate),
        "ci": [number(lead.lower), number(lead.upper)],
        "method": lead.method,
        "direction": lead.direction,
        "p": printed(lead.effect.p) if lead.effect else None,
        "adjustment": lead.effect.adjustment if lead.effect else None,
        "i2": printed(lead.effect.i2) if lead.effect else None,
    }


def difference_lead_json(entry: OutcomeStats) -> JSON | None:
    """The absolute difference the outcome leads with: the printed one, else the crude; its NNT."""
    lead = difference_lead(entry)
    if lead is None:
        return None
    effect = lead.effect
    return {
        "source": lead.source,
        "estimate": number(lead.difference.value),
        "ci": [number(lead.difference.lower), number(lead.difference.upper)],
        "method": lead.difference.method,
        "adjustment": effect.adjustment if effect else None,
        "nnt": nnt_json(lead.nnt),
    }


def outcome_json(entry: OutcomeStats, study: Study) -> JSON:
    """Serialize one outcome's published figures, statistics and audit (patient-independent)."""
    outcome = entry.outcome
    first = outcome.arms.get(study.intervention)
    second = outcome.arms.get(study.comparator)
    return {
        "id": outcome.id,
        "label": outcome.label,
        "plain_label": outcome.plain_label,
        "role": outcome.role,
        "timeframe": outcome.timeframe,
        "kind": outcome.kind,
        "event": outcome.event,
        "note": outcome.note or None,
        "statement": outcome.statement or None,
        "definition": quote_json(outcome.definition, study),
        "intervention": arm_stats_json(entry.intervention, first),
        "comparator": arm_stats_json(entry.comparator, second),
        "risk_difference": interval_json(entry.risk_difference),
        "risk_ratio": interval_json(entry.risk_ratio),
        "risk_ratio_undefined": undefined_reason(entry.risk_ratio),
        "odds_ratio": interval_json(entry.odds_ratio),
        "odds_ratio_undefined": undefined_reason(entry.odds_ratio),
        "relative_effect": headline_json(entry),
        "absolute_effect": difference_lead_json(entry),
        "nnt": nnt_json(entry.nnt),
        "p_value": p_json(entry.p_value),
        "survival_difference": interval_json(entry.survival_difference),
        "survival_p_value": p_json(entry.survival_p),
        "published": {
            "intervention": published_arm_json(first, study) if first else None,
            "comparator": published_arm_json(second, study) if second else None,
            "overall": published_arm_json(outcome.overall, study) if outcome.overall else None,
            "p": printed(outcome.test.p) if outcome.test else None,
            "p_quote": quote_json(outcome.test.quote, study) if outcome.test else None,
            "effects": [effect_json(e, study) for e in outcome.effects],
        },
        "audit": [audit_json(item, study) for item in entry.audit],
        "not_computed_reason": entry.not_computed_reason or entry.nnt_reason,
    }


def arm_json(study: Study, arm_id: str, option: str | None = None) -> JSON:
    arm = study.arms[arm_id]
    return {
        "arm": arm.id,
        "treatment": arm.treatment,
        "label": arm.label,
        "n": arm.n,
        "n_derived": arm.derived.get("n"),
        "matched_option": option,
        "quote": quote_json(arm.quote, study),
    }


def study_summary_json(study: Study) -> JSON:
    return {
        "id": study.id,
        "name": study.short_name,
        "title": study.title,
        "design": study.design.value,
        "setting": study.setting.value,
        "unit": study.unit.value,
        "citation": study.citation.text or None,
        "citation_note": study.citation.note or None,
        "doi": study.citation.doi or None,
        "pmid": study.citation.pmid or None,
        "registration": study.citation.registration or None,
    }


def study_json(analysis: StudyAnalysis) -> JSON:
    """Serialize a whole study: population, arms, caveats, outcomes with statistics and audit."""
    study = analysis.study
    return {
        **study_summary_json(study),
        "file": study.file,
        "sources": [
            {"id": s.id, "kind": s.kind, "title": s.title, "origin": s.origin}
            for s in study.sources.values()
        ],
        "criteria": [
            {
                "field": c.field,
                "reported": c.reported,
                "min": c.min,
                "max": c.max,
                "required": c.required,
                "allowed": list(c.allowed) or None,
                "note": c.note or None,
                "quote": quote_json(c.quote, study),
            }
            for c in study.criteria.values()
        ],
        "intervention": arm_json(study, study.intervention),
        "comparator": arm_json(study, study.comparator),
        "facts": [
            {"label": f.label, "value": f.value, "quote": quote_json(f.quote, study)}
            for f in study.facts
        ],
        "caveats": [
            {"code": c.code, "text": c.text, "quote": quote_json(c.quote, study)}
            for c in study.caveats
        ],
        "outcomes": [outcome_json(o, study) for o in analysis.outcomes],
        "risk_of_bias": [
            {**bias_json(j), "quote": quote_json(j.quote, study)} for j in study.risk_of_bias
        ],
        "audit": [audit_json(item, study) for item in analysis.audit],
        "disagreements": len(analysis.disagreements),
    }


def evidence_json(base: EvidenceBase) -> JSON:
    return {
        "evidence_version": base.version,
        "revision": base.evidence.revision.isoformat(),
        "studies": [study_json(a) for a in base.studies],
    }


def _outcome_result_json(result: OutcomeResult, study: Study) -> JSON:
    return {
        **outcome_json(result.stats, study),
        "signals": coded_json(result.signals),
    }


def coded_json(items: Iterable[Any]) -> list[JSON]:
    """List warnings, signals or caveats as {"code", "text"} objects."""
    return [{"code": item.code, "text": item.text} for item in items]


@dataclass(frozen=True, slots=True)
class StudyParts:
    """One study's patient-independent pieces of a comparison's JSON, encoded once."""

    summary: orjson.Fragment
    caveats: orjson.Fragment
    # The outcomes array with each outcome's certainty, once per indirectness level, cut where
    # the patient's indirectness reason is joined in per request (app/api/certainty.py).
    outcomes_json: tuple[tuple[bytes, ...], ...]
    # (arm id, matched option or None) -> the arm as shown for that option.
    arms: Mapping[tuple[str, str | None], orjson.Fragment]
    # Personal risks entries of the family risks tabulated for this study's families (api/personal.py).
    risks: Mapping[int, tuple[orjson.Fragment, ...]]


def study_parts(
    analysis: StudyAnalysis, rated: Sequence[Rated | None], presets: Iterable[PresetRisks] = ()
) -> StudyParts:
    """Encode the pieces of the study's comparisons that no patient changes; call at start-up."""
    study = analysis.study
    outcomes = analysis.appraisal.outcomes
    return StudyParts(
        summary=fragment(study_summary_json(study)),
        caveats=fragment(coded_json(study.caveats)),
        outcomes_json=outcomes_with_certainty(
            [encoded(_outcome_result_json(r, study)) for r in outcomes], rated
        ),
        arms=MappingProxyType(
            {
                (arm, option): fragment(arm_json(study, arm, option))
                for arm in (study.intervention, study.comparator)
                for option in (*OPTIONS, None)
            }
        ),
        risks=prepare_risks(presets, study.id, fragment),
    )


def prepare_studies(tables: Tables) -> Mapping[str, StudyParts]:
    """Encode every study's patient-independent comparison pieces, by study id; call at start-up."""
    studies = zip(tables.base.studies, tables.rated, strict=True)
    return MappingProxyType({a.study.id: study_parts(a, r, tables.presets) for a, r in studies})


def reason_json(reason: Reason, study: Study, quote: Any = None) -> JSON:
    """Serialize one applicability reason with the quote of the criterion it checks (or `quote`)."""
    return {
        "criterion": reason.criterion,
        "status": reason.status,
        "text": reason.text,
        "source_kind": reason.source_kind,
        "quote": quote_json(reason.quote, study) if quote is None else quote,
    }


def _applicability_json(comparison: Comparison, study: Study) -> JSON:
    reasons = [reason_json(r, study) for r in comparison.applicability.reasons]
    fit = comparison.applicability
    return {
        "status": fit.status,
        "checked": fit.checked,
        "total": fit.total,
        "reasons": reasons,
    }


def _arm(study: Study, arm: str, option: str | None, parts: StudyParts | None) -> Any:
    found = parts.arms.get((arm, option)) if parts is not None else None
    return arm_json(study, arm, option) if found is None else found


def comparison_json(comparison: Comparison, parts: StudyParts | None = None) -> JSON:
    """Serialize one comparison, taking the study's pre-encoded pieces from `parts` when they fit."""
    study = comparison.analysis.study
    match = comparison.match
    c = comparison.certainty
    return {
        "study": study_summary_json(study) if parts is None else parts.summary,
        "intervention": _arm(study, study.intervention, match.intervention_option, parts),
        "comparator": _arm(study, study.comparator, match.comparator_option, parts),
        "applicability": _applicability_json(comparison, study),
        "caveats": coded_json(study.caveats) if parts is None else parts.caveats,
        "outcomes": [
            {**_outcome_result_json(o, study), "certainty": certainty_json(nth(c, i))}
            for i, o in enumerate(comparison.outcomes)
        ]
        if parts is None
        else with_certainty(parts.outcomes_json, c),
        "warnings": coded_json(comparison.warnings),
        "personal_risks": personal_risks_json(
            comparison.personal, None if parts is None else parts.risks
        ),
    }


def known_trial_json(trial: KnownTrial) -> JSON:
    """A registered trial: what it compares, its citation and why its numbers are not shown."""
    cite = trial.citation
    return {
        "id": trial.id,
        "short_name": trial.short_name,
        "title": trial.title,
        "setting": trial.setting,
        "design": trial.design,
        "intervention": list(trial.intervention),
        "comparator": list(trial.comparator),
        "comparator_label": trial.comparator_label,
        "citation": {
            "text": cite.text,
            "doi": cite.doi or None,
            "pmid": cite.pmid or None,
            "registration": cite.registration or None,
        },
        "reason": trial.reason,
    }


# --------------------------------------------------------------------------- the centre's results
# Each trial arm's difference and p_value are built by the same serializers as POST
# /api/v1/two-by-two's risk_difference and p_value (centre as intervention, the arm as comparator).


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


def assessment_json(assessment: Assessment, parts: Mapping[str, StudyParts] | None = None) -> JSON:
    """Serialize an assessment to the public JSON shape (see docs/api.md).

    Without `parts` the result is plain dicts and lists; with `prepare_studies`' parts, the
    patient-independent pieces are `orjson.Fragment`s holding the same JSON, for `dumps`.
    """
    prepared = parts or {}
    return {
        "scenario": assessment.scenario.to_json(),
        "comparisons": [
            comparison_json(c, prepared.get(c.analysis.study.id)) for c in assessment.comparisons
        ],
        "warnings": coded_json(assessment.warnings),
        "pairs_without_evidence": [
            {"options": list(gap.options), "text": gap.text}
            for gap in assessment.pairs_without_evidence
        ],
        "scope": {
            "status": assessment.scope.status,
            "reasons": list(assessment.scope.reasons),
        },
        "known_trials": [known_trial_json(t) for t in assessment.known_trials],
        "outcome_families": [
            family_json(g, nth(assessment.family_certainty, i))
            for i, g in enumerate(assessment.side_by_side)
        ],
        "available_comparisons": list(assessment.available),
        "centre_comparisons": [centre_json(c) for c in assessment.centre],
        "evidence_version": assessment.evidence_version,
    }


# --------------------------------------------------------------------------- encoding

# A dataclass or datetime reaching the encoder is a builder's bug: refuse it, as the json module
# would, rather than let orjson serialize it in a shape nobody documented.
_STRICT = orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME
_ANSWER = _STRICT | orjson.OPT_APPEND_NEWLINE


def require_finite(value: Any, where: str = "$") -> None:
    """Raise ValueError naming the first NaN or infinity found in built JSON."""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"Out of range float value {value!r} at {where} is not JSON.")
    elif isinstance(value, dict):
        for key, item in value.items():
            require_finite(item, f"{where}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            require_finite(item, f"{where}[{index}]")


def encoded(value: Any) -> bytes:
    """Encode built JSON once, checked for NaN and infinity, as bytes to splice into later answers."""
    require_finite(value)
    return orjson.dumps(value, option=_STRICT)


def fragment(value: Any) -> orjson.Fragment:
    """Encode built JSON once, checked for NaN and infinity, to embed in later answers."""
    require_finite(value)
    return orjson.Fragment(orjson.dumps(value, option=_STRICT))


def dumps(value: Any) -> bytes:
    """Encode an answer as compact UTF-8 JSON ending in a newline, as jsonify's bodies do."""
    return orjson.dumps(value, option=_ANSWER)


def dumps_checked(value: Any) -> bytes:
    """Encode an answer built once at start-up, refusing NaN and infinity anywhere in it."""
    require_finite(value)
    return dumps(value)
