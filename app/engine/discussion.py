"""What the option grid and the note for the record share: one seam per later input (no Flask).

Each cell of the option grid, and each figure of the note, asks these functions for its numbers and
its certainty, and says which kind of figure it got:

``risk_for(comparison, result, arm_id)``
    An option's risk for one outcome. With a baseline risk the clinician entered for the outcome's
    family (``baseline_risks``), this patient's absolute risk (app/engine/personal.py): the entered
    baseline for the comparator option, baseline x relative effect with its 95% interval for the
    other, marked ``basis="personal"``. Otherwise (no baseline entered, or no relative effect to
    apply to it) the study arm's own events over its own total, with the exact (Clopper-Pearson)
    95% CI the other pages show, marked ``basis="trial"`` ("the trial's group, not a personal
    estimate"). A preset baseline (another study's comparator arm) is not this patient's, so it
    never makes a figure personal here.
``certainty_for(comparison, result)``
    The outcome's GRADE certainty for this patient (app/analysis/certainty.py, with indirectness
    from this patient's applicability, app/engine/indirectness.py), or None where it is not rated.
    The grid says it in the patient view's words, the note as "GRADE high/moderate/low/very low".
``method_facts(study, arm_id)``
    What an arm's treatment involved, quoted from the study's methods. Today: the study's facts whose
    label names a method (``METHOD_LABELS``) from a primary source. When arms carry descriptions
    quoted from the studies, they come first here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from app.analysis.appraisal import OutcomeResult
from app.analysis.certainty import Certainty
from app.analysis.outcomes import ArmStats
from app.engine.assess import Comparison
from app.evidence.model import Fact, Study

# Facts describing what a group's treatment involved, by their label (lower case). "medical" in a
# label means it describes the medicines (given in every arm whose label says "plus medical therapy").
METHOD_LABELS = (
    "stent and how it is placed",
    "stent and medical therapy",
    "medical therapy",
)


@dataclass(frozen=True, slots=True)
class Risk:
    """One option's risk for one outcome, as fractions, with the kind of figure it is."""

    value: float
    lower: float
    upper: float
    events: int | None  # the study group's count (None for a personal estimate)
    total: int | None
    basis: Literal["trial", "personal"]
    derived: bool = False  # a count not printed in the source, worked out from what it printed


def personal_risk(comparison: Comparison, result: OutcomeResult, arm_id: str) -> Risk | None:
    """This patient's risk with the arm's option, from an entered baseline (None without one)."""
    family = result.stats.outcome.family
    treatment = comparison.analysis.study.arms[arm_id].treatment
    for found in comparison.personal:
        if found.effect.family.id != family or treatment not in found.effect.treatments:
            continue
        for risk in found.risks:
            if risk.baseline.source != "entered":
                continue
            if treatment == found.effect.treatments[1]:  # the comparator: the entered baseline
                p0 = risk.baseline.percent / 100
                return Risk(p0, p0, p0, None, None, "personal")
            if risk.with_intervention is not None:
                r = risk.with_intervention
                return Risk(r.value / 100, r.lower / 100, r.upper / 100, None, None, "personal")
    return None


def risk_for(comparison: Comparison, result: OutcomeResult, arm_id: str) -> Risk | None:
    """Return an option's risk: this patient's from an entered baseline, else the trial arm's."""
    personal = personal_risk(comparison, result, arm_id)
    if personal is not None:
        return personal
    entry = result.stats
    arms: dict[str, ArmStats] = {
        a.arm: a for a in (entry.intervention, entry.comparator) if a is not None
    }
    arm = arms.get(arm_id)
    if arm is None:
        return None
    return Risk(
        value=arm.rate.value,
        lower=arm.rate.lower,
        upper=arm.rate.upper,
        events=arm.events,
        total=arm.total,
        basis="trial",
        derived=bool(arm.derived),
    )


def certainty_for(comparison: Comparison, result: OutcomeResult) -> Certainty | None:
    """Return the outcome's GRADE certainty for this patient (None: not rated)."""
    return comparison.certainty_of(result)


def method_facts(study: Study, arm_id: str) -> tuple[Fact, ...]:
    """Return the facts quoting what this arm's treatment involved, from primary sources only."""
    arm = study.arms[arm_id]
    medicines = arm.treatment == "medical" or "plus medical therapy" in arm.label.lower()
    procedure = arm.treatment != "medical"
    chosen = []
    for fact in study.facts:
        label = fact.label.lower()
        if label not in METHOD_LABELS or study.sources[fact.quote.source].kind != "primary":
            continue
        about_medicines = "medical" in label
        about_procedure = "stent" in label
        if (about_medicines and medicines) or (about_procedure and procedure):
            chosen.append(fact)
    return tuple(chosen)
