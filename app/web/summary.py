"""The live summary beside the form: a few key figures, or what is still missing, as an HTML fragment.

The browser posts the form as it is typed into and swaps in what the server renders, so every rule
(which fields a setting uses, which outcomes are key, how a number is written) stays on the server.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.analysis.appraisal import OutcomeResult
from app.analysis.headline import difference_lead
from app.analysis.outcomes import has_timeframe
from app.contract.scenario import FIELD
from app.engine.assess import Assessment, Comparison
from app.web.counsel import key_outcomes
from app.web.formatting import (
    DESIGN_LABELS,
    MINUS,
    STATUS_WORDS,
    label_time,
    lead_difference_text,
    printed_p_text,
    risk_text,
)
from app.web.forms import ScenarioForm
from app.web.results import display_status

NO_MATCH = "No study in this evidence base matches these options."
NO_COUNTS = "This study gives no counts per group for its main outcomes."
INCOMPLETE = "Complete the form to see a quick summary."
DIFFERENCE_LABEL = f"Absolute difference (intervention {MINUS} comparator)"


@dataclass(frozen=True, slots=True)
class LiveOutcome:
    label: str
    timeframe: str
    comparator: str
    intervention: str
    difference: str
    # The same tags as the table: "derived", "time frame not stated", "not computed".
    tags: tuple[str, ...] = ()
    note: str = ""  # why a figure is not given, and the printed P where there is one


@dataclass(frozen=True, slots=True)
class LiveComparison:
    heading: str
    status: str
    status_text: str
    outcomes: tuple[LiveOutcome, ...]
    note: str  # said instead of figures when no key outcome has counts per group


@dataclass(frozen=True, slots=True)
class LiveSummary:
    """Either messages about the form, or the comparisons (with a line when there are none)."""

    messages: tuple[str, ...] = ()
    comparisons: tuple[LiveComparison, ...] = ()
    empty: str = ""


def form_messages(form: ScenarioForm) -> LiveSummary:
    """What the clinician still has to fill in or correct, each line naming its field."""
    labels = {name: FIELD[name].label for name in (*form.missing, *form.unreadable)}
    if form.missing or form.unreadable:
        lines = [f"{labels[n]}: enter a whole number." for n in form.unreadable]
        if form.missing:
            wanted = "; ".join(labels[n] for n in form.missing)
            lines.insert(0, f"To see a quick summary, complete: {wanted}.")
        return LiveSummary(messages=tuple(lines))
    lines = [f"{e.label}: {e.message}" for e in form.error_summary()]
    return LiveSummary(messages=tuple(lines) or (INCOMPLETE,))


def _tags(result: OutcomeResult) -> tuple[str, ...]:
    figures = result.stats
    arms = (figures.intervention, figures.comparator)
    tags = []
    if any(arm is not None and arm.derived for arm in arms):
        tags.append("derived")
    if not has_timeframe(figures.outcome):
        tags.append("time frame not stated")
    if result.not_computed_reason is not None:
        tags.append("not computed")
    return tuple(tags)


def _live_outcome(result: OutcomeResult, first: str, second: str) -> LiveOutcome:
    """One key outcome's risks and difference, or its printed percents when nothing is computed."""
    figures, outcome = result.stats, result.stats.outcome
    assert figures.intervention is not None and figures.comparator is not None
    note = result.not_computed_reason or ""
    difference = figures.risk_difference
    if difference is None:
        printed = {
            arm: f"{r.percent.text}% (printed)" if r is not None and r.percent else "not given"
            for arm, r in outcome.arms.items()
        }
        comparator = f"{second}: {printed.get(figures.comparator.arm, 'not given')}"
        intervention = f"{first}: {printed.get(figures.intervention.arm, 'not given')}"
        difference_text_ = f"{DIFFERENCE_LABEL}: not computed"
        if outcome.test is not None:
            note += f" Published {printed_p_text(outcome.test.p)}."
    else:
        comparator = f"{second}: {risk_text(figures.comparator)}"
        intervention = f"{first}: {risk_text(figures.intervention)}"
        lead = difference_lead(figures)
        assert lead is not None  # a difference was computed, so one leads
        difference_text_ = f"{DIFFERENCE_LABEL}: {lead_difference_text(lead)}"
    return LiveOutcome(
        label=outcome.label,
        timeframe=label_time(outcome.label, outcome.timeframe or "time frame not stated"),
        comparator=comparator,
        intervention=intervention,
        difference=difference_text_,
        tags=_tags(result),
        note=note.strip(),
    )


def _comparison(comparison: Comparison) -> LiveComparison:
    study = comparison.analysis.study
    first, second = study.arms[study.intervention], study.arms[study.comparator]
    outcomes = []
    for result in key_outcomes(comparison):
        figures = result.stats
        # Key outcomes have counts in both arms; the guard keeps the type checker honest.
        if figures.intervention is None or figures.comparator is None:
            continue
        outcomes.append(_live_outcome(result, first.label, second.label))
    status = display_status(comparison)
    design = DESIGN_LABELS[study.design.value]
    return LiveComparison(
        heading=f"{study.short_name} ({design}): {first.label} vs {second.label}",
        status=status,
        status_text=f"{STATUS_WORDS[status]} (checked {comparison.applicability.checked} of"
        f" {comparison.applicability.total} criteria)",
        outcomes=tuple(outcomes),
        note="" if outcomes else NO_COUNTS,
    )


def live_summary(assessment: Assessment) -> LiveSummary:
    """The key figures of each comparison, as the quick summary shows them."""
    if not assessment.comparisons:
        warning = next((w.text for w in assessment.warnings if w.text), NO_MATCH)
        return LiveSummary(empty=warning)
    return LiveSummary(comparisons=tuple(_comparison(c) for c in assessment.comparisons))
