"""The counselling view for patients and families: plain words and 100-person icon arrays (no Flask).

This turns an Assessment into frozen dataclasses the patient view and the printable consent summary
lay out. Every number comes from the same counts and exact (Clopper-Pearson) 95% CIs the clinician
view shows; nothing here recommends or ranks.

Key outcomes
    For each comparison, the outcomes shown are the binary outcomes with counts in both arms whose
    role is a primary or a safety outcome (the role names "primary" or "safety"), in the study's
    order. When fewer than 2 qualify, other binary outcomes with counts in both arms are added in the
    study's order until there are 2 or none are left; subgroup outcomes are never added. Primary or
    safety outcomes without counts per group are named as "studied but not shown as people out of
    100", never turned into numbers.

Rules the text follows
    - Each option is shown in the same format and in one fixed order (medicines, balloon widening,
      balloon stent, self-expanding stent, stent of unstated type), whichever arm the study calls the
      intervention; no option is called better, worse, safer or preferred, and nothing is relative.
    - Both framings: "About 24 of 100 people who had ... had <plain label> within 30 days." and
      "About 76 of 100 did not." A rate that rounds to 0 (or 100) reads "fewer than 1 in 100" (or
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
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from markupsafe import Markup

from app.analysis.appraisal import SMALL_NUMBERS, OutcomeResult
from app.analysis.kinds import KINDS
from app.analysis.outcomes import ArmStats
from app.contract.scenario import ARTERIES, FIELDS, Scenario, ignored_fields
from app.engine.assess import Assessment, Comparison
from app.evidence.model import Study
from app.web.counsel_words import (
    CHECK_WORDS,
    CLOSING,
    DERIVED_NOTE,
    DESIGN_SHORT,
    DESIGN_WORDS,
    HOW_TO_READ,
    INTRO,
    LIMIT_WORDS,
    NO_CITATION,
    NO_EVIDENCE,
    NOT_SHOWN,
    NOTE_WORDS,
    OPTION_NAMES,
    OPTION_ORDER,
    OPTION_WORDS,
    PERIOD_PATTERN,
    PERIPROCEDURAL,
    SECTION_TITLE,
    THROUGH_PATTERN,
    TITLE,
    UNSTATED_TIME,
    UNSTATED_WORDS,
    OptionWords,
)
from app.web.icons import IconArray, icon_array, legend_icon
from app.web.results import Row, field_text

# --- numbers in words -------------------------------------------------------------------------------


def per_hundred(fraction: float | Fraction) -> int:
    """Whole people per 100, rounded half up: 14/58 -> 24, 5/53 -> 9, 0.0309 -> 3."""
    return math.floor(Fraction(fraction) * 100 + Fraction(1, 2))


def timeframe_words(timeframe: str) -> tuple[str, str]:
    """A study's time frame as a phrase to end a sentence, and a note when its length is unstated.

    '30 days' -> ('within 30 days', ''); 'not reported' -> ('over a time not stated in the study',
    ''); 'periprocedural (not defined)' -> ('around the time of the procedure', 'The study did not
    say how long this time was.').
    """
    text = timeframe.strip()
    lowered = text.lower()
    unstated = any(word in lowered for word in UNSTATED_WORDS)
    if match := PERIOD_PATTERN.fullmatch(lowered):
        return f"within {match.group(1)} {match.group(2)}", ""
    if match := THROUGH_PATTERN.fullmatch(lowered):
        count = int(match.group(2))
        return f"within {count} {match.group(1)}{'' if count == 1 else 's'}", ""
    if lowered.startswith("periprocedural"):
        note = "The study did not say how long this time was." if unstated else ""
        return PERIPROCEDURAL, note
    if lowered == "not reported" or unstated:
        return UNSTATED_TIME, ""
    return f"over this time: {text}", ""


def event_words(plain_label: str) -> str:
    """The outcome's plain label after 'had': 'death ...' reads 'died ...', '..., or death' '..., or died'."""
    label = plain_label.strip()
    if label.startswith("death"):
        return "died" + label[len("death") :]
    if label.endswith(" or death"):
        return label[: -len("death")] + "died"
    return label


# --- view models ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OptionResult:
    """One option's result for one outcome, always in the same format."""

    option: str
    name: str
    about: str
    events: int
    total: int
    per_100: int
    low_100: int
    high_100: int
    had: str
    did_not: str
    range: str
    counts: str
    few: str
    icons: IconArray

    @property
    def paragraph(self) -> str:
        return " ".join(t for t in (self.had, self.did_not, self.range, self.counts, self.few) if t)


@dataclass(frozen=True, slots=True)
class KeyOutcome:
    id: str
    title: str
    time: str
    time_note: str
    legend_yes: str
    legend_no: str
    notes: tuple[str, ...]
    options: tuple[OptionResult, ...]

    @property
    def time_line(self) -> str:
        return " ".join(t for t in (f"Time: {self.time}.", self.time_note) if t)


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
    outcomes: tuple[KeyOutcome, ...]
    not_shown: tuple[str, ...]


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


# --- building ---------------------------------------------------------------------------------------


def _counted(result: OutcomeResult) -> bool:
    """Say whether the outcome gives per-group counts a patient can read as risks."""
    return result.stats.has_counts and KINDS[result.stats.outcome.kind].absolute_risks


def is_key(result: OutcomeResult) -> bool:
    outcome = result.stats.outcome
    return _counted(result) and ("primary" in outcome.role or "safety" in outcome.role)


def key_outcomes(comparison: Comparison) -> tuple[OutcomeResult, ...]:
    """The outcomes the counselling view shows (see the module docstring), in the study's order."""
    outcomes = comparison.outcomes
    chosen = {n for n, r in enumerate(outcomes) if is_key(r)}
    for n, result in enumerate(outcomes):
        if len(chosen) >= 2:
            break
        if _counted(result) and n not in chosen and result.stats.outcome.role != "subgroup":
            chosen.add(n)
    return tuple(outcomes[n] for n in sorted(chosen))


def _arm_option_words(study: Study, arm_id: str) -> tuple[str, OptionWords]:
    arm = study.arms[arm_id]
    words = OPTION_WORDS[arm.treatment]
    if arm.treatment != "medical" and "plus medical therapy" in arm.label.lower():
        words = OptionWords(
            f"{words.name} plus medicines",
            words.who,
            words.noun,
            f"{words.about} People in this group also took medicines.",
        )
    return arm.treatment, words


def _ordered_arms(study: Study) -> list[str]:
    arms = [study.intervention, study.comparator]
    return sorted(arms, key=lambda a: OPTION_ORDER.index(study.arms[a].treatment))


def _share(per_100: int, *, positive: bool) -> str:
    """'About 24 of 100' / 'Fewer than 1 in 100' / 'More than 99 of 100' for the sentence start."""
    if per_100 == 0:
        return "Fewer than 1 in 100" if positive else "More than 99 of 100"
    if per_100 == 100:
        return "More than 99 of 100" if positive else "Fewer than 1 in 100"
    return f"About {per_100 if positive else 100 - per_100} of 100"


def _range_sentence(lower: float, upper: float) -> str:
    low, high = per_hundred(lower), per_hundred(upper)
    low_text = "less than 1" if low == 0 and lower > 0 else str(low)
    high_text = "more than 99" if high == 100 and upper < 1 else str(high)
    if low == 0 and lower > 0:
        return f"The true number could be {low_text} or as high as {high_text}."
    return f"The true number could be as low as {low_text} or as high as {high_text}."


def option_result(
    arm: ArmStats,
    words: OptionWords,
    treatment: str,
    *,
    event: str,
    label: str,
    time: str,
    unit: str,
    uid: str,
) -> OptionResult:
    """One option's sentences and icon array for one outcome."""
    n = per_hundred(Fraction(arm.events, arm.total))
    when = f" {time}" if time else ""
    if unit == "procedures":
        subject = f"treatments with {words.noun}"
        had = f"{_share(n, positive=True)} {subject} were followed by {label}{when}."
        did_not = f"{_share(n, positive=False)} were not."
        counts = f"In the study, {arm.events} of {arm.total} treatments in this group were followed by it."
    else:
        subject = f"people who {words.who}"
        had = f"{_share(n, positive=True)} {subject} had {event}{when}."
        did_not = f"{_share(n, positive=False)} did not."
        counts = f"In the study, {arm.events} of {arm.total} people in this group had it."
    if 0 < n < 100:  # the picture's exact count: "24 of 100 people ... had ...; 76 did not."
        alt = f"{had.removeprefix('About ').removesuffix('.')}; {did_not.removeprefix('About ')}"
    else:
        alt = f"{had.removesuffix('.')}; {did_not[:1].lower()}{did_not[1:]}"
    verb = "were" if unit == "procedures" else "had it"
    if arm.events == 0:
        few = f"Because none {verb}, this number is not very sure."
    elif arm.events < SMALL_NUMBERS:
        few = f"Because so few {verb}, this number is not very sure."
    else:
        few = ""
    return OptionResult(
        option=treatment,
        name=words.name,
        about=words.about,
        events=arm.events,
        total=arm.total,
        per_100=n,
        low_100=per_hundred(arm.rate.lower),
        high_100=per_hundred(arm.rate.upper),
        had=had,
        did_not=did_not,
        range=_range_sentence(arm.rate.lower, arm.rate.upper),
        counts=counts,
        few=few,
        icons=icon_array(n, label=alt, uid=uid),
    )


def key_outcome(result: OutcomeResult, comparison: Comparison) -> KeyOutcome:
    study = comparison.analysis.study
    entry, outcome = result.stats, result.stats.outcome
    unit = study.unit.value
    time, time_note = timeframe_words(outcome.timeframe)
    # A label that already says when ("around the time of the procedure") is not followed by it again.
    sentence_time = "" if time in outcome.plain_label else time
    event = event_words(outcome.plain_label)
    arms = {a.arm: a for a in (entry.intervention, entry.comparator) if a is not None}
    options = []
    for arm_id in _ordered_arms(study):
        treatment, words = _arm_option_words(study, arm_id)
        options.append(
            option_result(
                arms[arm_id],
                words,
                treatment,
                event=event,
                label=outcome.plain_label,
                time=sentence_time,
                unit=unit,
                uid=f"ia-{study.id}-{outcome.id}-{arm_id}",
            )
        )
    notes = (DERIVED_NOTE,) if any(a.derived for a in arms.values()) else ()
    if unit == "procedures":
        legend_yes = f"Treatment followed by {outcome.plain_label}"
        legend_no = "Treatment not followed by it"
    else:
        legend_yes = f"Had {event}"
        legend_no = "Did not"
    return KeyOutcome(
        id=outcome.id,
        title=outcome.plain_label[:1].upper() + outcome.plain_label[1:],
        time=time,
        time_note=time_note,
        legend_yes=legend_yes,
        legend_no=legend_no,
        notes=notes,
        options=tuple(options),
    )


def _range_words(low: int | None, high: int | None, unit: str) -> str:
    if low is not None and high is not None:
        return f"{low} to {high}{unit}"
    if low is not None:
        return f"at least {low}{unit}"
    return f"up to {high}{unit}"


def unmet_sentence(field: str, study: Study, scenario: Scenario) -> str:
    """Why this patient is outside a study's population, in plain words."""
    c = study.criteria[field]
    if field == "stenosis_percent":
        return (
            "The study only included people whose artery was"
            f" {_range_words(c.min, c.max, '%')} narrowed. Yours is {scenario.stenosis_percent}%."
        )
    if field == "symptomatic":
        return "The study only included people whose narrowing had caused a stroke or mini-stroke."
    if field == "days_since_event":
        days = "1 day" if scenario.days_since_event == 1 else f"{scenario.days_since_event} days"
        if c.min is None and c.max is not None:
            window = f"within {c.max} days of"
        else:
            window = f"{_range_words(c.min, c.max, ' days')} after"
        return (
            f"The study only included people treated {window} their stroke or mini-stroke."
            f" For you it has been {days}."
        )
    if field == "artery":
        if scenario.artery in (None, "other"):
            return (
                "The study only included some large arteries in the head. Yours is not one of them."
            )
        return (
            f"The study did not include people with a narrowed {ARTERIES[scenario.artery].lower()}."
        )
    return f"The study only included people aged {_range_words(c.min, c.max, '')}. You are {scenario.age}."


def _listed(words: Sequence[str], last: str = "and") -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"


def fit_sentences(comparison: Comparison, scenario: Scenario) -> tuple[str, ...]:
    """How far this patient is like the people the study included (from the engine's applicability)."""
    study = comparison.analysis.study
    reasons = comparison.applicability.reasons
    unmet = [r.criterion for r in reasons if r.status == "not_met"]
    unknown = [r.criterion for r in reasons if r.status == "unknown"]
    # A limit the study does not report matters only for a fact the patient gave.
    unreported = [
        r.criterion
        for r in reasons
        if r.status == "not_reported" and getattr(scenario, r.criterion) is not None
    ]
    met = [r.criterion for r in reasons if r.status == "met"]
    sentences = []
    if unmet:
        sentences.append(
            "You are not like the people in this study in some ways, so its numbers may not fit you."
        )
        sentences += [unmet_sentence(field, study, scenario) for field in unmet]
    elif not met and not unknown:
        sentences.append(
            "The study did not give the limits this tool checks, such as age. So there is no way to"
            " check how well it fits you."
        )
    elif not unknown:
        sentences.append(
            "You are like the people in this study on every point that could be checked."
        )
    if unknown:
        # Two sentences: with all four facts unknown, one sentence read above grade 8.
        sentences.append(
            "Some facts were not given. So they could not be checked:"
            f" {_listed([CHECK_WORDS[f] for f in unknown])}."
        )
    if unreported and (met or unknown or unmet):
        limits = _listed([LIMIT_WORDS[f] for f in unreported], "or")
        sentences.append(f"The study did not say if it had limits on {limits}.")
    return tuple(sentences)


def comparison_counsel(comparison: Comparison, scenario: Scenario) -> CounselComparison:
    study = comparison.analysis.study
    names = [_arm_option_words(study, a)[1].name for a in _ordered_arms(study)]
    heading = names[0] + "".join(f" or {n[:1].lower()}{n[1:]}" for n in names[1:])
    codes = {w.code for w in comparison.warnings} | {c.code for c in study.caveats}
    shown = key_outcomes(comparison)
    not_shown = tuple(
        NOT_SHOWN.format(label=r.stats.outcome.plain_label)
        for r in comparison.outcomes
        if r not in shown
        and ("primary" in r.stats.outcome.role or "safety" in r.stats.outcome.role)
    )
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
        outcomes=tuple(key_outcome(r, comparison) for r in shown),
        not_shown=not_shown,
    )


def scenario_rows(scenario: Scenario) -> tuple[Row, ...]:
    """The scenario in plain words, field by field ('Not used here' for fields the setting ignores)."""
    ignored = ignored_fields(scenario.setting, scenario.options)
    return tuple(
        Row(
            field.patient_label,
            "Not used here"
            if field.name in ignored
            else field_text(field, getattr(scenario, field.name), patient=True),
        )
        for field in FIELDS
        if field.patient_label
        and not (field.patient_when_given and getattr(scenario, field.name) is None)
    )


def source_line(study: Study) -> SourceLine:
    citation = study.citation
    if citation.text:
        text = " ".join(t for t in (citation.text, citation.note) if t)
    else:
        text = " ".join(t for t in (NO_CITATION, citation.note) if t)
    return SourceLine(study.short_name, DESIGN_SHORT[study.design.value], text)


def date_text(today: dt.date) -> str:
    """'21 November 2025': day, month name and year, so no reader mistakes the order."""
    return f"{today.day} {today:%B %Y}"


def counsel_view(assessment: Assessment, *, today: dt.date) -> CounselView:
    """Everything the patient view and the printable summary show for one scenario."""
    scenario = assessment.scenario
    return CounselView(
        title=TITLE,
        intro=INTRO,
        how_to_read=HOW_TO_READ,
        no_evidence="" if assessment.comparisons else NO_EVIDENCE,
        options=tuple(OPTION_NAMES[o] for o in OPTION_ORDER if o in scenario.options),
        scenario=scenario_rows(scenario),
        comparisons=tuple(comparison_counsel(c, scenario) for c in assessment.comparisons),
        sources=tuple(source_line(c.analysis.study) for c in assessment.comparisons),
        evidence_version=assessment.evidence_version,
        date=date_text(today),
        closing=CLOSING,
        legend_yes_icon=legend_icon("yes"),
        legend_no_icon=legend_icon("no"),
    )


def patient_paragraphs(view: CounselView) -> tuple[str, ...]:
    """Every paragraph of patient-facing prose, in page order (what the reading-grade test measures)."""
    paragraphs = [*view.intro, *view.how_to_read]
    if view.no_evidence:
        paragraphs.append(view.no_evidence)
    for comparison in view.comparisons:
        paragraphs.append(comparison.about_study)
        paragraphs.append(" ".join(comparison.fit))
        paragraphs += comparison.notes
        for outcome in comparison.outcomes:
            paragraphs.append(outcome.time_line)
            paragraphs += outcome.notes
            paragraphs += [option.about for option in outcome.options]
            paragraphs += [option.paragraph for option in outcome.options]
        paragraphs += comparison.not_shown
    paragraphs.append(view.closing)
    return tuple(p for p in paragraphs if p)
