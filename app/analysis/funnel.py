"""Funnel-plot control limits: exact binomial limits around a benchmark rate, at any number of cases.

Spiegelhalter DJ. Funnel plots for comparing institutional performance. Stat Med 2005;24:1185-202
(appendix A.1.1): for n cases and benchmark rate p0, r_q is the smallest r with P(R <= r) >= q,
R ~ Binomial(n, p0); the limit is (r_q - a) / n with a = (P(R <= r_q) - q) / (P(R <= r_q) -
P(R <= r_q - 1)), which interpolates between the discrete steps so the funnel is smooth. Two-sided
95% limits use q = 0.025 and 0.975, 99.8% limits q = 0.001 and 0.999.
"""

from __future__ import annotations

from dataclasses import dataclass

# scipy.special, as app/analysis/stats.py: bdtr(k, n, p) is the binomial CDF P(R <= k).
from scipy import special as _special

# The tail probabilities of the two pairs of limits: 95% and 99.8% (Spiegelhalter's 2 and 3 SD).
QUANTILES = (0.001, 0.025, 0.975, 0.999)


def binomial_cdf(k: int, n: int, p: float) -> float:
    """P(R <= k) for R ~ Binomial(n, p); 0 below 0 and 1 from n up."""
    if k < 0:
        return 0.0
    if k >= n:
        return 1.0
    return float(_special.bdtr(k, n, p))


def binomial_quantile(q: float, n: int, p: float) -> int:
    """The smallest r with P(R <= r) >= q, R ~ Binomial(n, p) (bisection on the exact CDF)."""
    low, high = 0, n
    while low < high:
        middle = (low + high) // 2
        if binomial_cdf(middle, n, p) >= q:
            high = middle
        else:
            low = middle + 1
    return low


def control_limit(q: float, n: int, p: float) -> float:
    """Spiegelhalter's interpolated exact binomial limit (r_q - a) / n for tail probability q."""
    r = binomial_quantile(q, n, p)
    at, below = binomial_cdf(r, n, p), binomial_cdf(r - 1, n, p)
    a = (at - q) / (at - below) if at > below else 0.0
    return max(0.0, (r - a) / n)


@dataclass(frozen=True, slots=True)
class Limits:
    """The four control limits at one number of cases, as rates."""

    n: int
    lower_998: float
    lower_95: float
    upper_95: float
    upper_998: float

    def within(self, rate: float, wide: bool) -> bool:
        """Say whether a rate lies within the 99.8% (wide) or 95% limits, ends included."""
        low, high = (self.lower_998, self.upper_998) if wide else (self.lower_95, self.upper_95)
        return low <= rate <= high


def limits(n: int, p: float) -> Limits:
    """The 95% and 99.8% exact binomial control limits at n cases around the rate p."""
    low_998, low_95, high_95, high_998 = (control_limit(q, n, p) for q in QUANTILES)
    return Limits(n, low_998, low_95, high_95, high_998)


def plotted_ns(largest: int, steps: int = 48) -> tuple[int, ...]:
    """The numbers of cases a funnel is drawn at: every n to 20, then steps up to `largest`."""
    top = max(largest, 20)
    ns = set(range(5, 21))
    for k in range(steps + 1):
        ns.add(round(20 + (top - 20) * k / steps))
    return tuple(sorted(ns))
