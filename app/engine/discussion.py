"""What the option grid and the note for the record share: one seam per later input (no Flask).

Each cell of the option grid, and each figure of the note, asks these functions for its numbers and
its certainty, and says which kind of figure it got:

``risk_for(comparison, result, arm_id)``
    An option's risk for one outcome. With a baseline risk the clinician entered for the outcome's
    family (``baseline_risks``), this patient's absolute risk (app/engine/personal.py): the entered
    baseline for the comparator option, baseline x relative effect with its 95% interval for the
    other, marked ``basis="personal"``; where the clinician chose the centre's early risk
    (``use_centre_early_risk``), the procedure's figure at the early horizon is the centre's own
    rate with its exact 95% CI and counts instead, marked ``basis="centre"``. Otherwise (no
    baseline entered, or no relative effect to apply to it) the study arm's own events over its
    own total, with the exact (Clopper-Pearson) 95% CI the other pages show, marked
    ``basis="trial"`` ("the trial's group, not a personal estimate"). A preset baseline (another
    study's comparator arm) is not this patient's, so it never makes a figure personal here.
``certainty_for(comparison, result)``
    The outcome's GRADE certainty for this patient (app/analysis/certainty.py, with indirectness
    from this patient's applicability, app/engine/indirectness.py), or None where it is not rated.
    The grid says it in the patient view's words, the note as "GRADE high/moderate/low/very low".
``method_facts(study, arm_id)``
    What an arm's treatment involved, quoted from the study's methods: the study's facts whose label
    names a method (``METHOD_LABELS``), one for the medicines and one for the procedure, a primary
    source first; one from a secondary source is labelled SECONDARY where it is shown. The evidence
    files hold no separate arm descriptions: should arms carry them, they belong here first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from app.analysis.appraisal import OutcomeResult
from app.analysis.certainty import Certainty
from app.analysis.outcomes import ArmStats
from app.engine.assess import Comparison
from app.evidence.model import Fact, Study

# Facts describing what a group's treatment involved, by how their label begins (lower case, a
# trailing "(secondary source)" or "(protocol)" aside): "medical" in a label means it describes the
# medicines (given in every arm whose label says "plus ... medical"), "stent" or "angioplasty" the
# procedure. One fact per study for each, a primary source first.
METHOD_LABELS = (
    "stent and how it is placed",
    "stent and medical therapy",
    "medical therapy",
    "aggressive medical management",
    "angioplasty technique",
)


@dataclass(frozen=True, slots=True)
class Risk:
    """One option's risk for one outcome, as fractions, with the kind of figure it is."""

    value: float
    lower: float
    upper: float
    events: int | None  # the study group's or centre's count (None for a personal estimate)
    total: int | None
    basis: Literal["trial", "personal", "centre"]
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
            if risk.with_intervention is not None and risk.centre is not None:
                r, (events, total) = risk.with_intervention, risk.centre
                return Risk(r.value / 100, r.lower / 100, r.upper / 100, events, total, "centre")
            if risk.with_intervention is not None:
                r = risk.with_intervention
                return Risk(r.value / 100, r.lower / 100, r.upper / 100, None, None, "personal")
    return None


def risk_for(comparison: Comparison, result: OutcomeResult, arm_id: str) -> Risk | None:
    """Return an option's risk: this patient's from an entered baseline, else the trial arm's."""
    personal = personal_risk(comparison, result, arm_id)
    return trial_risk(result, arm_id) if personal is None else personal


def trial_risk(result: OutcomeResult, arm_id: str) -> Risk | None:
    """Return the study arm's own risk for the outcome (None: the arm has no figures for it)."""
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
    """Return the facts quoting what this arm's treatment involved: medicines, then procedure."""
    arm = study.arms[arm_id]
    label = arm.label.lower()
    medicines = arm.treatment == "medical" or ("plus" in label and "medical" in label)
    procedure = arm.treatment != "medical"
    found: dict[str, Fact] = {}
    for fact in sorted(study.facts, key=lambda f: study.sources[f.quote.source].kind != "primary"):
        said = fact.label.lower()
        if not said.startswith(METHOD_LABELS):
            continue
        if "medical" in said and medicines:
            found.setdefault("medicines", fact)
        if ("stent" in said or "angioplasty" in said) and procedure:
            found.setdefault("procedure", fact)
    return tuple(dict.fromkeys(found.values()))


def secondary(study: Study, fact: Fact) -> bool:
    """Say whether the fact's sentence comes from a secondary source (a summary by others)."""
    return study.sources[fact.quote.source].kind == "secondary"
