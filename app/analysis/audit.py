"""Recompute every published figure that can be recomputed, and record where it disagrees."""

from __future__ import annotations

from dataclasses import dataclass, replace

from app.analysis import significance, stats
from app.evidence.model import (
    Arm,
    ArmResult,
    Effect,
    Fact,
    Outcome,
    Printed,
    Quote,
    Study,
)

ALPHA = 0.05
EFFECT_NAMES = {
    "risk_ratio": "risk ratio",
    "odds_ratio": "odds ratio",
    "hazard_ratio": "hazard ratio",
    "risk_difference": "risk difference",
}


@dataclass(frozen=True, slots=True)
class AuditItem:
    """One published figure beside its recomputation; `agrees` is None when it cannot be recomputed.

    A figure the source estimated by another method than the recomputation (a log-rank or Cox P
    beside a Wald P from the printed CI, a product-limit percent beside events/total, a one-sided
    bound) cannot be recomputed by its own method: `agrees` is None and `method_differs` True, so it
    is listed in the audit but never counted as not reproduced.
    """

    figure: str
    published: str
    recomputed: str
    agrees: bool | None
    note: str
    quote: Quote
    method_differs: bool = False

    @property
    def status(self) -> str:
        """agrees, not_reproduced, method_differs or not_recomputable."""
        if self.agrees is not None:
            return "agrees" if self.agrees else "not_reproduced"
        return "method_differs" if self.method_differs else "not_recomputable"


def _method_differs(item: AuditItem, why: str) -> AuditItem:
    """Mark a disagreement that another estimation method explains: listed, never counted."""
    return replace(item, agrees=None, method_differs=True, note=f"{item.note} {why}")


def _fmt(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}"


def _pct(value: float, decimals: int) -> str:
    return f"{100 * value:.{decimals}f}"


def percent_item(label: str, result: ArmResult | Fact) -> AuditItem | None:
    """Check a printed percent against its events/total."""
    if result.percent is None or result.events is None or not result.total:
        return None
    computed = result.events / result.total
    agrees = result.percent.agrees(100 * computed)
    note = f"{result.events}/{result.total} = {100 * computed:.2f}%."
    if not agrees:
        discrepancy = getattr(result, "discrepancy", "")
        note = discrepancy or f"{note} The printed figure does not match the counts."
    item = AuditItem(
        figure=f"{label}: percent",
        published=f"{result.percent.text}%",
        recomputed=f"{_pct(computed, result.percent.decimals)}%",
        agrees=agrees,
        note=note,
        quote=result.quote,
    )
    if not agrees and getattr(result, "percent_method", "") == "product_limit":
        return _method_differs(
            item, "Method differs: a product-limit estimate is not events/total."
        )
    return item


def _ci_agrees(ci: tuple[Printed, Printed], interval: stats.Interval) -> bool:
    return ci[0].agrees(100 * interval.lower) and ci[1].agrees(100 * interval.upper)


def ci_item(label: str, result: ArmResult) -> AuditItem | None:
    """Check a printed 95% CI for a proportion against the exact two-sided interval."""
    if result.ci is None or result.events is None or not result.total:
        return None
    decimals = max(p.decimals for p in result.ci)
    exact = stats.proportion(events=result.events, total=result.total)
    agrees = _ci_agrees(result.ci, exact)
    recomputed = f"{_pct(exact.lower, decimals)}–{_pct(exact.upper, decimals)}%"
    note = "Two-sided exact (Clopper-Pearson) 95% interval."
    if not agrees:
        one_sided = stats.proportion(events=result.events, total=result.total, confidence=0.90)
        wilson = stats.wilson(events=result.events, total=result.total)
        other = True
        if _ci_agrees(result.ci, one_sided):
            note = (
                "The printed limits match the one-sided 95% exact bound (a two-sided 90% interval,"
                f" {_pct(one_sided.lower, decimals)}–{_pct(one_sided.upper, decimals)}%), not the"
                f" two-sided 95% interval the other figures use ({recomputed})."
            )
        elif _ci_agrees(result.ci, wilson):
            note = "The printed limits match the Wilson score interval, not the exact interval."
        else:
            other = False
            note = "Neither the exact nor the Wilson 95% interval reproduces the printed limits."
    item = AuditItem(
        figure=f"{label}: 95% CI",
        published=f"{result.ci[0].text}–{result.ci[1].text}%",
        recomputed=recomputed,
        agrees=agrees,
        note=note,
        quote=result.quote,
    )
    if not agrees and other:
        return _method_differs(item, "Method differs: the other interval reproduces it.")
    return item


def _counts(outcome: Outcome, study: Study) -> dict[str, int] | None:
    first, second = (
        outcome.arms.get(study.intervention),
        outcome.arms.get(study.comparator),
    )
    if first is None or second is None or not (first.has_counts and second.has_counts):
        return None
    return {
        "intervention_events": first.events,  # type: ignore[dict-item]
        "intervention_total": first.total,  # type: ignore[dict-item]
        "comparator_events": second.events,  # type: ignore[dict-item]
        "comparator_total": second.total,  # type: ignore[dict-item]
    }


def p_item(outcome: Outcome, study: Study) -> AuditItem | None:
    """Check a printed between-group P value against Fisher's exact test (and say what else fits)."""
    counts = _counts(outcome, study)
    if outcome.test is None or counts is None:
        return None
    printed = outcome.test.p
    fisher = significance.fisher_exact(**counts)
    agrees = printed.agrees(fisher.value)
    note = f"Two-sided Fisher exact P = {fisher.value:.4f}."
    matches: list[str] = []
    if not agrees:
        pearson = significance.chi_square(**counts, yates=False)
        yates = significance.chi_square(**counts, yates=True)
        matches = [
            name
            for name, p in (
                ("Pearson chi-square", pearson),
                ("chi-square with Yates' correction", yates),
            )
            if printed.agrees(p.value)
        ]
        note += (
            f" Pearson chi-square P = {pearson.value:.4f}; with Yates' correction {yates.value:.4f}. "
            + (
                f"The printed P matches the {matches[0]}."
                if matches
                else "None of these reproduces the printed P; the source does not name its test."
            )
        )
    item = AuditItem(
        figure="P value between groups",
        published=printed.text,
        recomputed=_fmt(fisher.value, max(printed.decimals, 2)),
        agrees=agrees,
        note=note,
        quote=outcome.test.quote,
    )
    if not agrees and matches:
        return _method_differs(item, "Method differs: another test, not a failed reproduction.")
    return item


def effect_items(effect: Effect, outcome: Outcome, study: Study) -> list[AuditItem]:
    """Recompute a crude ratio from counts where the paper gives one, and check P against the CI."""
    items: list[AuditItem] = []
    name = EFFECT_NAMES[effect.type]
    printed = f"{effect.estimate.text} ({effect.ci[0].text}–{effect.ci[1].text})"
    counts = _counts(outcome, study)
    adjusted = effect.adjustment != "not stated"
    if counts is not None and effect.type in ("risk_ratio", "odds_ratio") and not adjusted:
        if effect.direction == "comparator_vs_intervention":
            counts = {
                "intervention_events": counts["comparator_events"],
                "intervention_total": counts["comparator_total"],
                "comparator_events": counts["intervention_events"],
                "comparator_total": counts["intervention_total"],
            }
        compute = stats.risk_ratio if effect.type == "risk_ratio" else stats.odds_ratio
        crude = compute(**counts)
        if isinstance(crude, stats.Interval):
            decimals = max(effect.estimate.decimals, *(p.decimals for p in effect.ci), 2)
            agrees = (
                effect.estimate.agrees(crude.value)
                and effect.ci[0].agrees(crude.lower)
                and effect.ci[1].agrees(crude.upper)
            )
            method = "Katz log" if effect.type == "risk_ratio" else "Woolf log"
            note = f"Crude {name} from the printed counts, {method} 95% interval."
            if not agrees:
                note += (
                    " The printed estimate and interval cannot be reproduced from the counts; the source"
                    " does not say whether it was adjusted."
                )
            items.append(
                AuditItem(
                    figure=f"{name.capitalize()} (crude, from counts)",
                    published=printed,
                    recomputed=(
                        f"{_fmt(crude.value, decimals)} ({_fmt(crude.lower, decimals)}–"
                        f"{_fmt(crude.upper, decimals)})"
                    ),
                    agrees=agrees,
                    note=note,
                    quote=effect.quote,
                )
            )
    elif counts is not None and effect.type == "hazard_ratio":
        crude = stats.risk_ratio(**counts)
        crude_text = (
            f" For orientation, the crude risk ratio from the counts is {crude.value:.2f}"
            f" ({crude.lower:.2f}–{crude.upper:.2f})."
            if isinstance(crude, stats.Interval)
            else ""
        )
        items.append(
            AuditItem(
                figure="Hazard ratio",
                published=printed,
                recomputed="not recomputable",
                agrees=None,
                note="A hazard ratio needs time-to-event data, which the source does not give."
                + crude_text,
                quote=effect.quote,
            )
        )
    elif counts is not None and effect.type == "risk_difference":
        items.append(_difference_item(effect, counts))
    if (
        counts is not None
        and effect.p is not None
        and not adjusted
        and effect.type != "hazard_ratio"
    ):
        fisher = significance.fisher_exact(**counts)
        agrees = effect.p.agrees(fisher.value)
        chi = [significance.chi_square(**counts, yates=yates).value for yates in (False, True)]
        item = AuditItem(
            figure=f"P value printed with the {name}",
            published=effect.p.text,
            recomputed=_fmt(fisher.value, max(effect.p.decimals, 2)),
            agrees=agrees,
            note=f"Two-sided Fisher exact P = {fisher.value:.4f} from the printed counts."
            + ("" if agrees else " It does not reproduce the printed P."),
            quote=effect.quote,
        )
        if not agrees and any(effect.p.agrees(value) for value in chi):
            item = _method_differs(
                item, "Method differs: a chi-square test on the same counts reproduces it."
            )
        items.append(item)
    if effect.p is not None and effect.type != "risk_difference":
        items.append(_p_from_ci_item(effect, name))
    return items


def _difference_item(effect: Effect, counts: dict[str, int]) -> AuditItem:
    """Set a printed risk difference (percentage points) beside the crude one from the counts."""
    crude = stats.risk_difference(**counts)
    decimals = max(effect.estimate.decimals, *(p.decimals for p in effect.ci))
    agrees = (
        effect.estimate.agrees(100 * crude.value)
        and effect.ci[0].agrees(100 * crude.lower)
        and effect.ci[1].agrees(100 * crude.upper)
    )
    note = (
        "Crude difference of the printed counts (intervention − comparator), Newcombe hybrid score"
        " 95% interval."
    )
    if not agrees:
        note += (
            f" The printed difference of {effect.estimate.text} points is not the crude"
            f" {100 * crude.value:.2f} points of the counts; the source does not say how it was"
            " estimated."
        )
    return AuditItem(
        figure="Risk difference (crude, from counts)",
        published=f"{effect.estimate.text} ({effect.ci[0].text} to {effect.ci[1].text}) points",
        recomputed=(
            f"{_pct(crude.value, decimals)} ({_pct(crude.lower, decimals)} to"
            f" {_pct(crude.upper, decimals)}) points"
        ),
        agrees=agrees,
        note=note,
        quote=effect.quote,
    )


def printed_only_item(label: str, result: ArmResult | Fact) -> AuditItem | None:
    """Record a percentage printed without counts (or a Kaplan-Meier rate): nothing to recompute it from."""
    rate: Printed | None = getattr(result, "event_rate", None)
    printed: Printed
    if rate is not None:
        figure, printed = "Kaplan-Meier event rate", rate
        note = (
            "A time-to-event estimate; the source prints no counts or standard error to check it."
        )
    elif result.percent is not None and (result.events is None or not result.total):
        figure, printed = "percent", result.percent
        note = "Printed as a percentage only; the source gives no counts to recompute it from."
    else:
        return None
    return AuditItem(
        figure=f"{label}: {figure}",
        published=f"{printed.text}%",
        recomputed="not recomputable",
        agrees=None,
        note=note,
        quote=result.quote,
    )


def _rounding(printed: Printed) -> tuple[float, float]:
    return (
        max(printed.value - printed.half_unit, 1e-12),
        printed.value + printed.half_unit,
    )


def _p_from_ci_item(effect: Effect, name: str) -> AuditItem:
    """Check a printed P against the range a Wald test on the printed (rounded) CI allows."""
    assert effect.p is not None
    low, high = stats.wald_p_range_from_ci(
        estimate=_rounding(effect.estimate),
        lower=_rounding(effect.ci[0]),
        upper=_rounding(effect.ci[1]),
    )
    p = effect.p
    if p.bound == "<":
        agrees = low < p.value
    else:
        agrees = low <= p.value + p.half_unit + 1e-12 and high >= p.value - p.half_unit - 1e-12
    decimals = max(p.decimals, 2)
    recomputed = (
        _fmt(low, decimals)
        if _fmt(low, decimals) == _fmt(high, decimals)
        else f"{_fmt(low, 3)}–{_fmt(high, 3)}"
    )
    note = (
        f"P implied by the printed {name} and its 95% CI (Wald test on the log scale, allowing for the"
        " rounding of the printed figures)."
    )
    if not agrees:
        note += " The printed P lies outside that range; the source may have used a different test."
    item = AuditItem(
        figure=f"P value implied by the {name}'s CI",
        published=p.text,
        recomputed=recomputed,
        agrees=agrees,
        note=note,
        quote=effect.quote,
    )
    # A printed P from another test (log-rank, Cox, logistic) differs a little from the Wald P of
    # the rounded CI: a method difference. One on the other side of 0.05 from the whole range
    # contradicts its own CI: that stays a disagreement.
    significant = p.value < ALPHA or (p.bound == "<" and p.value <= ALPHA)
    if not agrees and significant == (high < ALPHA) and significant == (low < ALPHA):
        return _method_differs(
            item,
            "Method differs: the printed P comes from another test (such as log-rank or Cox) and"
            " says the same at the 5% level.",
        )
    return item


def denominator_items(outcome: Outcome, arms: dict[str, Arm]) -> list[AuditItem]:
    """Flag results analysed on fewer patients than the arm enrolled, where the source is silent."""
    items = []
    for name, result in outcome.arms.items():
        arm = arms[name]
        if (
            result.total is None
            or result.total >= arm.n
            or "total" in result.derived
            or result.subset
        ):
            continue
        missing = arm.n - result.total
        items.append(
            AuditItem(
                figure=f"{arm.label}: denominator",
                published=f"{arm.n} in the arm",
                recomputed=f"{result.total} analysed",
                agrees=False,
                note=(
                    f"{missing} of {arm.n} in this arm {'is' if missing == 1 else 'are'} not in this"
                    " result; the source gives no reason."
                ),
                quote=result.quote,
            )
        )
    return items


def pooled_item(outcome: Outcome) -> AuditItem | None:
    """Check that pooled events equal the sum of the arms' events."""
    overall = outcome.overall
    if overall is None or overall.events is None:
        return None
    arm_events = [r.events for r in outcome.arms.values()]
    if any(e is None for e in arm_events):
        return None
    total = sum(arm_events)  # type: ignore[arg-type]
    return AuditItem(
        figure="Pooled events: sum of the groups",
        published=str(overall.events),
        recomputed=" + ".join(str(e) for e in arm_events) + f" = {total}",
        agrees=total == overall.events,
        note="The pooled count should equal the sum of the groups' counts.",
        quote=overall.quote,
    )


def audit_outcome(outcome: Outcome, study: Study) -> tuple[AuditItem, ...]:
    """Return every check for one outcome, in reading order."""
    items: list[AuditItem | None] = []
    for name, result in outcome.arms.items():
        label = study.arms[name].label
        items += [percent_item(label, result), ci_item(label, result)]
        items.append(printed_only_item(label, result))
    if outcome.overall is not None:
        items += [
            percent_item("All groups together", outcome.overall),
            pooled_item(outcome),
        ]
    items.append(p_item(outcome, study))
    for effect in outcome.effects:
        items += effect_items(effect, outcome, study)
    items += denominator_items(outcome, dict(study.arms))
    return tuple(item for item in items if item is not None)


def audit_study(study: Study) -> tuple[AuditItem, ...]:
    """Return the study-level checks: the printed percents and effects among the study's facts."""
    items = [
        percent_item(fact.label, fact) or printed_only_item(fact.label, fact)
        for fact in study.facts
    ]
    for fact in study.facts:
        for effect in fact.effects:
            if effect.p is not None:
                item = _p_from_ci_item(effect, EFFECT_NAMES[effect.type])
                items.append(replace(item, figure=f"{fact.label}: {item.figure}"))
    return tuple(item for item in items if item is not None)
