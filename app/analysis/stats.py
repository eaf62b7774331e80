"""Effect sizes, confidence intervals and P values for two-arm clinical comparisons.

Pure functions over counts and published summary figures: exact and score intervals for single
proportions, the Newcombe hybrid score interval for a risk difference, Katz and Woolf log intervals
for ratios, Altman's number needed to treat, the normal comparison of two
Kaplan-Meier estimates, and the P value implied by a published ratio and its confidence interval.
Fisher's exact and the chi-square tests are in app/analysis/significance.py.

Every result is a small frozen dataclass naming its method. Numbers are plain Python floats, never
NaN; infinity appears nowhere (an infinite NNT is represented by ``None``). Invalid input raises
``ValueError`` with a message naming the offending argument.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Literal

# scipy.special, not scipy.stats: the same functions (scipy.stats calls these), a third of the
# import time, which is most of the app's start-up.
from scipy import special as _special

__all__ = [
    "NNT",
    "Interval",
    "Method",
    "PValue",
    "Undefined",
    "km_difference",
    "km_difference_p",
    "number_needed_to_treat",
    "odds_ratio",
    "proportion",
    "risk_difference",
    "risk_ratio",
    "wald_p_from_ci",
    "wald_p_range_from_ci",
    "wilson",
]

Method = Literal[
    "clopper-pearson",
    "wilson-score",
    "newcombe-hybrid-score",
    "katz-log",
    "woolf-log",
    "fisher-exact",
    "altman-1998",
    "km-difference-normal",
    "wald-from-ci",
]

# Floating-point noise tolerated before rounding an NNT up, so that 1/0.05 computed as
# 20.000000000000004 displays as 20, not 21.
_CEIL_TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class Interval:
    """A point estimate with a two-sided confidence interval."""

    value: float
    lower: float
    upper: float
    confidence: float
    method: str


@dataclass(frozen=True, slots=True)
class Undefined:
    """A statistic that cannot be computed, and why."""

    method: str
    reason: str


@dataclass(frozen=True, slots=True)
class PValue:
    """A two-sided P value."""

    value: float
    method: str


@dataclass(frozen=True, slots=True)
class NNT:
    """A number needed to treat (benefit or harm) with its interval and display text."""

    value: float | None
    kind: Literal["NNTB", "NNTH"] | None
    lower: float | None
    upper: float | None
    spans_infinity: bool
    confidence: float
    text: str
    method: str = "altman-1998"


# --------------------------------------------------------------------------- validation


def _check_count(name: str, value: object) -> int:
    """Return ``value`` as an int, or raise ValueError naming ``name``."""
    # bool is an Integral subclass, but True/False as a count is always a caller bug.
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    count = int(value)
    if count < 0:
        raise ValueError(f"{name} must not be negative, got {count}")
    return count


def _check_arm(events_name: str, events: object, total_name: str, total: object) -> tuple[int, int]:
    """Return a validated (events, total) pair for one arm."""
    x = _check_count(events_name, events)
    n = _check_count(total_name, total)
    if n < 1:
        raise ValueError(f"{total_name} must be at least 1, got {n}")
    if x > n:
        raise ValueError(f"{events_name} must not exceed {total_name}")
    return x, n


def _check_real(name: str, value: object) -> float:
    """Return ``value`` as a finite float, or raise ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite, got {number!r}")
    return number


def _check_confidence(confidence: object) -> float:
    """Return a validated confidence level strictly between 0.5 and 1."""
    level = _check_real("confidence", confidence)
    if not 0.5 < level < 1.0:
        raise ValueError(f"confidence must be strictly between 0.5 and 1, got {level!r}")
    return level


def _z(confidence: float) -> float:
    """Return the two-sided standard normal critical value for ``confidence``."""
    return float(_special.ndtri(0.5 + confidence / 2.0))


def _two_sided_normal_p(z_stat: float) -> float:
    """Return 2(1 - Phi(|z|)), computed from the survival function to keep small P accurate."""
    return min(1.0, float(2.0 * _special.ndtr(-abs(z_stat))))


def _percent(confidence: float) -> str:
    """Format a confidence level as a percentage label, e.g. 0.95 -> '95%'."""
    # Rounding first hides binary noise such as 0.57 * 100 == 56.99999999999999.
    return f"{round(confidence * 100.0, 6):g}%"


# --------------------------------------------------------------------------- proportions


def proportion(*, events: int, total: int, confidence: float = 0.95) -> Interval:
    """Estimate a proportion with the exact two-sided Clopper-Pearson interval.

    p = x/n; lower = B(alpha/2; x, n-x+1), upper = B(1-alpha/2; x+1, n-x), where B is the beta
    quantile function and alpha = 1 - confidence; lower = 0 when x = 0 and upper = 1 when x = n.
    Reference: Clopper CJ, Pearson ES. Biometrika 1934;26:404-13.
    """
    x, n = _check_arm("events", events, "total", total)
    level = _check_confidence(confidence)
    alpha = 1.0 - level
    lower = 0.0 if x == 0 else float(_special.betaincinv(x, n - x + 1, alpha / 2.0))
    upper = 1.0 if x == n else float(_special.betaincinv(x + 1, n - x, 1.0 - alpha / 2.0))
    return Interval(x / n, lower, upper, level, "clopper-pearson")


def _wilson_bounds(x: int, n: int, z: float) -> tuple[float, float]:
    """Return the Wilson score limits for x events out of n."""
    p = x / n
    z2 = z * z
    centre = (x + z2 / 2.0) / (n + z2)
    half = z * math.sqrt(n) / (n + z2) * math.sqrt(p * (1.0 - p) + z2 / (4.0 * n))
    # The closed form hits 0 and 1 exactly only in exact arithmetic; pin the boundary cases so
    # that downstream differences (Newcombe) reproduce published limits such as 1.0000.
    lower = 0.0 if x == 0 else max(0.0, min(p, centre - half))
    upper = 1.0 if x == n else min(1.0, max(p, centre + half))
    return lower, upper


def wilson(*, events: int, total: int, confidence: float = 0.95) -> Interval:
    """Estimate a proportion with the Wilson score interval (no continuity correction).

    limits = (x + z^2/2 -/+ z sqrt(n) sqrt(p(1-p) + z^2/(4n))) / (n + z^2), p = x/n.
    Reference: Wilson EB. J Am Stat Assoc 1927;22:209-12; Newcombe RG. Stat Med 1998;17:857-72
    (method 3).
    """
    x, n = _check_arm("events", events, "total", total)
    level = _check_confidence(confidence)
    lower, upper = _wilson_bounds(x, n, _z(level))
    return Interval(x / n, lower, upper, level, "wilson-score")


# --------------------------------------------------------------------------- two-arm tables


def _check_table(
    intervention_events: object,
    intervention_total: object,
    comparator_events: object,
    comparator_total: object,
) -> tuple[int, int, int, int]:
    """Return validated (a, n1, c, n2) for a two-arm table."""
    a, n1 = _check_arm(
        "intervention_events",
        intervention_events,
        "intervention_total",
        intervention_total,
    )
    c, n2 = _check_arm("comparator_events", comparator_events, "comparator_total", comparator_total)
    return a, n1, c, n2


def risk_difference(
    *,
    intervention_events: int,
    intervention_total: int,
    comparator_events: int,
    comparator_total: int,
    confidence: float = 0.95,
) -> Interval:
    """Estimate the risk difference (intervention - comparator) with Newcombe's hybrid score CI.

    D = p1 - p2; with (l1, u1) and (l2, u2) the Wilson score limits of each arm,
    lower = D - sqrt((p1 - l1)^2 + (u2 - p2)^2), upper = D + sqrt((u1 - p1)^2 + (p2 - l2)^2).
    Reference: Newcombe RG. Interval estimation for the difference between independent
    proportions: comparison of eleven methods. Stat Med 1998;17:873-90 (method 10).
    """
    a, n1, c, n2 = _check_table(
        intervention_events, intervention_total, comparator_events, comparator_total
    )
    level = _check_confidence(confidence)
    z = _z(level)
    p1, p2 = a / n1, c / n2
    l1, u1 = _wilson_bounds(a, n1, z)
    l2, u2 = _wilson_bounds(c, n2, z)
    d = p1 - p2
    lower = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    upper = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    # In exact arithmetic the limits lie within [-1, 1]; clip only rounding noise. The clip is
    # symmetric so swapping the arms still mirrors the interval exactly.
    return Interval(d, max(-1.0, lower), min(1.0, upper), level, "newcombe-hybrid-score")


def risk_ratio(
    *,
    intervention_events: int,
    intervention_total: int,
    comparator_events: int,
    comparator_total: int,
    confidence: float = 0.95,
) -> Interval | Undefined:
    """Estimate the risk ratio (intervention / comparator) with the Katz log interval.

    RR = (a/n1)/(c/n2); SE(ln RR) = sqrt(1/a - 1/n1 + 1/c - 1/n2); CI = exp(ln RR -/+ z SE).
    Undefined when either arm has no events. Reference: Katz D, Baptista J, Azen SP, Pike MC.
    Biometrics 1978;34:469-74.
    """
    a, n1, c, n2 = _check_table(
        intervention_events, intervention_total, comparator_events, comparator_total
    )
    level = _check_confidence(confidence)
    empty = [arm for arm, events in (("intervention", a), ("comparator", c)) if events == 0]
    if empty:
        if len(empty) == 2:
            where = "neither arm has any events"
        else:
            where = f"the {empty[0]} arm has no events"
        return Undefined(
            "katz-log",
            f"The risk ratio cannot be estimated because {where}, so its logarithm is infinite "
            "or undefined.",
        )
    rr = (a / n1) / (c / n2)
    se = math.sqrt(1.0 / a - 1.0 / n1 + 1.0 / c - 1.0 / n2)
    margin = _z(level) * se
    log_rr = math.log(rr)
    return Interval(rr, math.exp(log_rr - margin), math.exp(log_rr + margin), level, "katz-log")


def odds_ratio(
    *,
    intervention_events: int,
    intervention_total: int,
    comparator_events: int,
    comparator_total: int,
    confidence: float = 0.95,
) -> Interval | Undefined:
    """Estimate the odds ratio (intervention vs comparator) with the Woolf log interval.

    With cells a = intervention events, b = intervention non-events, c = comparator events,
    d = comparator non-events: OR = ad/(bc); SE(ln OR) = sqrt(1/a + 1/b + 1/c + 1/d);
    CI = exp(ln OR -/+ z SE). Undefined when any cell is 0. Reference: Woolf B. On estimating the
    relation between blood group and disease. Ann Hum Genet 1955;19:251-3.
    """
    a, n1, c, n2 = _check_table(
        intervention_events, intervention_total, comparator_events, comparator_total
    )
    level = _check_confidence(confidence)
    b, d = n1 - a, n2 - c
    cells = {
        "intervention events": a,
        "intervention non-events": b,
        "comparator events": c,
        "comparator non-events": d,
    }
    zero = [name for name, count in cells.items() if count == 0]
    if zero:
        noun = "cell is" if len(zero) == 1 else "cells are"
        return Undefined(
            "woolf-log",
            f"The odds ratio cannot be estimated with the Woolf method because the following "
            f"{noun} zero: {', '.join(zero)}.",
        )
    odds = (a * d) / (b * c)
    se = math.sqrt(1.0 / a + 1.0 / b + 1.0 / c + 1.0 / d)
    margin = _z(level) * se
    log_or = math.log(odds)
    return Interval(odds, math.exp(log_or - margin), math.exp(log_or + margin), level, "woolf-log")


# --------------------------------------------------------------------------- number needed to treat


def _display(number: float) -> int:
    """Round an NNT up to a whole number, ignoring floating-point noise."""
    return math.ceil(number - _CEIL_TOLERANCE)


def number_needed_to_treat(difference: Interval, *, event: Literal["harmful", "beneficial"]) -> NNT:
    """Convert a risk difference (intervention - comparator) and its CI into an NNT.

    NNT = 1/|RD|; the CI limits are 1/|RD limit|. For a harmful event RD > 0 is an NNTH and
    RD < 0 an NNTB; for a beneficial event the reverse. When the RD interval includes 0 the NNT
    interval passes through infinity: ``lower`` holds the NNTB limit and ``upper`` the NNTH limit
    (None where that RD limit is exactly 0). Displayed numbers in ``text`` are rounded UP to whole
    numbers (math.ceil, after discarding 1e-9 of floating-point noise): the project's display
    convention; the fields keep the exact floats. Reference: Altman DG. Confidence intervals for
    the number needed to treat. BMJ 1998;317:1309-12.
    """
    if not isinstance(difference, Interval):
        raise ValueError(f"difference must be an Interval, got {type(difference).__name__}")
    if event not in ("harmful", "beneficial"):
        raise ValueError(f"event must be 'harmful' or 'beneficial', got {event!r}")
    rd = _check_real("difference.value", difference.value)
    rd_lower = _check_real("difference.lower", difference.lower)
    rd_upper = _check_real("difference.upper", difference.upper)
    level = _check_confidence(difference.confidence)
    if not -1.0 <= rd_lower <= rd <= rd_upper <= 1.0:
        raise ValueError(
            "difference must satisfy -1 <= difference.lower <= difference.value "
            "<= difference.upper <= 1"
        )

    label = f"{_percent(level)} CI"
    value = None if rd == 0 else 1.0 / abs(rd)
    kind: Literal["NNTB", "NNTH"] | None = None
    if rd != 0:
        kind = "NNTH" if (rd > 0) == (event == "harmful") else "NNTB"

    if rd_lower > 0 or rd_upper < 0:
        # An interval excluding 0 contains rd, so rd != 0 and the point NNT is finite.
        point = 1.0 / abs(rd)
        near, far = sorted((1.0 / abs(rd_lower), 1.0 / abs(rd_upper)))
        text = f"{kind} {_display(point)} ({label} {kind} {_display(near)} to {_display(far)})"
        return NNT(point, kind, near, far, False, level, text)

    # The interval includes 0: one RD limit lies on the benefit side, the other on the harm side.
    if event == "harmful":
        benefit_limit, harm_limit = rd_lower, rd_upper
    else:
        benefit_limit, harm_limit = rd_upper, rd_lower
    nntb = None if benefit_limit == 0 else 1.0 / abs(benefit_limit)
    nnth = None if harm_limit == 0 else 1.0 / abs(harm_limit)
    parts: list[str] = []
    if nntb is not None:
        parts.append(f"NNTB {_display(nntb)}")
    parts.append("∞")
    if nnth is not None:
        parts.append(f"NNTH {_display(nnth)}")
    interval_text = f"{label} {' to '.join(parts)}"
    if value is None:
        text = f"No difference (NNT ∞; {interval_text})"
    else:
        text = f"{kind} {_display(value)} ({interval_text})"
    return NNT(value, kind, nntb, nnth, True, level, text)


# --------------------------------------------------------------------------- survival


def _check_km(
    intervention_survival: object,
    intervention_se: object,
    comparator_survival: object,
    comparator_se: object,
) -> tuple[float, float]:
    """Return (d, SE) for two validated Kaplan-Meier estimates."""
    s1 = _check_real("intervention_survival", intervention_survival)
    se1 = _check_real("intervention_se", intervention_se)
    s2 = _check_real("comparator_survival", comparator_survival)
    se2 = _check_real("comparator_se", comparator_se)
    for name, survival in (("intervention_survival", s1), ("comparator_survival", s2)):
        if not 0.0 <= survival <= 1.0:
            raise ValueError(f"{name} must be a fraction between 0 and 1, got {survival!r}")
    for name, se in (("intervention_se", se1), ("comparator_se", se2)):
        if se <= 0.0:
            raise ValueError(f"{name} must be greater than 0, got {se!r}")
    return s1 - s2, math.hypot(se1, se2)


def km_difference(
    *,
    intervention_survival: float,
    intervention_se: float,
    comparator_survival: float,
    comparator_se: float,
    confidence: float = 0.95,
) -> Interval:
    """Estimate the difference of two independent Kaplan-Meier estimates at one time point.

    d = S1 - S2; SE = sqrt(se1^2 + se2^2); CI = d -/+ z SE (normal approximation, not clipped to
    [-1, 1]). Survival and SEs are fractions. Reference: Klein JP, Logan B, Harhoff M, Andersen PK.
    Analyzing survival curves at a fixed point in time. Stat Med 2007;26:4505-19.
    """
    d, se = _check_km(intervention_survival, intervention_se, comparator_survival, comparator_se)
    level = _check_confidence(confidence)
    margin = _z(level) * se
    return Interval(d, d - margin, d + margin, level, "km-difference-normal")


def km_difference_p(
    *,
    intervention_survival: float,
    intervention_se: float,
    comparator_survival: float,
    comparator_se: float,
) -> PValue:
    """Compute the two-sided normal P value for the difference of two Kaplan-Meier estimates.

    z = (S1 - S2) / sqrt(se1^2 + se2^2); P = 2(1 - Phi(|z|)). Reference: Klein JP, Logan B,
    Harhoff M, Andersen PK. Stat Med 2007;26:4505-19.
    """
    d, se = _check_km(intervention_survival, intervention_se, comparator_survival, comparator_se)
    return PValue(_two_sided_normal_p(d / se), "km-difference-normal")


# --------------------------------------------------------------------------- P from a CI


def _wald_p(estimate: float, lower: float, upper: float, z: float) -> float:
    """Return the Wald P value for a ratio and its CI on the log scale (inputs pre-validated)."""
    se = (math.log(upper) - math.log(lower)) / (2.0 * z)
    return _two_sided_normal_p(math.log(estimate) / se)


def wald_p_from_ci(
    *, estimate: float, lower: float, upper: float, confidence: float = 0.95
) -> PValue:
    """Compute the P value implied by a ratio estimate and its confidence interval.

    On the log scale: SE = (ln U - ln L)/(2z); z_stat = ln(est)/SE; P = 2(1 - Phi(|z_stat|)).
    Requires 0 < lower <= estimate <= upper and lower < upper. Reference: Altman DG, Bland JM.
    How to obtain the P value from a confidence interval. BMJ 2011;343:d2304.
    """
    est = _check_real("estimate", estimate)
    lo = _check_real("lower", lower)
    hi = _check_real("upper", upper)
    level = _check_confidence(confidence)
    if lo <= 0.0:
        raise ValueError(f"lower must be greater than 0, got {lo!r}")
    if not lo <= est <= hi:
        raise ValueError("estimate must lie between lower and upper")
    if lo == hi:
        raise ValueError("lower must be less than upper: a zero-width interval implies no SE")
    return PValue(_wald_p(est, lo, hi, _z(level)), "wald-from-ci")


def _check_range(name: str, pair: object) -> tuple[float, float]:
    """Return a validated (lo, hi) rounding interval of positive numbers."""
    if not isinstance(pair, tuple) or len(pair) != 2:
        raise ValueError(f"{name} must be a (lo, hi) tuple")
    lo = _check_real(f"{name}[0]", pair[0])
    hi = _check_real(f"{name}[1]", pair[1])
    if lo <= 0.0:
        raise ValueError(f"{name} must be greater than 0, got {lo!r}")
    if lo > hi:
        raise ValueError(f"{name} must be ordered (lo <= hi)")
    return lo, hi


def wald_p_range_from_ci(
    *,
    estimate: tuple[float, float],
    lower: tuple[float, float],
    upper: tuple[float, float],
    confidence: float = 0.95,
) -> tuple[float, float]:
    """Return the (min, max) Wald P from a ratio CI over the given rounding intervals.

    P = 2(1 - Phi(|ln est| / SE)), SE = (ln U - ln L)/(2z), falls with |ln est| and L and rises
    with U, so for each candidate estimate the extremes sit at the box corners clamped to
    L <= est <= U. Candidate estimates are the ends of the estimate interval and every breakpoint
    inside it (1, where P = 1, and the ends of the L and U intervals), which makes the search
    exact. Used to judge whether a printed P agrees with a printed CI at the printed precision.
    Reference: Altman DG, Bland JM. BMJ 2011;343:d2304.
    """
    e_lo, e_hi = _check_range("estimate", estimate)
    l_lo, l_hi = _check_range("lower", lower)
    u_lo, u_hi = _check_range("upper", upper)
    z = _z(_check_confidence(confidence))

    candidates = {e_lo, e_hi}
    candidates.update(x for x in (1.0, l_lo, l_hi, u_lo, u_hi) if e_lo <= x <= e_hi)
    p_values: list[float] = []
    for est in sorted(candidates):
        # Limits compatible with this estimate: L in [l_lo, min(l_hi, est)],
        # U in [max(u_lo, est), u_hi].
        l_max, u_min = min(l_hi, est), max(u_lo, est)
        if l_lo > l_max or u_min > u_hi:
            continue
        # Widest interval (largest SE) gives the largest P; it is never zero-width here unless
        # every limit equals the estimate.
        if l_lo < u_hi:
            p_values.append(_wald_p(est, l_lo, u_hi, z))
        # Narrowest interval gives the smallest P; as its width shrinks to 0 the P tends to 0
        # (or stays 1 at est == 1, already covered above).
        if l_max < u_min:
            p_values.append(_wald_p(est, l_max, u_min, z))
        elif est != 1.0:
            p_values.append(0.0)
    if not p_values:
        raise ValueError(
            "no values inside the rounding intervals satisfy lower <= estimate <= upper"
        )
    return min(p_values), max(p_values)
