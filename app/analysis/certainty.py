"""How sure each number is: GRADE certainty of evidence per outcome and per pooled family.

GRADE handbook (Schünemann et al., 2013), section 5: a body of randomized trials starts high and
any other design low; each of five domains then rates it down by 0, 1 or 2 levels, with its
reason in one sentence. Four domains do not depend on the patient and are judged here, once at
start-up; indirectness depends on this patient's applicability and is judged per request
(app/engine/indirectness.py), then `rate` combines the five. Rating up (large effect,
dose-response) is not applied.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from app.analysis.families import Group
from app.analysis.headline import headline
from app.analysis.outcomes import OutcomeStats
from app.evidence.model import BiasJudgement, Study

RATINGS = ("very_low", "low", "moderate", "high")
RATING_WORDS = {"very_low": "very low", "low": "low", "moderate": "moderate", "high": "high"}
DOMAINS = ("risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias")
START_DESIGN = "randomized_trial"  # every other design (registry, cohort, non-randomized meta-analysis) starts low
# GRADE handbook 5.2, imprecision rule of thumb: appreciable benefit or harm beyond RR 0.75 / 1.25,
# and an optimal information size of about 300 events.
APPRECIABLE = (0.75, 1.25)
OPTIMAL_EVENTS = 300
PUBLICATION_BIAS_STUDIES = 10
JUDGEMENT_WORDS = {"high": "high risk", "some_concerns": "some concerns", "low": "low risk"}
DOMAIN_WORDS = {
    "randomization": "randomization",
    "blinding": "blinding",
    "outcome_assessment": "outcome assessment",
    "stopped_early": "stopping early",
    "attrition": "loss to follow-up",
    "selection": "selection",
    "confounding": "confounding",
    "reporting": "reporting",
}


@dataclass(frozen=True, slots=True)
class Domain:
    """One GRADE domain: how many levels it rates down (0, 1 or 2) and why, in one sentence."""

    name: str
    levels: int
    reason: str
    assessable: bool = True


@dataclass(frozen=True, slots=True)
class Certainty:
    """The certainty of one body of evidence: where it starts, the five domains, the rating."""

    start: str  # high or low
    domains: tuple[Domain, ...]
    # The informative statement (app/analysis/statements.py), in GRADE's wording for the rating.
    statement: str = ""

    @property
    def rating(self) -> str:
        """high, moderate, low or very_low: the start less every level rated down (never below)."""
        top = RATINGS.index(self.start)
        return RATINGS[max(0, top - sum(d.levels for d in self.domains))]

    @property
    def words(self) -> str:
        return RATING_WORDS[self.rating]


def start(design: str) -> str:
    """Randomized trials start high; every other design starts low (GRADE handbook 5.1)."""
    return "high" if design == START_DESIGN else "low"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def risk_of_bias(study: Study) -> Domain:
    """Rate down 1 level for one domain at high risk or three with some concerns, 2 for two at high risk.

    No recorded judgement is rated down one level: the evidence file must say why it is not.
    """
    judged: tuple[BiasJudgement, ...] = study.risk_of_bias
    if not judged:
        return Domain(
            "risk_of_bias",
            1,
            f"No risk-of-bias judgement is recorded for {study.short_name}, so it is rated down one"
            " level until one is.",
        )
    high = [DOMAIN_WORDS[j.domain] for j in judged if j.judgement == "high"]
    some = [DOMAIN_WORDS[j.domain] for j in judged if j.judgement == "some_concerns"]
    levels = 2 if len(high) >= 2 else 1 if high or len(some) >= 3 else 0
    named = [f"{d} ({JUDGEMENT_WORDS['high']})" for d in high] + [
        f"{d} ({JUDGEMENT_WORDS['some_concerns']})" for d in some
    ]
    if not named:
        return Domain(
            "risk_of_bias", 0, f"{study.short_name}: every judged domain is at low risk of bias."
        )
    verdict = {0: "not rated down", 1: "rated down one level", 2: "rated down two levels"}[levels]
    return Domain("risk_of_bias", levels, f"{study.short_name}: {_join(named)}; {verdict}.")


def single_study_inconsistency() -> Domain:
    return Domain(
        "inconsistency",
        0,
        "A single study: inconsistency cannot be assessed, so it is not rated down.",
        assessable=False,
    )


def publication_bias(studies: int) -> Domain:
    """Not assessable with fewer than 10 studies (a funnel plot needs more); never rated down here."""
    if studies < PUBLICATION_BIAS_STUDIES:
        count = "one study" if studies == 1 else f"{studies} studies"
        return Domain(
            "publication_bias",
            0,
            f"Not assessable with {count} (fewer than {PUBLICATION_BIAS_STUDIES}), so not rated down.",
            assessable=False,
        )
    return Domain(
        "publication_bias",
        0,
        f"{studies} studies; this tool does not test funnel-plot asymmetry, so not rated down.",
        assessable=False,
    )


def _ratio_text(low: float, high: float) -> str:
    return f"{low:.2f}\u2013{high:.2f}"


def imprecision_from(
    ci: tuple[float, float] | None, events: int | None, what: str = "relative effect"
) -> Domain:
    """GRADE handbook 5.2: rate down when the CI includes no effect and an appreciable one, or < 300 events.

    Two levels when the CI includes both appreciable benefit and appreciable harm (below 0.75 and
    above 1.25); one when it includes no effect and one appreciable effect, or when the total
    events fall short of the optimal information size (about 300); none otherwise.
    """
    if ci is None and events is not None:
        return Domain(
            "imprecision",
            1,
            f"No relative effect can be estimated, and {events} events in all fall short of the"
            f" optimal information size of about {OPTIMAL_EVENTS}; rated down one level.",
        )
    if ci is None:
        return Domain(
            "imprecision",
            1,
            "No interval is printed or computable for this outcome, so its precision cannot be"
            " judged; rated down one level.",
        )
    low, high = ci
    text = f"the 95% CI of the {what} ({_ratio_text(low, high)})"
    spans = low <= 1 <= high
    below, above = low < APPRECIABLE[0], high > APPRECIABLE[1]
    if below and above:
        return Domain(
            "imprecision",
            2,
            f"{text[0].upper()}{text[1:]} includes both an appreciable reduction (below 0.75) and an"
            " appreciable increase (above 1.25); rated down two levels.",
        )
    if spans and (below or above):
        which = "reduction (below 0.75)" if below else "increase (above 1.25)"
        return Domain(
            "imprecision",
            1,
            f"{text[0].upper()}{text[1:]} includes no effect and an appreciable {which}; rated down"
            " one level.",
        )
    if events is None:
        return Domain(
            "imprecision",
            1,
            "The total number of events is not stated, so the optimal information size (about"
            f" {OPTIMAL_EVENTS} events) cannot be shown to be met; rated down one level.",
        )
    if events < OPTIMAL_EVENTS:
        return Domain(
            "imprecision",
            1,
            f"{events} events in all, fewer than the optimal information size of about"
            f" {OPTIMAL_EVENTS}; rated down one level.",
        )
    return Domain(
        "imprecision",
        0,
        f"{text[0].upper()}{text[1:]} excludes appreciable effects either way and {events}"
        f" events meet the optimal information size; not rated down.",
    )


def outcome_ci(entry: OutcomeStats) -> tuple[float, float] | None:
    """The leading relative effect's 95% CI, intervention vs comparator (inverted if printed the other way)."""
    lead = headline(entry)
    if lead is None:
        return None
    low, high = lead.lower, lead.upper
    if lead.direction == "comparator_vs_intervention" and low > 0:
        low, high = 1 / high, 1 / low
    if not (math.isfinite(low) and math.isfinite(high)):
        return None
    return low, high


def outcome_events(entry: OutcomeStats) -> int | None:
    if entry.intervention is None or entry.comparator is None:
        return None
    return entry.intervention.events + entry.comparator.events


@dataclass(frozen=True, slots=True)
class Judged:
    """The four patient-independent domains of one body of evidence, and where it starts."""

    start: str
    risk_of_bias: Domain
    inconsistency: Domain
    imprecision: Domain
    publication_bias: Domain

    def with_indirectness(self, indirectness: Domain, statement: str = "") -> Certainty:
        """Combine with this patient's indirectness into the rating (domains in GRADE's order)."""
        return Certainty(
            self.start,
            (
                self.risk_of_bias,
                self.inconsistency,
                indirectness,
                self.imprecision,
                self.publication_bias,
            ),
            statement,
        )


@dataclass(frozen=True, slots=True)
class Rated:
    """A body of evidence's patient-independent domains and its informative statement at each
    level indirectness may rate it down (0, 1, 2): only the levels change the rating."""

    judged: Judged
    statements: tuple[str, ...]

    def rate(self, indirectness: Domain) -> Certainty:
        """The certainty with this patient's indirectness, and the statement for its rating."""
        return self.judged.with_indirectness(indirectness, self.statements[indirectness.levels])


def judge_outcome(entry: OutcomeStats, study: Study) -> Judged:
    """Judge one study's outcome on the four domains that do not depend on the patient."""
    return Judged(
        start=start(study.design.value),
        risk_of_bias=risk_of_bias(study),
        inconsistency=single_study_inconsistency(),
        imprecision=imprecision_from(outcome_ci(entry), outcome_events(entry)),
        publication_bias=publication_bias(1),
    )


def inconsistency(group: Group) -> Domain:
    """From I² of the pooled risk ratio and whether the studies' intervals overlap.

    Not rated down when I² is under 50% and every pair of intervals overlaps; one level when I² is
    50% or more or two intervals do not overlap; two when I² is 75% or more and two do not overlap.
    Without a pooled estimate, not assessable (the members are shown side by side only).
    """
    pooled = group.risk_ratio
    if pooled is None:
        return Domain(
            "inconsistency",
            0,
            "No pooled estimate, so inconsistency is not assessed; not rated down.",
            assessable=False,
        )
    i2 = pooled.heterogeneity.i2
    intervals = [s.ci for s in pooled.studies if s.ci is not None]
    apart = any(a[1] < b[0] or b[1] < a[0] for a in intervals for b in intervals)
    overlap = "some intervals do not overlap" if apart else "the intervals overlap"
    levels = 2 if i2 >= 75 and apart else 1 if i2 >= 50 or apart else 0
    verdict = {0: "not rated down", 1: "rated down one level", 2: "rated down two levels"}[levels]
    return Domain("inconsistency", levels, f"I² = {i2:.0f}% and {overlap}; {verdict}.")


def judge_family(group: Group) -> Judged:
    """Judge a family's pooled estimate (or, without one, its members side by side)."""
    pooled = [m for m in group.members if group.risk_ratio is not None and m.has_counts]
    members = pooled or list(group.members)
    designs = {m.study.design.value for m in members}
    worst = max((risk_of_bias(m.study) for m in members), key=lambda d: d.levels)
    bias = Domain(
        "risk_of_bias",
        worst.levels,
        f"Judged by the study at most risk of bias: {worst.reason[:1].lower()}{worst.reason[1:]}"
        if worst.reason.startswith("No ")
        else f"Judged by the study at most risk of bias, {worst.reason}",
    )
    if group.risk_ratio is not None:
        ci = group.risk_ratio.ci
        events = sum(m.invasive[0] + m.other[0] for m in members if m.invasive and m.other)
        precision = imprecision_from(ci, events, "pooled risk ratio")
    else:
        precision = imprecision_from(None, None)
    return Judged(
        start="high" if designs == {START_DESIGN} else "low",
        risk_of_bias=bias,
        inconsistency=inconsistency(group),
        imprecision=precision,
        publication_bias=publication_bias(len(members)),
    )
