"""The bedside glance at the top of the results: per comparison, the fit and the main outcomes' risks.

It is what a clinician at the bedside reads first, on one phone screen: for each comparison, the
applicability status and, for each main outcome (the balance rule's: role names primary or safety),
the risk with the intervention (the more invasive option) and with the comparator, or, without
per-group counts, the published estimate or the study's finding. The full table follows below it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from app.analysis.appraisal import OutcomeResult
from app.analysis.base import StudyAnalysis
from app.contract.vocabulary import POOLED_DESIGNS, TREATMENTS
from app.engine.assess import Assessment
from app.evidence.model import Study
from app.web.counsel_outcomes import assumed_counts, timed
from app.web.formatting import STATUS_WORDS, effect_text, label_time, risk_text
from app.web.results import display_status

TITLE = "At a glance"
FULL_TABLE = "Full table"
# The study's own finding in a clinician's words ([outcomes.finding]).
FINDING_WORDS = {
    "no_difference": "no per-group figures; the study reports no difference",
    "more_with_intervention": "no per-group figures; the study reports more with {arm}",
    "more_with_comparator": "no per-group figures; the study reports more with {arm}",
}
NO_TIME = "time frame not stated"
DERIVED = "derived counts"
PRINTED_ONLY = "printed percentages; counts not stated"
POOLED = "pooled percentages of several studies"
# A published figure of the outcome differs from its recomputation: the table's row says how.
AUDITED = "audit note"


@dataclass(frozen=True, slots=True)
class GlanceOutcome:
    label: str
    timeframe: str  # '' when the label already says it
    intervention: str  # "Balloon-mounted stent: 24.1% (13.9–37.2) · 14/58"; "" without figures
    comparator: str
    text: str  # said instead of the two risks when there are none
    tags: tuple[str, ...]
    href: str


@dataclass(frozen=True, slots=True)
class GlanceComparison:
    name: str
    href: str
    status: str
    status_text: str
    outcomes: tuple[GlanceOutcome, ...]
    # The outcomes as the page shows them, rendered at start-up (None: rendered with the page).
    outcomes_html: str | None = None


@dataclass(frozen=True, slots=True)
class Glance:
    title: str
    full_table: str
    comparisons: tuple[GlanceComparison, ...]


def _label(study: Study, arm_id: str) -> str:
    """'Balloon-mounted stent', 'Medical therapy': the treatment's short clinician words."""
    short = TREATMENTS[study.arms[arm_id].treatment].short.removeprefix("a ")
    return short[:1].upper() + short[1:]


def _printed(result: OutcomeResult, study: Study, arm_id: str) -> str:
    arm = result.stats.outcome.arms.get(arm_id)
    figure = None if arm is None else arm.printed_rate
    if arm is None or figure is None:
        return ""
    # A Kaplan-Meier event rate is a risk by the time frame, as printed (no counts behind it).
    kind = "Kaplan-Meier, printed" if figure is arm.event_rate else "printed"
    return f"{_label(study, arm_id)}: {figure.text}% ({kind})"


def glance_outcome(result: OutcomeResult, study: Study, anchor: str) -> GlanceOutcome:
    """One main outcome: both risks, or the printed figures, or the published estimate or finding."""
    entry, outcome = result.stats, result.stats.outcome
    # The loader keeps the more invasive arm as the intervention (vocabulary.INVASIVENESS).
    first, second = study.intervention, study.comparator
    tags = [] if timed(result) else [NO_TIME]
    intervention = comparator = text = ""
    counts = {a.arm: a for a in (entry.intervention, entry.comparator) if a is not None}
    if first in counts and second in counts and not assumed_counts(result):
        intervention = f"{_label(study, first)}: {risk_text(counts[first])}"
        comparator = f"{_label(study, second)}: {risk_text(counts[second])}"
        if counts[first].derived or counts[second].derived:
            tags.append(DERIVED)
    else:
        intervention = _printed(result, study, first)
        comparator = _printed(result, study, second)
        if intervention and comparator:
            tags.append(POOLED if study.design.value in POOLED_DESIGNS else PRINTED_ONLY)
    if not (intervention and comparator):
        intervention = comparator = ""
        if outcome.effects:
            text = effect_text(outcome.effects[0])
        elif outcome.finding is not None:
            more = outcome.finding.result == "more_with_intervention"
            arm = study.intervention if more else study.comparator
            text = FINDING_WORDS[outcome.finding.result].format(arm=_label(study, arm).lower())
        else:
            text = outcome.statement
    if any(item.agrees is False for item in entry.audit):
        tags.append(AUDITED)
    return GlanceOutcome(
        label=outcome.label,
        timeframe=label_time(outcome.label, outcome.timeframe),
        intervention=intervention,
        comparator=comparator,
        text=text,
        tags=tuple(tags),
        href=f"#{anchor}-{outcome.id}",
    )


def study_glance(study: Study, outcomes: tuple[OutcomeResult, ...]) -> tuple[GlanceOutcome, ...]:
    """A study's main outcomes as the glance shows them (no patient changes them)."""
    anchor = f"c-{study.id}"
    return tuple(
        glance_outcome(r, study, anchor)
        for r in outcomes
        if r.stats.outcome.is_main and "subgroup" not in r.stats.outcome.role
    )


def prepare_glances(studies: Iterable[StudyAnalysis]) -> dict[str, tuple[GlanceOutcome, ...]]:
    """Each study's main outcomes as the glance shows them, once at start-up: no patient changes them.

    Worked out per request they took 85 us of the all-four-options page (tests/perf/README.md).
    """
    return {a.study.id: study_glance(a.study, a.appraisal.outcomes) for a in studies}


def glance(
    assessment: Assessment,
    outcomes: Mapping[str, tuple[GlanceOutcome, ...]],
    html: Mapping[str, str] | None = None,
) -> Glance:
    """The glance for every comparison, in the assessment's order (outcomes: prepare_glances;
    html: each study's outcomes rendered by the page's macro, where prepared)."""
    comparisons = []
    for comparison in assessment.comparisons:
        study = comparison.analysis.study
        status = display_status(comparison)
        fit = comparison.applicability
        comparisons.append(
            GlanceComparison(
                name=study.short_name,
                href=f"#c-{study.id}",
                status=status,
                status_text=f"{STATUS_WORDS[status]} ({fit.checked} of {fit.total} criteria checked)",
                outcomes=outcomes[study.id],
                outcomes_html=(html or {}).get(study.id),
            )
        )
    return Glance(TITLE, FULL_TABLE, tuple(comparisons))
