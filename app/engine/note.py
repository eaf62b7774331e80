"""The note for the record: a plain-text summary of what was discussed, at most 1,500 characters.

Built from the assessment alone (no Flask), so the results page's text box and ``POST
/api/v1/assess/note`` give the same text. It holds the scenario as used (no name, identifier or date
of birth: the scenario has none), the options, each comparison's main outcomes (role primary or
safety, as the results page's glance shows them) with each option's rate, exact 95% CI and counts
in the results page's format ("24.1% (14.1–36.8) · 14/58"), the printed figure or the published
estimate where the study gives no counts, the certainty where rated, the source study, the evidence
version and its date, and the sentence that the tool recommends no treatment.

Figures come through app/engine/discussion.py (``risk_for``, ``certainty_for``): today the trial's
groups; a personal estimate, once available, is written with "personal" before it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

from app.analysis.appraisal import OutcomeResult
from app.analysis.base import StudyAnalysis
from app.contract import vocabulary
from app.contract.scenario import FIELDS, Scenario, ignored_fields
from app.engine.applicability import implied_by_setting
from app.engine.assess import Assessment, Comparison
from app.engine.centre import CentreComparison
from app.engine.discussion import Risk, certainty_for, personal_risk, risk_for, trial_risk
from app.evidence.model import Effect, Outcome, Study

LIMIT = 1500
LONG_LABEL = 30  # characters: a longer outcome label is named by its role and time frame
TITLE = "ICAS options discussed"
CLOSING = "This tool presents evidence and recommends no treatment."
FORMAT = "Main outcomes, per arm: % (exact 95% CI) · events/total."
PERSONAL = "personal = baseline entered x relative effect (95% CI), as on the results page."
CENTRE = "centre = our centre's rate (exact 95% CI) as early risk; not randomized vs baseline."
USED = ", used as early risk"
FORMAT_WITHOUT_COUNTS = "Main outcomes, per arm: % (exact 95% CI); counts on results page."
EN_DASH = "\u2013"
RATIO = {
    "risk_ratio": "RR",
    "odds_ratio": "OR",
    "hazard_ratio": "HR",
    "risk_difference": "RD",
}
APPLIES = {
    "applies": "fits",
    "outside": "outside",
    "unknown": "fit unknown",
}
DESIGN = {
    "randomized_trial": "RCT",
    "prospective_registry": "registry",
    "retrospective_cohort": "retrospective",
}
# Each option's usual abbreviation, defined once on the options line; the unspecified stent of a
# study is spelt out.
ABBREVIATION = {
    "medical": "MT",
    "angioplasty": "PTA",
    "balloon_stent": "BMS",
    "self_expanding_stent": "SES",
    "stent_unspecified": "stent (type NS)",
}
# Clinical abbreviations, so that eight outcomes fit the 1,500 characters: applied in this order to
# the outcome labels and time frames as the evidence files write them.
SHORTER = (
    ("intracranial haemorrhage", "ICH"),
    ("Primary end point", "Primary"),
    ("in the same territory", "same-territory"),
    ("in the qualifying artery's territory", "qualifying-territory"),
    ("on day 2 to month 12", "d 2 to mo 12"),
    ("on days 2-30", "d 2-30"),
    ("from 30 days to 1 year", "30 d to 1 y"),
    ("at 1 year", "1 y"),
    ("within 30 days", "\u226430 d"),
    ("within 12 months", "\u226412 mo"),
    ("median follow-up", "median"),
    (" months", " mo"),
    (" years", " y"),
    (" year", " y"),
    ("(long-term report)", "(long-term)"),
    ("(secondary source)", "(SECONDARY)"),
    (" days", " d"),
    ("Kaplan-Meier", "KM"),
)
# The scenario's fields in a note's words (the form's label otherwise).
FIELD_WORDS = {
    "stenosis_percent": "stenosis",
    "days_since_event": "days since event",
    "artery": "artery",
    "age": "age",
    "mrs": "mRS",
    "symptomatic": "symptomatic",
    "perforator_infarct": "perforator infarct",
    "prestent_angioplasty": "pre-stent angioplasty",
}
ARTERY = {
    "intracranial_ica": "intracranial ICA",
    "mca": "MCA",
    "vertebral": "intracranial vertebral",
    "basilar": "basilar",
    "other": "other intracranial",
}
FINDINGS = {
    "no_difference": "no figures per group; no difference reported",
    "more_with_intervention": "no figures per group; more with {arm} reported",
    "more_with_comparator": "no figures per group; more with {arm} reported",
}


def _short(treatment: str) -> str:
    """'BMS', 'MT': the option's abbreviation, defined on the note's options line."""
    return ABBREVIATION.get(treatment) or vocabulary.TREATMENTS[treatment].short.removeprefix("a ")


# The note is built on every results page: what depends on the evidence's words alone (never on a
# patient's values) is worked out once per label, time frame or role, not 18 replacements each time.
@lru_cache(maxsize=4096)
def shorter(text: str) -> str:
    """Shorten an outcome label or time frame with the usual clinical abbreviations."""
    for long, short in SHORTER:
        text = text.replace(long, short)
    return text


def said(label: str, timeframe: str) -> bool:
    """Say whether the label already names its time frame (a middle dot read as a full stop)."""
    return timeframe.replace("\u00b7", ".").lower() in label.replace("\u00b7", ".").lower()


def risk_words(risk: Risk, counts: bool = True) -> str:
    """'24.1% (14.1–36.8) · 14/58', the results page's format; a personal estimate says so."""
    text = f"{100 * risk.value:.1f}% ({100 * risk.lower:.1f}{EN_DASH}{100 * risk.upper:.1f})"
    if risk.basis == "personal" and risk.lower == risk.upper:
        return f"baseline entered {100 * risk.value:.1f}%"
    if risk.basis == "personal":
        return f"personal {text}"
    if risk.basis == "centre":
        return f"centre {text} · {risk.events}/{risk.total}" if counts else f"centre {text}"
    return f"{text} · {risk.events}/{risk.total}" if counts else text


def scenario_words(scenario: Scenario) -> str:
    """The scenario as used, each given field once; fields the setting ignores are left out."""
    ignored = ignored_fields(scenario.setting, scenario.options)
    parts = []
    for field in FIELDS:
        # The centre's early risk, when used, is told on the "Centre's results" line.
        if field.name in ignored or field.kind == "options" or field.listed_when_true:
            continue
        value = getattr(scenario, field.name)
        name = FIELD_WORDS.get(field.name, field.label)
        if field.name == "setting":
            parts.append(vocabulary.SETTINGS[value].short)
        elif value is None and implied_by_setting(scenario, field.name):
            parts.append(f"{name} (setting)")
        elif value is None:
            continue
        elif field.name == "artery":
            parts.append(f"{name}: {ARTERY.get(value, field.choices[value].clinician)}")
        elif field.kind == "choice":
            parts.append(f"{name}: {field.choices[value].clinician}")
        elif field.kind == "flag":
            parts.append(name if value else f"not {name}")
        elif field.kind == "whole":
            parts.append(f"{name} {value}{field.unit}")
        elif field.name == "centre_results":  # told with the figures, under "Centre's results"
            continue
        elif field.name == "baseline_risks":
            # The clinician's own baseline risks, per outcome family, as entered.
            parts += [f"baseline {key} {percent:g}%" for key, percent in value]
    return "; ".join(parts)


def _effect(effect: Effect) -> str:
    low, high = effect.ci
    adjusted = "adjusted " if effect.adjustment != "not stated" else ""
    return f"{adjusted}{RATIO[effect.type]} {effect.estimate.text} ({low.text}{EN_DASH}{high.text})"


def _printed(study: Study, result: OutcomeResult, arm_id: str) -> str:
    arm = result.stats.outcome.arms.get(arm_id)
    figure = None if arm is None else arm.printed_rate
    return "" if figure is None else f"{_short(study.arms[arm_id].treatment)} {figure.text}%"


def grade(comparison: Comparison, result: OutcomeResult) -> str:
    """'GRADE low': the outcome's certainty for this patient ("" when not rated)."""
    rated = certainty_for(comparison, result)
    return "" if rated is None else f"GRADE {rated.words}"


def figures(study: Study, result: OutcomeResult, risks: list[Risk | None]) -> tuple[str, str]:
    """One main outcome's figures, with the counts and without: each option's risk, or the
    printed figures, or the published estimate or finding."""
    outcome = result.stats.outcome
    arms = (study.intervention, study.comparator)
    derived = any(r is not None and r.derived for r in risks)
    personal = any(r is not None and r.basis in ("personal", "centre") for r in risks)
    usable = personal or result.stats.not_computed_reason is None
    if all(r is not None for r in risks) and usable:
        with_counts, without = (
            " vs ".join(
                f"{_short(study.arms[a].treatment)} {risk_words(r, counts)}"
                for a, r in zip(arms, risks, strict=True)
                if r is not None
            )
            + (" (derived counts)" if derived else "")
            for counts in (True, False)
        )
        return with_counts, without
    if all(printed := [_printed(study, result, a) for a in arms]):
        found = " vs ".join(printed) + " (printed)"
    elif outcome.effects:
        found = _effect(outcome.effects[0])
    elif outcome.finding is not None:
        more = outcome.finding.result == "more_with_intervention"
        arm = study.intervention if more else study.comparator
        found = FINDINGS[outcome.finding.result].format(arm=_short(study.arms[arm].treatment))
    else:
        found = "no figures per group"
    return found, found


def outcome_name(outcome: Outcome, by_role: bool = True) -> str:
    """The outcome's label with its time frame, or, when that is long, its role and time frame.

    'Stroke or death ≤30 d'; 'Periprocedural death (not defined)'; VISSIT's 'primary safety, 30 d'
    for 'Any stroke, death or ICH within 30 days, or hard TIA on days 2-30' (the study names its
    outcomes so; the results page, linked from the record by study, defines them).
    """
    return _outcome_name(outcome.label, outcome.timeframe, outcome.role, by_role)


@lru_cache(maxsize=4096)
def _outcome_name(label: str, timeframe: str, role: str, by_role: bool) -> str:
    short = shorter(label)
    when = "" if said(label, timeframe) else f", {shorter(timeframe)}"
    first, _, rest = timeframe.partition(" ")
    if rest.startswith("(") and first.lower() in label.lower():
        when = f" {rest}"  # "Periprocedural death (not defined)"
    if len(short) <= LONG_LABEL or not by_role:
        return f"{short}{when}"
    return f"{shorter(role)}, {shorter(timeframe)}"


def centre_words(found: CentreComparison, used: bool = False) -> str:
    """'SES stroke_death_30d 2/60 3.3% (0.4–11.5)': the centre's entry with its exact 95% CI.

    `used`: the personal risks take it as the early risk (use_centre_early_risk), said after it.
    """
    entry, rate = found.entry, found.rate
    return (
        f"{_short(entry.option)} {entry.family} {entry.events}/{entry.total}"
        f" {100 * rate.value:.1f}% ({100 * rate.lower:.1f}{EN_DASH}{100 * rate.upper:.1f})"
        + (USED if used else "")
    )


def early_used(assessment: Assessment) -> set[tuple[str, str]]:
    """(option, family) of each centre result the personal risks take as the early risk."""
    return {
        (f.effect.treatments[0], f.effect.family.id)
        for f in assessment.personal
        if any(r.centre is not None for r in f.risks)
    }


def main_outcomes(outcomes: Iterable[OutcomeResult]) -> tuple[OutcomeResult, ...]:
    """The study's main outcomes (role primary or safety, never a subgroup), in study order."""
    return tuple(
        r for r in outcomes if r.stats.outcome.is_main and "subgroup" not in r.stats.outcome.role
    )


@dataclass(frozen=True, slots=True)
class _Line:
    result: OutcomeResult
    name: str
    trial: tuple[str, str]  # the figures from the study's own groups, with counts and without


@dataclass(frozen=True, slots=True)
class StudyLines:
    """What a study's part of the note owes to the evidence alone: the same for every patient."""

    short_name: str
    design: str
    lines: tuple[_Line, ...]


def study_lines(analysis: StudyAnalysis) -> StudyLines:
    """Work out the study's evidence-only part of the note (names, design, the groups' figures)."""
    study = analysis.study
    design = DESIGN.get(study.design.value) or vocabulary.DESIGNS[study.design.value].short
    if design.lower() in study.short_name.lower():  # "Retrospective angioplasty vs stent ..."
        design = ""
    main = main_outcomes(analysis.appraisal.outcomes)
    arms = (study.intervention, study.comparator)
    names = [outcome_name(r.stats.outcome) for r in main]
    lines = tuple(
        _Line(
            result=r,
            name=outcome_name(r.stats.outcome, by_role=names.count(n) == 1),
            trial=figures(study, r, [trial_risk(r, a) for a in arms]),
        )
        for r, n in zip(main, names, strict=True)
    )
    return StudyLines(study.short_name, design, lines)


def note_lines(studies: Iterable[StudyAnalysis]) -> Mapping[str, StudyLines]:
    """Each study's evidence-only part of the note, by study id; call once at start-up.

    The note is built on every results page, and only the fit, the certainty and a personal figure
    depend on the patient: the rest is written here (tests/perf/README.md).
    """
    return MappingProxyType({a.study.id: study_lines(a) for a in studies})


def comparison_texts(comparison: Comparison, known: StudyLines) -> tuple[str, str]:
    """The comparison's lines (study, design, fit, certainty, each main outcome), with the counts
    and without them; `known`: the study's study_lines."""
    study = comparison.analysis.study
    arms = (study.intervention, study.comparator)
    fit = APPLIES.get(comparison.applicability.status, comparison.applicability.status)
    # One certainty for the study when every main outcome has the same, else one per outcome.
    grades = [grade(comparison, line.result) for line in known.lines]
    shared = grades[0] if len(set(grades)) == 1 else ""
    about = "; ".join(t for t in (known.design, fit, shared) if t)
    with_counts = [f"{known.short_name} ({about}):"]
    without = [with_counts[0]]
    for line, rated in zip(known.lines, grades, strict=True):
        found = line.trial
        # A baseline entered for the outcome's family makes its figures this patient's own.
        if comparison.personal and any(personal_risk(comparison, line.result, a) for a in arms):
            found = figures(
                study, line.result, [risk_for(comparison, line.result, a) for a in arms]
            )
        ending = f"; {rated}." if rated and not shared else "."
        with_counts.append(f"- {line.name}: {found[0]}{ending}")
        without.append(f"- {line.name}: {found[1]}{ending}")
    return "\n".join(with_counts), "\n".join(without)


def record_note(
    assessment: Assessment, revision: dt.date, lines: Mapping[str, StudyLines] | None = None
) -> str:
    """Return the note for the record (plain text, LF line ends), at most LIMIT characters.

    Every main outcome with its counts when that fits; else without the counts (the results page
    gives them); else the last comparisons (least applicable, weakest design) are named only.
    `lines`: note_lines of the evidence, written at start-up (else worked out here).
    """
    head, tail = _frame(assessment, revision)
    texts = [
        comparison_texts(
            c, lines[c.analysis.study.id] if lines is not None else study_lines(c.analysis)
        )
        for c in assessment.comparisons
    ]
    shown = len(texts)
    for counts, kept in [(True, shown), *((False, n) for n in range(shown, -1, -1))]:
        note = _note(assessment, head, tail, texts, counts=counts, kept=kept)
        if len(note) <= LIMIT:
            return note
    return note


def _frame(assessment: Assessment, revision: dt.date) -> tuple[list[str], list[str]]:
    """The note's lines before the comparisons (scenario, options) and after them."""
    scenario = assessment.scenario
    used = early_used(assessment)
    options = "; ".join(
        f"{vocabulary.TREATMENTS[code].short.removeprefix('a ')} ({_short(code)})"
        for code in vocabulary.TREATMENTS
        if code in scenario.options
    )
    head = [
        f"{TITLE}: {scenario_words(scenario)}.",
        f"Options: {options}.",
    ]
    if assessment.scope.status == "outside":
        head.append("The studies did not include patients like this.")
    tail = []
    if assessment.centre:
        said = [
            centre_words(c, (c.entry.option, c.entry.family) in used) for c in assessment.centre
        ]
        tail.append("Centre's results: " + "; ".join(said) + ".")
    if assessment.pairs_without_evidence:
        pairs = "; ".join(
            " vs ".join(_short(o) for o in gap.options) for gap in assessment.pairs_without_evidence
        )
        tail.append(f"No study compares: {pairs}.")
    tail.append(f"Evidence version {assessment.evidence_version} ({revision.isoformat()}).")
    tail.append(CLOSING)
    return head, tail


def _note(
    assessment: Assessment,
    head: list[str],
    tail: list[str],
    texts: list[tuple[str, str]],
    *,
    counts: bool,
    kept: int,
) -> str:
    parts = list(head)
    if texts:
        parts.append(FORMAT if counts else FORMAT_WITHOUT_COUNTS)
        if assessment.scenario.baseline_risks:
            parts.append(PERSONAL)
            if early_used(assessment):
                parts.append(CENTRE)
        parts += [t[0 if counts else 1] for t in texts[:kept]]
        rest = [c.analysis.study.short_name for c in assessment.comparisons[kept:]]
        if rest:
            parts.append(f"Also compared (figures on the results page): {'; '.join(rest)}.")
    else:
        parts.append("No study in this evidence base compares these options.")
    return "\n".join([*parts, *tail]) + "\n"
