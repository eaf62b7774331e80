"""Which outcomes the patient and print views show, and how: the balance rule (no Flask).

Balance rule
    For each comparison the views show every outcome of the study that is
      (a) a main outcome: its role names "primary" or "safety";
      (b) counted: it has counts of people (or treatments) in both compared groups; or
      (c) one whose finding the evidence file quotes ([outcomes.finding]),
    never an outcome whose role names "subgroup". Nothing else is left out, so a view never shows
    only the outcomes that favour one option.

Key outcomes (pictures)
    A shown outcome gets a 100-person icon array per option when it is a main outcome with counts
    in both groups that the analysis did not flag (`not_computed_reason` is None: no counts
    back-calculated from percentages over denominators the source does not state) and whose time
    frame the study states (not "not reported", "not stated" or "not defined", so not the
    retrospective study's undefined "periprocedural"). Every other shown outcome is a short block of
    sentences: each option's number in the same format ("about 24 of 100 people had it. In the
    study, 14 of 58."), or the percentage the study printed when its counts were back-calculated;
    an outcome without numbers per group says what the study found in plain words and quotes the
    study's own sentence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from fractions import Fraction

from app.analysis.appraisal import SMALL_NUMBERS, OutcomeResult
from app.analysis.kinds import KINDS
from app.analysis.outcomes import ASSUMED_COUNTS, ArmStats
from app.contract.vocabulary import POOLED_DESIGNS
from app.engine.assess import Comparison
from app.evidence.model import ArmResult, Outcome, Study
from app.web.certainty_view import patient_words
from app.web.counsel_words import (
    DERIVED_NOTE,
    FINDING_WORDS,
    KAPLAN_MEIER_NOTE,
    MEDIAN_PATTERN,
    MOMENTS,
    NO_GROUP_NUMBERS,
    NOT_COMPUTED_NOTE,
    OPTION_ORDER,
    OPTION_WORDS,
    PERCENT_NOTE,
    PERIOD_PATTERN,
    PERIPROCEDURAL,
    POOLED_NOTE,
    SECONDARY_NOTE,
    THROUGH_PATTERN,
    UNSTATED_TIME,
    UNSTATED_WORDS,
    WHEN_PATTERN,
    OptionWords,
)
from app.web.icons import IconArray, icon_array
from app.web.results import quote_view

# --- numbers in words -------------------------------------------------------------------------------


def per_hundred(fraction: float | Fraction) -> int:
    """Whole people per 100, rounded half up: 14/58 -> 24, 5/53 -> 9, 0.0309 -> 3."""
    return math.floor(Fraction(fraction) * 100 + Fraction(1, 2))


def zero_bound(arm: ArmStats) -> int:
    """With no events, the exact 95% CI's upper bound per 100: 0 of 53 -> 7 (6.7%)."""
    return max(1, per_hundred(arm.rate.upper))


def timeframe_words(timeframe: str) -> tuple[str, str]:
    """A study's time frame as a phrase to end a sentence, and a note when its length is unstated.

    '30 days' -> ('within 30 days', ''); 'median follow-up 32·4 months' -> ('over a median
    follow-up of 32·4 months', ''); 'not reported' -> ('over a time not stated in the study',
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
    if match := MEDIAN_PATTERN.fullmatch(lowered):
        return f"over a median follow-up of {match.group(1)}", ""
    if lowered in MOMENTS:
        return MOMENTS[lowered], ""
    if lowered.startswith("periprocedural"):
        note = "The study did not say how long this time was." if unstated else ""
        return PERIPROCEDURAL, note
    if lowered == "not reported" or unstated:
        return UNSTATED_TIME, ""
    return f"over this time: {text}", ""


def event_words(plain_label: str) -> str:
    """The outcome's plain label after 'had': 'death ...' reads 'died ...', '... or death ...' '... or died ...'."""
    label = plain_label.strip()
    if label.startswith("death"):
        return "died" + label[len("death") :]
    if label.endswith(" or death"):
        return label[: -len("death")] + "died"
    # "a stroke or death in the first month" -> "a stroke or died in the first month".
    return label.replace(" or death ", " or died ", 1)


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


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- the rule ---------------------------------------------------------------------------------------


def _counted(result: OutcomeResult) -> bool:
    """Say whether the outcome gives per-group counts a patient can read as risks."""
    return result.stats.has_counts and KINDS[result.stats.outcome.kind].absolute_risks


def assumed_counts(result: OutcomeResult) -> bool:
    """Say whether an arm's events were back-calculated from a percentage (not printed counts)."""
    arms = (result.stats.intervention, result.stats.comparator)
    return any(arm is not None and "events" in arm.derived for arm in arms)


def timed(result: OutcomeResult) -> bool:
    """Say whether the study states the outcome's time frame (and its length, if a period)."""
    lowered = result.stats.outcome.timeframe.lower()
    return bool(lowered) and not any(word in lowered for word in UNSTATED_WORDS)


def _pictured(result: OutcomeResult) -> bool:
    """Say whether the counts may become 100-person pictures (see the module docstring)."""
    usable = _counted(result) and not assumed_counts(result)
    return usable and result.not_computed_reason is None and timed(result)


def is_shown(result: OutcomeResult) -> bool:
    """Say whether the balance rule shows this outcome (see the module docstring)."""
    outcome = result.stats.outcome
    if "subgroup" in outcome.role:
        return False
    return outcome.is_main or _counted(result) or outcome.finding is not None


def is_key(result: OutcomeResult) -> bool:
    """Say whether a shown outcome is drawn as icon arrays (main, usable counts, stated time)."""
    return result.stats.outcome.is_main and _pictured(result)


def pictured_outcomes(comparison: Comparison) -> tuple[OutcomeResult, ...]:
    """The pictured outcomes, in the study's order."""
    return tuple(r for r in comparison.outcomes if is_key(r))


def key_outcomes(comparison: Comparison) -> tuple[OutcomeResult, ...]:
    """The main outcomes with counts in both groups, in the study's order (the live summary's)."""
    return tuple(
        r
        for r in comparison.outcomes
        if r.stats.outcome.is_main and _counted(r) and "subgroup" not in r.stats.outcome.role
    )


def other_outcomes(comparison: Comparison) -> tuple[OutcomeResult, ...]:
    """The shown outcomes told in sentences: main outcomes first, each part in the study's order."""
    told = [r for r in comparison.outcomes if is_shown(r) and not is_key(r)]
    return tuple(sorted(told, key=lambda r: not r.stats.outcome.is_main))


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
    sure: str = ""  # the certainty of the evidence in words (app/web/certainty_view.py)

    @property
    def time_line(self) -> str:
        return " ".join(t for t in (f"Time: {self.time}.", self.time_note) if t)


@dataclass(frozen=True, slots=True)
class OtherOutcome:
    """A shown outcome without pictures: each option's number, or the study's finding in words."""

    id: str
    title: str
    time_line: str
    lines: tuple[str, ...]  # one per option, in the fixed option order; () without numbers
    cells: tuple[str, ...]  # the same numbers without the option's name (the print view's table)
    finding: str  # the study's finding in plain words ("" when the file quotes none)
    quote: str  # the study's own sentence for it, verbatim
    quote_source: str
    notes: tuple[str, ...]
    # The print view's table: how many rows this outcome's finding cell spans. Outcomes in a row
    # without numbers that have the same finding and quote share one cell (0: the row above holds it).
    finding_rows: int = 1
    sure: str = ""  # the certainty of the evidence in words (app/web/certainty_view.py)

    @property
    def sure_short(self) -> str:
        """The print table's form: 'How sure are we? Not very sure.'"""
        return ". ".join(self.sure.split(". ")[:1]) + "." if self.sure else ""

    @property
    def paragraphs(self) -> tuple[str, ...]:
        """The prose a patient reads (the verbatim quote is the study's, not ours)."""
        return tuple(
            t for t in (self.time_line, self.sure, *self.lines, self.finding, *self.notes) if t
        )


# --- building ---------------------------------------------------------------------------------------


def arm_option_words(study: Study, arm_id: str) -> tuple[str, OptionWords]:
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


def ordered_arms(study: Study) -> list[str]:
    arms = [study.intervention, study.comparator]
    return sorted(arms, key=lambda a: OPTION_ORDER.index(study.arms[a].treatment))


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
    range_ = _range_sentence(arm.rate.lower, arm.rate.upper)
    if arm.events == 0:
        # None had it: say so, and how high the true risk could be (the exact CI's upper bound),
        # never "fewer than 1 in 100", which the interval does not support.
        had = f"None of the {arm.total} {subject} {'were followed by' if unit == 'procedures' else 'had'}"
        had += f" {label if unit == 'procedures' else event}{when}."
        did_not = ""
        range_ = f"The true risk could be up to about {zero_bound(arm)} in 100."
    if 0 < n < 100:  # the picture's exact count: "24 of 100 people ... had ...; 76 did not."
        alt = f"{had.removeprefix('About ').removesuffix('.')}; {did_not.removeprefix('About ')}"
    elif not did_not:
        alt = f"{had.removesuffix('.')}; {range_[:1].lower()}{range_[1:]}"
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
        range=range_,
        counts=counts,
        few=few,
        icons=icon_array(n, label=alt, uid=uid),
    )


def key_outcome(result: OutcomeResult, comparison: Comparison) -> KeyOutcome:
    study = comparison.analysis.study
    entry, outcome = result.stats, result.stats.outcome
    unit = study.unit.value
    time, time_note = timeframe_words(outcome.timeframe)
    # A label that already says when ("around the time of the procedure", "in the first month") is
    # not followed by it again; the time line above the pictures gives the study's own time frame.
    said = time in outcome.plain_label or WHEN_PATTERN.search(outcome.plain_label)
    sentence_time = "" if said else time
    event = event_words(outcome.plain_label)
    arms = {a.arm: a for a in (entry.intervention, entry.comparator) if a is not None}
    options = []
    for arm_id in ordered_arms(study):
        treatment, words = arm_option_words(study, arm_id)
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
        title=_capital(outcome.plain_label),
        time=time,
        time_note=time_note,
        legend_yes=legend_yes,
        legend_no=legend_no,
        notes=notes,
        options=tuple(options),
        sure=patient_words(comparison, result),
    )


def _share_words(per_100: int) -> str:
    """'about 24 of 100' (or 'fewer than 1 in 100') inside a sentence."""
    text = _share(per_100, positive=True)
    return text[:1].lower() + text[1:]


def _printed_figure(result: ArmResult | None) -> tuple[int, str] | None:
    """People per 100 and the percentage as the study printed it (or its survival or event rate)."""
    printed = None if result is None else result.printed_rate
    if printed is None:
        return None
    return per_hundred(Fraction(printed.text.lstrip("<>")) / 100), printed.text


def _option_numbers(result: OutcomeResult, arm_id: str, *, unit: str, usable: bool) -> str:
    """One option's number in the fixed format, or '' when the study gives none for it.

    'about 24 of 100 people had it. In the study, 14 of 58.' (after the option's name).
    """
    entry = result.stats
    noun, verb = (
        ("treatments", "were followed by it") if unit == "procedures" else ("people", "had it")
    )
    counts = {a.arm: a for a in (entry.intervention, entry.comparator) if a is not None}
    if usable and arm_id in counts:
        arm = counts[arm_id]
        if arm.events == 0:
            return (
                f"none of {arm.total} {noun} {verb}; the true risk could be up to about"
                f" {zero_bound(arm)} in 100."
            )
        n = per_hundred(Fraction(arm.events, arm.total))
        return f"{_share_words(n)} {noun} {verb}. In the study, {arm.events} of {arm.total}."
    printed = _printed_figure(entry.outcome.arms.get(arm_id))
    if printed is None:
        return ""
    n, text = printed
    return f"{_share_words(n)} {noun} {verb}. The study gave {text}%."


def from_secondary_source(outcome: Outcome, study: Study) -> bool:
    """Say whether any group's figure comes from a secondary source (a summary, not the report)."""
    return any(study.sources[r.quote.source].kind == "secondary" for r in outcome.arms.values())


def finding_words(result: OutcomeResult, study: Study) -> str:
    """The study's own finding in plain words ('' when the evidence file quotes none)."""
    finding = result.stats.outcome.finding
    if finding is None:
        return ""
    arm = study.intervention if finding.result == "more_with_intervention" else study.comparator
    return FINDING_WORDS[finding.result].format(option=OPTION_WORDS[study.arms[arm].treatment].noun)


def _told_why(result: OutcomeResult) -> str:
    """Why the numbers are told, not pictured: Kaplan-Meier estimates, percentages, assumed counts."""
    if result.stats.outcome.kind == "kaplan_meier":
        return KAPLAN_MEIER_NOTE
    if result.stats.not_computed_reason == ASSUMED_COUNTS:
        return NOT_COMPUTED_NOTE
    return PERCENT_NOTE


def other_outcome(result: OutcomeResult, comparison: Comparison) -> OtherOutcome:
    """A shown outcome told in sentences (see the module docstring)."""
    study = comparison.analysis.study
    outcome = result.stats.outcome
    time, time_note = timeframe_words(outcome.timeframe)
    usable = _counted(result) and not assumed_counts(result)
    numbers = [
        (arm_option_words(study, arm_id)[1].name, text)
        for arm_id in ordered_arms(study)
        if (text := _option_numbers(result, arm_id, unit=study.unit.value, usable=usable))
    ]
    if len(numbers) < 2:
        numbers = []  # one group's number alone is not shown: the options are shown alike or not at all
    lines = tuple(f"{name}: {text}" for name, text in numbers)
    notes: list[str] = []
    if lines and not usable:
        pooled = study.design.value in POOLED_DESIGNS
        notes.append(POOLED_NOTE if pooled else _told_why(result))
    elif lines and any(
        a.derived for a in (result.stats.intervention, result.stats.comparator) if a
    ):
        notes.append(DERIVED_NOTE)
    if lines and from_secondary_source(outcome, study):
        notes.append(SECONDARY_NOTE)
    # A title that already says when ("Death around the time of the procedure") is not repeated.
    said = time in outcome.plain_label
    time_line = " ".join(t for t in ("" if said else f"Time: {time}.", time_note) if t)
    finding = finding_words(result, study)
    if not lines:
        finding = f"{NO_GROUP_NUMBERS} {finding}".strip()
    quote = outcome.finding.quote if outcome.finding is not None else None
    return OtherOutcome(
        id=outcome.id,
        title=_capital(outcome.plain_label),
        time_line=time_line,
        lines=lines,
        cells=tuple(_capital(text) for _, text in numbers),
        finding=finding,
        quote=quote.text if quote else "",
        quote_source=quote_view(quote, study).source_title if quote else "",
        notes=tuple(notes),
        sure=patient_words(comparison, result),
    )


def shared_notes(
    others: tuple[OtherOutcome, ...],
) -> tuple[tuple[OtherOutcome, ...], tuple[str, ...]]:
    """Take out the notes that every told outcome with numbers carries (two or more of them).

    They are said once after those outcomes; an outcome without numbers keeps its own notes.
    """
    numbered = [o for o in others if o.cells]
    if len(numbered) < 2:
        return others, ()
    shared = tuple(n for n in numbered[0].notes if all(n in o.notes for o in numbered[1:]))
    if not shared:
        return others, ()
    out = tuple(
        replace(o, notes=tuple(n for n in o.notes if n not in shared)) if o.cells else o
        for o in others
    )
    return out, shared


def shared_findings(others: tuple[OtherOutcome, ...]) -> tuple[OtherOutcome, ...]:
    """Let outcomes in a row without numbers, with the same finding and quote, share one cell.

    The retrospective study's stroke and stroke-or-death during follow-up both rest on one sentence
    ("There was no difference in follow-up survival (stroke or stroke and/or death) ..."): the print
    view's table says it once beside both titles. Each outcome keeps its title and time.
    """
    out = list(others)
    start = 0
    while start < len(out):
        end = start + 1
        if not out[start].cells:
            said = (out[start].finding, out[start].quote)
            while (
                end < len(out) and not out[end].cells and (out[end].finding, out[end].quote) == said
            ):
                end += 1
        out[start] = replace(out[start], finding_rows=end - start)
        for covered in range(start + 1, end):
            out[covered] = replace(out[covered], finding_rows=0)
        start = end
    return tuple(out)
