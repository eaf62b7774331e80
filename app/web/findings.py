"""The summary-of-findings cells of one outcome: one row builder per outcome kind."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from app.analysis import stats
from app.analysis.headline import difference_lead, headline, nnt_withheld
from app.analysis.outcomes import OutcomeStats
from app.contract.vocabulary import POOLED_DESIGNS
from app.evidence.model import Study
from app.web.formatting import (
    EN_DASH,
    RATIO_NAMES,
    difference_text,
    effect_text,
    evidence_href,
    lead_difference_text,
    nnt_text,
    outcome_anchor,
    participants_text,
    ratio_text,
    risk_text,
    survival_text,
)


@dataclass(frozen=True, slots=True)
class Cell:
    """One table cell: its text, where its number comes from ('' for none), and whether derived."""

    text: str
    href: str = ""
    derived: bool = False
    muted: bool = False


@dataclass(frozen=True, slots=True)
class Cells:
    """The result cells of one row; a statement replaces the five result cells when given."""

    intervention: Cell
    comparator: Cell
    difference: Cell
    relative: Cell
    nnt: Cell
    participants: Cell
    statement: Cell | None = None


@dataclass(frozen=True, slots=True)
class KindRow:
    """How one outcome kind fills its row."""

    cells: Callable[[OutcomeStats, Study], Cells]
    # The published effects already fill the relative cell, so the notes do not repeat them
    # (a binary row's headline effect is in its cell too; see results.row_notes).
    effects_in_cells: bool = False


def _not_estimable(reason: str) -> Cell:
    return Cell(f"not estimable: {reason}", muted=True)


def _enrolled(study: Study) -> Cell:
    """Everyone enrolled, for a kind whose figures give no analysed total."""
    enrolled = sum(arm.n for arm in study.arms.values())
    return Cell(
        participants_text(enrolled, study.unit.value, study.design.value, analysed=False),
        evidence_href(study.id, "arms"),
    )


def relative_cell(entry: OutcomeStats, study: Study) -> Cell | None:
    """The published ratio as the headline (its inversion, derived, when printed the other way)."""
    lead = headline(entry)
    if lead is None or lead.effect is None:
        return None
    effect, outcome = lead.effect, entry.outcome
    index = outcome.effects.index(effect) + 1
    href = evidence_href(study.id, outcome_anchor(outcome.id, f"effect-{index}"))
    text = f"Published {effect_text(effect)}"
    if effect.direction != "comparator_vs_intervention":
        return Cell(text, href)
    name = RATIO_NAMES[effect.type]
    inverted = f"{name} {1 / lead.estimate:.2f} ({1 / lead.upper:.2f}{EN_DASH}{1 / lead.lower:.2f})"
    # The inversion puts the printed ratio in the columns' order (intervention vs comparator).
    return Cell(f"{text}; inverted: {inverted}", href, derived=True)


def difference_cells(entry: OutcomeStats, study: Study, href: str) -> tuple[Cell, Cell]:
    """The difference and NNT cells: a printed difference leads (its NNT derived), else the crude."""
    lead = difference_lead(entry)
    assert lead is not None  # binary_cells asks only with counts in both groups
    printed = lead.effect
    if printed is not None:
        index = entry.outcome.effects.index(printed) + 1
        href = evidence_href(study.id, outcome_anchor(entry.outcome.id, f"effect-{index}"))
    reversed_ = printed is not None and printed.direction == "comparator_vs_intervention"
    difference = Cell(lead_difference_text(lead), href, derived=reversed_)
    if lead.nnt is None:
        return difference, Cell(nnt_withheld(entry), muted=True)
    if printed is None:
        return difference, Cell(nnt_text(lead.nnt), href)
    # 1/difference of the printed figures: a number the source does not print.
    return difference, Cell(f"{nnt_text(lead.nnt)}, from the published difference", href, True)


def binary_cells(entry: OutcomeStats, study: Study) -> Cells:
    """Risks, difference, RR and NNT from the counts; only printed percents when sizes are missing."""
    outcome, design, unit = entry.outcome, study.design.value, study.unit.value
    href = evidence_href(study.id, outcome_anchor(outcome.id))
    if entry.intervention is None or entry.comparator is None:
        if design in POOLED_DESIGNS:
            return pooled_cells(entry, study)
        intervention, comparator = (
            Cell(
                f"{r.percent.text}% (printed) · group size not given",
                evidence_href(study.id, outcome_anchor(outcome.id, a)),
            )
            if (r := outcome.arms.get(a)) is not None and r.percent is not None
            else Cell("not given", muted=True)
            for a in (study.intervention, study.comparator)
        )
        return Cells(
            intervention,
            comparator,
            difference=_not_estimable("group sizes not given"),
            # A printed ratio needs no counts: it leads here too (BASIS's hazard ratio).
            relative=relative_cell(entry, study) or _not_estimable("group sizes not given"),
            nnt=Cell("not calculated: group sizes not given", muted=True),
            participants=Cell(participants_text(None, unit, design), muted=True),
        )
    if entry.risk_difference is None:
        return assumed_counts_cells(entry, study)
    intervention, comparator = (
        Cell(
            risk_text(arm),
            evidence_href(study.id, outcome_anchor(outcome.id, arm.arm)),
            derived=bool(arm.derived),
        )
        for arm in (entry.intervention, entry.comparator)
    )
    difference, nnt = difference_cells(entry, study, href)
    return Cells(
        intervention,
        comparator,
        difference=difference,
        relative=relative_cell(entry, study)
        or Cell(
            ratio_text("RR", entry.risk_ratio),
            href,
            muted=not isinstance(entry.risk_ratio, stats.Interval),
        ),
        nnt=nnt,
        participants=Cell(
            participants_text(entry.intervention.total + entry.comparator.total, unit, design),
            href,
        ),
    )


def pooled_cells(entry: OutcomeStats, study: Study) -> Cells:
    """A meta-analysis's pooled percentages as printed, its pooled ratio leading; never counts."""
    outcome = entry.outcome
    intervention, comparator = (
        Cell(f"{r.percent.text}% (pooled)", evidence_href(study.id, outcome_anchor(outcome.id, a)))
        if (r := outcome.arms.get(a)) is not None and r.percent is not None
        else Cell("not given", muted=True)
        for a in (study.intervention, study.comparator)
    )
    reason = "pooled percentages, not counts"
    return Cells(
        intervention,
        comparator,
        difference=_not_estimable(reason),
        relative=relative_cell(entry, study) or _not_estimable("no pooled ratio shown"),
        nnt=Cell(f"not calculated: {reason}", muted=True),
        participants=Cell(
            participants_text(
                sum(a.n for a in study.arms.values()), study.unit.value, study.design.value
            ),
            evidence_href(study.id, "arms"),
        ),
    )


def assumed_counts_cells(entry: OutcomeStats, study: Study) -> Cells:
    """The printed percentages only: the counts were back-calculated over unstated group sizes."""
    outcome, design, unit = entry.outcome, study.design.value, study.unit.value
    intervention, comparator = (
        Cell(
            f"{r.percent.text}% (printed)",
            evidence_href(study.id, outcome_anchor(outcome.id, a)),
        )
        if (r := outcome.arms.get(a)) is not None and r.percent is not None
        else Cell("not given", muted=True)
        for a in (study.intervention, study.comparator)
    )
    withheld = Cell("not computed: counts assumed, group sizes not stated", muted=True)
    return Cells(
        intervention,
        comparator,
        difference=withheld,
        relative=relative_cell(entry, study) or withheld,
        nnt=withheld,
        participants=Cell(participants_text(None, unit, design), muted=True),
    )


def kaplan_meier_cells(entry: OutcomeStats, study: Study) -> Cells:
    """Each arm's survival estimate and, with both standard errors, their difference."""
    outcome = entry.outcome
    href = evidence_href(study.id, outcome_anchor(outcome.id))
    intervention, comparator = (
        Cell(survival_text(r), evidence_href(study.id, outcome_anchor(outcome.id, a)))
        if (r := outcome.arms.get(a)) is not None
        and (r.survival is not None or r.event_rate is not None)
        else Cell("not given", muted=True)
        for a in (study.intervention, study.comparator)
    )
    if entry.survival_difference is not None:
        difference = Cell(f"{difference_text(entry.survival_difference)} in survival", href)
    else:
        difference = _not_estimable("no standard errors printed")
    return Cells(
        intervention,
        comparator,
        difference=difference,
        relative=_not_estimable("only Kaplan-Meier estimates are printed"),
        nnt=Cell("not calculated: survival estimates, not counts", muted=True),
        participants=_enrolled(study),
    )


def adjusted_effect_cells(entry: OutcomeStats, study: Study) -> Cells:
    """The published adjusted effects in the relative cell; nothing per group."""
    outcome = entry.outcome
    effect_href = evidence_href(
        study.id,
        outcome_anchor(outcome.id, "effect-1" if len(outcome.effects) == 1 else ""),
    )
    not_given = Cell("not given (adjusted effect only)", muted=True)
    return Cells(
        intervention=not_given,
        comparator=not_given,
        difference=_not_estimable("no counts per group"),
        relative=Cell("; ".join(effect_text(e) for e in outcome.effects), effect_href),
        nnt=Cell("not calculated: no counts per group", muted=True),
        participants=_enrolled(study),
    )


def narrative_cells(entry: OutcomeStats, study: Study) -> Cells:
    """The source's statement in place of the result cells."""
    outcome = entry.outcome
    empty = Cell("", muted=True)
    return Cells(
        empty,
        empty,
        empty,
        empty,
        empty,
        participants=_enrolled(study),
        statement=Cell(outcome.statement, evidence_href(study.id, outcome_anchor(outcome.id))),
    )


ROWS: Mapping[str, KindRow] = MappingProxyType(
    {
        "binary": KindRow(binary_cells),
        "kaplan_meier": KindRow(kaplan_meier_cells),
        "adjusted_effect": KindRow(adjusted_effect_cells, effects_in_cells=True),
        "narrative": KindRow(narrative_cells),
    }
)
