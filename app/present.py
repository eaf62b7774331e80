"""Display-ready view models: every number formatted and every sentence worded here (no Flask).

Pure functions turn an Assessment or a StudyAnalysis into frozen dataclasses that templates only loop
over. Every number comes from the evidence base or its precomputed statistics; every number that is
shown links to the sentence it comes from on the study's evidence page (see ANCHORS below).

Anchors on /evidence/<study_id>:
    o-<outcome>            the outcome: definition sentence, every figure, computed statistics
    o-<outcome>-<arm>      one arm's published figures and source sentence ("overall" for pooled)
    o-<outcome>-p          the published between-group P value
    o-<outcome>-effect-<n> the n-th published ratio (1-based)
    audit-<outcome>        the outcome's reproduction audit; audit-study for study-level figures
    crit-<field>, arms, arm-<arm>, fact-<n>, caveat-<code>, note-<n>, src-<source>
On the results page each comparison is a section with id c-<study_id>; the results are at #results.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app import stats
from app.analysis import ArmStats, EvidenceBase, OutcomeStats, StudyAnalysis
from app.audit import AuditItem
from app.engine import Assessment, Comparison, OutcomeResult, Warning
from app.evidence import ArmResult, Criterion, Effect, Outcome, Printed, Quote, Study
from app.rules import CRITERION_WORDS, Reason
from app.scenario import ARTERIES, OPTIONS, SETTINGS, Scenario

# --- words ------------------------------------------------------------------------------------------

FIELD_LABELS = {
    "setting": "Clinical setting",
    "options": "Treatment options being weighed",
    "stenosis_percent": "Degree of stenosis (%)",
    "symptomatic": "Is the stenosis symptomatic?",
    "days_since_event": "Days since the qualifying TIA or stroke",
    "artery": "Artery with the stenosis",
    "age": "Age (years)",
    "prestent_angioplasty": "Angioplasty planned before a self-expanding stent",
}
SETTING_SHORT = {
    "symptomatic_icas": "symptomatic ICAS",
    "lvo_icas": "acute LVO with underlying ICAS",
}
DESIGN_LABELS = {
    "randomized_trial": "randomized trial",
    "prospective_registry": "prospective observational registry",
    "retrospective_cohort": "retrospective observational cohort",
}
TREATMENT_LABELS = {
    **OPTIONS,
    "stent_unspecified": "Stent of unstated type",
}
SOURCE_KIND_WORDS = {
    "primary": "primary source",
    "secondary": "secondary source",
    "project_note": "project note",
}
STATUS_WORDS = {
    "applies": "Applies",
    "partial": "Partial match",
    "outside": "Outside the study population",
    "unchecked": "Cannot be checked",
}
CRITERION_STATUS_WORDS = {
    "met": "Met",
    "not_met": "Not met",
    "unknown": "Unknown (not given)",
    "not_reported": "Not reported by the study",
}
AGREES_WORDS = {True: "yes", False: "NO", None: "not recomputable"}
KIND_WORDS = {
    "binary": "events per group",
    "kaplan_meier": "Kaplan-Meier estimate",
    "adjusted_effect": "adjusted effect only",
    "narrative": "statement without numbers",
}
EVENT_WORDS = {"harmful": "harm", "beneficial": "benefit"}
RATIO_NAMES = {"risk_ratio": "RR", "odds_ratio": "OR", "hazard_ratio": "HR"}
DERIVED_WORDS = {"events": "events", "total": "denominator", "n": "group size"}
METHOD_WORDS = {
    "clopper-pearson": "exact two-sided Clopper-Pearson 95% CI",
    "wilson-score": "Wilson score 95% CI",
    "newcombe-hybrid-score": "Newcombe hybrid score 95% CI (method 10)",
    "katz-log": "Katz log 95% CI",
    "woolf-log": "Woolf log 95% CI",
    "fisher-exact": "two-sided Fisher exact test",
    "altman-1998": "Altman (BMJ 1998), shown rounded up to whole numbers",
    "km-difference-normal": "normal approximation from the printed standard errors",
}
# Signals already shown in their own form in a row: the design in the participants column, derived
# values as "derived" notes, and disagreeing audit items one by one.
SIGNALS_SHOWN_ELSEWHERE = frozenset({"design", "derived_counts", "published_figure_not_reproduced"})
TRI_STATE_WORDS = {True: "Yes", False: "No", None: "Not known"}
DISCLAIMER = "This tool presents evidence; it does not recommend a treatment."
INTENDED_USE_LINE = (
    "For neurointerventionalists and stroke clinicians: describe the patient and the options being"
    " weighed to see what published studies report, with each number linked to its source sentence."
)
MINUS = "\u2212"
EN_DASH = "\u2013"
EM_DASH = "\u2014"


# --- anchors and links ------------------------------------------------------------------------------


def evidence_href(study_id: str, anchor: str = "") -> str:
    """Return the address of a study's evidence page, optionally at one anchor."""
    return f"/evidence/{study_id}" + (f"#{anchor}" if anchor else "")


def outcome_anchor(outcome_id: str, part: str = "") -> str:
    return f"o-{outcome_id}" + (f"-{part}" if part else "")


def audit_anchor(outcome_id: str) -> str:
    return f"audit-{outcome_id}"


# --- number formatting ------------------------------------------------------------------------------


def percent(fraction: float, decimals: int = 1) -> str:
    """Format a fraction as a percent: 0.0943 -> '9.4%'."""
    return f"{100 * fraction:.{decimals}f}%"


def _signed(number: float, decimals: int = 1) -> str:
    """Format with an explicit sign (a true minus sign); a value that rounds to zero has none."""
    text = f"{abs(number):.{decimals}f}"
    if float(text) == 0:
        return text
    return ("+" if number > 0 else MINUS) + text


def risk_text(arm: ArmStats) -> str:
    """An arm's event rate with its exact 95% CI and counts: '9.4% (3.1–20.7) · 5/53'."""
    rate = arm.rate
    return (
        f"{percent(rate.value)} ({100 * rate.lower:.1f}{EN_DASH}{100 * rate.upper:.1f})"
        f" · {arm.events}/{arm.total}"
    )


def difference_text(difference: stats.Interval) -> str:
    """A difference of two proportions in percentage points: '+14.7 pp (+0.5 to +28.2)'."""
    return (
        f"{_signed(100 * difference.value)} pp"
        f" ({_signed(100 * difference.lower)} to {_signed(100 * difference.upper)})"
    )


def ratio_text(name: str, ratio: stats.Interval | stats.Undefined | None, decimals: int = 2) -> str:
    """A crude ratio with its CI ('RR 2.56 (0.99–6.62)'), or why it cannot be estimated."""
    if isinstance(ratio, stats.Undefined):
        return f"{name} not estimable: {ratio.reason}"
    if ratio is None:
        return f"{name} not estimable: no counts per group"
    return (
        f"{name} {ratio.value:.{decimals}f}"
        f" ({ratio.lower:.{decimals}f}{EN_DASH}{ratio.upper:.{decimals}f})"
    )


def nnt_text(nnt: stats.NNT | None) -> str:
    """Altman's notation exactly as the statistics core wrote it."""
    return nnt.text if nnt is not None else "not calculated: no counts per group"


def p_value_text(p: stats.PValue) -> str:
    """A computed P value: 'P = 0.046', or 'P < 0.001'."""
    return "P < 0.001" if p.value < 0.001 else f"P = {p.value:.3f}"


def printed_p_text(p: Printed) -> str:
    """A published P value as printed: 'P = .05', 'P < 0.001'."""
    return f"P {p.bound} {p.text[1:]}" if p.bound else f"P = {p.text}"


def participants_text(count: int | None, unit: str, design: str, *, analysed: bool = True) -> str:
    """The GRADE participants column: '111 patients (1 randomized trial)'."""
    study = f"1 {DESIGN_LABELS[design]}"
    if count is None:
        return f"group sizes not given ({study})"
    if analysed:
        return f"{count} {unit} ({study})"
    return f"{count} {unit} in the study; number analysed not stated ({study})"


def survival_text(result: ArmResult) -> str:
    """A printed Kaplan-Meier estimate: 'Survival 92% ± 4 (SE)'."""
    assert result.survival is not None
    if result.se is None:
        return f"Survival {result.survival.text}% (no SE printed)"
    return f"Survival {result.survival.text}% ± {result.se.text} (SE)"


def effect_label(effect: Effect) -> str:
    """Name a published ratio with what it was adjusted for and its direction, where it matters."""
    name = RATIO_NAMES[effect.type]
    details = []
    if effect.adjustment != "not stated":
        name = f"adjusted {name}"
        details.append(effect.adjustment)
    else:
        details.append("adjustment not stated")
    if effect.direction == "not_stated":
        details.append("reference group not stated")
    elif effect.direction == "comparator_vs_intervention":
        details.append("comparator vs intervention")
    return f"{name} ({'; '.join(details)})"


def effect_text(effect: Effect) -> str:
    """A published ratio as printed: 'adjusted OR (inverse probability weighting) 1.10 (0.62–1.96); P = 0.75'."""
    text = f"{effect_label(effect)} {effect.estimate.text} ({effect.ci[0].text}{EN_DASH}{effect.ci[1].text})"
    if effect.p is not None:
        text += f"; {printed_p_text(effect.p)}"
    return text


def published_arm_text(result: ArmResult) -> str:
    """An arm's figures as the source prints them (counts, percent, CI, survival)."""
    parts = []
    if result.events is not None and result.total is not None:
        parts.append(f"{result.events}/{result.total}")
    elif result.events is not None:
        parts.append(f"{result.events} events")
    if result.percent is not None:
        parts.append(f"{result.percent.text}%")
    if result.ci is not None:
        parts.append(f"95% CI {result.ci[0].text}{EN_DASH}{result.ci[1].text}%")
    if result.survival is not None:
        parts.append(survival_text(result))
    return "; ".join(parts) if parts else "no figures"


# --- shared view models -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cell:
    """One table cell: its text, where its number comes from ('' for none), and whether derived."""

    text: str
    href: str = ""
    derived: bool = False
    muted: bool = False


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
    quote: QuoteView
    href: str


@dataclass(frozen=True, slots=True)
class ComparisonView:
    study_id: str
    anchor: str
    heading: str
    study_name: str
    design: str
    study_href: str
    intervention_label: str
    comparator_label: str
    status: str
    status_text: str
    tally: str
    reasons_open: bool
    reasons: tuple[ReasonView, ...]
    warnings: tuple[Warning, ...]
    caveats: tuple[Note, ...]
    caption: str
    rows: tuple[OutcomeRow, ...]


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
    warnings: tuple[Warning, ...]
    available: tuple[str, ...]
    ignored: tuple[IgnoredInput, ...]
    scenario: tuple[Row, ...]
    comparisons: tuple[ComparisonView, ...]


def ignored_fields(setting: str | None, options: Sequence[str]) -> dict[str, str]:
    """Map each scenario field the setting does not use to the reason, in plain words."""
    ignored: dict[str, str] = {}
    if setting == "lvo_icas":
        reason = "in the acute LVO setting the occlusion is the qualifying event."
        ignored["symptomatic"] = reason
        ignored["days_since_event"] = reason
        if "self_expanding_stent" not in options:
            ignored["prestent_angioplasty"] = (
                "it is used only when a self-expanding stent is among the options."
            )
    elif setting == "symptomatic_icas":
        ignored["prestent_angioplasty"] = "it is used only in the acute LVO setting."
    return ignored


def scenario_rows(scenario: Scenario, ignored: Mapping[str, str]) -> tuple[Row, ...]:
    """The scenario as the tool used it, field by field ('Not known' for values not given)."""
    values = {
        "setting": SETTINGS[scenario.setting],
        "options": "; ".join(OPTIONS[o] for o in scenario.options),
        "stenosis_percent": "Not known"
        if scenario.stenosis_percent is None
        else f"{scenario.stenosis_percent}%",
        "symptomatic": TRI_STATE_WORDS[scenario.symptomatic],
        "days_since_event": "Not known"
        if scenario.days_since_event is None
        else f"{scenario.days_since_event}",
        "artery": "Not known" if scenario.artery is None else ARTERIES[scenario.artery],
        "age": "Not known" if scenario.age is None else f"{scenario.age}",
        "prestent_angioplasty": TRI_STATE_WORDS[scenario.prestent_angioplasty],
    }
    return tuple(
        Row(FIELD_LABELS[name], "Not used in this setting" if name in ignored else value)
        for name, value in values.items()
    )


def _criteria_count(count: int) -> str:
    return f"{count} criterion" if count == 1 else f"{count} criteria"


def match_phrase(comparison: Comparison) -> str:
    """How well the patient matches one study, for the summary line."""
    reasons = comparison.applicability.reasons
    status = comparison.applicability.status
    if status == "outside":
        unmet = " ".join(r.text for r in reasons if r.status == "not_met")
        return f"outside the study population: {unmet}"
    unknown = sum(r.status == "unknown" for r in reasons)
    not_reported = sum(r.status == "not_reported" for r in reasons)
    met = sum(r.status == "met" for r in reasons)
    if status == "partial":
        return f"partial match: {_criteria_count(unknown)} could not be checked"
    if met == 0:
        return (
            "the study reports none of the population criteria this tool checks"
            f" ({_criteria_count(not_reported)} not reported)"
        )
    suffix = f" ({_criteria_count(not_reported)} not reported)" if not_reported else ""
    return f"the patient meets every reported criterion{suffix}"


def summary_sentence(assessment: Assessment) -> str:
    """One line: which evidence applies and how well this patient matches it."""
    if not assessment.comparisons:
        texts = [w.text for w in assessment.warnings if w.code == "no_direct_comparison"]
        return texts[0] if texts else "No study in this evidence base matches these options."
    count = len(assessment.comparisons)
    several = len(assessment.scenario.options) > 1
    if count == 1:
        verb = "compares these options" if several else "includes this option"
        lead = f"1 study {verb}"
    else:
        verb = "compare these options" if several else "include this option"
        lead = f"{count} studies {verb}"
    parts = [
        f"{c.analysis.study.short_name} ({DESIGN_LABELS[c.analysis.study.design.value]})"
        f" {EM_DASH} {match_phrase(c)}"
        for c in assessment.comparisons
    ]
    text = f"{lead} for {SETTING_SHORT[assessment.scenario.setting]}: {'; '.join(parts)}"
    return text if text.endswith((".", ".)")) else text + "."


def display_status(comparison: Comparison) -> str:
    """The engine's status, except that 'applies' with nothing checked shows as 'unchecked'."""
    fit = comparison.applicability
    if fit.status == "applies" and not any(r.status == "met" for r in fit.reasons):
        return "unchecked"
    return fit.status


def status_text(comparison: Comparison) -> str:
    return f"{STATUS_WORDS[display_status(comparison)]}: {match_phrase(comparison)}"


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
        quote=quote_view(reason.quote, study),
        href=evidence_href(study.id, f"crit-{reason.criterion}"),
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
    if outcome.kind != "adjusted_effect":
        for index, effect in enumerate(outcome.effects, start=1):
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


def _not_estimable(reason: str) -> Cell:
    return Cell(f"not estimable: {reason}", muted=True)


def outcome_row(result: OutcomeResult, study: Study) -> OutcomeRow:
    """Build one summary-of-findings row for any kind of outcome."""
    entry, outcome = result.stats, result.stats.outcome
    design, unit = study.design.value, study.unit.value
    href = evidence_href(study.id, outcome_anchor(outcome.id))
    arms = {a: outcome.arms.get(a) for a in (study.intervention, study.comparator)}
    enrolled = sum(arm.n for arm in study.arms.values())
    arms_href = evidence_href(study.id, "arms")
    statement = None
    if entry.intervention is not None and entry.comparator is not None:
        cells = [
            Cell(
                risk_text(arm),
                evidence_href(study.id, outcome_anchor(outcome.id, arm.arm)),
                derived=bool(arm.derived),
            )
            for arm in (entry.intervention, entry.comparator)
        ]
        intervention, comparator = cells
        assert entry.risk_difference is not None
        difference = Cell(difference_text(entry.risk_difference), href)
        relative = Cell(
            ratio_text("RR", entry.risk_ratio),
            href,
            muted=not isinstance(entry.risk_ratio, stats.Interval),
        )
        nnt = Cell(nnt_text(entry.nnt), href)
        participants = Cell(
            participants_text(entry.intervention.total + entry.comparator.total, unit, design),
            href,
        )
    elif outcome.kind == "kaplan_meier":
        intervention, comparator = (
            Cell(survival_text(r), evidence_href(study.id, outcome_anchor(outcome.id, a)))
            if r is not None and r.survival is not None
            else Cell("not given", muted=True)
            for a, r in arms.items()
        )
        if entry.survival_difference is not None:
            difference = Cell(f"{difference_text(entry.survival_difference)} in survival", href)
        else:
            difference = _not_estimable("no standard errors printed")
        relative = _not_estimable("only Kaplan-Meier estimates are printed")
        nnt = Cell("not calculated: survival estimates, not counts", muted=True)
        participants = Cell(participants_text(enrolled, unit, design, analysed=False), arms_href)
    elif outcome.kind == "adjusted_effect":
        intervention = comparator = Cell("not given (adjusted effect only)", muted=True)
        difference = _not_estimable("no counts per group")
        effect_href = (
            evidence_href(study.id, outcome_anchor(outcome.id, "effect-1"))
            if len(outcome.effects) == 1
            else href
        )
        relative = Cell("; ".join(effect_text(e) for e in outcome.effects), effect_href)
        nnt = Cell("not calculated: no counts per group", muted=True)
        participants = Cell(participants_text(enrolled, unit, design, analysed=False), arms_href)
    elif outcome.kind == "narrative":
        intervention = comparator = difference = relative = nnt = Cell("", muted=True)
        statement = Cell(outcome.statement, href)
        participants = Cell(participants_text(enrolled, unit, design, analysed=False), arms_href)
    else:  # binary with printed percents only: group sizes not given
        intervention, comparator = (
            Cell(
                f"{r.percent.text}% (printed) · group size not given",
                evidence_href(study.id, outcome_anchor(outcome.id, a)),
            )
            if r is not None and r.percent is not None
            else Cell("not given", muted=True)
            for a, r in arms.items()
        )
        difference = relative = _not_estimable("group sizes not given")
        nnt = Cell("not calculated: group sizes not given", muted=True)
        participants = Cell(participants_text(None, unit, design), muted=True)
    return OutcomeRow(
        id=outcome.id,
        label=outcome.label,
        href=href,
        role=outcome.role,
        event=EVENT_WORDS[outcome.event],
        subtitle=f"{outcome.role.capitalize()} outcome; the event counts as a {EVENT_WORDS[outcome.event]}",
        timeframe=outcome.timeframe,
        kind=outcome.kind,
        comparator=comparator,
        intervention=intervention,
        difference=difference,
        relative=relative,
        nnt=nnt,
        statement=statement,
        participants=participants,
        notes=row_notes(result, study),
    )


def comparison_view(comparison: Comparison) -> ComparisonView:
    study = comparison.analysis.study
    design = DESIGN_LABELS[study.design.value]
    first, second = study.arms[study.intervention], study.arms[study.comparator]
    heading = f"{first.label} vs {second.label} {EM_DASH} {study.short_name} ({design})"
    return ComparisonView(
        study_id=study.id,
        anchor=f"c-{study.id}",
        heading=heading,
        study_name=study.short_name,
        design=design,
        study_href=evidence_href(study.id),
        intervention_label=first.label,
        comparator_label=second.label,
        status=display_status(comparison),
        status_text=status_text(comparison),
        tally=tally_text(comparison.applicability.reasons),
        reasons_open=display_status(comparison) != "applies",
        reasons=tuple(reason_view(r, study) for r in comparison.applicability.reasons),
        warnings=comparison.warnings,
        caveats=tuple(
            Note("caveat", c.text, href=evidence_href(study.id, f"caveat-{c.code}"))
            for c in study.caveats
        ),
        caption=f"Summary of findings: {first.label} (intervention) vs {second.label}"
        f" (comparator), {study.short_name}",
        rows=tuple(outcome_row(r, study) for r in comparison.outcomes),
    )


def results(assessment: Assessment, ignored: Sequence[IgnoredInput] = ()) -> ResultsView:
    """Turn an assessment into everything the results section shows."""
    ignored_names = ignored_fields(assessment.scenario.setting, assessment.scenario.options)
    return ResultsView(
        summary=summary_sentence(assessment),
        # The no-comparison warning is the summary line itself; any other is listed.
        warnings=tuple(w for w in assessment.warnings if w.code != "no_direct_comparison"),
        available=assessment.available if not assessment.comparisons else (),
        ignored=tuple(ignored),
        scenario=scenario_rows(assessment.scenario, ignored_names),
        comparisons=tuple(comparison_view(c) for c in assessment.comparisons),
    )


# --- the evidence pages -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CriterionView:
    anchor: str
    field: str
    name: str
    text: str
    reported: bool
    source_kind: str
    quote: QuoteView


@dataclass(frozen=True, slots=True)
class ArmView:
    anchor: str
    href: str
    label: str
    treatment: str
    role: str
    description: str
    n: str
    derived: str
    quote: QuoteView


@dataclass(frozen=True, slots=True)
class Item:
    """A labelled value with its source sentence: facts, caveats, scenario notes."""

    anchor: str
    label: str
    text: str
    quote: QuoteView


@dataclass(frozen=True, slots=True)
class FigureView:
    """Published figures of one arm (or the pooled groups, a P value, a ratio) for one outcome."""

    anchor: str
    label: str
    text: str
    derived: tuple[Row, ...]
    remarks: tuple[str, ...]
    quote: QuoteView


@dataclass(frozen=True, slots=True)
class StatView:
    name: str
    text: str
    method: str


@dataclass(frozen=True, slots=True)
class AuditRow:
    figure: str
    published: str
    recomputed: str
    agrees: str
    agrees_text: str
    note: str
    quote: QuoteView


@dataclass(frozen=True, slots=True)
class OutcomeDetail:
    anchor: str
    audit_anchor: str
    audit_caption: str
    id: str
    label: str
    role: str
    event: str
    timeframe: str
    kind: str
    definition: QuoteView
    note: str
    statement: str
    figures: tuple[FigureView, ...]
    stats: tuple[StatView, ...]
    audit: tuple[AuditRow, ...]
    disagreements: int


@dataclass(frozen=True, slots=True)
class SourceView:
    anchor: str
    id: str
    title: str
    kind: str
    origin: str


@dataclass(frozen=True, slots=True)
class StudyView:
    id: str
    anchor: str
    href: str
    name: str
    title: str
    design: str
    setting: str
    unit: str
    comparison: str
    citation: str
    citation_note: str
    citation_text: str
    identifiers: tuple[Row, ...]
    sources: tuple[SourceView, ...]
    criteria: tuple[CriterionView, ...]
    arms: tuple[ArmView, ...]
    facts: tuple[Item, ...]
    caveats: tuple[Item, ...]
    scenario_notes: tuple[Item, ...]
    outcomes: tuple[OutcomeDetail, ...]
    study_audit: tuple[AuditRow, ...]
    disagreements: int


def criterion_text(criterion: Criterion) -> str:
    """What a study required of its population, in words."""
    if not criterion.reported:
        return f"Not reported. {criterion.note}".strip()
    unit = {"stenosis_percent": "%", "age": " years", "days_since_event": " days"}
    if criterion.field in unit:
        u = unit[criterion.field]
        if criterion.min is not None and criterion.max is not None:
            text = f"{criterion.min}{u} to {criterion.max}{u}"
        elif criterion.min is not None:
            text = f"{criterion.min}{u} or more"
        else:
            text = f"up to {criterion.max}{u}"
        if criterion.field == "days_since_event":
            text += " after the qualifying TIA or stroke"
    elif criterion.field == "symptomatic":
        text = (
            "Symptomatic stenosis only"
            if criterion.required
            else "Symptomatic or asymptomatic stenosis"
        )
    else:
        text = "; ".join(ARTERIES[a] for a in criterion.allowed)
    return f"{text[0].upper()}{text[1:]}. {criterion.note}".strip()


def audit_row(item: AuditItem, study: Study) -> AuditRow:
    return AuditRow(
        figure=item.figure,
        published=item.published,
        recomputed=item.recomputed,
        agrees={True: "yes", False: "no", None: "none"}[item.agrees],
        agrees_text=AGREES_WORDS[item.agrees],
        note=item.note,
        quote=quote_view(item.quote, study),
    )


def _figure(anchor: str, label: str, result: ArmResult, study: Study) -> FigureView:
    remarks = tuple(r for r in (result.subset, result.discrepancy) if r)
    return FigureView(
        anchor=anchor,
        label=label,
        text=published_arm_text(result),
        derived=tuple(Row(DERIVED_WORDS.get(k, k), how) for k, how in result.derived.items()),
        remarks=remarks,
        quote=quote_view(result.quote, study),
    )


def outcome_figures(outcome: Outcome, study: Study) -> tuple[FigureView, ...]:
    """Every published figure of an outcome, each with its anchor and source sentence."""
    figures = [
        _figure(outcome_anchor(outcome.id, arm_id), study.arms[arm_id].label, result, study)
        for arm_id, result in outcome.arms.items()
    ]
    if outcome.overall is not None:
        figures.append(
            _figure(
                outcome_anchor(outcome.id, "overall"),
                "All groups together",
                outcome.overall,
                study,
            )
        )
    if outcome.test is not None:
        figures.append(
            FigureView(
                outcome_anchor(outcome.id, "p"),
                "P value between groups",
                printed_p_text(outcome.test.p),
                (),
                (),
                quote_view(outcome.test.quote, study),
            )
        )
    for index, effect in enumerate(outcome.effects, start=1):
        figures.append(
            FigureView(
                outcome_anchor(outcome.id, f"effect-{index}"),
                "Published ratio",
                effect_text(effect),
                (),
                (),
                quote_view(effect.quote, study),
            )
        )
    return tuple(figures)


def outcome_stats(entry: OutcomeStats, study: Study) -> tuple[StatView, ...]:
    """The statistics computed from the published counts, each with its method named."""
    views = []
    for arm in (entry.intervention, entry.comparator):
        if arm is not None:
            views.append(
                StatView(
                    f"Risk with {study.arms[arm.arm].label}",
                    risk_text(arm),
                    METHOD_WORDS[arm.rate.method],
                )
            )
    if entry.risk_difference is not None:
        views.append(
            StatView(
                "Absolute difference (intervention − comparator)",
                difference_text(entry.risk_difference),
                METHOD_WORDS[entry.risk_difference.method],
            )
        )
    for name, abbreviation, value in (
        ("Risk ratio (crude)", "RR", entry.risk_ratio),
        ("Odds ratio (crude)", "OR", entry.odds_ratio),
    ):
        if value is not None:
            views.append(
                StatView(name, ratio_text(abbreviation, value), METHOD_WORDS[value.method])
            )
    if entry.nnt is not None:
        views.append(StatView("NNT", nnt_text(entry.nnt), METHOD_WORDS[entry.nnt.method]))
    if entry.p_value is not None:
        views.append(
            StatView("P value", p_value_text(entry.p_value), METHOD_WORDS[entry.p_value.method])
        )
    if entry.survival_difference is not None:
        views.append(
            StatView(
                "Difference in survival (intervention − comparator)",
                difference_text(entry.survival_difference),
                METHOD_WORDS[entry.survival_difference.method],
            )
        )
    if entry.survival_p is not None:
        views.append(
            StatView(
                "P value (survival)",
                p_value_text(entry.survival_p),
                METHOD_WORDS[entry.survival_p.method],
            )
        )
    return tuple(views)


def outcome_detail(entry: OutcomeStats, study: Study) -> OutcomeDetail:
    outcome = entry.outcome
    return OutcomeDetail(
        anchor=outcome_anchor(outcome.id),
        audit_anchor=audit_anchor(outcome.id),
        audit_caption=f"Reproduction audit: {outcome.label}",
        id=outcome.id,
        label=outcome.label,
        role=outcome.role,
        event=EVENT_WORDS[outcome.event],
        timeframe=outcome.timeframe,
        kind=KIND_WORDS[outcome.kind],
        definition=quote_view(outcome.definition, study),
        note=outcome.note,
        statement=outcome.statement,
        figures=outcome_figures(outcome, study),
        stats=outcome_stats(entry, study),
        audit=tuple(audit_row(i, study) for i in entry.audit),
        disagreements=sum(i.agrees is False for i in entry.audit),
    )


def identifiers(study: Study) -> tuple[Row, ...]:
    """DOI, PMID and registration as plain text (never fetched)."""
    c = study.citation
    found = [
        Row(label, value)
        for label, value in (("DOI", c.doi), ("PMID", c.pmid), ("Registration", c.registration))
        if value
    ]
    return tuple(found) if found else (Row("Identifiers", "none given in the source"),)


def study_view(analysis: StudyAnalysis) -> StudyView:
    """Everything the evidence pages show about one study."""
    study = analysis.study
    arms = []
    for arm_id, role in ((study.intervention, "intervention"), (study.comparator, "comparator")):
        arm = study.arms[arm_id]
        arms.append(
            ArmView(
                anchor=f"arm-{arm.id}",
                href=evidence_href(study.id, f"arm-{arm.id}"),
                label=arm.label,
                treatment=TREATMENT_LABELS[arm.treatment],
                role=role,
                description=f"{role} arm; stands for the option: {TREATMENT_LABELS[arm.treatment]}"
                if arm.treatment != "stent_unspecified"
                else f"{role} arm; stent type not stated, so it stands for either stent option",
                n=f"n = {arm.n} {study.unit.value}",
                derived=arm.derived.get("n", ""),
                quote=quote_view(arm.quote, study),
            )
        )
    first, second = study.arms[study.intervention], study.arms[study.comparator]
    return StudyView(
        id=study.id,
        anchor=f"study-{study.id}",
        href=evidence_href(study.id),
        name=study.short_name,
        title=study.title,
        design=DESIGN_LABELS[study.design.value],
        setting=SETTINGS[study.setting.value],
        unit=study.unit.value,
        comparison=f"{first.label} (intervention) vs {second.label} (comparator)",
        citation=study.citation.text,
        citation_note=study.citation.note,
        citation_text=" ".join(t for t in (study.citation.text, study.citation.note) if t),
        identifiers=identifiers(study),
        sources=tuple(
            SourceView(f"src-{s.id}", s.id, s.title, SOURCE_KIND_WORDS[s.kind], s.origin)
            for s in study.sources.values()
        ),
        criteria=tuple(
            CriterionView(
                anchor=f"crit-{c.field}",
                field=c.field,
                name=CRITERION_WORDS[c.field].capitalize(),
                text=criterion_text(c),
                reported=c.reported,
                source_kind=SOURCE_KIND_WORDS[study.sources[c.quote.source].kind],
                quote=quote_view(c.quote, study),
            )
            for c in study.criteria.values()
        ),
        arms=tuple(arms),
        facts=tuple(
            Item(f"fact-{n}", f.label, f.value, quote_view(f.quote, study))
            for n, f in enumerate(study.facts, start=1)
        ),
        caveats=tuple(
            Item(f"caveat-{c.code}", c.code.replace("_", " "), c.text, quote_view(c.quote, study))
            for c in study.caveats
        ),
        scenario_notes=tuple(
            Item(
                f"note-{n}",
                f"When {FIELD_LABELS[s.field].lower()} is {TRI_STATE_WORDS[s.equals].lower()}"
                f" and {OPTIONS[s.option].lower()} is weighed",
                s.text,
                quote_view(s.quote, study),
            )
            for n, s in enumerate(study.scenario_notes, start=1)
        ),
        outcomes=tuple(outcome_detail(o, study) for o in analysis.outcomes),
        study_audit=tuple(audit_row(i, study) for i in analysis.audit),
        disagreements=len(analysis.disagreements),
    )


# --- about this tool (decision-support source attributes) -------------------------------------------


@dataclass(frozen=True, slots=True)
class AboutView:
    developer: str
    intended_use: str
    intended_users: str
    out_of_scope: tuple[str, ...]
    inputs: tuple[str, ...]
    sources: tuple[Row, ...]
    evidence_version: str
    revision: str
    methods: tuple[Row, ...]
    limits: tuple[str, ...]
    not_predictive: str
    privacy: str
    disclaimer: str


@dataclass(frozen=True, slots=True)
class EvidenceIndexView:
    studies: tuple[StudyView, ...]
    about: AboutView


INTENDED_USE = (
    "Shows what published studies report for the treatment options being weighed in intracranial"
    " atherosclerotic stenosis (ICAS), for a described patient scenario, with every number traceable"
    " to its source sentence."
)
INTENDED_USERS = (
    "Neurointerventionalists and stroke clinicians, for evidence review, counselling and consent"
    " discussions."
)
OUT_OF_SCOPE = (
    "Asymptomatic intracranial stenosis, and extracranial stenosis.",
    "Choosing a device during a procedure without clinical judgment.",
    "Predicting an individual patient's outcome.",
    "Use as a substitute for reading the papers.",
    "Settings, treatments or comparisons that no study in the evidence base covers: numbers are never"
    " borrowed from other comparisons.",
)
METHODS = (
    ("Event rate and its 95% CI", "exact two-sided Clopper-Pearson interval"),
    (
        "Absolute difference (intervention − comparator)",
        "Newcombe (1998) hybrid score interval, method 10",
    ),
    ("Risk ratio", "crude, Katz log interval; not estimable when an arm has no events"),
    ("Odds ratio", "crude, Woolf log interval; not estimable when any cell is zero"),
    (
        "NNT (NNTB / NNTH)",
        "Altman (BMJ 1998), interval by inverting the difference's interval, rounded up",
    ),
    ("P value", "two-sided Fisher exact test"),
    (
        "Difference of two Kaplan-Meier estimates",
        "normal approximation from the printed standard errors",
    ),
    (
        "P implied by a published ratio and its CI",
        "Wald test on the log scale (Altman & Bland, BMJ 2011)",
    ),
    (
        "Reproduction audit",
        "each printed percent, CI, P value and crude ratio recomputed and compared at the printed precision",
    ),
)
LIMITS = (
    "Three studies, read from their abstracts and the project's verified notes only; anything not"
    " printed there is recorded as not reported.",
    "One two-arm comparison per study; results are never pooled across studies.",
    "Values not printed in a source are derived and marked as such.",
    "Observational studies compare groups that were not assigned at random.",
    "A Kaplan-Meier “±” is read as a standard error where the source does not say what it is.",
)
NOT_PREDICTIVE = (
    "It is not a predictive model: it does not estimate this patient's own risk, and it was not"
    " validated on local data."
)
PRIVACY = (
    "No patient identifiers are asked for. The scenario is sent with the form, used for that one page"
    " and neither stored nor logged; no cookies are set."
)
DEVELOPER = (
    "The open ICAS evidence calculator project: its code, evidence files and the source texts every"
    " quote is checked against are published together."
)


def about_view(base: EvidenceBase) -> AboutView:
    """Source attributes in the spirit of the ONC HTI-1 decision-support source attributes."""
    return AboutView(
        developer=DEVELOPER,
        intended_use=INTENDED_USE,
        intended_users=INTENDED_USERS,
        out_of_scope=OUT_OF_SCOPE,
        inputs=tuple(FIELD_LABELS.values()),
        sources=tuple(
            Row(
                a.study.short_name,
                a.study.citation.text or a.study.citation.note,
            )
            for a in base.studies
        ),
        evidence_version=base.version,
        revision=revision_text(base.evidence.revision),
        methods=tuple(Row(name, method) for name, method in METHODS),
        limits=LIMITS,
        not_predictive=NOT_PREDICTIVE,
        privacy=PRIVACY,
        disclaimer=DISCLAIMER,
    )


def revision_text(revision: dt.date) -> str:
    return revision.isoformat()


def evidence_index(base: EvidenceBase) -> EvidenceIndexView:
    return EvidenceIndexView(
        studies=tuple(study_view(a) for a in base.studies),
        about=about_view(base),
    )
