"""FHIR R5 Evidence.statistic entries for one outcome: each arm's figures and the comparison's.

Every number is the engine's or the evidence file's as printed: the figures /api/v1/assess
serializes (the arms' rates, `relative_effect`, `absolute_effect`, `survival_difference`, the P
values). The leading ratio and difference come first, as on the page; a printed percentage is put
on the 0-1 scale of the JSON API, nothing else is computed here. Each statistic keeps the ids of the
sources its figures come from, so the resource can cite a secondary source beside the figure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app.analysis import stats
from app.analysis.headline import difference_lead, headline, printed_difference
from app.analysis.outcomes import ArmStats, OutcomeStats
from app.evidence.model import ArmResult, Effect, Printed, Study
from app.web.formatting import (
    METHOD_WORDS,
    difference_text,
    effect_text,
    lead_difference_text,
    nnt_text,
    printed_p_text,
    ratio_text,
    survival_text,
)

JSON = dict[str, Any]
TERMINOLOGY = "http://terminology.hl7.org/CodeSystem/"
UCUM = "http://unitsofmeasure.org"
PROPORTION = ("C44256", "Proportion")
RISK_DIFFERENCE = ("0000424", "Risk Difference")
RISK_RATIO = ("C93152", "Relative Risk")
STATISTIC_TYPES = {
    "risk_ratio": RISK_RATIO,
    "odds_ratio": ("C16932", "Odds Ratio"),
    "hazard_ratio": ("C93150", "Hazard Ratio"),
    "risk_difference": RISK_DIFFERENCE,
}
CONFIDENCE_INTERVAL = ("C53324", "Confidence interval")
P_VALUE = ("C44185", "P-value")
STANDARD_ERROR = ("0000037", "Standard error")
RATIO_WORDS = {
    "risk_ratio": "Risk ratio",
    "odds_ratio": "Odds ratio",
    "hazard_ratio": "Hazard ratio",
}


@dataclass(slots=True)
class Statistic:
    """One Evidence.statistic and the ids of the sources its figures come from."""

    json: JSON
    sources: tuple[str, ...] = field(default_factory=tuple)


def concept(system: str, code: tuple[str, str]) -> JSON:
    return {"coding": [{"system": TERMINOLOGY + system, "code": code[0], "display": code[1]}]}


def fraction(value: float) -> JSON:
    return {"value": value, "unit": "proportion", "system": UCUM, "code": "1"}


def ratio(value: float) -> JSON:
    return {"value": value, "unit": "ratio", "system": UCUM, "code": "1"}


def _points(value: float) -> JSON:
    return {"value": value, "unit": "percentage points", "system": UCUM, "code": "%"}


def _printed_fraction(printed: Printed) -> float:
    """A printed percentage on the JSON API's 0-1 scale (decimal division: 12.2% is 0.122)."""
    return float(printed.number / Decimal(100))


def interval_estimate(interval: stats.Interval, quantity: Any) -> JSON:
    method = METHOD_WORDS.get(interval.method, interval.method)
    return {
        "description": f"{method} (method: {interval.method})",
        "type": concept("attribute-estimate-type", CONFIDENCE_INTERVAL),
        "level": interval.confidence,
        "range": {"low": quantity(interval.lower), "high": quantity(interval.upper)},
    }


def _printed_interval(low: Printed, high: Printed, quantity: Any, scale: Any) -> JSON:
    return {
        "description": f"95% CI as printed ({low.text} to {high.text})",
        "type": concept("attribute-estimate-type", CONFIDENCE_INTERVAL),
        "level": 0.95,
        "range": {"low": quantity(scale(low)), "high": quantity(scale(high))},
    }


def p_estimate(p: Printed | stats.PValue, description: str) -> JSON:
    """A P value as an attributeEstimate: a printed one keeps its bound ('<0.001')."""
    quantity: JSON
    if isinstance(p, Printed):
        quantity = {"value": p.value}
        if p.bound:
            quantity["comparator"] = p.bound
    else:
        quantity = {"value": p.value}
    return {
        "description": description,
        "type": concept("attribute-estimate-type", P_VALUE),
        "quantity": quantity,
    }


# --- each arm ------------------------------------------------------------------------------------


def arm_statistic(arm: ArmStats | None, result: ArmResult | None, label: str) -> Statistic | None:
    """One arm's proportion: from its counts (the engine's), else as the source prints it."""
    sources = (result.quote.source,) if result is not None else ()
    if arm is not None:
        statistic: JSON = {
            "description": f"{label}: {arm.events}/{arm.total}",
            "statisticType": concept("statistic-type", PROPORTION),
            "quantity": fraction(arm.rate.value),
            "numberOfEvents": arm.events,
            "sampleSize": {"knownDataCount": arm.total},
            "attributeEstimate": [interval_estimate(arm.rate, fraction)],
        }
        derived = [{"text": f"{key} derived: {text}"} for key, text in arm.derived.items()]
        if derived:
            statistic["note"] = derived
        return Statistic(statistic, sources)
    if result is None or result.printed_rate is None:
        return None
    return Statistic(_printed_arm(result, label), sources)


def _printed_arm(result: ArmResult, label: str) -> JSON:
    """A printed percentage, Kaplan-Meier event rate or survival, without counts behind it."""
    if result.percent is not None:
        words, printed = f"{result.percent.text}% as printed", result.percent
    else:
        rate = result.event_rate or result.survival
        assert rate is not None  # arm_statistic asks only with a printed rate
        words, printed = survival_text(result), rate
    statistic: JSON = {
        "description": f"{label}: {words}",
        "statisticType": concept("statistic-type", PROPORTION),
        "quantity": fraction(_printed_fraction(printed)),
    }
    notes = []
    if printed is result.survival:
        notes.append("Kaplan-Meier survival free of the outcome, as printed (not its event rate).")
    elif printed is result.event_rate:
        notes.append("Kaplan-Meier cumulative event rate by the time frame, as printed.")
    else:
        notes.append("Printed percentage; the source gives no count over a stated group size.")
    estimates = []
    if result.ci is not None:
        estimates.append(_printed_interval(*result.ci, fraction, _printed_fraction))
    if result.se is not None and printed is result.survival:
        estimates.append(
            {
                "description": f"Standard error as printed (± {result.se.text})",
                "type": concept("attribute-estimate-type", STANDARD_ERROR),
                "quantity": fraction(_printed_fraction(result.se)),
            }
        )
    if estimates:
        statistic["attributeEstimate"] = estimates
    if result.events is not None:
        statistic["numberOfEvents"] = result.events
    if result.total is not None:
        statistic["sampleSize"] = {"knownDataCount": result.total}
    statistic["note"] = [{"text": text} for text in notes]
    return statistic


# --- the comparison ------------------------------------------------------------------------------


def _counts(entry: OutcomeStats, statistic: JSON, *, participants: bool) -> None:
    """Both arms' events and denominators on a comparative statistic computed from them."""
    first, second = entry.intervention, entry.comparator
    if first is None or second is None:
        return
    size: JSON = {"numberOfStudies": 1, "knownDataCount": first.total + second.total}
    if participants:
        size["numberOfParticipants"] = first.total + second.total
    statistic["sampleSize"] = size
    statistic["numberOfEvents"] = first.events + second.events


def _effect_statistic(effect: Effect, versus: str) -> JSON:
    """A printed effect (ratio or difference) as printed, with its printed CI and P."""
    code = STATISTIC_TYPES[effect.type]
    notes = []
    if effect.type == "risk_difference":
        placed = printed_difference(effect)
        if placed is not None:
            quantity, estimate = fraction, interval_estimate(placed, fraction)
            value = placed.value
            if effect.direction == "comparator_vs_intervention":
                notes.append(
                    "Printed comparator minus intervention; given here with the sign reversed."
                )
        else:
            # No stated direction: it cannot be placed intervention - comparator; as printed.
            quantity, value = _points, effect.estimate.value
            estimate = _printed_interval(*effect.ci, _points, lambda p: p.value)
            notes.append("Printed in percentage points; the source does not say which group leads.")
    else:
        quantity, value = ratio, effect.estimate.value
        estimate = _printed_interval(*effect.ci, ratio, lambda p: p.value)
        if effect.direction == "comparator_vs_intervention":
            low, high = effect.ci
            notes.append(
                f"Printed comparator vs intervention; inverted, intervention vs comparator:"
                f" {1 / effect.estimate.value:.2f} ({1 / high.value:.2f} to {1 / low.value:.2f})."
            )
        elif effect.direction == "not_stated":
            notes.append("The source does not say which group is the reference.")
    estimates = [estimate]
    if effect.p is not None:
        estimates.append(p_estimate(effect.p, f"{printed_p_text(effect.p)} (as printed)"))
    statistic: JSON = {
        "description": f"Published {effect_text(effect)}; {versus}",
        "statisticType": concept("statistic-type", code),
        "quantity": quantity(value),
        "attributeEstimate": estimates,
    }
    if notes:
        statistic["note"] = [{"text": text} for text in notes]
    return statistic


def _both(study: Study, entry: OutcomeStats) -> tuple[str, ...]:
    arms = entry.outcome.arms
    return tuple(arms[a].quote.source for a in (study.intervention, study.comparator) if a in arms)


def comparative_statistics(entry: OutcomeStats, study: Study, versus: str) -> list[Statistic]:
    """The comparison's statistics, the page's leading ratio and difference first."""
    found: list[Statistic] = []
    outcome = entry.outcome
    counted = _both(study, entry)
    participants = study.unit.value == "patients"
    fisher = (
        [p_estimate(entry.p_value, METHOD_WORDS[entry.p_value.method])] if entry.p_value else []
    )
    lead_ratio = headline(entry)
    if lead_ratio is not None and lead_ratio.effect is not None:
        found.append(
            Statistic(
                _effect_statistic(lead_ratio.effect, versus), (lead_ratio.effect.quote.source,)
            )
        )
    lead = difference_lead(entry)
    crude_rr = entry.risk_ratio if isinstance(entry.risk_ratio, stats.Interval) else None
    if lead_ratio is not None and lead_ratio.effect is None and crude_rr is not None:
        found.append(
            Statistic(_crude_ratio(entry, crude_rr, versus, fisher, participants), counted)
        )
    if lead is not None:
        if lead.effect is not None:
            statistic = _effect_statistic(lead.effect, versus)
            statistic["description"] = f"{lead_difference_text(lead)}; {versus}"
            sources: tuple[str, ...] = (lead.effect.quote.source,)
        else:
            statistic = {
                "description": f"Risk difference {lead_difference_text(lead)}; {versus}",
                "statisticType": concept("statistic-type", RISK_DIFFERENCE),
                "quantity": fraction(lead.difference.value),
                "attributeEstimate": [interval_estimate(lead.difference, fraction), *fisher],
            }
            _counts(entry, statistic, participants=participants)
            sources = counted
        if lead.nnt is not None:
            statistic.setdefault("note", []).append({"text": f"NNT: {nnt_text(lead.nnt)}"})
        found.append(Statistic(statistic, sources))
    elif entry.survival_difference is not None:
        survival = entry.survival_difference
        statistic = {
            "description": f"Difference in Kaplan-Meier survival {difference_text(survival)};"
            f" {versus}",
            "statisticType": concept("statistic-type", RISK_DIFFERENCE),
            "quantity": fraction(survival.value),
            "attributeEstimate": [interval_estimate(survival, fraction)],
            "note": [{"text": "A difference in survival free of the outcome, not in its risk."}],
        }
        if entry.survival_p is not None:
            statistic["attributeEstimate"].append(
                p_estimate(entry.survival_p, "Wald test from the printed standard errors")
            )
        found.append(Statistic(statistic, counted))
    # The crude figures behind a printed lead, and every other printed effect, follow.
    if lead is not None and lead.effect is not None:
        crude = entry.risk_difference
        assert crude is not None  # difference_lead leads only where there is a crude difference
        statistic = {
            "description": f"Risk difference {difference_text(crude)}, recomputed from the counts;"
            f" {versus}",
            "statisticType": concept("statistic-type", RISK_DIFFERENCE),
            "quantity": fraction(crude.value),
            "attributeEstimate": [interval_estimate(crude, fraction), *fisher],
        }
        _counts(entry, statistic, participants=participants)
        found.append(Statistic(statistic, counted))
    if crude_rr is not None and (lead_ratio is None or lead_ratio.effect is not None):
        found.append(
            Statistic(_crude_ratio(entry, crude_rr, versus, fisher, participants), counted)
        )
    shown = {lead_ratio.effect if lead_ratio else None, lead.effect if lead else None}
    for effect in outcome.effects:
        if effect not in shown:
            found.append(Statistic(_effect_statistic(effect, versus), (effect.quote.source,)))
    if outcome.test is not None:
        printed = p_estimate(
            outcome.test.p, f"Between-group {printed_p_text(outcome.test.p)} as printed"
        )
        if not found:
            # Only a P is printed for the comparison (Kaplan-Meier rates without standard errors).
            found.append(Statistic({"description": f"Between-group comparison; {versus}"}))
        found[0].json.setdefault("attributeEstimate", []).append(printed)
        found[0] = Statistic(found[0].json, (*found[0].sources, outcome.test.quote.source))
    return found


def _crude_ratio(
    entry: OutcomeStats, rr: stats.Interval, versus: str, fisher: list[JSON], participants: bool
) -> JSON:
    statistic: JSON = {
        "description": f"Crude {ratio_text('RR', rr)}; {versus}",
        "statisticType": concept("statistic-type", RISK_RATIO),
        "quantity": ratio(rr.value),
        "attributeEstimate": [interval_estimate(rr, ratio), *fisher],
    }
    _counts(entry, statistic, participants=participants)
    return statistic


def unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
