"""What the start-up analysis does for each outcome kind: its own statistics and signals, one entry per kind."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from app.analysis import stats
from app.analysis.caveats import Notice, Signal
from app.contract import vocabulary
from app.evidence.model import Outcome, Study


@dataclass(frozen=True, slots=True)
class Survival:
    """The difference in Kaplan-Meier survival between the compared arms, with its P value."""

    difference: stats.Interval | None = None
    p: stats.PValue | None = None


@dataclass(frozen=True, slots=True)
class KindAnalysis:
    """One outcome kind's part of the analysis; counts-based statistics apply to every kind."""

    survival: Callable[[Outcome, Study], Survival]
    # Signals only this kind gives, listed after the count-based ones and before the audit's.
    signals: Callable[[Outcome, Study], tuple[Signal, ...]]
    # Shown once for a study with any outcome of this kind.
    data_warning: Notice | None
    # Its per-group counts are absolute risks a patient can compare (the counselling view).
    absolute_risks: bool


def no_survival(outcome: Outcome, study: Study) -> Survival:
    """Give no survival statistics: the kind prints no survival estimates."""
    return Survival()


def km_survival(outcome: Outcome, study: Study) -> Survival:
    """Compare the printed survival estimates when both compared arms print a standard error."""
    a, b = outcome.arms.get(study.intervention), outcome.arms.get(study.comparator)
    if not (a and b and a.se and b.se and a.survival and b.survival):
        return Survival()
    inputs = {
        "intervention_survival": a.survival.value / 100,
        "intervention_se": a.se.value / 100,
        "comparator_survival": b.survival.value / 100,
        "comparator_se": b.se.value / 100,
    }
    return Survival(stats.km_difference(**inputs), stats.km_difference_p(**inputs))


def binary_signals(outcome: Outcome, study: Study) -> tuple[Signal, ...]:
    """Say when the intervention arm prints only a percentage."""
    arm = outcome.arms.get(study.intervention)
    if arm is not None and arm.has_counts:
        return ()
    if study.design.value in vocabulary.POOLED_DESIGNS:
        return (
            Signal(
                "no_counts",
                "Pooled percentages over several studies, not counts: no difference or NNT is"
                " computed from them.",
            ),
        )
    return (Signal("no_counts", "Only percentages are printed; group sizes are not given."),)


def no_signals(outcome: Outcome, study: Study) -> tuple[Signal, ...]:
    """Add nothing: the count-based and audit signals say all there is."""
    return ()


def adjusted_signals(outcome: Outcome, study: Study) -> tuple[Signal, ...]:
    """Say that only an adjusted effect is published, and adjusted for what."""
    adjustments = ", ".join(sorted({e.adjustment for e in outcome.effects}))
    return (
        Signal(
            "adjusted_estimate_only",
            f"Only an adjusted effect is published (adjusted for: {adjustments}); no counts per group.",
        ),
    )


def narrative_signals(outcome: Outcome, study: Study) -> tuple[Signal, ...]:
    """Say that the source gives no numbers."""
    return (
        Signal(
            "no_numbers", "No figures for both groups: the source's statement is given instead."
        ),
    )


KINDS: Mapping[str, KindAnalysis] = MappingProxyType(
    {
        "binary": KindAnalysis(no_survival, binary_signals, None, absolute_risks=True),
        "kaplan_meier": KindAnalysis(km_survival, no_signals, None, absolute_risks=False),
        "adjusted_effect": KindAnalysis(
            no_survival,
            adjusted_signals,
            Notice(
                "adjusted_estimate_only",
                "Some outcomes are published only as adjusted effects, without counts per group.",
            ),
            absolute_risks=False,
        ),
        "narrative": KindAnalysis(no_survival, narrative_signals, None, absolute_risks=False),
    }
)
