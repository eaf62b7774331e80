"""The counselling view for patients and families: plain words and 100-person icon arrays (no Flask).

This turns an Assessment into frozen dataclasses the patient view and the printable consent summary
lay out. Every number comes from the same counts and exact (Clopper-Pearson) 95% CIs the clinician
view shows; nothing here recommends or ranks.

Which outcomes appear, and which as pictures, is the balance rule in app/web/counsel_outcomes.py.

Rules the text follows
    - Each option is shown in the same format and in one fixed order (medicines, balloon widening,
      balloon stent, self-expanding stent, stent of unstated type), whichever arm the study calls the
      intervention; no option is called better, worse, safer or preferred, and nothing is relative.
    - Both framings: "About 24 of 100 people who had ... had <plain label> within 30 days." and
      "About 76 of 100 did not." No events read "None of 53 ...; the true risk could be up to about 7 in 100" (the exact
      CI's upper bound). Another rate that rounds to 0 (or 100) reads "fewer than 1 in 100" (or
      "more than 99 of 100"). Whole people per 100 are rounded half up from the exact rate.
    - Uncertainty from the exact 95% CI, rounded the same way: "The true number could be as low as 14
      or as high as 37."
    - The time frame is always stated; an unreported one reads "over a time not stated in the study".
    - Every icon array shows 100 icons: people with the event are filled figures, the rest outlined
      figures (shape differs, not only colour), with a legend and a text alternative.
    - The words aim at US reading grade 8 or below (tests/test_counsel.py measures them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from markupsafe import Markup

from app.contract.scenario import (
    ELIGIBILITY,
    FIELDS,
    Scenario,
    ignored_fields,
)
from app.engine.applicability import implied_by_setting
from app.engine.assess import Assessment, Comparison
from app.engine.criteria import quantity, range_text
from app.evidence.model import Study
from app.web.certainty_view import shared_words
from app.web.counsel_outcomes import (
    KeyOutcome,
    OptionResult,
    OtherOutcome,
    arm_option_words,
    event_words,
    is_key,
    is_shown,
    key_outcome,
    key_outcomes,
    option_result,
    ordered_arms,
    other_outcome,
    other_outcomes,
    per_hundred,
    pictured_outcomes,
    shared_findings,
    shared_notes,
    timeframe_words,
)
from app.web.counsel_words import (
    ALSO_RANDOMIZED,
    CHECK_WORDS,
    CLOSING,
    DESIGN_SHORT,
    DESIGN_WORDS,
    FIT_APPLIES,
    FIT_DIFFERS,
    FIT_FEW,
    FIT_NONE_REPORTED,
    FIT_OUTSIDE,
    FIT_UNKNOWN_FACTS,
    FIT_UNREPORTED,
    GAPS_TITLE,
    HOW_TO_READ,
    IMPLIED_PATIENT,
    INTRO,
    LIMIT_WORDS,
    NO_CITATION,
    NO_EVIDENCE,
    NOT_TICKED,
    NOT_USED,
    NOTE_WORDS,
    OPTION_NAMES,
    OPTION_ORDER,
    OPTION_WORDS,
    OTHER_TITLE,
    PAIR_GAP,
    PRINT_TITLE,
    PRINT_TITLE_OUTSIDE,
    QUOTE_INTRO,
    RESULTS_TITLE,
    SCOPE_OUTSIDE,
    SCOPE_REASONS_TITLE,
    SECTION_TITLE,
    TITLE,
)
from app.web.formatting import evidence_href
from app.web.icons import legend_icon
from app.web.results import Row, field_text

# Re-exported: the tests and the live summary use these through this module.
__all__ = [
    "OPTION_WORDS",
    "CounselView",
    "KeyOutcome",
    "OptionResult",
    "OtherOutcome",
    "counsel_view",
    "event_words",
    "is_key",
    "is_shown",
    "key_outcomes",
    "option_result",
    "patient_paragraphs",
    "per_hundred",
    "pictured_outcomes",
    "timeframe_words",
]

# --- view models ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CounselComparison:
    study_id: str
    anchor: str
    heading: str
    study_name: str
    # The section's name: two studies may compare the same options, so the study is part of it.
    title: str
    design: str
    about_study: str
    fit: tuple[str, ...]
    notes: tuple[str, ...]
    outcomes: tuple[KeyOutcome, ...]  # pictured
    others: tuple[OtherOutcome, ...]  # told in sentences
    others_title: str
    # The print view tells `others` in a table headed by `others_title`: a column per option, in order.
    option_names: tuple[str, ...]
    quote_intro: str
    study_href: str
    not_ticked: tuple[str, ...]  # an arm shown although its option was not chosen
    # How sure, once for every outcome shown when they share a certainty rating (else per outcome).
    sure: str = ""
    # Notes every told outcome with numbers shares (BASIS: percentages only, from a secondary
    # source): said once after them rather than under each, so the printout stays on three pages.
    others_notes: tuple[str, ...] = ()

    @property
    def sure_short(self) -> str:
        """The printout's form: 'How sure are we? Not very sure.'"""
        rating = self.sure.split("? ")[1].split(".")[0] if self.sure else ""
        return f"How sure are we? {rating}." if rating else ""


@dataclass(frozen=True, slots=True)
class SourceLine:
    name: str
    design: str
    citation: str


@dataclass(frozen=True, slots=True)
class CounselView:
    title: str
    intro: tuple[str, ...]
    how_to_read: tuple[str, ...]
    no_evidence: str
    options: tuple[str, ...]
    scenario: tuple[Row, ...]
    comparisons: tuple[CounselComparison, ...]
    sources: tuple[SourceLine, ...]
    evidence_version: str
    date: str
    closing: str
    legend_yes_icon: Markup
    legend_no_icon: Markup
    # The assessment's scope: "outside" means the studies did not include patients like this.
    outside: bool
    scope_text: str
    scope_reasons_title: str
    scope_reasons: tuple[str, ...]  # the engine's reasons, in a clinician's words (print view)
    print_title: str
    gaps_title: str
    unused_value: str  # a scenario row's value for a field the setting does not use (not printed)
    gaps: tuple[str, ...]  # each chosen pair no study compares


# --- building ---------------------------------------------------------------------------------------


def unmet_sentence(field: str, study: Study, scenario: Scenario) -> str:
    """Why this patient is outside a study's population, in plain words (one sentence per kind)."""
    c, words = study.criteria[field], ELIGIBILITY[field]
    if words.kind == "exclusion":
        return f"The study did not include {words.patient}."
    if words.kind == "required":
        return f"The study only included {words.patient}."
    if words.kind == "allowed":
        return f"The study only included {words.patient}. {words.patient_value}"
    value = quantity(words, getattr(scenario, field))
    who = words.patient.format(range=range_text(c, words, plain=True))
    return f"The study only included {who}. {words.patient_value.format(value=value)}"


def _listed(words: Sequence[str], last: str = "and") -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"


def fit_sentences(comparison: Comparison, scenario: Scenario) -> tuple[str, ...]:
    """How far this patient is like the people the study included, with how many points were compared.

    From the engine's applicability: 'outside' names each unmet limit; 'unknown' (fewer than half
    of the criteria could be checked) says how few; 'applies' says how many of how many, and any
    fact not given is named after it.
    """
    study = comparison.analysis.study
    fit = comparison.applicability
    reasons = fit.reasons
    unmet = [r.criterion for r in reasons if r.status == "not_met"]
    unknown = [r.criterion for r in reasons if r.status == "unknown"]
    # A limit the study does not report matters only for a fact the patient gave.
    unreported = [
        r.criterion
        for r in reasons
        if r.status == "not_reported" and getattr(scenario, r.criterion) is not None
    ]
    counts = {"checked": fit.checked, "total": fit.total}
    sentences = []
    if unmet:
        sentences.append(FIT_OUTSIDE)
        sentences += [unmet_sentence(field, study, scenario) for field in unmet]
    elif fit.checked == 0 and not unknown:
        sentences.append(FIT_NONE_REPORTED)
    elif fit.status == "unknown":
        sentences.append(FIT_FEW.format(**counts))
    else:
        sentences.append(FIT_APPLIES.format(**counts))
    if unknown:
        # Two sentences: with all four facts unknown, one sentence read above grade 8.
        sentences.append(FIT_UNKNOWN_FACTS.format(facts=_listed([CHECK_WORDS[f] for f in unknown])))
    if unreported and fit.checked + len(unknown) > 0:
        sentences.append(
            FIT_UNREPORTED.format(limits=_listed([LIMIT_WORDS[f] for f in unreported], "or"))
        )
    return tuple(sentences)


def not_ticked(comparison: Comparison) -> tuple[str, ...]:
    """Name each arm shown although its option was not chosen (the study compared it)."""
    study, match = comparison.analysis.study, comparison.match
    arms = (
        (study.intervention, match.intervention_option),
        (study.comparator, match.comparator_option),
    )
    return tuple(
        NOT_TICKED.format(name=arm_option_words(study, arm_id)[1].name)
        for arm_id, option in arms
        if option is None
    )


def comparison_counsel(comparison: Comparison, scenario: Scenario) -> CounselComparison:
    study = comparison.analysis.study
    names = [arm_option_words(study, a)[1].name for a in ordered_arms(study)]
    heading = names[0] + "".join(f" or {n[:1].lower()}{n[1:]}" for n in names[1:])
    codes = {w.code for w in comparison.warnings} | {c.code for c in study.caveats}
    pictured = tuple(key_outcome(r, comparison) for r in pictured_outcomes(comparison))
    others, others_notes = shared_notes(
        tuple(other_outcome(r, comparison) for r in other_outcomes(comparison))
    )
    others = shared_findings(others)
    sure = shared_words(comparison, [*pictured_outcomes(comparison), *other_outcomes(comparison)])
    if sure:  # said once for the comparison, not beside each outcome
        pictured = tuple(replace(o, sure="") for o in pictured)
        others = tuple(replace(o, sure="") for o in others)
    return CounselComparison(
        study_id=study.id,
        anchor=f"p-{study.id}",
        heading=heading,
        study_name=study.short_name,
        title=SECTION_TITLE.format(options=heading, name=study.short_name),
        design=DESIGN_SHORT[study.design.value],
        about_study=DESIGN_WORDS[study.design.value].format(name=study.short_name),
        fit=fit_sentences(comparison, scenario),
        notes=tuple(text for code, text in NOTE_WORDS.items() if code in codes),
        outcomes=pictured,
        others=others,
        others_notes=others_notes,
        others_title=OTHER_TITLE if pictured else RESULTS_TITLE,
        option_names=tuple(names),
        quote_intro=QUOTE_INTRO,
        study_href=evidence_href(study.id),
        not_ticked=not_ticked(comparison),
        sure=sure,
    )


def explained_once(comparisons: tuple[CounselComparison, ...]) -> tuple[CounselComparison, ...]:
    """Explain what a randomized trial is once: a later trial's line says it was one too.

    Observational designs keep their whole explanation every time (it carries their warning).
    """
    seen = False
    out = []
    for c in comparisons:
        if c.design == DESIGN_SHORT["randomized_trial"]:
            if seen:
                c = replace(c, about_study=ALSO_RANDOMIZED.format(name=c.study_name))
            seen = True
        out.append(c)
    return tuple(out)


def scenario_rows(scenario: Scenario) -> tuple[Row, ...]:
    """The scenario in plain words, field by field ('Not used here' for fields the setting ignores)."""
    ignored = ignored_fields(scenario.setting, scenario.options)
    return tuple(
        Row(
            field.patient_label,
            NOT_USED
            if field.name in ignored
            else IMPLIED_PATIENT
            if implied_by_setting(scenario, field.name)
            else field_text(field, getattr(scenario, field.name), patient=True),
        )
        for field in FIELDS
        if field.patient_label
        and not (field.patient_when_given and getattr(scenario, field.name) is None)
    )


def source_line(study: Study) -> SourceLine:
    """A study's citation for the patient and print views: its short form (journal, year, volume,
    pages) with its DOI when the evidence gives one, so five studies' sources fit the printout;
    never a bibliographic caveat (the study's evidence page gives those, with the full citation)."""
    citation = study.citation
    if citation.short:
        doi = f" DOI {citation.doi}." if citation.doi else ""
        return SourceLine(study.short_name, DESIGN_SHORT[study.design.value], citation.short + doi)
    text = citation.text or NO_CITATION
    return SourceLine(study.short_name, DESIGN_SHORT[study.design.value], text)


def date_text(today: dt.date) -> str:
    """'21 November 2025': day, month name and year, so no reader mistakes the order."""
    return f"{today.day} {today:%B %Y}"


def gap_sentence(options: tuple[str, str]) -> str:
    first, second = (OPTION_WORDS[o].noun for o in options)
    return PAIR_GAP.format(first=first, second=second)


def _said_once(comparison: CounselComparison, outside: bool) -> CounselComparison:
    """Outside every study, the page's notice says the numbers may not fit: not again per study."""
    if not outside:
        return comparison
    return replace(
        comparison, fit=tuple(FIT_DIFFERS if s == FIT_OUTSIDE else s for s in comparison.fit)
    )


def counsel_view(assessment: Assessment, *, today: dt.date) -> CounselView:
    """Everything the patient view and the printable summary show for one scenario."""
    scenario = assessment.scenario
    outside = assessment.scope.status == "outside"
    return CounselView(
        title=TITLE,
        intro=INTRO,
        how_to_read=HOW_TO_READ,
        no_evidence="" if assessment.comparisons else NO_EVIDENCE,
        options=tuple(OPTION_NAMES[o] for o in OPTION_ORDER if o in scenario.options),
        scenario=scenario_rows(scenario),
        comparisons=explained_once(
            tuple(
                _said_once(comparison_counsel(c, scenario), outside) for c in assessment.comparisons
            )
        ),
        sources=tuple(source_line(c.analysis.study) for c in assessment.comparisons),
        evidence_version=assessment.evidence_version,
        date=date_text(today),
        closing=CLOSING,
        legend_yes_icon=legend_icon("yes"),
        legend_no_icon=legend_icon("no"),
        outside=outside,
        scope_text=SCOPE_OUTSIDE if outside else "",
        scope_reasons_title=SCOPE_REASONS_TITLE,
        scope_reasons=assessment.scope.reasons,
        print_title=PRINT_TITLE_OUTSIDE if outside else PRINT_TITLE,
        gaps_title=GAPS_TITLE,
        unused_value=NOT_USED,
        gaps=tuple(gap_sentence(g.options) for g in assessment.pairs_without_evidence),
    )


def patient_paragraphs(view: CounselView) -> tuple[str, ...]:
    """Every paragraph of patient-facing prose, in page order (what the reading-grade test measures)."""
    paragraphs = [view.scope_text, *view.intro, *view.how_to_read]
    if view.gaps:
        paragraphs += view.gaps
    if view.no_evidence:
        paragraphs.append(view.no_evidence)
    for comparison in view.comparisons:
        paragraphs.append(comparison.about_study)
        paragraphs.append(" ".join(comparison.fit))
        paragraphs.append(comparison.sure)
        paragraphs += comparison.not_ticked
        paragraphs += comparison.notes
        for outcome in comparison.outcomes:
            paragraphs.append(outcome.time_line)
            paragraphs.append(outcome.sure)
            paragraphs += outcome.notes
            paragraphs += [option.about for option in outcome.options]
            paragraphs += [option.paragraph for option in outcome.options]
        for other in comparison.others:
            paragraphs += other.paragraphs
    paragraphs.append(view.closing)
    return tuple(p for p in paragraphs if p)
