"""Meta-analysis of two-arm binary results: Mantel-Haenszel and DerSimonian-Laird pooling.

`pool` combines studies' two-by-two tables into one risk ratio, odds ratio or risk difference
(intervention vs comparator) the way R's metafor 3.8-1 does with its defaults:

- ``model="fixed"``: ``rma.mh(ai, bi, ci, di, measure=...)``. The pooled estimate uses the raw
  counts (no correction: rma.mh's default add=c(1/2, 0), to=c("only0", "none"),
  drop00=c(TRUE, FALSE)). Each study's own estimate, the heterogeneity Q and the per-study
  intervals use the study's table with 0.5 added to every cell when a cell is 0; a study with no
  events in either arm, or only events in both, has no estimate of its own (metafor's drop00) and
  is left out of Q, though under the risk difference it still carries Mantel-Haenszel weight.
  Weights are the Mantel-Haenszel weights (metafor's ``weights.rma.mh``).
- ``model="random"``: ``rma(ai=, bi=, ci=, di=, measure=..., method="DL")`` and, with
  ``adjustment="hartung-knapp"``, ``test="knha"``, or with ``adjustment="hartung-knapp-truncated"``,
  ``test="adhoc"`` (the modified Knapp-Hartung method, whose scale factor is never below 1, so its
  interval is never narrower than DerSimonian-Laird's): inverse-variance pooling on the log scale for
  ratios, every study kept (drop00=FALSE), 0.5 added to every cell of a study with a zero cell.

Ratios are returned on the natural scale; tau^2 stays on the analysis scale (log for ratios);
I^2 and weights are percentages. Plain Python floats only. Invalid input raises ValueError naming
the argument; a set of tables from which the estimate cannot be computed raises `PoolingError`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Literal, get_args

from scipy import special as _special  # not scipy.stats: see app/analysis/stats.py

__all__ = [
    "ADJUSTMENTS",
    "MEASURES",
    "MODELS",
    "Adjustment",
    "Heterogeneity",
    "Measure",
    "Model",
    "Pooled",
    "PoolingError",
    "StudyResult",
    "TwoArm",
    "pool",
]

Measure = Literal["risk_ratio", "risk_difference", "odds_ratio"]
Model = Literal["fixed", "random"]
Adjustment = Literal["hartung-knapp", "hartung-knapp-truncated"]
MEASURES: tuple[str, ...] = get_args(Measure)
MODELS: tuple[str, ...] = get_args(Model)
ADJUSTMENTS: tuple[str, ...] = get_args(Adjustment)

# The value added to every cell of a table with a zero cell (metafor's add=1/2, to="only0").
ZERO_CELL_ADD = 0.5
# metafor sets the Knapp-Hartung scale factor to 0 when the weighted residual sum of squares is
# at most R's .Machine$double.eps.
_DOUBLE_EPS = 2.220446049250313e-16
_NAMES = {
    "risk_ratio": "risk ratio",
    "risk_difference": "risk difference",
    "odds_ratio": "odds ratio",
}
_TEST = {"hartung-knapp": ', test="knha"', "hartung-knapp-truncated": ', test="adhoc"'}
_MH_VARIANCE = {
    "risk_ratio": "Greenland-Robins",
    "odds_ratio": "Robins-Breslow-Greenland",
    "risk_difference": "Sato-Greenland-Robins",
}


class PoolingError(ValueError):
    """Valid tables from which the requested pooled estimate cannot be computed, and why."""


@dataclass(frozen=True, slots=True)
class TwoArm:
    """One study's two-arm binary result: events out of total in each arm, and its label."""

    label: str
    intervention_events: int
    intervention_total: int
    comparator_events: int
    comparator_total: int

    def __post_init__(self) -> None:
        """Refuse counts that are not a valid table, naming the field."""
        if not isinstance(self.label, str):
            raise ValueError(f"label must be a string, got {self.label!r}")
        for arm in ("intervention", "comparator"):
            events, total = (
                getattr(self, f"{arm}_events"),
                getattr(self, f"{arm}_total"),
            )
            for name, value, low in (
                (f"{arm}_events", events, 0),
                (f"{arm}_total", total, 1),
            ):
                # bool is an Integral subclass, but True as a count is always a caller bug.
                if isinstance(value, bool) or not isinstance(value, Integral):
                    raise ValueError(f"{name} must be an integer, got {value!r}")
                if value < low:
                    raise ValueError(f"{name} must be at least {low}, got {value}")
            if events > total:
                raise ValueError(f"{arm}_events must not exceed {arm}_total")

    def cells(self) -> tuple[int, int, int, int]:
        """Return (a, b, c, d): intervention events and non-events, comparator events, non-events."""
        a, c = int(self.intervention_events), int(self.comparator_events)
        return a, int(self.intervention_total) - a, c, int(self.comparator_total) - c


@dataclass(frozen=True, slots=True)
class StudyResult:
    """One study's own estimate (natural scale), its interval and its weight in the pool (%)."""

    label: str
    estimate: float | None
    ci: tuple[float, float] | None
    weight: float
    # True when 0.5 was added to every cell because one was 0.
    corrected: bool


@dataclass(frozen=True, slots=True)
class Heterogeneity:
    """Cochran's Q with its df and P, I^2 (%) and tau^2 (analysis scale; 0 in the fixed model)."""

    q: float
    df: int
    p_value: float
    i2: float
    tau2: float


@dataclass(frozen=True, slots=True)
class Pooled:
    """A pooled estimate (natural scale) with its interval, P, heterogeneity and studies."""

    measure: Measure
    model: Model
    adjustment: Adjustment | None
    confidence: float
    estimate: float
    ci: tuple[float, float]
    p_value: float
    # Standard error on the analysis scale (log for ratios).
    se: float
    heterogeneity: Heterogeneity
    studies: tuple[StudyResult, ...]
    method: str


@dataclass(frozen=True, slots=True)
class _Effect:
    """A study's effect on the analysis scale with its sampling variance (None: dropped)."""

    y: float | None
    v: float | None
    corrected: bool


# --------------------------------------------------------------------------- validation


def _check_confidence(confidence: object) -> float:
    if isinstance(confidence, bool) or not isinstance(confidence, Real):
        raise ValueError(f"confidence must be a real number, got {confidence!r}")
    level = float(confidence)
    if not 0.5 < level < 1.0:
        raise ValueError(f"confidence must be strictly between 0.5 and 1, got {level!r}")
    return level


def _check_choices(measure: object, model: object, adjustment: object) -> None:
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {', '.join(MEASURES)}, got {measure!r}")
    if model not in MODELS:
        raise ValueError(f"model must be one of {', '.join(MODELS)}, got {model!r}")
    if adjustment is not None and adjustment not in ADJUSTMENTS:
        raise ValueError(
            f"adjustment must be None or one of {', '.join(ADJUSTMENTS)}, got {adjustment!r}"
        )
    if adjustment is not None and model != "random":
        raise ValueError(f"adjustment {adjustment!r} applies to the random model only")


# --------------------------------------------------------------------------- single studies


def _study_effect(study: TwoArm, measure: Measure, *, drop00: bool) -> _Effect:
    """Return a study's effect on the analysis scale and its variance (metafor's escalc).

    With a zero cell, 0.5 is added to all four cells first. RR: y = ln((a/n1)/(c/n2)),
    v = 1/a - 1/n1 + 1/c - 1/n2; OR: y = ln(ad/(bc)), v = 1/a + 1/b + 1/c + 1/d; RD:
    y = a/n1 - c/n2, v = p1(1-p1)/n1 + p2(1-p2)/n2. With ``drop00`` a table with no events in
    either arm, or only events, has none (y = v = None). Reference: Viechtbauer W. Conducting
    meta-analyses in R with the metafor package. J Stat Softw 2010;36(3):1-48 (escalc,
    add=1/2, to="only0"); Katz et al. Biometrics 1978;34:469-74; Woolf B. Ann Hum Genet
    1955;19:251-3.
    """
    a, b, c, d = study.cells()
    if drop00 and ((a == 0 and c == 0) or (b == 0 and d == 0)):
        return _Effect(None, None, False)
    corrected = 0 in (a, b, c, d)
    add = ZERO_CELL_ADD if corrected else 0.0
    fa, fb, fc, fd = a + add, b + add, c + add, d + add
    n1, n2 = fa + fb, fc + fd
    if measure == "risk_ratio":
        y = math.log(fa / n1) - math.log(fc / n2)
        v = 1.0 / fa - 1.0 / n1 + 1.0 / fc - 1.0 / n2
    elif measure == "odds_ratio":
        y = math.log(fa / fb) - math.log(fc / fd)
        v = 1.0 / fa + 1.0 / fb + 1.0 / fc + 1.0 / fd
    else:
        p1, p2 = fa / n1, fc / n2
        y = p1 - p2
        v = p1 * (1.0 - p1) / n1 + p2 * (1.0 - p2) / n2
    return _Effect(y, v, corrected)


# --------------------------------------------------------------------------- Mantel-Haenszel


def _mh_ratio(tables: Sequence[tuple[int, int, int, int]], measure: Measure) -> tuple[float, float]:
    """Return (ln estimate, SE) of the Mantel-Haenszel risk or odds ratio from raw counts.

    RR = sum(a n2/N) / sum(c n1/N); Var(ln RR) = sum(n1 n2 (a+c)/N^2 - ac/N) / (R S) with R, S
    the numerator and denominator (Greenland S, Robins JM. Biometrics 1985;41:55-68).
    OR = sum(ad/N) / sum(bc/N); Var(ln OR) = sum(PR)/(2R^2) + sum(PS + QR)/(2RS) + sum(QS)/(2S^2),
    P = (a+d)/N, Q = (b+c)/N, R = ad/N, S = bc/N (Robins J, Breslow N, Greenland S. Biometrics
    1986;42:311-23). Mantel N, Haenszel W. J Natl Cancer Inst 1959;22:719-48.
    """
    if measure == "risk_ratio":
        r = math.fsum(a * (c + d) / (a + b + c + d) for a, b, c, d in tables)
        s = math.fsum(c * (a + b) / (a + b + c + d) for a, b, c, d in tables)
        if r == 0 or s == 0:
            where = "the intervention arm" if r == 0 else "the comparator arm"
            if r == 0 and s == 0:
                where = "either arm"
            raise PoolingError(
                f"The Mantel-Haenszel risk ratio cannot be estimated: no study has events in {where}."
            )
        var = math.fsum(
            (a + b) * (c + d) * (a + c) / (a + b + c + d) ** 2 - a * c / (a + b + c + d)
            for a, b, c, d in tables
        ) / (r * s)
    else:
        parts = []
        for a, b, c, d in tables:
            n = a + b + c + d
            parts.append(((a + d) / n, (b + c) / n, a * d / n, b * c / n))
        r = math.fsum(p[2] for p in parts)
        s = math.fsum(p[3] for p in parts)
        if r == 0 or s == 0:
            # R = 0: no study has intervention events together with comparator non-events.
            pair = "events in the intervention arm and non-events in the comparator arm"
            if s == 0:
                pair = "non-events in the intervention arm and events in the comparator arm"
            raise PoolingError(
                f"The Mantel-Haenszel odds ratio cannot be estimated: no study has both {pair}."
            )
        var = 0.5 * (
            math.fsum(p * rr for p, _q, rr, _s in parts) / r**2
            + math.fsum(p * ss + q * rr for p, q, rr, ss in parts) / (r * s)
            + math.fsum(q * ss for _p, q, _r, ss in parts) / s**2
        )
    return math.log(r / s), math.sqrt(var) if var > 0 else 0.0


def _mh_difference(tables: Sequence[tuple[int, int, int, int]]) -> tuple[float, float]:
    """Return (estimate, SE) of the Mantel-Haenszel risk difference from raw counts.

    RD = sum(a n2/N - c n1/N) / sum(n1 n2/N); Var = [RD sum(c (n1/N)^2 - a (n2/N)^2
    + (n1/N)(n2/N)(n2-n1)/2) + sum(a (n2-c)/N + c (n1-a)/N)/2] / (sum n1 n2/N)^2.
    Reference: Sato T, Greenland S, Robins JM. Biometrics 1989;45:1323-4 (as metafor's rma.mh).
    """
    numerator, first, second, total = [], [], [], []
    for a, b, c, d in tables:
        n1, n2 = a + b, c + d
        n = n1 + n2
        numerator.append(a * n2 / n - c * n1 / n)
        first.append(c * (n1 / n) ** 2 - a * (n2 / n) ** 2 + (n1 / n) * (n2 / n) * (n2 - n1) / 2)
        second.append(a * (n2 - c) / n + c * (n1 - a) / n)
        total.append(n1 * n2 / n)
    weight = math.fsum(total)
    rd = math.fsum(numerator) / weight
    var = (rd * math.fsum(first) + math.fsum(second) / 2) / weight**2
    return rd, math.sqrt(var) if var > 0 else 0.0


def _mh_weights(tables: Sequence[tuple[int, int, int, int]], measure: Measure) -> list[float]:
    """Return each study's Mantel-Haenszel weight: RR c n1/N, OR bc/N, RD n1 n2/N."""
    if measure == "risk_ratio":
        return [c * (a + b) / (a + b + c + d) for a, b, c, d in tables]
    if measure == "odds_ratio":
        return [b * c / (a + b + c + d) for a, b, c, d in tables]
    return [(a + b) * (c + d) / (a + b + c + d) for a, b, c, d in tables]


# --------------------------------------------------------------------------- helpers


def _q(effects: Sequence[_Effect], centre: float) -> tuple[float, int]:
    """Return Cochran's Q = sum(w (y - centre)^2), w = 1/v, over studies with y, and its df."""
    kept = [(e.y, e.v) for e in effects if e.y is not None and e.v is not None]
    if len(kept) < 2:
        return 0.0, 0
    return max(0.0, math.fsum((y - centre) ** 2 / v for y, v in kept)), len(kept) - 1


def _chi2_p(q: float, df: int) -> float:
    # metafor: Q = 0 and P = 1 when fewer than two studies have an estimate.
    return 1.0 if df < 1 else min(1.0, float(_special.chdtrc(df, q)))


def _natural(value: float, measure: Measure) -> float:
    if measure == "risk_difference":
        return value
    # A limit beyond what a float holds (e.g. a Hartung-Knapp interval at 99.9% with 1 df) would
    # be infinity or a false 0; such an interval is refused rather than printed.
    try:
        ratio = math.exp(value)
    except OverflowError:
        ratio = math.inf
    if ratio == 0.0 or math.isinf(ratio):
        side = "above 1e308" if value > 0 else "below 1e-308"
        raise PoolingError(f"The interval is too wide to express: a limit of the ratio is {side}.")
    return ratio


def _interval(y: float, se: float, crit: float, measure: Measure) -> tuple[float, float]:
    return _natural(y - crit * se, measure), _natural(y + crit * se, measure)


def _percentages(weights: Sequence[float]) -> list[float]:
    total = math.fsum(weights)
    return [100.0 * w / total for w in weights]


def _studies(
    studies: Sequence[TwoArm],
    effects: Sequence[_Effect],
    weights: Sequence[float],
    z: float,
    measure: Measure,
) -> tuple[StudyResult, ...]:
    rows = []
    for study, effect, weight in zip(studies, effects, _percentages(weights), strict=True):
        if effect.y is None or effect.v is None:
            rows.append(StudyResult(study.label, None, None, weight, effect.corrected))
            continue
        ci = _interval(effect.y, math.sqrt(effect.v), z, measure)
        rows.append(
            StudyResult(study.label, _natural(effect.y, measure), ci, weight, effect.corrected)
        )
    return tuple(rows)


def _normal_p(y: float, se: float) -> float:
    return min(1.0, float(2.0 * _special.ndtr(-abs(y / se))))


def _percent(confidence: float) -> str:
    return f"{round(confidence * 100.0, 6):g}%"


# --------------------------------------------------------------------------- the models


def _fixed(studies: Sequence[TwoArm], measure: Measure, level: float) -> Pooled:
    """Pool with Mantel-Haenszel (metafor rma.mh defaults); see `pool`."""
    tables = [s.cells() for s in studies]
    if measure == "risk_difference":
        y, se = _mh_difference(tables)
    else:
        y, se = _mh_ratio(tables, measure)
    if not se > 0 or not math.isfinite(se):
        raise PoolingError(
            f"The Mantel-Haenszel {_NAMES[measure]} has no variance: in every study each arm has"
            " either no events or only events."
        )
    z = float(_special.ndtri(0.5 + level / 2.0))
    effects = [_study_effect(s, measure, drop00=True) for s in studies]
    q, df = _q(effects, y)
    i2 = 0.0 if df < 1 or q <= 0 else max(0.0, 100.0 * (q - df) / q)
    method = (
        f"Mantel-Haenszel fixed-effect {_NAMES[measure]} from the raw counts"
        f" ({_MH_VARIANCE[measure]} variance), {_percent(level)} normal interval and Wald P."
        " Each study's own estimate and normal interval, and Cochran's Q (inverse-variance"
        " weights, around the pooled estimate), use its table with 0.5 added to every cell when"
        " one is 0, and leave out a study with no events in either arm or only events. As R"
        " metafor rma.mh with its defaults."
    )
    return Pooled(
        measure=measure,
        model="fixed",
        adjustment=None,
        confidence=level,
        estimate=_natural(y, measure),
        ci=_interval(y, se, z, measure),
        p_value=_normal_p(y, se),
        se=se,
        heterogeneity=Heterogeneity(q, df, _chi2_p(q, df), i2, 0.0),
        studies=_studies(studies, effects, _mh_weights(tables, measure), z, measure),
        method=method,
    )


def _random(
    studies: Sequence[TwoArm],
    measure: Measure,
    adjustment: Adjustment | None,
    level: float,
) -> Pooled:
    """Pool with DerSimonian-Laird, optionally Hartung-Knapp (metafor rma, method="DL"); see `pool`."""
    effects = [_study_effect(s, measure, drop00=False) for s in studies]
    ys = [float(e.y) for e in effects if e.y is not None]
    vs = [float(e.v) for e in effects if e.v is not None]
    k = len(ys)
    w = [1.0 / v for v in vs]
    sum_w = math.fsum(w)
    fixed_mean = math.fsum(wi * yi for wi, yi in zip(w, ys, strict=True)) / sum_w
    q, df = _q(effects, fixed_mean)
    trace = sum_w - math.fsum(wi * wi for wi in w) / sum_w
    tau2 = max(0.0, (q - df) / trace)
    vt = df / trace
    i2 = 100.0 * tau2 / (vt + tau2) if tau2 > 0 else 0.0
    w_star = [1.0 / (v + tau2) for v in vs]
    sum_star = math.fsum(w_star)
    mu = math.fsum(wi * yi for wi, yi in zip(w_star, ys, strict=True)) / sum_star
    scale = _percent(level)
    if adjustment is not None:
        rss = math.fsum(wi * (yi - mu) ** 2 for wi, yi in zip(w_star, ys, strict=True))
        truncated = adjustment == "hartung-knapp-truncated"
        if rss <= _DOUBLE_EPS and not truncated:
            raise PoolingError(
                "The Hartung-Knapp interval cannot be computed: every study has the same estimate,"
                " so its variance estimate is 0."
            )
        factor = rss / (k - 1) if rss > _DOUBLE_EPS else 0.0
        if truncated:
            # Knapp & Hartung 2003: a scale factor below 1 would make the interval narrower than
            # the normal one; metafor's test="adhoc" sets it to 1.
            factor = max(1.0, factor)
        se = math.sqrt(factor / sum_star)
        crit = float(_special.stdtrit(k - 1, 0.5 + level / 2.0))
        p_value = min(1.0, float(2.0 * _special.stdtr(k - 1, -abs(mu / se))))
        name = "Truncated (modified) Hartung-Knapp" if truncated else "Hartung-Knapp"
        test = f"{name} {scale} interval and P (t distribution, {k - 1} df)"
    else:
        se = math.sqrt(1.0 / sum_star)
        crit = float(_special.ndtri(0.5 + level / 2.0))
        p_value = _normal_p(mu, se)
        test = f"{scale} normal interval and Wald P"
    scale_name = _NAMES[measure] if measure == "risk_difference" else f"log {_NAMES[measure]}"
    method = (
        f"DerSimonian-Laird random-effects inverse-variance pooling of the {scale_name}, {test}."
        " Every study's table has 0.5 added to every cell when one is 0; each study's interval is"
        f' normal. As R metafor rma(method="DL"{_TEST[adjustment] if adjustment else ""}).'
    )
    z = float(_special.ndtri(0.5 + level / 2.0))
    return Pooled(
        measure=measure,
        model="random",
        adjustment=adjustment,
        confidence=level,
        estimate=_natural(mu, measure),
        ci=_interval(mu, se, crit, measure),
        p_value=p_value,
        se=se,
        heterogeneity=Heterogeneity(q, df, _chi2_p(q, df), i2, tau2),
        studies=_studies(studies, effects, w_star, z, measure),
        method=method,
    )


def pool(
    studies: Sequence[TwoArm],
    *,
    measure: Measure,
    model: Model,
    adjustment: Adjustment | None = None,
    confidence: float = 0.95,
) -> Pooled:
    """Pool two-arm binary results into one risk ratio, odds ratio or risk difference.

    Fixed: Mantel-Haenszel from the raw counts (see `_mh_ratio`, `_mh_difference`), normal CI and
    Wald P; Q = sum(w_i (y_i - y_MH)^2), w_i = 1/v_i (`_study_effect`, drop00), I^2 =
    max(0, (Q - df)/Q), tau^2 = 0; weights are the Mantel-Haenszel weights. Random: DerSimonian-
    Laird, tau^2 = max(0, (Q - (k-1)) / (sum w - sum w^2/sum w)) with Q around the inverse-variance
    mean, w*_i = 1/(v_i + tau^2), mu = sum(w* y)/sum(w*), SE = sqrt(1/sum w*), I^2 =
    tau^2/(tau^2 + (k-1)/(sum w - sum w^2/sum w)); Hartung-Knapp: SE^2 = sum(w* (y - mu)^2) /
    ((k-1) sum w*) with t(k-1) quantiles and P (not truncated at 1, as metafor's test="knha");
    truncated Hartung-Knapp: SE^2 = max(1, sum(w* (y - mu)^2) / (k-1)) / sum w* (metafor's
    test="adhoc"; Knapp G, Hartung J. Stat Med 2003;22:2693-710; Roever C et al. BMC Med Res
    Methodol 2015;15:99).
    Per-study intervals are normal in both models. References: DerSimonian R, Laird N. Control
    Clin Trials 1986;7:177-88; Hartung J, Knapp G. Stat Med 2001;20:3875-89; Higgins JPT,
    Thompson SG. Stat Med 2002;21:1539-58; Viechtbauer W. J Stat Softw 2010;36(3):1-48.
    """
    _check_choices(measure, model, adjustment)
    level = _check_confidence(confidence)
    studies = tuple(studies)
    for index, study in enumerate(studies):
        if not isinstance(study, TwoArm):
            raise ValueError(f"studies[{index}] must be a TwoArm, got {type(study).__name__}")
    if len(studies) < 2:
        raise ValueError(f"studies must hold at least 2 studies, got {len(studies)}")
    if model == "fixed":
        return _fixed(studies, measure, level)
    return _random(studies, measure, adjustment, level)
