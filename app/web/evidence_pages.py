"""View models of the evidence pages: the index, each study with its audit, and About."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.analysis.audit import AuditItem
from app.analysis.base import EvidenceBase, StudyAnalysis
from app.analysis.certainty import DOMAIN_WORDS, JUDGEMENT_WORDS
from app.analysis.outcomes import OutcomeStats
from app.contract.scenario import ELIGIBILITY, OPTIONS, SETTINGS
from app.engine.criteria import limit_sentence
from app.evidence.model import ArmResult, Criterion, Outcome, Study
from app.web.formatting import (
    AUDIT_STATUS_WORDS,
    DERIVED_WORDS,
    DESIGN_LABELS,
    DISCLAIMER,
    EVENT_WORDS,
    FIELD_LABELS,
    KIND_WORDS,
    METHOD_WORDS,
    SOURCE_KIND_WORDS,
    TREATMENT_LABELS,
    TRI_STATE_WORDS,
    audit_anchor,
    difference_text,
    effect_text,
    evidence_href,
    nnt_text,
    outcome_anchor,
    p_value_text,
    printed_p_text,
    published_arm_text,
    ratio_text,
    risk_text,
)
from app.web.results import QuoteView, Row, quote_view

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
    # Risk-of-bias judgements (GRADE), each with its reason and quote; none recorded is said.
    risk_of_bias: tuple[Item, ...] = ()


def criterion_text(criterion: Criterion) -> str:
    """What a study required of its population, in words."""
    if not criterion.reported:
        return f"Not reported. {criterion.note}".strip()
    return limit_sentence(criterion)


def audit_row(item: AuditItem, study: Study) -> AuditRow:
    return AuditRow(
        figure=item.figure,
        published=item.published,
        recomputed=item.recomputed,
        agrees={True: "yes", False: "no", None: "none"}[item.agrees]
        if not item.method_differs
        else "method",
        agrees_text=AUDIT_STATUS_WORDS[item.status],
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
    elif entry.nnt_reason is not None:
        views.append(StatView("NNT", entry.nnt_reason, "—"))
    if entry.p_value is not None:
        views.append(
            StatView(
                "P value",
                p_value_text(entry.p_value),
                METHOD_WORDS[entry.p_value.method],
            )
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
    if entry.not_computed_reason is not None:
        # Withheld statistics are said to be withheld, with why, as on the results page.
        views.append(StatView("Not computed", entry.not_computed_reason, "—"))
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
        for label, value in (
            ("DOI", c.doi),
            ("PMID", c.pmid),
            ("Registration", c.registration),
        )
        if value
    ]
    return tuple(found) if found else (Row("Identifiers", "none given in the source"),)


def study_view(analysis: StudyAnalysis) -> StudyView:
    """Everything the evidence pages show about one study."""
    study = analysis.study
    arms = []
    for arm_id, role in (
        (study.intervention, "intervention"),
        (study.comparator, "comparator"),
    ):
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
                name=ELIGIBILITY[c.field].topic.capitalize(),
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
            Item(
                f"caveat-{c.code}",
                c.code.replace("_", " "),
                c.text,
                quote_view(c.quote, study),
            )
            for c in study.caveats
        ),
        risk_of_bias=tuple(
            Item(
                f"bias-{j.domain}",
                f"{DOMAIN_WORDS[j.domain].capitalize()}: {JUDGEMENT_WORDS[j.judgement]}",
                j.reason,
                quote_view(j.quote, study),
            )
            for j in study.risk_of_bias
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
        "Altman (BMJ 1998), interval by inverting the difference's interval, rounded up; in the"
        " summary-of-findings table from the difference the study prints, where it prints one",
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
# The first limit counts the studies loaded, so adding a study file needs no change here.
COUNT_WORDS = (
    "No",
    "One",
    "Two",
    "Three",
    "Four",
    "Five",
    "Six",
    "Seven",
    "Eight",
    "Nine",
    "Ten",
)
LIMITS = (
    "{studies}, read from the stored text of their sources only (abstracts, report excerpts,"
    " protocols, the project's verified notes, and secondary pages where each figure says so);"
    " anything not printed there is recorded as not reported.",
    "One two-arm comparison per study. Where two or more randomized studies report an outcome the"
    " evidence declares comparable (same setting, unit, treatments and time frame), their printed"
    " counts are also pooled (Mantel-Haenszel, fixed effect) and shown beside each study's own"
    " result; nothing else is pooled.",
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


def study_count(count: int) -> str:
    """Return the number of studies in words, e.g. 'Three studies' (digits above ten)."""
    number = COUNT_WORDS[count] if count < len(COUNT_WORDS) else str(count)
    return f"{number} {'study' if count == 1 else 'studies'}"


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
        limits=(LIMITS[0].format(studies=study_count(len(base.studies))), *LIMITS[1:]),
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
