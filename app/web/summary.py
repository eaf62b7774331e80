"""The live summary beside the form: a few key figures, or what is still missing, as an HTML fragment.

The browser posts the form as it is typed into and swaps in what the server renders, so every rule
(which fields a setting uses, which outcomes are key, how a number is written) stays on the server.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.contract.scenario import FIELD
from app.engine.assess import Assessment, Comparison
from app.web.counsel import key_outcomes
from app.web.formatting import DESIGN_LABELS, MINUS, STATUS_WORDS, difference_text, risk_text
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


def _comparison(comparison: Comparison) -> LiveComparison:
    study = comparison.analysis.study
    first, second = study.arms[study.intervention], study.arms[study.comparator]
    outcomes = []
    for result in key_outcomes(comparison):
        figures = result.stats
        # Key outcomes have counts in both arms; the guard keeps the type checker honest.
        if figures.intervention is None or figures.comparator is None:
            continue
        difference = figures.risk_difference
        outcomes.append(
            LiveOutcome(
                label=figures.outcome.label,
                timeframe=figures.outcome.timeframe or "time frame not stated",
                comparator=f"{second.label}: {risk_text(figures.comparator)}",
                intervention=f"{first.label}: {risk_text(figures.intervention)}",
                difference=f"{DIFFERENCE_LABEL}: "
                + (difference_text(difference) if difference else "not estimable"),
            )
        )
    status = display_status(comparison)
    design = DESIGN_LABELS[study.design.value]
    return LiveComparison(
        heading=f"{study.short_name} ({design}): {first.label} vs {second.label}",
        status=status,
        status_text=STATUS_WORDS[status],
        outcomes=tuple(outcomes),
        note="" if outcomes else NO_COUNTS,
    )


def live_summary(assessment: Assessment) -> LiveSummary:
    """The key figures of each comparison, as the quick summary shows them."""
    if not assessment.comparisons:
        warning = next((w.text for w in assessment.warnings if w.text), NO_MATCH)
        return LiveSummary(empty=warning)
    return LiveSummary(comparisons=tuple(_comparison(c) for c in assessment.comparisons))
