"""The option grid: every option chosen side by side, answering the questions patients ask (no Flask).

After Option Grids (Elwyn et al., Patient Education and Counseling 2013): one column per option
chosen (all of them, in the fixed option order), and the same rows for each:

1. What does it involve? The option's plain description, then what the studies' groups had, quoted
   from their methods (``method_facts``); where the sources hold no such sentence, the cell says so
   ("not described in the sources held") rather than describe it from elsewhere.
2. and 3. The risk in the first month (30 days) and later (1 year): each study group standing for the
   option, for each main outcome (role primary or safety) over exactly the row's time frame, per 100
   people, with the exact 95% CI in words, the counts, which kind of figure it is (``risk_for``:
   the trial's group today) and how sure it is (``certainty_for``: GRADE when rated, else the
   design's own signal). Icon arrays where the patient view draws them (the balance rule's key
   outcomes). A cell with no figure over the row's time says why. Main outcomes over other times
   are named under the grid (they are in the patient view): a row never mixes time frames.
4. What is not known: pairs no study compares, registered trials without numbers, the study limits
   this patient does not meet, studies not randomized or stopped early.
5. Questions to think about: values-clarification prompts, the same number for every option; no
   score and no recommendation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from markupsafe import Markup

from app.analysis.appraisal import OutcomeResult
from app.analysis.statements import PATIENT_RATING, PATIENT_WORDS
from app.engine.assess import Assessment, Comparison
from app.engine.discussion import Risk, certainty_for, method_facts, risk_for, secondary
from app.evidence.model import Outcome, Study
from app.web import option_grid_words as w
from app.web.counsel import date_text, source_line, unmet_sentence
from app.web.counsel_outcomes import from_secondary_source, is_key, per_hundred
from app.web.counsel_words import OPTION_ORDER, OPTION_WORDS, SCOPE_OUTSIDE, SECONDARY_NOTE
from app.web.formatting import evidence_href, outcome_anchor
from app.web.icons import IconArray, icon_array, legend_icon

STENTS = ("balloon_stent", "self_expanding_stent")
ROWS = (
    ("involves", w.INVOLVES, ""),
    ("month", w.FIRST_MONTH, w.FIRST_MONTH_TIME),
    ("later", w.LATER, w.LATER_TIME),
    ("unknown", w.NOT_KNOWN, ""),
    ("questions", w.QUESTIONS, ""),
)


@dataclass(frozen=True, slots=True)
class GridQuote:
    intro: str
    text: str
    href: str


@dataclass(frozen=True, slots=True)
class RiskEntry:
    """One study group's figure for one outcome, in the same format in every cell."""

    study: str
    title: str
    share: str  # "About 24 of 100 people had it." (or the printed figure in words)
    range: str
    counts: str
    basis: str
    certainty: str
    icons: IconArray | None
    href: str

    @property
    def paragraph(self) -> str:
        return " ".join(t for t in (self.share, self.range, self.counts) if t)


@dataclass(frozen=True, slots=True)
class StudyNote:
    """A sentence about one study, shown after its name."""

    study: str
    text: str


@dataclass(frozen=True, slots=True)
class GridCell:
    row: str
    texts: tuple[str, ...] = ()
    notes: tuple[StudyNote, ...] = ()
    quotes: tuple[GridQuote, ...] = ()
    entries: tuple[RiskEntry, ...] = ()
    why_not: str = ""
    # Which kind of figure the cell's entries are, said once ("the study group's number, not a
    # personal estimate"); an entry of another kind than the first says its own.
    basis: str = ""

    @property
    def filled(self) -> bool:
        return bool(self.texts or self.notes or self.quotes or self.entries or self.why_not)


@dataclass(frozen=True, slots=True)
class GridColumn:
    option: str
    name: str
    cells: tuple[GridCell, ...]


@dataclass(frozen=True, slots=True)
class GridRow:
    id: str
    question: str
    time: str


@dataclass(frozen=True, slots=True)
class OptionGrid:
    title: str
    intro: tuple[str, ...]
    rows: tuple[GridRow, ...]
    columns: tuple[GridColumn, ...]
    other_times: str
    other_times_studies: tuple[str, ...]
    shared_prompt: str
    closing: str
    sources_title: str
    sources: tuple[str, ...]
    evidence_version: str
    evidence_date: str
    date: str
    outside: bool
    scope_text: str
    legend_yes_icon: Markup
    legend_no_icon: Markup


# --- the seams' answers in words ---------------------------------------------------------------------


def certainty_words(comparison: Comparison, result: OutcomeResult) -> str:
    """How sure the figure is: the GRADE rating in the patient view's words, else the design's."""
    rated = certainty_for(comparison, result)
    if rated is not None:
        return w.RATED.format(
            rating=PATIENT_RATING[rated.rating], words=PATIENT_WORDS[rated.rating]
        )
    study = comparison.analysis.study
    words = w.NOT_RATED_RANDOM if study.design.value == "randomized_trial" else w.NOT_RATED_OBSERVED
    if any(c.code == "stopped_early" for c in study.caveats):
        words = f"{words} {w.STOPPED_EARLY}"
    return words


def _share(n: int) -> str:
    if n == 0:
        return "Fewer than 1 in 100"
    if n == 100:
        return "More than 99 of 100"
    return f"About {n} of 100"


def _range(risk: Risk) -> str:
    if risk.lower == risk.upper:  # an entered baseline: a figure, not an estimate with a range
        return w.ENTERED
    low, high = per_hundred(risk.lower), per_hundred(risk.upper)
    low_text = "less than 1" if low == 0 and risk.lower > 0 else str(low)
    return f"The true number could be as low as {low_text} or as high as {high}."


def _secondary(outcome: Outcome, study: Study) -> list[str]:
    """The SECONDARY SOURCE label, for a figure only a summary by others gives."""
    return [SECONDARY_NOTE] if from_secondary_source(outcome, study) else []


def risk_entry(
    comparison: Comparison, result: OutcomeResult, arm_id: str, option: str
) -> RiskEntry | None:
    """One group's figure for one outcome, or None when the study gives none for it."""
    study = comparison.analysis.study
    outcome = result.stats.outcome
    title = outcome.plain_label[:1].upper() + outcome.plain_label[1:]
    href = evidence_href(study.id, outcome_anchor(outcome.id, arm_id))
    name = study.short_name
    certainty = certainty_words(comparison, result)
    risk = risk_for(comparison, result, arm_id)
    if risk is not None and risk.basis == "trial" and result.not_computed_reason is not None:
        risk = None  # counts back-calculated over unstated totals: the printed figure instead
    if risk is None:
        arm = outcome.arms.get(arm_id)
        printed = None if arm is None else arm.printed_rate
        if printed is None:
            return None
        n = per_hundred(float(printed.text.lstrip("<>")) / 100)
        how = w.PRINTED_KM if outcome.kind == "kaplan_meier" else w.PRINTED
        return RiskEntry(
            name,
            title,
            f"{_share(n)} people had it.",
            w.NO_RANGE,
            " ".join([how.format(text=printed.text), *_secondary(outcome, study)]),
            w.BASIS["trial"],
            certainty,
            None,
            href,
        )
    n = per_hundred(risk.value)
    counts = ""
    if risk.basis == "centre":
        certainty = w.CENTRE_SURE
        counts = w.CENTRE_COUNTS.format(events=risk.events, total=risk.total)
        if (risk.events or 0) < 10:
            counts = f"{counts} {w.FEW}"
    elif risk.events is not None:
        counts = f"In the study, {risk.events} of {risk.total} people in this group had it."
        if risk.events < 10:
            counts = f"{counts} {w.FEW}"
        counts = " ".join([counts, *_secondary(outcome, study)])
    icons = None
    said = {"personal": w.LIKE_YOU, "centre": w.AT_CENTRE}.get(risk.basis, w.HAD)
    share = said.format(share=_share(n))
    if is_key(result):
        label = f"{_share(n)} people at our centre had {outcome.plain_label}"
        if risk.basis != "centre":
            label = f"{share.removesuffix(' it.')} {outcome.plain_label}"
        uid = f"og-{option}-{study.id}-{outcome.id}".replace("_", "-")
        icons = icon_array(n, label=label, uid=uid)
    return RiskEntry(
        name,
        title,
        share,
        _range(risk),
        counts,
        w.BASIS[risk.basis],
        certainty,
        icons,
        href,
    )


# --- the cells ----------------------------------------------------------------------------------------


def option_arms(assessment: Assessment, option: str) -> list[tuple[Comparison, str]]:
    """Each study group, across the comparisons, that stands for this option."""
    found = []
    for comparison in assessment.comparisons:
        study, match = comparison.analysis.study, comparison.match
        for arm_id, chosen in (
            (study.intervention, match.intervention_option),
            (study.comparator, match.comparator_option),
        ):
            if chosen == option:
                found.append((comparison, arm_id))
    return found


def involves_cell(option: str, arms: list[tuple[Comparison, str]]) -> GridCell:
    texts = [OPTION_WORDS[option].about]
    quoted: dict[str, tuple[list[str], str]] = {}  # two trials may quote one device paper: once
    for comparison, arm_id in arms:
        study = comparison.analysis.study
        for fact in method_facts(study, arm_id):
            name = (
                f"{study.short_name} {w.SECONDARY_QUOTE}"
                if secondary(study, fact)
                else study.short_name
            )
            names, _ = quoted.setdefault(
                fact.quote.text,
                ([], evidence_href(study.id, f"fact-{study.facts.index(fact) + 1}")),
            )
            if name not in names:
                names.append(name)
    quotes = tuple(
        GridQuote(w.QUOTE_FROM.format(name=" and ".join(names)), text, href)
        for text, (names, href) in quoted.items()
    )
    said = " ".join(quoted).lower()
    if option == "medical":
        if not quotes:
            texts.append(w.NO_MEDICINES)
    else:
        if not any(word in said for word in ("stent", "balloon", "angioplasty")):
            texts.append(w.NO_METHOD)
        if "anesthe" not in said and "anaesthe" not in said:
            texts.append(w.NO_SETTING)
    return GridCell("involves", texts=tuple(texts), quotes=quotes)


def _in_frame(result: OutcomeResult, frames: tuple[str, ...]) -> bool:
    return result.stats.outcome.timeframe.strip().lower() in frames


def risk_cell(
    row: str, option: str, arms: list[tuple[Comparison, str]], frames: tuple[str, ...]
) -> GridCell:
    entries = []
    for comparison, arm_id in arms:
        for result in comparison.outcomes:
            outcome = result.stats.outcome
            if not outcome.is_main or "subgroup" in outcome.role or not _in_frame(result, frames):
                continue
            entry = risk_entry(comparison, result, arm_id, option)
            if entry is not None:
                entries.append(entry)
    if entries:
        first = entries[0].basis
        entries = [e if e.basis != first else replace(e, basis="") for e in entries]
        return GridCell(row, entries=tuple(entries), basis=first)
    return GridCell(row, why_not=w.NO_FIGURE if arms else w.NO_STUDY)


def unknown_cell(
    assessment: Assessment, option: str, arms: list[tuple[Comparison, str]]
) -> GridCell:
    texts = []
    notes = []
    for gap in assessment.pairs_without_evidence:
        if option in gap.options:
            (other,) = [o for o in gap.options if o != option] or [option]
            texts.append(w.GAP.format(other=OPTION_WORDS[other].noun))
    for trial in assessment.known_trials:
        sides = (trial.intervention, trial.comparator)
        for mine, theirs in (sides, sides[::-1]):
            if option in mine:
                other = " or ".join(OPTION_WORDS[o].noun for o in theirs)
                notes.append(StudyNote(trial.short_name, w.KNOWN_TRIAL.format(other=other)))
    seen = set()
    for comparison, _ in arms:
        study = comparison.analysis.study
        if study.id in seen:
            continue
        seen.add(study.id)
        name = study.short_name
        unmet = [
            unmet_sentence(reason.criterion, study, assessment.scenario)
            for reason in comparison.applicability.reasons
            if reason.status == "not_met"
        ]
        if unmet:
            notes.append(StudyNote(name, " ".join([*unmet, w.MAY_NOT_FIT])))
        if comparison.applicability.status == "unknown":
            notes.append(StudyNote(name, w.FIT_UNKNOWN))
        if study.design.value != "randomized_trial":
            notes.append(StudyNote(name, w.NOT_RANDOM))
        if comparison.match.unspecified_stent and option in STENTS:
            notes.append(StudyNote(name, w.STENT_TYPE))
    if not (texts or notes):
        texts.append(w.NOTHING_FLAGGED)
    return GridCell("unknown", texts=tuple(texts), notes=tuple(notes))


def _other_times(assessment: Assessment) -> tuple[str, ...]:
    """The studies whose main outcomes fall in neither risk row (told in the patient view)."""
    frames = w.FIRST_MONTH_FRAMES + w.LATER_FRAMES
    names = []
    for comparison in assessment.comparisons:
        for result in comparison.outcomes:
            outcome = result.stats.outcome
            if outcome.is_main and "subgroup" not in outcome.role and not _in_frame(result, frames):
                names.append(comparison.analysis.study.short_name)
                break
    return tuple(names)


def option_grid(assessment: Assessment, *, revision: dt.date, today: dt.date) -> OptionGrid:
    """Everything the option grid shows for one scenario (see the module docstring)."""
    columns = []
    for option in (o for o in OPTION_ORDER if o in assessment.scenario.options):
        arms = option_arms(assessment, option)
        cells = (
            involves_cell(option, arms),
            risk_cell("month", option, arms, w.FIRST_MONTH_FRAMES),
            risk_cell("later", option, arms, w.LATER_FRAMES),
            unknown_cell(assessment, option, arms),
            GridCell("questions", texts=w.PROMPTS[option]),
        )
        columns.append(GridColumn(option, OPTION_WORDS[option].name, cells))
    outside = assessment.scope.status == "outside"
    studies = {c.analysis.study.id: c.analysis.study for c in assessment.comparisons}
    sources = tuple(
        f"{line.name}, {line.design}. {line.citation}"
        for line in (source_line(s) for s in studies.values())
    )
    return OptionGrid(
        title=w.TITLE,
        intro=w.INTRO,
        rows=tuple(GridRow(*row) for row in ROWS),
        columns=tuple(columns),
        other_times=w.OTHER_TIMES if (later := _other_times(assessment)) else "",
        other_times_studies=later,
        shared_prompt=w.SHARED_PROMPT,
        closing=w.CLOSING,
        sources_title=w.SOURCES_TITLE,
        sources=sources,
        evidence_version=assessment.evidence_version,
        evidence_date=date_text(revision),
        date=date_text(today),
        outside=outside,
        scope_text=SCOPE_OUTSIDE if outside else "",
        legend_yes_icon=legend_icon("yes"),
        legend_no_icon=legend_icon("no"),
    )


def grid_paragraphs(grid: OptionGrid) -> tuple[str, ...]:
    """Every paragraph of our own words on the grid (the studies' quotes are theirs, not measured)."""
    paragraphs = [grid.scope_text, *grid.intro, *(r.time for r in grid.rows)]
    for column in grid.columns:
        for cell in column.cells:
            paragraphs += cell.texts
            paragraphs += [note.text for note in cell.notes]
            paragraphs.append(cell.why_not)
            paragraphs.append(cell.basis)
            for entry in cell.entries:
                paragraphs += [entry.paragraph, entry.basis, entry.certainty]
    paragraphs += [grid.other_times, grid.shared_prompt, grid.closing]
    return tuple(p for p in paragraphs if p)
