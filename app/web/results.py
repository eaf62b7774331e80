"""The results page view model: one scenario's assessment, every number formatted and linked."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from markupsafe import Markup

from app.analysis import stats
from app.analysis.appraisal import OutcomeResult
from app.analysis.audit import AuditItem
from app.analysis.caveats import Notice
from app.analysis.headline import difference_lead, headline
from app.analysis.outcomes import OutcomeStats, has_timeframe
from app.contract.scenario import ELIGIBILITY, FIELDS, Field, Scenario, ignored_fields
from app.contract.vocabulary import NOT_KNOWN, TRI_STATE
from app.engine.applicability import implied_by_setting
from app.engine.assess import Assessment, Comparison
from app.engine.criteria import Reason
from app.engine.tables import Tables
from app.evidence.model import Quote, Study
from app.web.certainty_view import CertaintyBlock, comparison_block, filled, study_blocks
from app.web.counsel_words import RANKIN_WORDS
from app.web.findings import ROWS, Cell
from app.web.formatting import (
    CRITERION_STATUS_WORDS,
    DERIVED_WORDS,
    DESIGN_LABELS,
    EM_DASH,
    EVENT_WORDS,
    SETTING_SHORT,
    SIGNALS_SHOWN_ELSEWHERE,
    SOURCE_KIND_WORDS,
    STATUS_WORDS,
    audit_anchor,
    effect_text,
    evidence_href,
    outcome_anchor,
    printed_p_text,
    ratio_text,
)

# A symptomatic question left unanswered in the symptomatic setting: the tool uses the setting's yes.
IMPLIED = "Yes (the setting is symptomatic stenosis)"

# --- shared view models -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Note:
    """One entry of a notes cell. kind: derived, audit, published, note or signal."""

    kind: str
    text: str
    tag: str = ""
    label: str = ""
    href: str = ""


@dataclass(frozen=True, slots=True)
class QuoteView:
    text: str
    source_title: str
    source_kind: str


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    value: str


# Engine warnings the page's status line already states for the comparison.
STATUS_LINE_WARNINGS = frozenset({"population_unchecked"})


def quote_view(quote: Quote, study: Study) -> QuoteView:
    source = study.sources.get(quote.source)
    if source is None:
        return QuoteView(quote.text, quote.source, "")
    return QuoteView(quote.text, source.title, SOURCE_KIND_WORDS[source.kind])


# --- the results of one scenario --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OutcomeRow:
    """One summary-of-findings row. `statement` replaces the five result cells for narrative outcomes."""

    id: str
    label: str
    href: str
    role: str
    event: str
    subtitle: str
    timeframe: str
    timeframe_stated: bool
    kind: str
    comparator: Cell
    intervention: Cell
    difference: Cell
    relative: Cell
    nnt: Cell
    statement: Cell | None
    participants: Cell
    notes: tuple[Note, ...]


@dataclass(frozen=True, slots=True)
class ReasonView:
    criterion: str
    status: str
    status_text: str
    text: str
    href: str  # the criterion's source sentence on the study's page
    label: str  # the criterion in a few words ("degree of stenosis")


@dataclass(frozen=True, slots=True)
class StudyTable:
    """A study's summary-of-findings table and caveats: the same for every patient."""

    anchor: str
    caption: str
    intervention_label: str
    comparator_label: str
    rows: tuple[OutcomeRow, ...]
    caveats: tuple[Note, ...]


@dataclass(frozen=True, slots=True)
class PreparedTable:
    """A study's table built and rendered once at start-up."""

    table: StudyTable
    html: str  # markupsafe.Markup: the table as the results page shows it
    # The certainty block at each indirectness level, rendered with its reason left as SLOT
    # (app/web/certainty_view.py); None where no outcome is rated.
    certainty: tuple[str | None, ...] = ()


@dataclass(frozen=True, slots=True)
class ComparisonView:
    study_id: str
    heading: str
    study_name: str
    design: str
    study_href: str
    status: str
    status_text: str
    tally: str
    reasons_open: bool
    reasons: tuple[ReasonView, ...]  # criteria the study reports, met, not met or unknown
    # Criteria the study does not report, on one line: each links to why, on the study's page.
    unreported: tuple[ReasonView, ...]
    warnings: tuple[Notice, ...]
    table: StudyTable
    # The table already rendered (app/web/views.py prepares one per study), or None to render it.
    table_html: str | None = None
    # Each outcome's GRADE certainty for this patient (app/web/certainty_view.py), or its block
    # rendered at start-up with this patient's indirectness filled in.
    certainty: CertaintyBlock | None = None
    certainty_html: Markup | None = None

    @property
    def anchor(self) -> str:
        return self.table.anchor

    @property
    def rows(self) -> tuple[OutcomeRow, ...]:
        return self.table.rows


@dataclass(frozen=True, slots=True)
class IgnoredInput:
    """A value the clinician entered that this setting does not use, and why."""

    field: str
    label: str
    entered: str
    reason: str

    @property
    def text(self) -> str:
        return f"{self.label} (entered: {self.entered}) was not used: {self.reason}"


@dataclass(frozen=True, slots=True)
class ResultsView:
    summary: str
    # Said at the top when the scenario is outside what the evidence covers (empty otherwise).
    scope_reasons: tuple[str, ...]
    # Each pair of chosen options no study compares, in words.
    pairs_without_evidence: tuple[str, ...]
    warnings: tuple[Notice, ...]
    available: tuple[str, ...]
    ignored: tuple[IgnoredInput, ...]
    scenario: tuple[Row, ...]
    comparisons: tuple[ComparisonView, ...]


def field_text(field: Field, value: Any, *, patient: bool = False) -> str:
    """One scenario value in words: a label for a code, a unit after a number, 'Not known' for None."""
    if field.kind == "risks":
        return "; ".join(f"{key}: {v:g}%" for key, v in value) if value else "None entered"
    if value is None:
        return NOT_KNOWN
    if field.kind == "options":
        return "; ".join(field.choices[code].clinician for code in value)
    if field.kind == "choice":
        term = field.choices[value]
        return term.patient if patient else term.clinician
    if field.kind == "flag":
        return TRI_STATE[value]
    if patient and field.name == "mrs":
        return f"{RANKIN_WORDS[value]} (Rankin score {value})"
    return f"{value}{field.unit}"


def scenario_rows(scenario: Scenario, ignored: Mapping[str, str]) -> tuple[Row, ...]:
    """The scenario as the tool used it, field by field ('Not known' for values not given)."""
    return tuple(
        Row(
            field.label,
            "Not used in this setting"
            if field.name in ignored
            else IMPLIED
            if implied_by_setting(scenario, field.name)
            else field_text(field, getattr(scenario, field.name)),
        )
        for field in FIELDS
        if field.kind != "entries"  # the centre's results have their own section
        and (getattr(scenario, field.name) or not field.listed_when_true)
    )


def _criteria_count(count: int) -> str:
    return f"{count} criterion" if count == 1 else f"{count} criteria"


def fit_phrase(comparison: Comparison) -> str:
    """Why the status is what it is, with how many criteria could be checked."""
    fit = comparison.applicability
    reasons = fit.reasons
    if fit.status == "outside":
        return " ".join(r.text for r in reasons if r.status == "not_met")
    unknown = sum(r.status == "unknown" for r in reasons)
    not_reported = sum(r.status == "not_reported" for r in reasons)
    if fit.status == "unknown" and fit.checked == 0 and unknown == 0:
        return (
            "the study reports none of the population criteria this tool checks"
            f" ({_criteria_count(not_reported)} not reported)"
        )
    checked = f"checked {fit.checked} of {fit.total}"
    if fit.status == "unknown":
        missing = (
            (unknown, "not known for this patient"),
            (not_reported, "not reported by the study"),
        )
        parts = ", ".join(f"{n} {words}" for n, words in missing if n)
        return f"{checked} criteria ({parts}), too few to say whether the study applies"
    missing = ((unknown, "not known for this patient"), (not_reported, "not reported"))
    suffix = "".join(f"; {_criteria_count(n)} {words}" for n, words in missing if n)
    return f"the patient meets every criterion checked ({checked}{suffix})"


def match_phrase(comparison: Comparison) -> str:
    """How well the patient matches one study, for the summary line: 'applies: ...'."""
    return f"{STATUS_WORDS[display_status(comparison)].lower()}: {fit_phrase(comparison)}"


def summary_sentence(assessment: Assessment) -> str:
    """One line: which evidence applies and how well this patient matches it."""
    if not assessment.comparisons:
        texts = [w.text for w in assessment.warnings if w.code == "no_direct_comparison"]
        return texts[0] if texts else "No study in this evidence base matches these options."
    count = len(assessment.comparisons)
    several = len(assessment.scenario.options) > 1
    # With pairs no study compares, the studies answer only some of the chosen options.
    these = "some of these options" if assessment.pairs_without_evidence else "these options"
    if count == 1:
        verb = f"compares {these}" if several else "includes this option"
        lead = f"1 study {verb}"
    else:
        verb = f"compare {these}" if several else "include this option"
        lead = f"{count} studies {verb}"
    parts = [
        f"{c.analysis.study.short_name} ({DESIGN_LABELS[c.analysis.study.design.value]})"
        f" {EM_DASH} {match_phrase(c)}"
        for c in assessment.comparisons
    ]
    text = f"{lead} for {SETTING_SHORT[assessment.scenario.setting]}: {'; '.join(parts)}"
    text = text if text.endswith((".", ".)")) else text + "."
    gaps = len(assessment.pairs_without_evidence)
    if gaps:
        n = len(assessment.scenario.options)
        pairs = n * (n - 1) // 2
        verb = "is" if gaps == 1 else "are"
        text += (
            f" {gaps} of the {pairs} pairs of options chosen {verb} compared by no study"
            " (listed below)."
        )
    return text


def display_status(comparison: Comparison) -> str:
    """The page's status code: the engine's, with 'unknown' shown as 'unchecked' (amber)."""
    status = comparison.applicability.status
    return "unchecked" if status == "unknown" else status


def status_text(comparison: Comparison) -> str:
    return f"{STATUS_WORDS[display_status(comparison)]}: {fit_phrase(comparison)}"


def tally_text(reasons: Sequence[Reason]) -> str:
    """Count the criteria by status: '4 met, 1 not reported'."""
    words = {
        "met": "met",
        "not_met": "not met",
        "unknown": "unknown",
        "not_reported": "not reported",
    }
    counts = [(sum(r.status == key for r in reasons), word) for key, word in words.items()]
    return ", ".join(f"{n} {word}" for n, word in counts if n)


def reason_view(reason: Reason, study: Study) -> ReasonView:
    return ReasonView(
        criterion=reason.criterion,
        status=reason.status,
        status_text=CRITERION_STATUS_WORDS[reason.status],
        text=reason.text,
        href=evidence_href(study.id, f"crit-{reason.criterion}"),
        label=ELIGIBILITY[reason.criterion].topic,
    )


def _derived_notes(entry: OutcomeStats, study: Study) -> list[Note]:
    notes = []
    for arm in (entry.intervention, entry.comparator):
        if arm is None:
            continue
        label = study.arms[arm.arm].label
        for key, how in arm.derived.items():
            notes.append(
                Note(
                    kind="derived",
                    tag="derived",
                    label=f"{label}, {DERIVED_WORDS.get(key, key)}",
                    text=how,
                    href=evidence_href(study.id, outcome_anchor(entry.outcome.id, arm.arm)),
                )
            )
    return notes


def audit_note(item: AuditItem, study_id: str, outcome_id: str) -> Note:
    """A published figure beside its recomputation: 'Published 2.8 (0.85–9.5); recomputed 3.61 (…) — note'."""
    return Note(
        kind="audit",
        tag="audit",
        label=item.figure,
        text=f"Published {item.published}; recomputed {item.recomputed} {EM_DASH} {item.note}",
        href=evidence_href(study_id, audit_anchor(outcome_id)),
    )


def row_notes(result: OutcomeResult, study: Study) -> tuple[Note, ...]:
    """Everything a clinician should read beside an outcome's numbers."""
    entry, outcome = result.stats, result.stats.outcome
    notes = _derived_notes(entry, study)
    # A figure another method explains is in the full audit (evidence page), not beside the row.
    notes += [audit_note(i, study.id, outcome.id) for i in entry.audit if i.agrees is False]
    for arm_id in (study.intervention, study.comparator):
        arm_result = outcome.arms.get(arm_id)
        if arm_result is not None and arm_result.subset:
            notes.append(
                Note(
                    "note",
                    arm_result.subset,
                    label=study.arms[arm_id].label,
                    href=evidence_href(study.id, outcome_anchor(outcome.id, arm_id)),
                )
            )
    if outcome.note:
        notes.append(Note("note", outcome.note))
    if outcome.test is not None:
        notes.append(
            Note(
                "published",
                printed_p_text(outcome.test.p),
                label="Published P value",
                href=evidence_href(study.id, outcome_anchor(outcome.id, "p")),
            )
        )
    if result.not_computed_reason is not None:
        notes.append(Note("not_computed", result.not_computed_reason, tag="not computed"))
    lead = headline(entry)
    in_cell = lead.effect if lead is not None else None
    if in_cell is not None and isinstance(entry.risk_ratio, stats.Interval):
        notes.append(
            Note(
                "recomputed",
                f"{ratio_text('RR', entry.risk_ratio)}, {study.arms[study.intervention].label} vs"
                f" {study.arms[study.comparator].label} (Katz 95% CI); the published estimate"
                " above leads.",
                tag="recomputed",
                label="Crude ratio from the counts",
            )
        )
    if not ROWS[outcome.kind].effects_in_cells:
        led = difference_lead(entry)
        in_cells = (in_cell, led.effect if led is not None else None)
        for index, effect in enumerate(outcome.effects, start=1):
            if any(effect is shown for shown in in_cells):
                continue
            notes.append(
                Note(
                    "published",
                    effect_text(effect),
                    label="Published",
                    href=evidence_href(study.id, outcome_anchor(outcome.id, f"effect-{index}")),
                )
            )
    notes += [
        Note("signal", s.text) for s in result.signals if s.code not in SIGNALS_SHOWN_ELSEWHERE
    ]
    return tuple(notes)


def outcome_row(result: OutcomeResult, study: Study) -> OutcomeRow:
    """Build one summary-of-findings row for any kind of outcome."""
    entry, outcome = result.stats, result.stats.outcome
    cells = ROWS[outcome.kind].cells(entry, study)
    return OutcomeRow(
        id=outcome.id,
        label=outcome.label,
        href=evidence_href(study.id, outcome_anchor(outcome.id)),
        role=outcome.role,
        event=EVENT_WORDS[outcome.event],
        subtitle=f"{outcome.role.capitalize()} outcome; counts as a {EVENT_WORDS[outcome.event]}",
        timeframe=outcome.timeframe,
        timeframe_stated=has_timeframe(outcome),
        kind=outcome.kind,
        comparator=cells.comparator,
        intervention=cells.intervention,
        difference=cells.difference,
        relative=cells.relative,
        nnt=cells.nnt,
        statement=cells.statement,
        participants=cells.participants,
        notes=row_notes(result, study),
    )


def _not_main(result: OutcomeResult) -> bool:
    outcome = result.stats.outcome
    return not outcome.is_main or "subgroup" in outcome.role


def study_table(study: Study, outcomes: tuple[OutcomeResult, ...]) -> StudyTable:
    """Build a study's summary-of-findings table and caveats (no patient changes them)."""
    first, second = study.arms[study.intervention], study.arms[study.comparator]
    return StudyTable(
        anchor=f"c-{study.id}",
        caption=f"Summary of findings: {first.label} (intervention) vs {second.label}"
        f" (comparator), {study.short_name}",
        intervention_label=first.label,
        comparator_label=second.label,
        # Main outcomes (primary or safety) lead, as in the glance; each part in the study's order.
        rows=tuple(outcome_row(r, study) for r in sorted(outcomes, key=_not_main)),
        # Each caveat's sentence is on the study's page, linked once under the table.
        caveats=tuple(Note("caveat", c.text) for c in study.caveats),
    )


def prepare_tables(
    tables: Tables,
    render: Callable[[StudyTable], str],
    render_certainty: Callable[[CertaintyBlock], str],
) -> Mapping[str, PreparedTable]:
    """Build and render every study's table and certainty blocks once, by study id (`render`,
    `render_certainty`: the page's macros).

    A study's table was two fifths of the results page's time per request, its certainty block
    a tenth of the all-four page's (tests/perf/README.md).
    """
    found = {}
    for analysis, rated in zip(tables.base.studies, tables.rated, strict=True):
        study, outcomes = analysis.study, analysis.appraisal.outcomes
        table = study_table(study, outcomes)
        blocks = study_blocks(study.id, outcomes, rated)
        certainty = tuple(None if b is None else render_certainty(b) for b in blocks)
        found[study.id] = PreparedTable(table, render(table), certainty)
    return MappingProxyType(found)


def _certainty_html(comparison: Comparison, ready: PreparedTable | None) -> Markup | None:
    direct = comparison.indirectness
    if ready is None or direct is None:
        return None
    html = ready.certainty[direct.levels]
    return None if html is None else filled(html, direct)


def comparison_view(
    comparison: Comparison, prepared: Mapping[str, PreparedTable] | None = None
) -> ComparisonView:
    """Build one comparison's section, taking its study's table from `prepared` when there."""
    study = comparison.analysis.study
    ready = prepared.get(study.id) if prepared is not None else None
    design = DESIGN_LABELS[study.design.value]
    first, second = study.arms[study.intervention], study.arms[study.comparator]
    return ComparisonView(
        study_id=study.id,
        heading=f"{first.label} vs {second.label} {EM_DASH} {study.short_name} ({design})",
        study_name=study.short_name,
        design=design,
        study_href=evidence_href(study.id),
        status=display_status(comparison),
        status_text=status_text(comparison),
        tally=tally_text(comparison.applicability.reasons),
        reasons_open=display_status(comparison) != "applies",
        reasons=tuple(
            reason_view(r, study)
            for r in comparison.applicability.reasons
            if r.status != "not_reported"
        ),
        unreported=tuple(
            reason_view(r, study)
            for r in comparison.applicability.reasons
            if r.status == "not_reported"
        ),
        # The status line above says, in the same words, that too few criteria could be checked.
        warnings=tuple(w for w in comparison.warnings if w.code not in STATUS_LINE_WARNINGS),
        table=study_table(study, comparison.outcomes) if ready is None else ready.table,
        table_html=None if ready is None else ready.html,
        certainty=comparison_block(comparison, f"c-{study.id}") if ready is None else None,
        certainty_html=_certainty_html(comparison, ready),
    )


def results(
    assessment: Assessment,
    ignored: Sequence[IgnoredInput] = (),
    prepared: Mapping[str, PreparedTable] | None = None,
) -> ResultsView:
    """Turn an assessment into everything the results section shows (tables from `prepared`)."""
    ignored_names = ignored_fields(assessment.scenario.setting, assessment.scenario.options)
    return ResultsView(
        summary=summary_sentence(assessment),
        scope_reasons=assessment.scope.reasons if assessment.scope.status == "outside" else (),
        pairs_without_evidence=tuple(gap.text for gap in assessment.pairs_without_evidence),
        # The no-comparison warning is the summary line itself; any other is listed.
        warnings=tuple(w for w in assessment.warnings if w.code != "no_direct_comparison"),
        available=assessment.available if not assessment.comparisons else (),
        ignored=tuple(ignored),
        scenario=scenario_rows(assessment.scenario, ignored_names),
        comparisons=tuple(comparison_view(c, prepared) for c in assessment.comparisons),
    )
