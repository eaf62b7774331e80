"""Tests for app.stats against published worked examples, hand calculations and properties."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from app.analysis.significance import chi_square, fisher_exact
from app.analysis.stats import (
    NNT,
    Interval,
    PValue,
    Undefined,
    km_difference,
    km_difference_p,
    number_needed_to_treat,
    odds_ratio,
    proportion,
    risk_difference,
    risk_ratio,
    wald_p_from_ci,
    wald_p_range_from_ci,
    wilson,
)

Z95 = 1.959963984540054

# Hypothesis must not write a database into the shared working tree, and scipy's first call can be
# slow enough to trip the per-example deadline.
FAST = settings(database=None, deadline=None)


def table(a: int, n1: int, c: int, n2: int) -> dict[str, int]:
    """Build the keyword arguments for a two-arm table."""
    return {
        "intervention_events": a,
        "intervention_total": n1,
        "comparator_events": c,
        "comparator_total": n2,
    }


def assert_plain_and_finite(result: Any, *, allow_none: bool = False) -> None:
    """Assert that every numeric field is a plain, finite Python float or int."""
    for field in dataclasses.fields(result):
        value = getattr(result, field.name)
        if value is None and allow_none:
            continue
        if field.name in {"method", "reason", "text", "kind", "spans_infinity"}:
            continue
        assert type(value) in (float, int), (field.name, type(value))
        assert math.isfinite(value), (field.name, value)


# --------------------------------------------------------------------------- Newcombe 1998


@pytest.mark.parametrize(
    ("counts", "lower", "upper"),
    [
        ((56, 70, 48, 80), 0.0524, 0.3339),
        ((9, 10, 3, 10), 0.1705, 0.8090),
        ((10, 10, 0, 20), 0.6791, 1.0000),
        ((84, 101, 89, 105), -0.1177, 0.0851),
    ],
)
def test_risk_difference_reproduces_newcombe_method_10(
    counts: tuple[int, int, int, int], lower: float, upper: float
) -> None:
    a, n1, c, n2 = counts
    rd = risk_difference(**table(*counts))
    assert rd.value == pytest.approx(a / n1 - c / n2, abs=1e-12)
    assert round(rd.lower, 4) == lower
    assert round(rd.upper, 4) == upper
    assert rd.confidence == 0.95
    assert rd.method == "newcombe-hybrid-score"


def test_risk_difference_all_events_arm_reaches_exactly_one() -> None:
    rd = risk_difference(**table(10, 10, 0, 20))
    assert rd.value == 1.0
    assert rd.upper == 1.0


def test_risk_difference_zero_zero_is_zero_with_finite_symmetric_interval() -> None:
    rd = risk_difference(**table(0, 10, 0, 10))
    assert rd.value == 0.0
    assert -1.0 < rd.lower < 0.0 < rd.upper < 1.0
    assert rd.lower == -rd.upper


def test_risk_difference_honours_confidence() -> None:
    narrow = risk_difference(**table(56, 70, 48, 80), confidence=0.90)
    wide = risk_difference(**table(56, 70, 48, 80), confidence=0.99)
    assert wide.lower < narrow.lower < narrow.value < narrow.upper < wide.upper
    assert narrow.confidence == 0.90


# --------------------------------------------------------------------------- single proportions


@pytest.mark.parametrize(
    ("events", "total", "lower_pct", "upper_pct"),
    [
        (14, 58, 13.9, 37.2),
        (5, 53, 3.1, 20.7),
        (5, 58, 2.9, 19.0),
        (21, 58, 24.0, 49.9),
        (8, 53, 6.7, 27.6),
        (6, 53, 4.3, 23.0),
    ],
)
def test_proportion_reproduces_vissit_exact_intervals(
    events: int, total: int, lower_pct: float, upper_pct: float
) -> None:
    p = proportion(events=events, total=total)
    assert p.value == events / total
    assert round(100 * p.lower, 1) == lower_pct
    assert round(100 * p.upper, 1) == upper_pct
    assert p.method == "clopper-pearson"


def test_proportion_zero_events_two_sided_vs_printed_one_sided_bound() -> None:
    two_sided = proportion(events=0, total=53)
    assert two_sided.value == 0.0
    assert two_sided.lower == 0.0
    assert round(100 * two_sided.upper, 1) == 6.7
    # VISSIT printed 0%-5.5%: that is the one-sided 95% bound, i.e. the two-sided 90% limit.
    one_sided = proportion(events=0, total=53, confidence=0.90)
    assert round(100 * one_sided.upper, 1) == 5.5
    # Closed form for x = 0: upper = 1 - (alpha/2)^(1/n).
    assert two_sided.upper == pytest.approx(1 - 0.025 ** (1 / 53), abs=1e-12)


def test_proportion_all_events() -> None:
    p = proportion(events=53, total=53)
    assert p.value == 1.0
    assert p.upper == 1.0
    assert p.lower == pytest.approx(0.025 ** (1 / 53), abs=1e-12)


def test_proportion_single_trial() -> None:
    assert proportion(events=0, total=1).upper == pytest.approx(0.975, abs=1e-12)
    assert proportion(events=1, total=1).lower == pytest.approx(0.025, abs=1e-12)


def test_wilson_matches_closed_form() -> None:
    x, n = 14, 58
    p = x / n
    centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
    half = Z95 / (1 + Z95**2 / n) * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n**2))
    w = wilson(events=x, total=n)
    assert w.lower == pytest.approx(centre - half, abs=1e-12)
    assert w.upper == pytest.approx(centre + half, abs=1e-12)
    assert w.method == "wilson-score"


def test_wilson_boundaries_are_exact() -> None:
    zero = wilson(events=0, total=20)
    assert zero.lower == 0.0
    assert zero.upper == pytest.approx(Z95**2 / (20 + Z95**2), abs=1e-12)
    full = wilson(events=10, total=10)
    assert full.upper == 1.0
    assert full.lower == pytest.approx(10 / (10 + Z95**2), abs=1e-12)


# --------------------------------------------------------------------------- Fisher exact


@pytest.mark.parametrize(
    ("counts", "printed"),
    [
        ((14, 58, 5, 53), 0.05),
        ((5, 58, 0, 53), 0.06),
        ((21, 58, 8, 53), 0.02),
        ((14, 58, 6, 53), 0.09),
    ],
)
def test_fisher_reproduces_vissit_p_values(
    counts: tuple[int, int, int, int], printed: float
) -> None:
    p = fisher_exact(**table(*counts))
    assert round(p.value, 2) == printed
    assert p.method == "fisher-exact"


def test_fisher_retrospective_residual_stenosis() -> None:
    # The source printed P = 0.09 for 14/95 vs 4/98; that is not reproducible from the counts.
    assert fisher_exact(**table(14, 95, 4, 98)).value == pytest.approx(0.0130, abs=5e-5)


def test_fisher_rescue_icas_recurrent_stroke() -> None:
    assert round(fisher_exact(**table(15, 111, 1, 83)).value, 3) == 0.001


@pytest.mark.parametrize("counts", [(0, 10, 0, 10), (10, 10, 20, 20), (0, 1, 0, 1)])
def test_fisher_degenerate_tables_give_one(counts: tuple[int, int, int, int]) -> None:
    p = fisher_exact(**table(*counts))
    assert p.value == 1.0
    assert type(p.value) is float


# --------------------------------------------------------------------------- ratios


def test_risk_ratio_katz_retrospective_study() -> None:
    rr = risk_ratio(**table(14, 95, 4, 98))
    assert isinstance(rr, Interval)
    assert round(rr.value, 2) == 3.61
    assert round(rr.lower, 2) == 1.23
    assert round(rr.upper, 2) == 10.58
    assert rr.method == "katz-log"


def test_risk_ratio_katz_by_hand() -> None:
    a, n1, c, n2 = 14, 58, 5, 53
    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    rr_hand = (a / n1) / (c / n2)
    rr = risk_ratio(**table(a, n1, c, n2))
    assert isinstance(rr, Interval)
    assert rr.value == pytest.approx(rr_hand, rel=1e-12)
    assert rr.lower == pytest.approx(rr_hand * math.exp(-Z95 * se), rel=1e-12)
    assert rr.upper == pytest.approx(rr_hand * math.exp(Z95 * se), rel=1e-12)


@pytest.mark.parametrize(
    ("counts", "phrase"),
    [
        ((5, 58, 0, 53), "comparator arm has no events"),
        ((0, 58, 5, 53), "intervention arm has no events"),
        ((0, 58, 0, 53), "neither arm has any events"),
    ],
)
def test_risk_ratio_undefined_with_zero_events(
    counts: tuple[int, int, int, int], phrase: str
) -> None:
    rr = risk_ratio(**table(*counts))
    assert isinstance(rr, Undefined)
    assert rr.method == "katz-log"
    assert phrase in rr.reason


def test_risk_ratio_all_events_in_both_arms_is_one() -> None:
    rr = risk_ratio(**table(10, 10, 20, 20))
    assert rr == Interval(1.0, 1.0, 1.0, 0.95, "katz-log")


def test_odds_ratio_woolf_by_hand() -> None:
    a, b, c, d = 14, 58 - 14, 5, 53 - 5
    or_hand = (14 * 48) / (44 * 5)
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    result = odds_ratio(**table(14, 58, 5, 53))
    assert isinstance(result, Interval)
    assert result.value == pytest.approx(or_hand, rel=1e-12)
    assert round(result.value, 4) == 3.0545
    assert result.lower == pytest.approx(math.exp(math.log(or_hand) - Z95 * se), rel=1e-12)
    assert result.upper == pytest.approx(math.exp(math.log(or_hand) + Z95 * se), rel=1e-12)
    assert result.method == "woolf-log"


@pytest.mark.parametrize(
    ("counts", "named", "not_named"),
    [
        ((5, 58, 0, 53), ["comparator events"], ["intervention events", "non-events"]),
        ((58, 58, 5, 53), ["intervention non-events"], ["comparator"]),
        (
            (0, 10, 20, 20),
            ["intervention events", "comparator non-events"],
            ["intervention non-events", "comparator events"],
        ),
    ],
)
def test_odds_ratio_undefined_names_zero_cells(
    counts: tuple[int, int, int, int], named: list[str], not_named: list[str]
) -> None:
    result = odds_ratio(**table(*counts))
    assert isinstance(result, Undefined)
    assert result.method == "woolf-log"
    for name in named:
        assert name in result.reason
    for name in not_named:
        assert name not in result.reason


# --------------------------------------------------------------------------- P from a CI


def test_wald_p_rescue_icas_mrs() -> None:
    p = wald_p_from_ci(estimate=1.10, lower=0.62, upper=1.96)
    se = (math.log(1.96) - math.log(0.62)) / (2 * Z95)
    assert p.value == pytest.approx(2 * (1 - 0.5 * (1 + math.erf(math.log(1.1) / se / 2**0.5))))
    assert p.value == pytest.approx(0.745, abs=5e-4)
    assert round(p.value, 2) == 0.75
    assert p.method == "wald-from-ci"


def test_wald_p_retrospective_hazard_ratio() -> None:
    assert round(wald_p_from_ci(estimate=0.54, lower=0.11, upper=2.5).value, 2) == 0.44


def test_wald_p_estimate_of_one_is_one() -> None:
    assert wald_p_from_ci(estimate=1.0, lower=0.5, upper=2.0).value == 1.0


def test_wald_p_range_rescue_icas_restenosis_disagrees_with_printed() -> None:
    low, high = wald_p_range_from_ci(
        estimate=(3.65, 3.75), lower=(1.145, 1.155), upper=(11.975, 11.985)
    )
    assert low == pytest.approx(0.027, abs=1e-3)
    assert high == pytest.approx(0.031, abs=1e-3)
    point = wald_p_from_ci(estimate=3.7, lower=1.15, upper=11.98).value
    assert low <= point <= high
    # A printed P of 0.02 means a true value in [0.015, 0.025): entirely below the range.
    assert low > 0.025


def test_wald_p_range_retrospective_hazard_ratio_agrees_with_printed() -> None:
    low, high = wald_p_range_from_ci(
        estimate=(0.495, 0.505), lower=(0.165, 0.175), upper=(1.45, 1.55)
    )
    assert low <= 0.22 <= high


def test_wald_p_range_estimate_straddling_one_reaches_one() -> None:
    low, high = wald_p_range_from_ci(estimate=(0.95, 1.05), lower=(0.45, 0.55), upper=(1.95, 2.05))
    assert high == 1.0
    assert 0.0 < low < 1.0


def test_wald_p_range_degenerate_point_boxes_equal_point_p() -> None:
    low, high = wald_p_range_from_ci(estimate=(1.1, 1.1), lower=(0.62, 0.62), upper=(1.96, 1.96))
    point = wald_p_from_ci(estimate=1.1, lower=0.62, upper=1.96).value
    assert low == pytest.approx(point, abs=1e-15)
    assert high == pytest.approx(point, abs=1e-15)


def test_wald_p_range_skips_infeasible_corners() -> None:
    # Overlapping boxes: estimates below 1.10 cannot sit above a lower limit of 1.10.
    low, high = wald_p_range_from_ci(estimate=(1.05, 1.15), lower=(1.10, 1.15), upper=(2.0, 2.1))
    assert 0.0 <= low <= high <= 1.0
    assert high == pytest.approx(wald_p_from_ci(estimate=1.10, lower=1.10, upper=2.1).value)


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"estimate": 1.0, "lower": 0.0, "upper": 2.0}, "lower"),
        ({"estimate": 3.0, "lower": 0.5, "upper": 2.0}, "estimate"),
        ({"estimate": 0.4, "lower": 0.5, "upper": 2.0}, "estimate"),
        ({"estimate": 1.0, "lower": 1.0, "upper": 1.0}, "lower"),
        ({"estimate": 1.0, "lower": 0.5, "upper": 2.0, "confidence": 1.0}, "confidence"),
        ({"estimate": math.nan, "lower": 0.5, "upper": 2.0}, "estimate"),
    ],
)
def test_wald_p_rejects_bad_input(kwargs: dict[str, float], argument: str) -> None:
    with pytest.raises(ValueError, match=argument):
        wald_p_from_ci(**kwargs)


def test_wald_p_range_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="estimate"):
        wald_p_range_from_ci(estimate=(1.2, 1.1), lower=(0.5, 0.6), upper=(2.0, 2.1))
    with pytest.raises(ValueError, match="lower"):
        wald_p_range_from_ci(estimate=(1.0, 1.1), lower=(0.0, 0.6), upper=(2.0, 2.1))
    with pytest.raises(ValueError, match="satisfy"):
        wald_p_range_from_ci(estimate=(1.0, 1.1), lower=(1.5, 1.6), upper=(2.0, 2.1))


# --------------------------------------------------------------------------- Kaplan-Meier


def test_km_difference_retrospective_two_year_survival() -> None:
    result = km_difference(
        intervention_survival=0.92,
        intervention_se=0.04,
        comparator_survival=0.89,
        comparator_se=0.05,
    )
    se = math.sqrt(0.0016 + 0.0025)
    assert round(se, 5) == 0.06403
    assert result.value == pytest.approx(0.03, abs=1e-12)
    assert round(result.lower, 4) == round(0.03 - 1.959964 * se, 4) == -0.0955
    assert round(result.upper, 4) == round(0.03 + 1.959964 * se, 4) == 0.1555
    assert result.method == "km-difference-normal"


def test_km_difference_p() -> None:
    p = km_difference_p(
        intervention_survival=0.92,
        intervention_se=0.04,
        comparator_survival=0.89,
        comparator_se=0.05,
    )
    z = 0.03 / math.sqrt(0.0041)
    assert p.value == pytest.approx(math.erfc(z / math.sqrt(2)), abs=1e-12)
    assert round(p.value, 2) == 0.64
    assert p.method == "km-difference-normal"


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"intervention_survival": 1.2}, "intervention_survival"),
        ({"comparator_survival": -0.1}, "comparator_survival"),
        ({"intervention_se": 0.0}, "intervention_se"),
        ({"comparator_se": -0.01}, "comparator_se"),
        ({"comparator_se": math.inf}, "comparator_se"),
        ({"intervention_survival": True}, "intervention_survival"),
    ],
)
def test_km_difference_rejects_bad_input(kwargs: dict[str, Any], argument: str) -> None:
    base: dict[str, Any] = {
        "intervention_survival": 0.92,
        "intervention_se": 0.04,
        "comparator_survival": 0.89,
        "comparator_se": 0.05,
    }
    with pytest.raises(ValueError, match=argument):
        km_difference(**(base | kwargs))
    with pytest.raises(ValueError, match=argument):
        km_difference_p(**(base | kwargs))


# --------------------------------------------------------------------------- number needed to treat


def test_nnt_significant_harm() -> None:
    rd = risk_difference(**table(14, 58, 5, 53))
    nnt = number_needed_to_treat(rd, event="harmful")
    assert nnt.kind == "NNTH"
    assert nnt.value == pytest.approx(1 / rd.value)
    assert nnt.lower == pytest.approx(1 / rd.upper)
    assert nnt.upper == pytest.approx(1 / rd.lower)
    assert not nnt.spans_infinity
    assert nnt.text == "NNTH 7 (95% CI NNTH 4 to 195)"
    assert nnt.method == "altman-1998"


def test_nnt_beneficial_event_flips_direction() -> None:
    rd = risk_difference(**table(14, 58, 5, 53))
    nnt = number_needed_to_treat(rd, event="beneficial")
    assert nnt.kind == "NNTB"
    assert nnt.text == "NNTB 7 (95% CI NNTB 4 to 195)"


def test_nnt_spanning_zero() -> None:
    rd = risk_difference(**table(14, 58, 6, 53))
    assert rd.lower < 0 < rd.upper
    nnt = number_needed_to_treat(rd, event="harmful")
    assert nnt.kind == "NNTH"
    assert nnt.spans_infinity
    assert nnt.lower == pytest.approx(1 / -rd.lower)  # benefit side
    assert nnt.upper == pytest.approx(1 / rd.upper)  # harm side
    assert nnt.text == "NNTH 8 (95% CI NNTB 59 to ∞ to NNTH 4)"
    flipped = number_needed_to_treat(rd, event="beneficial")
    assert flipped.kind == "NNTB"
    assert flipped.text == "NNTB 8 (95% CI NNTB 4 to ∞ to NNTH 59)"


def test_nnt_altman_1998_example_quoted_by_newcombe() -> None:
    # ARR (benefit) of 10% with CI -5% to +25%: benefit side 0.25, harm side 0.05.
    arr = Interval(0.10, -0.05, 0.25, 0.95, "newcombe-hybrid-score")
    nnt = number_needed_to_treat(arr, event="beneficial")
    assert nnt.kind == "NNTB"
    assert nnt.lower == 4.0
    assert nnt.upper == pytest.approx(20.0)
    assert "NNTB 4 to ∞ to NNTH 20" in nnt.text
    assert nnt.text == "NNTB 10 (95% CI NNTB 4 to ∞ to NNTH 20)"
    # The same data framed as an increase in a harmful event's risk difference.
    rd = Interval(-0.10, -0.25, 0.05, 0.95, "newcombe-hybrid-score")
    assert number_needed_to_treat(rd, event="harmful").text == nnt.text


def test_nnt_no_difference() -> None:
    rd = risk_difference(**table(0, 10, 0, 10))
    nnt = number_needed_to_treat(rd, event="harmful")
    assert nnt.value is None
    assert nnt.kind is None
    assert nnt.spans_infinity
    assert nnt.lower == pytest.approx(1 / 0.2775327998628892)
    assert nnt.text == "No difference (NNT ∞; 95% CI NNTB 4 to ∞ to NNTH 4)"


def test_nnt_rd_limit_exactly_zero_is_none() -> None:
    nnt = number_needed_to_treat(Interval(0.1, 0.0, 0.25, 0.90, "x"), event="harmful")
    assert nnt.lower is None
    assert nnt.upper == 4.0
    assert nnt.text == "NNTH 10 (90% CI ∞ to NNTH 4)"


def test_nnt_rounds_up_but_ignores_float_noise() -> None:
    noisy = 0.3 - 0.25  # 0.04999999999999999, so 1/noisy is just above 20
    assert 1 / noisy > 20
    nnt = number_needed_to_treat(Interval(noisy, noisy, 0.3, 0.95, "x"), event="harmful")
    assert nnt.text == "NNTH 20 (95% CI NNTH 4 to 20)"
    nnt = number_needed_to_treat(Interval(0.15, 0.11, 0.3, 0.95, "x"), event="harmful")
    assert nnt.text == "NNTH 7 (95% CI NNTH 4 to 10)"


def test_nnt_confidence_label() -> None:
    rd = risk_difference(**table(21, 58, 8, 53), confidence=0.975)
    assert "(97.5% CI NNTH" in number_needed_to_treat(rd, event="harmful").text


@pytest.mark.parametrize(
    "difference",
    [
        Interval(0.1, 0.2, 0.3, 0.95, "x"),
        Interval(0.1, -1.5, 0.3, 0.95, "x"),
        Interval(math.nan, 0.0, 0.3, 0.95, "x"),
        Interval(0.1, 0.0, 0.3, 1.0, "x"),
    ],
)
def test_nnt_rejects_malformed_interval(difference: Interval) -> None:
    with pytest.raises(ValueError, match=r"difference|confidence"):
        number_needed_to_treat(difference, event="harmful")


def test_nnt_rejects_unknown_event() -> None:
    with pytest.raises(ValueError, match="event"):
        number_needed_to_treat(Interval(0.1, 0.0, 0.3, 0.95, "x"), event="neutral")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- validation

TABLE_FUNCTIONS = [risk_difference, risk_ratio, odds_ratio, fisher_exact]


@pytest.mark.parametrize("function", TABLE_FUNCTIONS)
@pytest.mark.parametrize(
    ("counts", "message"),
    [
        ((6, 5, 1, 5), "intervention_events must not exceed intervention_total"),
        ((1, 5, 6, 5), "comparator_events must not exceed comparator_total"),
        ((-1, 5, 1, 5), "intervention_events must not be negative"),
        ((1, 5, 1, -5), "comparator_total must not be negative"),
        ((0, 0, 1, 5), "intervention_total must be at least 1"),
        ((True, 5, 1, 5), "intervention_events must be an integer"),
        ((1, 5.0, 1, 5), "intervention_total must be an integer"),
        ((1, 5, 1.5, 5), "comparator_events must be an integer"),
    ],
)
def test_table_functions_reject_invalid_counts(
    function: Any, counts: tuple[Any, Any, Any, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        function(**table(*counts))


@pytest.mark.parametrize("function", [risk_difference, risk_ratio, odds_ratio])
@pytest.mark.parametrize("confidence", [1.0, 0.5, 0.0, 95, -0.95, math.nan, True])
def test_table_functions_reject_invalid_confidence(function: Any, confidence: Any) -> None:
    with pytest.raises(ValueError, match="confidence"):
        function(**table(5, 10, 5, 10), confidence=confidence)


@pytest.mark.parametrize("function", [proportion, wilson])
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"events": 6, "total": 5}, "events must not exceed total"),
        ({"events": -1, "total": 5}, "events must not be negative"),
        ({"events": 0, "total": 0}, "total must be at least 1"),
        ({"events": False, "total": 5}, "events must be an integer"),
        ({"events": 1, "total": 5.0}, "total must be an integer"),
        ({"events": 1, "total": 5, "confidence": 1.0}, "confidence"),
    ],
)
def test_proportion_functions_reject_invalid_input(
    function: Any, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        function(**kwargs)


def test_counts_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        risk_difference(5, 10, 5, 10)  # type: ignore[misc]
    with pytest.raises(TypeError):
        proportion(5, 10)  # type: ignore[misc]


def test_numpy_integers_are_accepted_and_results_are_plain_floats() -> None:
    np = pytest.importorskip("numpy")
    rd = risk_difference(**table(np.int64(14), np.int64(58), np.int32(5), np.int64(53)))
    assert rd == risk_difference(**table(14, 58, 5, 53))
    for result in (
        proportion(events=np.int64(5), total=np.int64(53)),
        wilson(events=5, total=53),
        rd,
        risk_ratio(**table(14, 58, 5, 53)),
        odds_ratio(**table(14, 58, 5, 53)),
        fisher_exact(**table(14, 58, 5, 53)),
        wald_p_from_ci(estimate=1.1, lower=0.62, upper=1.96),
    ):
        assert_plain_and_finite(result)


def test_results_are_frozen() -> None:
    result = proportion(events=1, total=2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.value = 0.0  # type: ignore[misc]
    assert not hasattr(result, "__dict__")


# --------------------------------------------------------------------------- properties


@st.composite
def arms(draw: st.DrawFn) -> tuple[int, int]:
    """Draw one arm as (events, total)."""
    total = draw(st.integers(min_value=1, max_value=500))
    return draw(st.integers(min_value=0, max_value=total)), total


tables = st.tuples(arms(), arms()).map(lambda t: (t[0][0], t[0][1], t[1][0], t[1][1]))
confidences = st.sampled_from([0.8, 0.9, 0.95, 0.99])


@FAST
@given(arm=arms(), confidence=confidences)
def test_property_proportion_intervals(arm: tuple[int, int], confidence: float) -> None:
    events, total = arm
    for result in (
        proportion(events=events, total=total, confidence=confidence),
        wilson(events=events, total=total, confidence=confidence),
    ):
        assert_plain_and_finite(result)
        assert 0.0 <= result.lower <= result.value <= result.upper <= 1.0
        assert result.confidence == confidence


@FAST
@given(counts=tables, confidence=confidences)
def test_property_risk_difference(counts: tuple[int, int, int, int], confidence: float) -> None:
    a, n1, c, n2 = counts
    rd = risk_difference(**table(a, n1, c, n2), confidence=confidence)
    assert_plain_and_finite(rd)
    assert -1.0 <= rd.lower <= rd.value <= rd.upper <= 1.0
    swapped = risk_difference(**table(c, n2, a, n1), confidence=confidence)
    assert swapped.value == pytest.approx(-rd.value, abs=1e-12)
    assert swapped.lower == pytest.approx(-rd.upper, abs=1e-12)
    assert swapped.upper == pytest.approx(-rd.lower, abs=1e-12)


@FAST
@given(counts=tables)
def test_property_ratios_and_fisher_never_raise(counts: tuple[int, int, int, int]) -> None:
    for function in (risk_ratio, odds_ratio):
        result = function(**table(*counts))
        if isinstance(result, Undefined):
            assert result.reason
        else:
            assert_plain_and_finite(result)
            assert 0.0 < result.lower <= result.value <= result.upper
    p = fisher_exact(**table(*counts))
    assert isinstance(p, PValue)
    assert_plain_and_finite(p)
    assert 0.0 <= p.value <= 1.0


@FAST
@given(counts=tables, event=st.sampled_from(["harmful", "beneficial"]))
def test_property_nnt(counts: tuple[int, int, int, int], event: Any) -> None:
    rd = risk_difference(**table(*counts))
    nnt = number_needed_to_treat(rd, event=event)
    assert isinstance(nnt, NNT)
    assert_plain_and_finite(nnt, allow_none=True)
    assert "nan" not in nnt.text.lower()
    harmful = event == "harmful"
    if rd.value == 0:
        assert nnt.value is None
        assert nnt.kind is None
        assert nnt.text.startswith("No difference")
    else:
        assert nnt.value == pytest.approx(1 / abs(rd.value))
        assert nnt.kind == ("NNTH" if (rd.value > 0) == harmful else "NNTB")
        assert nnt.text.startswith(nnt.kind)
    assert nnt.spans_infinity == (rd.lower <= 0 <= rd.upper)
    if not nnt.spans_infinity:
        assert nnt.lower is not None
        assert nnt.upper is not None
        assert nnt.lower <= nnt.upper
        assert nnt.value is not None
        assert nnt.lower <= nnt.value * (1 + 1e-12)
        assert nnt.value <= nnt.upper * (1 + 1e-12)


@FAST
@given(
    s1=st.floats(0, 1),
    s2=st.floats(0, 1),
    se1=st.floats(1e-4, 0.5),
    se2=st.floats(1e-4, 0.5),
)
def test_property_km(s1: float, s2: float, se1: float, se2: float) -> None:
    kw = {
        "intervention_survival": s1,
        "intervention_se": se1,
        "comparator_survival": s2,
        "comparator_se": se2,
    }
    interval = km_difference(**kw)
    assert_plain_and_finite(interval)
    assert interval.lower <= interval.value <= interval.upper
    p = km_difference_p(**kw)
    assert_plain_and_finite(p)
    assert 0.0 <= p.value <= 1.0
    if abs(p.value - 0.05) > 1e-9:
        assert (p.value < 0.05) == (interval.lower > 0 or interval.upper < 0)


@FAST
@given(
    log_est=st.floats(-3, 3),
    log_half_width=st.floats(0.01, 3),
    shift=st.floats(0, 1),
    confidence=confidences,
)
def test_property_wald_p_from_symmetric_ci(
    log_est: float, log_half_width: float, shift: float, confidence: float
) -> None:
    # A CI built symmetrically on the log scale around the estimate.
    est = math.exp(log_est)
    lower = math.exp(log_est - log_half_width)
    upper = math.exp(log_est + log_half_width)
    p = wald_p_from_ci(estimate=est, lower=lower, upper=upper, confidence=confidence)
    assert_plain_and_finite(p)
    assert 0.0 <= p.value <= 1.0
    excludes_one = lower > 1 or upper < 1
    alpha = 1 - confidence
    if abs(math.log(lower)) > 1e-6 and abs(math.log(upper)) > 1e-6:
        assert (p.value < alpha) == excludes_one
    low, high = wald_p_range_from_ci(
        estimate=(est * (1 - 0.01 * shift), est * (1 + 0.01 * shift)),
        lower=(lower * (1 - 0.01 * shift), lower),
        upper=(upper, upper * (1 + 0.01 * shift)),
        confidence=confidence,
    )
    assert 0.0 <= low <= p.value * (1 + 1e-9) + 1e-15
    assert p.value <= high * (1 + 1e-9) + 1e-15
    assert high <= 1.0


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 400).flatmap(lambda n1: st.tuples(st.integers(0, n1), st.just(n1))),
    st.integers(1, 400).flatmap(lambda n2: st.tuples(st.integers(0, n2), st.just(n2))),
)
def test_fisher_and_chi_square_agree_with_scipy_stats(
    first: tuple[int, int], second: tuple[int, int]
) -> None:
    # The app computes these itself on scipy.special (a third of scipy.stats' import time);
    # scipy.stats' fisher_exact and chi2_contingency, another implementation, give the same P.
    (a, n1), (c, n2) = first, second
    cells = [[a, n1 - a], [c, n2 - c]]
    expected = min(1.0, float(scipy_stats.fisher_exact(cells).pvalue))
    assert fisher_exact(**table(a, n1, c, n2)).value == pytest.approx(expected, rel=1e-9)
    if 0 < a + c < n1 + n2:
        for yates in (False, True):
            found = chi_square(**table(a, n1, c, n2), yates=yates).value
            scipy_p = scipy_stats.chi2_contingency(cells, correction=yates).pvalue
            assert found == pytest.approx(min(1.0, float(scipy_p)), rel=1e-9, abs=1e-300)


# R 4.x, base stats (independent of SciPy):
#   m <- matrix(c(a, n1 - a, c, n2 - c), 2, byrow = TRUE)
#   fisher.test(m)$p.value; chisq.test(m, correct = FALSE)$p.value; chisq.test(m, correct = TRUE)$p.value
# printed with sprintf("%.15g"), for the seed studies' and the landmark trials' tables.
R_TESTS = [
    (14, 95, 4, 98, 0.0129751307440639, 0.0109328321209789, 0.0216027429658277),
    (15, 111, 1, 83, 0.0013597592377455, 0.00204583850327238, 0.0048062547313722),
    (5, 58, 0, 53, 0.0581423792432967, 0.0287172711289908, 0.083765881250451),
    (33, 224, 13, 227, 0.00172340842105705, 0.00158051189700559, 0.0026655513536404),
    (14, 176, 13, 181, 0.842889903726715, 0.782633148802954, 0.939656732015144),
    (9, 176, 4, 181, 0.166469278432865, 0.14311267893795, 0.237313779025303),
    (52, 224, 34, 227, 0.0307849746885033, 0.0260014160598273, 0.0351763129682809),
]


@pytest.mark.parametrize("row", R_TESTS, ids=lambda r: f"{r[0]}/{r[1]} vs {r[2]}/{r[3]}")
def test_fisher_and_chi_square_match_r(row: tuple[int, int, int, int, float, float, float]) -> None:
    a, n1, c, n2, fisher_p, pearson_p, yates_p = row
    assert fisher_exact(**table(a, n1, c, n2)).value == pytest.approx(fisher_p, rel=1e-9)
    assert chi_square(**table(a, n1, c, n2)).value == pytest.approx(pearson_p, rel=1e-9)
    assert chi_square(**table(a, n1, c, n2), yates=True).value == pytest.approx(yates_p, rel=1e-9)
