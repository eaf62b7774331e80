"""Significance tests for a two-arm table: Fisher's exact test and Pearson's chi-square test.

Written out over scipy.special rather than taken from scipy.stats (whose import is most of the app's
start-up); tests/test_stats.py checks both against R's fisher.test and chisq.test and against
scipy.stats on random tables.
"""

from __future__ import annotations

import math

from scipy import special as _special

from app.analysis.stats import PValue, _check_table

__all__ = ["chi_square", "fisher_exact"]


def fisher_exact(
    *,
    intervention_events: int,
    intervention_total: int,
    comparator_events: int,
    comparator_total: int,
) -> PValue:
    """Compute the two-sided Fisher exact test P value for a two-arm table.

    P = sum of hypergeometric probabilities of all tables with the observed margins that are no
    more likely than the observed table (relative tolerance 1e-7, as R's fisher.test and
    scipy.stats.fisher_exact with alternative="two-sided"; checked against both in the tests).
    Reference: Fisher RA. J R Stat Soc 1922;85:87-94; Agresti A. Stat Sci 1992;7:131-53.
    """
    a, n1, c, n2 = _check_table(
        intervention_events, intervention_total, comparator_events, comparator_total
    )
    events, total = a + c, n1 + n2
    low, high = max(0, events - n2), min(n1, events)
    if low == high:  # one table has these margins
        return PValue(1.0, "fisher-exact")

    def log_probability(k: int) -> float:
        # Hypergeometric: C(n1, k) C(n2, events - k) / C(total, events), from log-gamma.
        return _log_choose(n1, k) + _log_choose(n2, events - k) - _log_choose(total, events)

    # "No more likely" with the relative tolerance R's fisher.test and SciPy use (1 + 1e-7).
    cut = log_probability(a) + math.log1p(1e-7)
    logs = (log_probability(k) for k in range(low, high + 1))
    # Summing the tail can overshoot 1 by an ulp.
    return PValue(min(1.0, math.fsum(math.exp(x) for x in logs if x <= cut)), "fisher-exact")


def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def chi_square(
    *,
    intervention_events: int,
    intervention_total: int,
    comparator_events: int,
    comparator_total: int,
    yates: bool = False,
) -> PValue:
    """Compute the Pearson chi-square test P value (1 df) for a two-arm table.

    X^2 = sum (O - E)^2 / E over the four cells, E = row total x column total / N; with Yates'
    correction each |O - E| is reduced by 0.5, to no less than 0 (as scipy.stats.chi2_contingency).
    Used only to explain a published P that Fisher's exact test does not reproduce. Reference:
    Pearson K. Philos Mag 1900;50:157-75; Yates F. J R Stat Soc Suppl 1934;1:217-35. A table with
    an empty margin has no test; P is then 1.0.
    """
    a, n1, c, n2 = _check_table(
        intervention_events, intervention_total, comparator_events, comparator_total
    )
    if a + c in (0, n1 + n2):
        return PValue(1.0, "chi-square-yates" if yates else "chi-square")
    total, events = n1 + n2, a + c
    statistic = 0.0
    for observed, row, column in (
        (a, n1, events),
        (n1 - a, n1, total - events),
        (c, n2, events),
        (n2 - c, n2, total - events),
    ):
        expected = row * column / total
        gap = abs(observed - expected)
        # Yates moves each count half a unit towards its expectation, never past it.
        gap = max(gap - 0.5, 0.0) if yates else gap
        statistic += gap * gap / expected
    # P(chi-square with 1 df > X^2), the function scipy.stats.chi2.sf calls.
    p = float(_special.chdtrc(1, statistic))
    return PValue(min(1.0, p), "chi-square-yates" if yates else "chi-square")
