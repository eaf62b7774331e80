"""Plain-language statements of an effect and its certainty, in GRADE's informative wording.

Santesso N, Glenton C, Dahm P, et al. GRADE guidelines 26: informative statements to communicate
the findings of systematic reviews of interventions. J Clin Epidemiol 2020;119:126-135. High
certainty "increases / reduces", moderate "probably", low "may", very low "the evidence is very
uncertain"; "little or no difference" where the 95% CI includes no effect and excludes an
appreciable one (RR 0.75 to 1.25, GRADE handbook 5.2). The direction otherwise follows the point
estimate: the certainty rating already carries the imprecision. One place for every statement
the pages, the JSON and FHIR give.
"""

from __future__ import annotations

from app.analysis.certainty import APPRECIABLE, outcome_ci
from app.analysis.families import Group
from app.analysis.headline import headline
from app.analysis.outcomes import OutcomeStats
from app.contract import vocabulary
from app.evidence.model import Study

QUALIFIER = {"high": "", "moderate": "probably ", "low": "may "}
INCREASE = {"high": "increases", "moderate": "increases", "low": "increase"}
REDUCE = {"high": "reduces", "moderate": "reduces", "low": "reduce"}
NO_DIFFERENCE = {
    "high": "results in little or no difference in",
    "moderate": "results in little or no difference in",
    "low": "result in little or no difference in",
}
# What each rating means, for patients and the printout (GRADE's plain explanations, shortened).
PATIENT_WORDS = {
    "high": "Research is not likely to change it.",
    "moderate": "It could change with more research.",
    "low": "The true answer could be quite different.",
    "very_low": "The true answer is likely to be quite different.",
}
PATIENT_RATING = {
    "high": "very sure",
    "moderate": "fairly sure",
    "low": "not very sure",
    "very_low": "very unsure",
}


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def direction(estimate: float, low: float, high: float) -> str:
    """increase, reduce or none (little or no difference) for a ratio and its 95% CI."""
    if low <= 1 <= high and APPRECIABLE[0] <= low and high <= APPRECIABLE[1]:
        return "none"
    if estimate == 1:
        return "none"
    return "increase" if estimate > 1 else "reduce"


def statement(
    rating: str, intervention: str, comparator: str, outcome: str, way: str | None
) -> str:
    """One informative statement: 'Stenting probably increases stroke or death ... compared with ...'.

    `way` is increase, reduce or none; None when the source gives no direction to state.
    """
    if rating == "very_low":
        return (
            f"The evidence is very uncertain about the effect of {_lower(intervention)} on"
            f" {outcome}, compared with {comparator}."
        )
    if way is None:
        return f"The source gives no effect estimate for {outcome} to state."
    words = {"increase": INCREASE, "reduce": REDUCE, "none": NO_DIFFERENCE}[way][rating]
    said = f"{intervention} {QUALIFIER[rating]}{words} {outcome} compared with {comparator}."
    return said[:1].upper() + said[1:]


def finding_direction(result: str) -> str | None:
    """The direction a study's coded finding states (no_difference counts as none)."""
    return {
        "no_difference": "none",
        "more_with_intervention": "increase",
        "more_with_comparator": "reduce",
    }.get(result)


def outcome_statement(rating: str, entry: OutcomeStats, study: Study) -> str:
    """The statement for one study's outcome: its leading ratio, else the study's coded finding."""
    outcome = entry.outcome
    lead, ci = headline(entry), outcome_ci(entry)
    rd = entry.risk_difference
    way = None
    if lead is not None and ci is not None:
        estimate = lead.estimate
        if lead.direction == "comparator_vs_intervention" and estimate > 0:
            estimate = 1 / estimate
        way = direction(estimate, *ci)
    elif rd is not None:
        # No ratio (an arm without events): the difference's sign gives the direction.
        way = "none" if rd.value == 0 else "increase" if rd.value > 0 else "reduce"
    elif outcome.finding is not None:
        way = finding_direction(outcome.finding.result)
    words = vocabulary.clinician(vocabulary.TREATMENTS)
    return statement(
        rating,
        words[study.arms[study.intervention].treatment],
        _lower(words[study.arms[study.comparator].treatment]),
        _lower(outcome.label),
        way,
    )


def family_statement(rating: str, group: Group) -> str:
    """The statement for a family's pooled risk ratio (none without one)."""
    pooled = group.risk_ratio
    way = None if pooled is None else direction(pooled.estimate, *pooled.ci)
    words = vocabulary.clinician(vocabulary.TREATMENTS)
    first, second = (words[t] for t in group.treatments)
    return statement(rating, first, _lower(second), _lower(group.family.label), way)
