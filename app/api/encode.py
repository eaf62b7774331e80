"""Turn assessments, evidence and statistics into plain JSON: floats or null, never NaN."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from app.analysis import stats
from app.analysis.appraisal import OutcomeResult, Warning
from app.analysis.audit import AuditItem
from app.analysis.base import EvidenceBase, StudyAnalysis
from app.analysis.matching import Match
from app.analysis.outcomes import ArmStats, OutcomeStats
from app.analysis.population import Reason
from app.contract.scenario import Scenario
from app.engine.applicability import STATUS_ORDER, Applicability
from app.engine.assess import PARTLY_UNKNOWN, Assessment, Comparison
from app.evidence.model import OPTIONS, ArmResult, Effect, Printed, Quote, Study

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
        "quote": quote_json(effect.quote, study),
    }


def audit_json(item: AuditItem, study: Study) -> JSON:
    return {
        "figure": item.figure,
        "published": item.published,
        "recomputed": item.recomputed,
        "agrees": item.agrees,
        "note": item.note,
        "quote": quote_json(item.quote, study),
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
        "signals": [{"code": s.code, "text": s.text} for s in result.signals],
    }


def _applicability_json(comparison: Comparison, study: Study) -> JSON:
    return {
        "status": comparison.applicability.status,
        "reasons": [
            {
                "criterion": r.criterion,
                "status": r.status,
                "text": r.text,
                "source_kind": r.source_kind,
                "quote": quote_json(r.quote, study),
            }
            for r in comparison.applicability.reasons
        ],
    }


def comparison_json(comparison: Comparison) -> JSON:
    study = comparison.analysis.study
    return {
        "study": study_summary_json(study),
        "intervention": arm_json(study, study.intervention, comparison.match.intervention_option),
        "comparator": arm_json(study, study.comparator, comparison.match.comparator_option),
        "applicability": _applicability_json(comparison, study),
        "caveats": [{"code": c.code, "text": c.text} for c in study.caveats],
        "outcomes": [_outcome_result_json(o, study) for o in comparison.outcomes],
        "warnings": [{"code": w.code, "text": w.text} for w in comparison.warnings],
    }


def assessment_json(assessment: Assessment) -> JSON:
    """Serialize an assessment to the public JSON shape (see README: JSON API)."""
    return {
        "scenario": assessment.scenario.to_json(),
        "comparisons": [comparison_json(c) for c in assessment.comparisons],
        "warnings": [{"code": w.code, "text": w.text} for w in assessment.warnings],
        "available_comparisons": list(assessment.available),
        "evidence_version": assessment.evidence_version,
    }


# --------------------------------------------------------------------------- encoding, fast

# JSON text as Flask's jsonify writes it outside debug mode with the app's provider: compact
# separators, non-ASCII escaped, keys in insertion order, NaN refused.
COMPACT_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=True, allow_nan=False)
_string: Callable[[str], str] = json.encoder.encode_basestring_ascii  # type: ignore[attr-defined]


def _coded(item: Any) -> str:
    """One {"code", "text"} object (a warning or signal) as compact JSON."""
    return f'{{"code":{_string(item.code)},"text":{_string(item.text)}}}'


def _coded_text(items: Iterable[Any]) -> str:
    """A list of {"code", "text"} objects (warnings, signals) as compact JSON."""
    return "[" + ",".join([_coded(i) for i in items]) + "]"


@dataclass(frozen=True, slots=True)
class _StudyText:
    """The patient-independent parts of one study's comparison, as JSON text (ASCII bytes)."""

    analysis: StudyAnalysis
    results: tuple[OutcomeResult, ...]
    # (intervention option, comparator option) -> the comparison's JSON up to its applicability:
    # the study summary and both arms as shown for those options.
    heads: Mapping[tuple[str | None, str | None], bytes]
    # What follows the applicability: caveats, outcomes and the opening of the warnings list.
    tail: bytes
    # id(reason) -> its JSON, for every reason in the study's table, and id(warning) -> its JSON,
    # for every warning whose text does not depend on the patient. `analysis` (and the engine
    # module) keep each of these objects alive, so no other object can have its id meanwhile.
    reasons: Mapping[int, bytes]
    warnings: Mapping[int, bytes]


def _reason_head(reason: Reason) -> bytes:
    """A reason's JSON object up to its quote: the quote's JSON and "}" complete it."""
    return _ascii(
        f'{{"criterion":{_string(reason.criterion)},"status":{_string(reason.status)}'
        f',"text":{_string(reason.text)},"source_kind":{_string(reason.source_kind)},"quote":'
    )


def _scalar(value: Any) -> str:
    """A scenario value as COMPACT_JSON writes it (null, true, false, a whole number or text)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    kind = type(value)
    if kind is str:
        return _string(value)
    if kind is int:
        return int.__repr__(value)  # what the json module writes for an int
    return COMPACT_JSON.encode(value)


def _scenario_json(scenario: Scenario) -> str:
    """The scenario as COMPACT_JSON.encode(scenario.to_json()) writes it, without the dict."""
    options = ",".join([_string(option) for option in scenario.options])
    return (
        f'{{"setting":{_string(scenario.setting)},"options":[{options}]'
        f',"stenosis_percent":{_scalar(scenario.stenosis_percent)}'
        f',"symptomatic":{_scalar(scenario.symptomatic)}'
        f',"days_since_event":{_scalar(scenario.days_since_event)}'
        f',"artery":{_scalar(scenario.artery)}'
        f',"age":{_scalar(scenario.age)}'
        f',"prestent_angioplasty":{_scalar(scenario.prestent_angioplasty)}}}'
    )


def _ascii(text: str) -> bytes:
    # COMPACT_JSON escapes every non-ASCII character, so its text is ASCII.
    return text.encode("ascii")


def _status_opening(status: str) -> bytes:
    return _ascii(f'{{"status":{_string(status)},"reasons":[')


_STATUS_OPENINGS = {status: _status_opening(status) for status in STATUS_ORDER}


class AssessmentEncoder:
    """Encode assessments as compact JSON bytes, reusing what does not depend on the patient.

    A comparison's study summary, caveats, arms and outcomes (statistics, published figures, audit
    and signals: about nine tenths of the answer) are the same for every patient, so they are encoded
    once, here; each answer encodes only its scenario, applicability and warnings, and the pieces
    are joined once, as bytes (joining tens of kilobytes of text a few times over, then encoding
    it, cost as much as the rest of the encoding). ``encode(a)`` is exactly
    ``COMPACT_JSON.encode(assessment_json(a))`` plus the newline jsonify ends with, as bytes
    (tests/test_fuzz.py checks it through the API, tests/test_engine.py directly). A comparison this
    encoder did not prepare (another evidence base, or other outcomes than the analysis
    appraised) is encoded in full.
    """

    def __init__(self, base: EvidenceBase) -> None:
        self._version = (base.version, _ascii(COMPACT_JSON.encode(base.version)))
        self._studies = {id(analysis): self._prepare(analysis) for analysis in base.studies}

    @staticmethod
    def _prepare(analysis: StudyAnalysis) -> _StudyText:
        study, dumps = analysis.study, COMPACT_JSON.encode
        parts = analysis.appraisal
        results = parts.outcomes
        summary = dumps(study_summary_json(study))
        options = (*OPTIONS, None)
        arms = {
            (arm, option): dumps(arm_json(study, arm, option))
            for arm in (study.intervention, study.comparator)
            for option in options
        }
        quotes = {
            id(c.quote): _ascii(dumps(quote_json(c.quote, study))) for c in study.criteria.values()
        }
        return _StudyText(
            analysis=analysis,
            results=results,
            heads={
                (first, second): _ascii(
                    f'{{"study":{summary},"intervention":{arms[study.intervention, first]}'
                    f',"comparator":{arms[study.comparator, second]},"applicability":'
                )
                for first in options
                for second in options
            },
            tail=_ascii(
                f',"caveats":{_coded_text(study.caveats)}'
                f',"outcomes":{dumps([_outcome_result_json(r, study) for r in results])}'
                ',"warnings":['
            ),
            reasons={
                id(r): _reason_head(r) + quotes[id(r.quote)] + b"}"
                for by_value in analysis.reasons.values()
                for r in by_value.values()
            },
            warnings={
                id(w): _ascii(_coded(w))
                for w in (
                    PARTLY_UNKNOWN,
                    *parts.design_warnings,
                    parts.stent_type_warning,
                    *parts.data_warnings,
                    *(warning for _, warning in parts.note_warnings),
                )
            },
        )

    @staticmethod
    def _head(text: _StudyText, match: Match) -> bytes:
        found = text.heads.get((match.intervention_option, match.comparator_option))
        if found is not None:
            return found
        study = text.analysis.study
        first = arm_json(study, study.intervention, match.intervention_option)
        second = arm_json(study, study.comparator, match.comparator_option)
        return _ascii(
            f'{{"study":{COMPACT_JSON.encode(study_summary_json(study))}'
            f',"intervention":{COMPACT_JSON.encode(first)}'
            f',"comparator":{COMPACT_JSON.encode(second)},"applicability":'
        )

    @staticmethod
    def _reason(text: _StudyText, reason: Reason) -> bytes:
        prepared = text.reasons.get(id(reason))
        if prepared is not None:
            return prepared
        quote = COMPACT_JSON.encode(quote_json(reason.quote, text.analysis.study))
        return _reason_head(reason) + _ascii(quote) + b"}"

    @staticmethod
    def _applicability(text: _StudyText, fit: Applicability) -> bytes:
        opening = _STATUS_OPENINGS.get(fit.status) or _status_opening(fit.status)
        reasons = b",".join([AssessmentEncoder._reason(text, r) for r in fit.reasons])
        return opening + reasons + b"]}"

    @staticmethod
    def _warnings(text: _StudyText, warnings: Iterable[Warning]) -> bytes:
        prepared = text.warnings
        return b",".join([prepared.get(id(w)) or _ascii(_coded(w)) for w in warnings])

    def _comparison(self, comparison: Comparison, out: list[bytes]) -> None:
        text = self._studies.get(id(comparison.analysis))
        # `!=` is cheap when the engine's cached tuple is passed through (each element is the
        # same object), and still right when it is not (the content is compared).
        if (
            text is None
            or text.analysis is not comparison.analysis
            or comparison.outcomes != text.results
        ):
            out.append(_ascii(COMPACT_JSON.encode(comparison_json(comparison))))
            return
        out += (
            self._head(text, comparison.match),
            self._applicability(text, comparison.applicability),
            text.tail,
            self._warnings(text, comparison.warnings),
            b"]}",
        )

    def encode(self, assessment: Assessment) -> bytes:
        """Return the assessment as compact JSON bytes and a newline, as jsonify's body."""
        version, version_text = self._version
        if assessment.evidence_version != version:
            version_text = _ascii(_string(assessment.evidence_version))
        out = [
            b'{"scenario":',
            _ascii(_scenario_json(assessment.scenario)),
            b',"comparisons":[',
        ]
        for index, comparison in enumerate(assessment.comparisons):
            if index:
                out.append(b",")
            self._comparison(comparison, out)
        available = ",".join(_string(a) for a in assessment.available)
        out += (
            b'],"warnings":',
            _ascii(_coded_text(assessment.warnings)),
            b',"available_comparisons":[',
            _ascii(available),
            b'],"evidence_version":',
            version_text,
            b"}\n",
        )
        return b"".join(out)
