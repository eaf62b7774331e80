"""Appraise each study's evidence once, whatever the patient: outcome signals and study warnings."""

from __future__ import annotations

from dataclasses import dataclass

from app.analysis.audit import AuditItem
from app.analysis.caveats import Notice, Signal
from app.analysis.certainty import Judged, judge_outcome
from app.analysis.headline import RATIO_WORDS, disagreement, headline
from app.analysis.kinds import KINDS
from app.analysis.outcomes import OutcomeStats
from app.contract import vocabulary
from app.evidence.model import ScenarioNote, Study

SMALL_NUMBERS = 10
# Caveats every view repeats as a warning: an early stop, and results the stored sources do not
# show (so a patient view never seems complete when a harm's figures are missing).
WARNING_CAVEATS = ("stopped_early", "results_not_shown")
DESIGN_WORDS = {code: term.short for code, term in vocabulary.DESIGNS.items()}


@dataclass(frozen=True, slots=True)
class OutcomeResult:
    """An outcome's statistics with the signals that bear on its strength."""

    stats: OutcomeStats
    signals: tuple[Signal, ...]
    # GRADE's four patient-independent domains (app/analysis/certainty.py); indirectness per request.
    judged: Judged | None = None

    @property
    def not_computed_reason(self) -> str | None:
        """Why no relative effect, difference, NNT or icon array is given (None: nothing withheld)."""
        return self.stats.not_computed_reason


@dataclass(frozen=True, slots=True)
class Appraisal:
    """Everything an assessment takes from one study whatever the patient."""

    outcomes: tuple[OutcomeResult, ...]
    # Warnings about the study itself, shown before and after the stent-type warning.
    design_warnings: tuple[Notice, ...]
    data_warnings: tuple[Notice, ...]
    # Shown when the study's unspecified stent stands for the stent option chosen.
    stent_type_warning: Notice
    # Each scenario note with the warning shown when it applies.
    note_warnings: tuple[tuple[ScenarioNote, Notice], ...]


def significance_signals(entry: OutcomeStats) -> list[Signal]:
    """Say once, naming the method, whether the headline's interval excludes no difference."""
    lead = headline(entry)
    effect = lead.effect if lead is not None else None
    rd = entry.risk_difference
    if effect is not None:
        low, high = effect.ci
        what = f"The published {RATIO_WORDS[effect.type]}'s 95% CI ({low.text}\u2013{high.text})"
        spans = low.value <= 1 <= high.value
    elif rd is not None:
        what = "The 95% CI of the difference (Newcombe hybrid score)"
        spans = rd.lower <= 0 <= rd.upper
    else:
        return []
    signals = [
        Signal(
            "ci_includes_no_difference" if spans else "ci_excludes_no_difference",
            f"{what} {'includes' if spans else 'excludes'} no difference.",
        )
    ]
    sentence = disagreement(entry)
    if sentence is not None:
        signals.append(Signal("methods_disagree", sentence))
    return signals


def outcome_signals(entry: OutcomeStats, study: Study) -> tuple[Signal, ...]:
    """List what strengthens or weakens this outcome's evidence, each with its reason."""
    outcome = entry.outcome
    design = study.design.value
    signals = [Signal("design", f"Design: {DESIGN_WORDS[design]}.")]
    if design != "randomized_trial":
        signals.append(
            Signal(
                "observational",
                "Not randomized: the groups may differ in ways that affect the result.",
            )
        )
    if entry.intervention is not None and entry.comparator is not None:
        counts = (entry.intervention.events, entry.comparator.events)
        if min(counts) < SMALL_NUMBERS:
            signals.append(
                Signal(
                    "small_numbers",
                    f"Few events ({counts[0]} and {counts[1]}): fewer than {SMALL_NUMBERS} in an arm"
                    " makes the estimate imprecise.",
                )
            )
        derived = [
            f"{name}: {how}"
            for arm in (entry.intervention, entry.comparator)
            for name, how in arm.derived.items()
        ]
        if derived:
            signals.append(
                Signal(
                    "derived_counts",
                    "Counts not printed in the source: " + " ".join(derived),
                )
            )
    signals += significance_signals(entry)
    signals += KINDS[outcome.kind].signals(outcome, study)
    if any(item.agrees is False for item in entry.audit):
        signals.append(
            Signal(
                "published_figure_not_reproduced",
                "The audit found a published figure for this outcome that disagrees with its recomputation or its counts (see the audit).",
            )
        )
    return tuple(signals)


def design_warnings(study: Study) -> tuple[Notice, ...]:
    warnings = []
    if study.design.value != "randomized_trial":
        warnings.append(
            Notice(
                "observational",
                f"{study.short_name} is a {DESIGN_WORDS[study.design.value]}: treatment was not assigned"
                " at random, so differences may reflect who was treated rather than the treatment.",
            )
        )
    warnings += [Notice(c.code, c.text) for c in study.caveats if c.code in WARNING_CAVEATS]
    if study.unit.value == "procedures":
        warnings.append(
            Notice(
                "unit_is_procedure",
                "Counts are procedures, not patients; a patient may count more than once.",
            )
        )
    return tuple(warnings)


def data_warnings(
    study: Study, outcomes: tuple[OutcomeStats, ...], audit: tuple[AuditItem, ...]
) -> tuple[Notice, ...]:
    warnings = []
    results = [r for o in study.outcomes for r in (*o.arms.values(), o.overall) if r is not None]
    if any(r.derived for r in results) or any(arm.derived for arm in study.arms.values()):
        warnings.append(
            Notice(
                "derived_counts",
                "Some counts are not printed in the source and were derived; each is marked.",
            )
        )
    kinds = {o.outcome.kind for o in outcomes}
    warnings += [
        warning
        for kind, analysis in KINDS.items()
        if kind in kinds and (warning := analysis.data_warning) is not None
    ]
    small = [
        o.outcome.label
        for o in outcomes
        if o.intervention
        and o.comparator
        and min(o.intervention.events, o.comparator.events) < SMALL_NUMBERS
    ]
    if small:
        warnings.append(
            Notice(
                "small_numbers",
                f"Fewer than {SMALL_NUMBERS} events in an arm for {len(small)} outcome(s); estimates are imprecise.",
            )
        )
    disagreements = [
        i for i in (*audit, *(i for o in outcomes for i in o.audit)) if i.agrees is False
    ]
    differs = sum(i.method_differs for i in (*audit, *(i for o in outcomes for i in o.audit)))
    if disagreements:
        warnings.append(
            Notice("published_figure_not_reproduced", not_reproduced(disagreements, differs))
        )
    return tuple(warnings)


def not_reproduced(items: list[AuditItem], differs: int = 0) -> str:
    """Count figures that could not be reproduced, naming each distinct cause behind them.

    One mismatch repeated across outcomes (VISSIT's 59 randomized vs 58 analysed) is one cause:
    items with the same figure, published and recomputed values are grouped. Figures another
    method explains (`differs`) are not counted, only mentioned.
    """
    causes: dict[tuple[str, str, str], int] = {}
    for item in items:
        key = (item.figure, item.published, item.recomputed)
        causes[key] = causes.get(key, 0) + 1
    count = len(items)
    figures = "1 published figure" if count == 1 else f"{count} published figures"
    named = "; ".join(
        f"{figure} ({published} vs {recomputed})" + (f", in {n} outcomes" if n > 1 else "")
        for (figure, published, recomputed), n in causes.items()
    )
    cause_words = "1 cause" if len(causes) == 1 else f"{len(causes)} distinct causes"
    text = f"{figures} could not be reproduced, from {cause_words}: {named}."
    if differs:
        verb = "differs" if differs == 1 else "differ"
        text += f" {differs} more {verb} only in method (another test or estimate), not counted."
    return f"{text} See the audit."


def appraise(
    study: Study, outcomes: tuple[OutcomeStats, ...], audit: tuple[AuditItem, ...]
) -> Appraisal:
    """Appraise one analysed study; called once per study at start-up."""
    return Appraisal(
        outcomes=tuple(
            OutcomeResult(o, outcome_signals(o, study), judge_outcome(o, study)) for o in outcomes
        ),
        design_warnings=design_warnings(study),
        data_warnings=data_warnings(study, outcomes, audit),
        stent_type_warning=Notice(
            "stent_type_not_reported",
            f"{study.short_name} does not say which type of stent was used; it is shown for the stent"
            " option you chose, but may not represent it.",
        ),
        note_warnings=tuple(
            (note, Notice("subgroup_note", note.text)) for note in study.scenario_notes
        ),
    )
