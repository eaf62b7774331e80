"""The CDS Hooks card: what the evidence compares for an ordered procedure, never a recommendation.

The numbers are the live summary's (app.web.summary.live_summary over app.engine.assess): the same
engine and formatting as the calculator and /api/v1/assess, nothing computed here. The scenario is
group-level (setting and option only): stenosis, symptoms and timing are not coded in the order,
so the card says the figures are the study groups', not this patient's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from app.contract.scenario import Scenario
from app.contract.vocabulary import DESIGNS, TREATMENTS
from app.engine.assess import Assessment, Comparison, assess
from app.engine.tables import Tables
from app.web.summary import LiveComparison, live_summary

JSON = dict[str, Any]
SETTING = "symptomatic_icas"  # an elective procedure order; acute rescue stenting is not ordered
SUMMARY_LIMIT = 140  # CDS Hooks: "<140-character" summary, strictly less
SOURCE_LABEL = "ICAS evidence calculator"
CAVEAT = (
    "Group-level results of the study, not a prediction for this patient; this card recommends no"
    " treatment. Stenosis, symptoms and timing are not in the order: check the patient against the"
    " study population in the calculator."
)


def find_assessment(options: Iterable[str], tables: Tables) -> Assessment | None:
    """Assess each ordered option on its own; return the first assessment with a comparison."""
    for option in options:
        assessment = assess(Scenario(setting=SETTING, options=(option,)), tables)
        if assessment.comparisons:
            return assessment
    return None


def summary_text(comparison: Comparison) -> str:
    """Name what the evidence compares, in under 140 characters."""
    study = comparison.analysis.study
    first = TREATMENTS[study.arms[study.intervention].treatment].short
    second = TREATMENTS[study.arms[study.comparator].treatment].short
    design = DESIGNS[study.design.value].short
    for text in (
        f"Evidence for this order: {study.short_name} ({design}) compared {first} with {second}.",
        f"Evidence: {study.short_name} ({design}) compared {first} with {second}.",
        f"Evidence: {study.short_name} compared {first} with {second}.",
        f"Evidence compared {first} with {second}.",
    ):
        if len(text) < SUMMARY_LIMIT:
            return text
    return "Evidence on this intracranial procedure is summarised in the calculator."


def detail_text(view: LiveComparison, comparison: Comparison, version: str) -> str:
    """The key numbers of the comparison with their source, as GitHub-flavoured Markdown."""
    study = comparison.analysis.study
    lines = [f"**{view.heading}**", ""]
    for outcome in view.outcomes:
        lines.append(
            f"- {outcome.label} ({outcome.timeframe}): {outcome.intervention};"
            f" {outcome.comparator}; {outcome.difference}"
        )
    if view.note:
        lines.append(view.note)
    source = study.citation.text or study.title
    if study.citation.doi:
        source += f" doi:{study.citation.doi}"
    lines += [
        "",
        CAVEAT,
        "",
        f"Source: {source.rstrip('.')}. Evidence version {version}.",
    ]
    return "\n".join(lines)


def card(assessment: Assessment, *, base_url: str, launch_url: str | None) -> JSON:
    """Build the info card for the assessment's first comparison (the engine's order)."""
    comparison = assessment.comparisons[0]
    view = live_summary(assessment).comparisons[0]
    study = comparison.analysis.study
    link: Mapping[str, str] = (
        {
            "label": "Open the ICAS evidence calculator",
            "url": launch_url,
            "type": "smart",
        }
        if launch_url
        else {
            "label": "Open the ICAS evidence calculator",
            "url": f"{base_url}/",
            "type": "absolute",
        }
    )
    return {
        "summary": summary_text(comparison),
        "indicator": "info",
        "detail": detail_text(view, comparison, assessment.evidence_version),
        "source": {"label": SOURCE_LABEL, "url": f"{base_url}/evidence/{study.id}"},
        "links": [dict(link)],
    }
