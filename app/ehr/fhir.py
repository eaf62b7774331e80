"""An assessment as a FHIR R5 Bundle of Evidence resources (EBM-on-FHIR profiles).

Per outcome of a matched comparison, three resources: one ComparativeEvidence (the population, the
exposure = intervention arm, the reference exposure = comparator arm, the measured variable = the
outcome; the comparison's statistics, the page's leading ratio and difference first) and one
InterventionOnlyEvidence and one ComparatorOnlyEvidence with that arm's own result (events and
denominator with the exact 95% CI, or the percentage, Kaplan-Meier rate or survival as printed),
referenced from the comparative one. A figure from a secondary source says so in its statistic's
note, and the resource cites that source (a relatedArtifact per statistic). Every number is the
engine's (app.engine.assess, as /api/v1/assess serializes it). Proportions are fractions (UCUM "1").
A registered trial named for the chosen options (never its numbers) is an Evidence with a note and
no statistic. No Patient anywhere.
"""

from __future__ import annotations

import uuid
from typing import Any

from app.analysis import stats
from app.analysis.appraisal import OutcomeResult
from app.ehr.fhir_certainty import certainty_element, design_notes
from app.ehr.fhir_statistics import (
    Statistic,
    arm_statistic,
    comparative_statistics,
    concept,
    unique,
)
from app.engine.assess import Assessment, Comparison
from app.evidence.model import KnownTrial, Study
from app.web.formatting import DESIGN_LABELS, SETTING_SHORT, SOURCE_KIND_WORDS, TREATMENT_LABELS
from app.web.known import known_trial_view

JSON = dict[str, Any]
EBM = "http://hl7.org/fhir/uv/ebm/StructureDefinition/"
PROFILES = {
    "comparative": EBM + "comparative-evidence",
    "intervention": EBM + "intervention-only-evidence",
    "comparator": EBM + "comparator-only-evidence",
}
ROLE_DISPLAY = {
    "population": "Population",
    "exposure": "Exposure",
    "referenceExposure": "Reference Exposure",
    "measuredVariable": "Measured Variable",
}
NO_RELATIVE = (
    "No risk difference or ratio: an arm's event count is back-calculated from a printed"
    " percentage, not stated by the source."
)
NOT_IN_BASE = (
    "Not in this evidence base: the calculator names this trial for the options chosen but gives"
    " none of its numbers."
)


def counts_stated(result: OutcomeResult) -> bool:
    """True when the engine computed a difference and ratio from counts both arms' sources state.

    A reason that only withholds the NNT (no time frame) leaves the difference and ratio standing.
    """
    entry = result.stats
    if entry.risk_difference is None:
        return False  # the engine withheld them (assumed counts) or there are no counts
    arms = (entry.intervention, entry.comparator)
    return all(arm is not None and "events" not in arm.derived for arm in arms)


def _variable(role: str, description: str) -> JSON:
    return {
        "description": description,
        "variableRole": concept("variable-role", (role, ROLE_DISPLAY[role])),
    }


def _canonical(base_url: str, resource_id: str) -> str:
    """A canonical URL without a fragment: the Evidence's own address under /fhir."""
    return f"{base_url}/fhir/Evidence/{resource_id}"


def _resource_id(*parts: str) -> str:
    """A FHIR id (letters, digits, '-' and '.', at most 64): a stable hash stands in when too long."""
    text = "-".join(parts).replace("_", "-")
    if len(text) <= 64:
        return text
    return f"{text[:51]}-{uuid.uuid5(uuid.NAMESPACE_URL, text).hex[:12]}"


def _full_url(url: str, version: str) -> str:
    # The same evidence and version always get the same id: the bundle is reproducible.
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{url}|{version}')}"


def _citation(study: Study) -> str:
    citation = study.citation.text or study.title
    if study.citation.doi:
        citation += f" doi:{study.citation.doi}"
    return citation


def _cite_sources(
    statistics: list[Statistic], study: Study, first: int = 1
) -> tuple[list[JSON], list[JSON]]:
    """Each statistic's JSON, a note on those from a non-primary source, and one citation each."""
    found, artifacts = [], []
    for index, statistic in enumerate(statistics, start=first):
        body = statistic.json
        for source_id in unique(statistic.sources):
            source = study.sources.get(source_id)
            if source is None or source.kind == "primary":
                continue
            label = f"Source of statistic {index}"
            kind = SOURCE_KIND_WORDS.get(source.kind, source.kind).upper()
            body.setdefault("note", []).append({"text": f"{kind}: {source.title}; see '{label}'."})
            artifact: JSON = {
                "type": "citation",
                "label": label,
                "display": f"{kind}: {source.title}",
                "citation": f"{source.title} ({source.origin})",
            }
            # An origin is an address, sometimes followed by how it was reached.
            address = source.origin.split()[0].rstrip(",") if source.origin else ""
            if address.startswith(("http://", "https://")):
                artifact["document"] = {"url": address, "contentType": "text/html"}
            artifacts.append(artifact)
        found.append(body)
    return found, artifacts


def _base_resource(
    comparison: Comparison, result: OutcomeResult, *, role: str, version: str, base_url: str
) -> JSON:
    study = comparison.analysis.study
    outcome = result.stats.outcome
    page = f"{base_url}/evidence/{study.id}"
    parts = (study.id, outcome.id) if role == "comparative" else (study.id, outcome.id, role)
    resource_id = _resource_id(*parts)
    design = DESIGN_LABELS[study.design.value]
    group = {"intervention": study.intervention, "comparator": study.comparator}.get(role)
    what = (
        "Group-level result"
        if group is None
        else f"Result of the {role} group ({study.arms[group].label})"
    )
    return {
        "resourceType": "Evidence",
        "id": resource_id,
        "meta": {"profile": [PROFILES[role]]},
        "url": _canonical(base_url, resource_id),
        "version": version,
        "title": f"{study.short_name}: {outcome.label} ({outcome.timeframe})"
        + ("" if group is None else f", {role} group"),
        "citeAsMarkdown": _citation(study),
        "status": "active",
        "description": f"{what} of {study.short_name} ({design}); not a prediction for an"
        " individual patient. It presents evidence and recommends no treatment.",
        "relatedArtifact": [
            {
                "type": "documentation",
                "label": "Evidence page",
                "display": f"{study.short_name}: {outcome.label} on the ICAS evidence calculator",
                "document": {"url": f"{page}#o-{outcome.id}", "contentType": "text/html"},
            }
        ],
        "studyDesign": [{"text": design}],
    }


def _population(study: Study) -> JSON:
    return _variable(
        "population", f"Participants of {study.short_name}: {SETTING_SHORT[study.setting.value]}"
    )


def _measured(result: OutcomeResult) -> JSON:
    outcome = result.stats.outcome
    return _variable("measuredVariable", f"{outcome.label} ({outcome.timeframe})")


def arm_resource(
    comparison: Comparison, result: OutcomeResult, role: str, *, version: str, base_url: str
) -> JSON | None:
    """One arm's result for one outcome (EBM-on-FHIR intervention-only or comparator-only)."""
    study = comparison.analysis.study
    entry = result.stats
    arm_id = study.intervention if role == "intervention" else study.comparator
    arm = entry.intervention if role == "intervention" else entry.comparator
    label = study.arms[arm_id].label
    statistic = arm_statistic(arm, entry.outcome.arms.get(arm_id), label)
    if statistic is None:
        return None
    resource = _base_resource(comparison, result, role=role, version=version, base_url=base_url)
    statistics, citations = _cite_sources([statistic], study)
    resource["relatedArtifact"] += citations
    resource["variableDefinition"] = [
        _population(study),
        _variable("exposure", label),
        _measured(result),
    ]
    resource["statistic"] = statistics
    return resource


def evidence_resource(
    comparison: Comparison,
    result: OutcomeResult,
    *,
    version: str,
    base_url: str,
    arms: dict[str, str] | None = None,
) -> JSON:
    """Return one outcome of a comparison as an R5 ComparativeEvidence (plain JSON).

    `arms` maps "intervention"/"comparator" to the fullUrl of that arm's own Evidence.
    """
    study = comparison.analysis.study
    entry = result.stats
    first, second = study.arms[study.intervention].label, study.arms[study.comparator].label
    resource = _base_resource(
        comparison, result, role="comparative", version=version, base_url=base_url
    )
    statistics, citations = _cite_sources(
        comparative_statistics(entry, study, f"{first} vs {second}"), study
    )
    for role, full_url in (arms or {}).items():
        resource["relatedArtifact"].append(
            {
                "type": "composed-of",
                "label": f"{role.capitalize()} group",
                "display": f"{role.capitalize()} group's result: {study.arms[getattr(study, role)].label}",
                "resourceReference": {"reference": full_url, "type": "Evidence"},
            }
        )
    resource["relatedArtifact"] += citations
    resource["variableDefinition"] = [
        _population(study),
        _variable("exposure", first),
        _variable("referenceExposure", second),
        _measured(result),
    ]
    resource["statistic"] = statistics
    notes = []
    if entry.not_computed_reason:
        notes.append(entry.not_computed_reason)
    elif entry.has_counts and not counts_stated(result):
        notes.append(NO_RELATIVE)
    if isinstance(entry.risk_ratio, stats.Undefined):
        notes.append(f"Risk ratio not estimable: {entry.risk_ratio.reason}")
    if entry.outcome.statement:
        notes.append(f"As the study states it: {entry.outcome.statement}")
    if not statistics and not notes:
        notes.append(
            "No comparative figure is printed; each group's own result is in its Evidence."
            if arms
            else "The study gives no figure for this outcome."
        )
    notes += design_notes(study)
    if notes:
        resource["note"] = [{"text": text} for text in notes]
    certainty = comparison.certainty_of(result)
    if certainty is not None:
        resource["certainty"] = [certainty_element(certainty)]
    return resource


def known_trial_resource(trial: KnownTrial, *, version: str, base_url: str) -> JSON:
    """A registered trial the options point to, as an Evidence with a note and no statistic."""
    view = known_trial_view(trial)
    resource_id = _resource_id("register", trial.id)
    citation = trial.citation
    text = " ".join(t for t in (citation.text, citation.note) if t)
    if citation.doi:
        text += f" doi:{citation.doi}"
    return {
        "resourceType": "Evidence",
        "id": resource_id,
        "url": _canonical(base_url, resource_id),
        "version": version,
        "title": f"{trial.short_name}: {trial.title}",
        "citeAsMarkdown": " ".join(t for t in (text, citation.registration) if t),
        "status": "active",
        "description": view.text,
        "note": [{"text": f"{NOT_IN_BASE} {trial.reason}"}],
        "variableDefinition": [
            _variable(
                "population",
                f"Participants of {trial.short_name}: {SETTING_SHORT.get(trial.setting, trial.setting)}",
            ),
            _variable("exposure", " or ".join(TREATMENT_LABELS[c] for c in trial.intervention)),
            _variable("referenceExposure", trial.comparator_label),
        ],
    }


def _entry(resource: JSON) -> JSON:
    return {"fullUrl": _full_url(resource["url"], resource["version"]), "resource": resource}


def decimal(value: float) -> float:
    """The value with at most 17 digits after the point, the most an R5 decimal allows.

    R5's decimal (datatypes.html#decimal) takes at most 18 digits before the point and 17 after;
    a float's shortest form can have 20 after it (0.0012345678901234567), so those are rounded at
    the 17th, a change of at most 5e-18.
    """
    return round(value, 17)


def _decimals(value: Any) -> Any:
    """Every float in a resource as an R5 decimal (the one place numbers leave for FHIR)."""
    if isinstance(value, float):
        return decimal(value)
    if isinstance(value, dict):
        return {key: _decimals(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decimals(item) for item in value]
    return value


def bundle(assessment: Assessment, *, base_url: str) -> JSON:
    """Return every outcome of the assessment's comparisons, and the trials it names, as a Bundle."""
    entries = []
    version = assessment.evidence_version
    for comparison in assessment.comparisons:
        for result in comparison.outcomes:
            arms = {}
            arm_entries = []
            for role in ("intervention", "comparator"):
                arm = arm_resource(comparison, result, role, version=version, base_url=base_url)
                if arm is not None:
                    arm_entries.append(_entry(arm))
                    arms[role] = arm_entries[-1]["fullUrl"]
            resource = evidence_resource(
                comparison, result, version=version, base_url=base_url, arms=arms
            )
            entries += [_entry(resource), *arm_entries]
    for trial in assessment.known_trials:
        entries.append(_entry(known_trial_resource(trial, version=version, base_url=base_url)))
    return {
        "resourceType": "Bundle",
        "meta": {
            "tag": [
                {
                    "system": f"{base_url}/evidence-version",
                    "code": version,
                    "display": "Evidence version",
                }
            ]
        },
        "type": "collection",
        "entry": _decimals(entries),
    }
