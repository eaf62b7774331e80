"""An assessment as a FHIR R5 Bundle of Evidence resources (EBM-on-FHIR comparative shape).

One Evidence per outcome of a matched comparison that has counts in both arms: variable definitions
for the population, the exposure (intervention arm), the reference exposure (comparator arm) and
the measured variable (the outcome); statistics for each arm's proportion and, when both arms'
counts are stated by the source, the risk difference and risk ratio, each with its 95% CI and
method. Every number is the engine's (app.engine.assess, as /api/v1/assess serializes it); no
arithmetic here. Proportions are fractions (UCUM "1"), as in the JSON API. No Patient anywhere.
"""

from __future__ import annotations

import uuid
from typing import Any

from app.analysis import stats
from app.analysis.appraisal import OutcomeResult
from app.analysis.outcomes import ArmStats
from app.engine.assess import Assessment, Comparison
from app.web.formatting import DESIGN_LABELS, METHOD_WORDS, SETTING_SHORT

JSON = dict[str, Any]
TERMINOLOGY = "http://terminology.hl7.org/CodeSystem/"
UCUM = "http://unitsofmeasure.org"
PROPORTION = ("C44256", "Proportion")
RISK_DIFFERENCE = ("0000424", "Risk Difference")
RISK_RATIO = ("C93152", "Relative Risk")
CONFIDENCE_INTERVAL = ("C53324", "Confidence interval")
NO_RELATIVE = (
    "No risk difference or ratio: an arm's event count is back-calculated from a printed"
    " percentage, not stated by the source."
)


def _concept(system: str, code: tuple[str, str]) -> JSON:
    return {"coding": [{"system": TERMINOLOGY + system, "code": code[0], "display": code[1]}]}


def _fraction(value: float) -> JSON:
    return {"value": value, "unit": "proportion", "system": UCUM, "code": "1"}


def _interval(interval: stats.Interval, quantity: Any) -> JSON:
    method = METHOD_WORDS.get(interval.method, interval.method)
    return {
        "description": f"{method} (method: {interval.method})",
        "type": _concept("attribute-estimate-type", CONFIDENCE_INTERVAL),
        "level": interval.confidence,
        "range": {"low": quantity(interval.lower), "high": quantity(interval.upper)},
    }


def _ratio(value: float) -> JSON:
    return {"value": value}


def counts_stated(result: OutcomeResult) -> bool:
    """True when no arm's events are back-calculated (and the engine computed relative effects)."""
    if getattr(result, "not_computed_reason", None):
        return False  # engine11's flag, when present, decides
    arms = (result.stats.intervention, result.stats.comparator)
    return all(arm is not None and "events" not in arm.derived for arm in arms)


def _arm_statistic(arm: ArmStats, label: str) -> JSON:
    derived = [{"text": f"{key} derived: {text}"} for key, text in arm.derived.items()]
    statistic: JSON = {
        "description": f"{label}: {arm.events}/{arm.total}",
        "statisticType": _concept("statistic-type", PROPORTION),
        "category": {"text": label},
        "quantity": _fraction(arm.rate.value),
        "numberOfEvents": arm.events,
        "sampleSize": {"knownDataCount": arm.total},
        "attributeEstimate": [_interval(arm.rate, _fraction)],
    }
    if derived:
        statistic["note"] = derived
    return statistic


def _effect(
    description: str, code: tuple[str, str], interval: stats.Interval, quantity: Any
) -> JSON:
    return {
        "description": description,
        "statisticType": _concept("statistic-type", code),
        "quantity": quantity(interval.value),
        "attributeEstimate": [_interval(interval, quantity)],
    }


def _statistics(result: OutcomeResult, comparison: Comparison) -> tuple[list[JSON], list[str]]:
    study = comparison.analysis.study
    entry = result.stats
    if entry.intervention is None or entry.comparator is None:
        return [], []  # bundle() passes only outcomes with counts
    first, second = (
        study.arms[study.intervention].label,
        study.arms[study.comparator].label,
    )
    found = [
        _arm_statistic(entry.intervention, first),
        _arm_statistic(entry.comparator, second),
    ]
    notes: list[str] = []
    if not counts_stated(result):
        notes.append(getattr(result, "not_computed_reason", None) or NO_RELATIVE)
        return found, notes
    versus = f"{first} vs {second}"
    if isinstance(entry.risk_difference, stats.Interval):
        found.append(
            _effect(
                f"Risk difference, {versus}",
                RISK_DIFFERENCE,
                entry.risk_difference,
                _fraction,
            )
        )
    if isinstance(entry.risk_ratio, stats.Interval):
        found.append(_effect(f"Risk ratio, {versus}", RISK_RATIO, entry.risk_ratio, _ratio))
    elif isinstance(entry.risk_ratio, stats.Undefined):
        notes.append(f"Risk ratio not estimable: {entry.risk_ratio.reason}")
    return found, notes


def _variable(role: str, description: str) -> JSON:
    concept = {"coding": [{"system": TERMINOLOGY + "variable-role", "code": role}]}
    return {"description": description, "variableRole": concept}


def evidence_resource(
    comparison: Comparison, result: OutcomeResult, *, version: str, base_url: str
) -> JSON:
    """Return one outcome of a comparison as an R5 Evidence resource (plain JSON)."""
    study = comparison.analysis.study
    outcome = result.stats.outcome
    page = f"{base_url}/evidence/{study.id}"
    citation = study.citation.text or study.title
    if study.citation.doi:
        citation += f" doi:{study.citation.doi}"
    design = DESIGN_LABELS[study.design.value]
    statistics, notes = _statistics(result, comparison)
    resource: JSON = {
        "resourceType": "Evidence",
        "id": f"{study.id}-{outcome.id}".replace("_", "-")[:64],
        "url": f"{page}#o-{outcome.id}",
        "version": version,
        "title": f"{study.short_name}: {outcome.label} ({outcome.timeframe})",
        "citeAsMarkdown": citation,
        "status": "active",
        "description": f"Group-level result of {study.short_name} ({design}); not a prediction"
        " for an individual patient. It presents evidence and recommends no treatment.",
        "relatedArtifact": [
            {
                "type": "documentation",
                "label": "Evidence page",
                "display": f"{study.short_name} on the ICAS evidence calculator",
                "document": {"url": page, "contentType": "text/html"},
            }
        ],
        "variableDefinition": [
            _variable(
                "population",
                f"Participants of {study.short_name}: {SETTING_SHORT[study.setting.value]}",
            ),
            _variable("exposure", study.arms[study.intervention].label),
            _variable("referenceExposure", study.arms[study.comparator].label),
            _variable("measuredVariable", f"{outcome.label} ({outcome.timeframe})"),
        ],
        "studyDesign": [{"text": design}],
        "statistic": statistics,
    }
    if notes:
        resource["note"] = [{"text": text} for text in notes]
    return resource


def bundle(assessment: Assessment, *, base_url: str) -> JSON:
    """Return the assessment's outcomes with counts as a FHIR R5 collection Bundle."""
    entries = []
    version = assessment.evidence_version
    for comparison in assessment.comparisons:
        for result in comparison.outcomes:
            if not result.stats.has_counts:
                continue
            resource = evidence_resource(comparison, result, version=version, base_url=base_url)
            # The same evidence and version always get the same id: the bundle is reproducible.
            name = f"{resource['url']}|{version}"
            entries.append(
                {
                    "fullUrl": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}",
                    "resource": resource,
                }
            )
    return {
        "resourceType": "Bundle",
        "meta": {"tag": [{"system": f"{base_url}/evidence-version", "code": version}]},
        "type": "collection",
        "entry": entries,
    }
