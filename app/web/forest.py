"""Studies side by side: a forest plot drawn on the server as SVG, with its text alternative.

Two panels, risk difference (percentage points, linear axis) and risk ratio (log axis), one row per
study (a square sized by its Mantel-Haenszel weight) and diamonds for the pooled estimates: fixed
effect (Mantel-Haenszel) and random effects (DerSimonian-Laird with the truncated Hartung-Knapp
interval, never narrower than DerSimonian-Laird's), each pooled row with the heterogeneity of its
own measure. Each study row says whether this patient fits the study. Shapes and words carry the
meaning, never colour: a square is a study, a diamond a pooled estimate, a dashed line no
difference; the table beside the plot gives every figure in words.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from markupsafe import Markup, escape

from app.analysis import pooling, stats
from app.analysis.families import Group, Member
from app.contract import vocabulary
from app.engine.assess import Assessment
from app.web.certainty_view import CertaintyBlock, family_block
from app.web.formatting import difference_text, evidence_href, outcome_anchor, ratio_text

ROW = 26  # px per row
LEFT, PLOT, RIGHT = (
    74,
    200,
    10,
)  # px: row labels, plot width and right margin of one panel
TOP, AXIS = 22, 30  # px: title band above the rows, axis band below
Scale = Callable[[float], float]


@dataclass(frozen=True, slots=True)
class ForestRow:
    """One line of the plot and of its table: a study, or the pooled estimate."""

    label: str
    href: str
    counts: str  # "33/224 vs 13/227"
    difference: str
    ratio: str
    weight: str  # "" for a study when nothing is pooled
    source_note: str  # "counts from a secondary source" etc.
    pooled: bool = False
    fits: str = ""  # whether this patient fits the study: "Applies", "Outside", "Cannot be checked"
    fits_code: str = ""  # applies, outside, unknown


@dataclass(frozen=True, slots=True)
class ForestView:
    id: str
    title: str
    columns: tuple[str, str]  # the more invasive treatment, then the other
    definition: str
    timeframe: str
    comparable: str
    rows: tuple[ForestRow, ...]
    notes: tuple[str, ...]
    method: str
    difference_svg: Markup
    ratio_svg: Markup
    # The pooled estimate's (or the members') GRADE certainty for this patient.
    certainty: CertaintyBlock | None = None


def _counts_text(m: Member) -> str:
    if not m.has_counts:
        return "no counts printed"
    (a, n1), (c, n2) = m.invasive, m.other  # type: ignore[misc]
    return f"{a}/{n1} vs {c}/{n2}"


def _source_note(m: Member) -> str:
    notes = []
    if m.secondary:
        notes.append("counts from a secondary source")
    if m.derived:
        notes.append("counts derived, not printed (not pooled)")
    if m.study.design.value != "randomized_trial":
        notes.append(f"{vocabulary.DESIGNS[m.study.design.value].clinician} (not pooled)")
    return "; ".join(notes)


FITS = {"applies": "Applies", "outside": "Outside", "unknown": "Cannot be checked"}
FIXED = "Mantel-Haenszel fixed effect"
RANDOM = "DerSimonian-Laird random effects, truncated Hartung-Knapp interval"


def _weights(group: Group) -> dict[str, float]:
    """Each study's Mantel-Haenszel weight in the pooled risk ratio, in percent."""
    pooled = group.risk_ratio
    if pooled is None:
        return {}
    return {s.label: s.weight for s in pooled.studies}


def _pooled_interval(p: pooling.Pooled) -> stats.Interval:
    return stats.Interval(p.estimate, p.ci[0], p.ci[1], p.confidence, p.model)


def heterogeneity_text(p: pooling.Pooled) -> str:
    """Heterogeneity named for the measure it belongs to: 'risk ratio: I² 0%, Q 0.31 (1 df, P 0.58), τ² 0'."""
    het = p.heterogeneity
    measure = "risk ratio" if p.measure == "risk_ratio" else "risk difference"
    scale = " (log scale)" if p.measure == "risk_ratio" else ""
    tau = f"; τ²{scale} {het.tau2:.3g}" if p.model == "random" else ""
    return (
        f"Heterogeneity of the {measure}: I² {het.i2:.0f}%, Q {het.q:.2f}"
        f" ({het.df} df, P {het.p_value:.2f}){tau}"
    )


def _pooled_rows(group: Group) -> list[ForestRow]:
    rows = []
    for pooled, name in (
        (group.risk_ratio, f"Pooled risk ratio ({FIXED})"),
        (group.risk_ratio_random, f"Pooled risk ratio ({RANDOM})"),
        (group.risk_difference, f"Pooled risk difference ({FIXED})"),
        (group.risk_difference_random, f"Pooled risk difference ({RANDOM})"),
    ):
        if pooled is None:
            continue
        interval = _pooled_interval(pooled)
        ratio = pooled.measure == "risk_ratio"
        rows.append(
            ForestRow(
                label=name,
                href="",
                counts="",
                difference="" if ratio else difference_text(interval),
                ratio=ratio_text("RR", interval) if ratio else "",
                weight="",
                source_note=heterogeneity_text(pooled),
                pooled=True,
            )
        )
    # A pooled difference is shown only with its own heterogeneity and the random-effects one.
    if group.risk_difference_random is None:
        rows = [r for r in rows if not r.difference]
    return rows


def _rows(group: Group, fit: Mapping[str, str]) -> tuple[ForestRow, ...]:
    weights = _weights(group)
    rows = [
        ForestRow(
            label=m.study.short_name,
            href=evidence_href(m.study.id, outcome_anchor(m.outcome.id)),
            counts=_counts_text(m),
            difference=difference_text(m.risk_difference) if m.risk_difference else "not estimable",
            ratio=ratio_text("RR", m.risk_ratio),
            weight=f"{weights[m.study.short_name]:.1f}%" if m.study.short_name in weights else "",
            source_note=_source_note(m),
            fits=FITS[fit.get(m.study.id, "unknown")],
            fits_code=fit.get(m.study.id, "unknown"),
        )
        for m in group.members
    ]
    return (*rows, *_pooled_rows(group))


def _points(group: Group, measure: str) -> list[tuple[str, float, float, float, float | None]]:
    """(label, estimate, lower, upper, weight) on the plotted scale; weight None: a pooled diamond."""
    weights = _weights(group)
    found: list[tuple[str, float, float, float, float | None]] = []
    for m in group.members:
        interval = m.risk_difference if measure == "rd" else m.risk_ratio
        if isinstance(interval, stats.Interval):
            weight = weights.get(m.study.short_name, 0.0)
            found.append(
                (m.study.short_name, interval.value, interval.lower, interval.upper, weight)
            )
    pooled = (
        (group.risk_difference, group.risk_difference_random)
        if measure == "rd"
        else (group.risk_ratio, group.risk_ratio_random)
    )
    if measure == "rd" and group.risk_difference_random is None:
        pooled = (None, None)
    for p, label in zip(pooled, ("Fixed", "Random"), strict=True):
        if p is not None:
            found.append((label, p.estimate, p.ci[0], p.ci[1], None))
    return found


def _scale(values: Sequence[float], null: float, log: bool) -> tuple[Scale, float, float]:
    """Map a value to an x position, covering every interval and the line of no difference."""
    t: Callable[[float], float] = math.log if log else (lambda v: v)
    low, high = min(*map(t, values), t(null)), max(*map(t, values), t(null))
    pad = (high - low) * 0.05 or 1.0
    low, high = low - pad, high + pad

    def x(value: float) -> float:
        return LEFT + PLOT * (t(value) - low) / (high - low)

    return x, (math.exp(low) if log else low), (math.exp(high) if log else high)


def _svg(group: Group, measure: str) -> Markup:
    points = _points(group, measure)
    log = measure == "rr"
    null = 1.0 if log else 0.0
    title = "Risk ratio (log scale)" if log else "Risk difference (percentage points)"
    height = TOP + ROW * max(len(points), 1) + AXIS
    width = LEFT + PLOT + RIGHT
    # The accessible name says how to read the plot; the table after it gives every figure.
    parts = [
        f'<svg class="forest-plot" role="img" aria-label="{escape(title)}. {_description(log)}"'
        f' viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
        ' stroke="currentColor" fill="currentColor">',  # inline in HTML: no xmlns needed
        f'<text x="2" y="14" stroke="none">{escape(title)}</text>',
    ]
    if not points:
        parts.append("</svg>")
        return Markup("".join(parts))
    bounds = [v for p in points for v in p[1:4] if (v > 0 or not log)]
    x, low, high = _scale(bounds, null, log)
    bottom = TOP + ROW * len(points)
    parts.append(f'<path d="M{x(null):.0f} {TOP - 4}V{bottom}" stroke-dasharray="4 3"/>')
    for index, (label, estimate, lower, upper, weight) in enumerate(points):
        y = TOP + ROW * index + ROW / 2
        parts.append(f'<text x="2" y="{y + 4:.0f}" stroke="none">{escape(label)}</text>')
        lo, mid, hi = x(lower), x(estimate), x(upper)
        if weight is None:  # a diamond spanning the interval
            parts.append(
                f'<path d="M{lo:.1f} {y:.0f}L{mid:.1f} {y - 7:.0f}L{hi:.1f} {y:.0f}L{mid:.1f} {y + 7:.0f}Z"/>'
            )
            continue
        # a square on its interval, its area in proportion to the study's weight
        half = 2.0 + 5.0 * math.sqrt(weight / 100.0)
        parts.append(
            f'<path d="M{lo:.1f} {y:.0f}H{hi:.1f}M{mid - half:.1f} {y - half:.1f}'
            f'h{2 * half:.1f}v{2 * half:.1f}h{-2 * half:.1f}Z"/>'
        )
    parts.append(_axis(x, low, high, null, log, bottom))
    parts.append("</svg>")
    return Markup("".join(parts))


def _ticks(low: float, high: float, null: float, log: bool) -> list[float]:
    if log:
        candidates = [0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0]
        return [t for t in candidates if low <= t <= high]
    step = 0.05 if high - low <= 0.3 else 0.1
    first = math.ceil(low / step)
    return [round(k * step, 4) for k in range(first, math.floor(high / step) + 1)]


def _axis(x: Scale, low: float, high: float, null: float, log: bool, bottom: float) -> str:
    path = [f"M{LEFT} {bottom}H{LEFT + PLOT}"]
    labels = []
    for tick in _ticks(low, high, null, log):
        label = f"{tick:g}" if log else f"{100 * tick:+.0f}".replace("+0", "0").replace("-", "−")
        path.append(f"M{x(tick):.0f} {bottom}v4")
        labels.append(f'<text x="{x(tick):.0f}" y="{bottom + 16}">{label}</text>')
    ticks = "".join(labels)
    return f'<path d="{"".join(path)}"/><g stroke="none" text-anchor="middle">{ticks}</g>'


def _description(log: bool) -> str:
    line = "1" if log else "0"
    return (
        f"Squares: studies, sized by weight; diamonds: pooled, fixed then random effects; dashed"
        f" line at {line}: no difference. Figures below."
    )


# A group as family_groups (app/analysis/families.py) keys it: family, setting, unit, treatments.
GroupKey = tuple[str, str, str, tuple[str, str]]
Plots = Mapping[GroupKey, tuple[Markup, Markup]]


def _key(group: Group) -> GroupKey:
    return group.family.id, group.setting, group.unit, group.treatments


def prepare_plots(groups: Iterable[Group]) -> dict[GroupKey, tuple[Markup, Markup]]:
    """Draw each group's two plots once, at start-up: they show the studies' figures, no patient.

    Drawn per request they took 72 us of the all-four-options page (tests/perf/README.md).
    """
    return {_key(g): (_svg(g, "rd"), _svg(g, "rr")) for g in groups}


def forest_view(
    group: Group, index: int, plots: Plots, fit: Mapping[str, str] | None = None
) -> ForestView:
    """Everything one forest plot shows, in SVG and in words."""
    view_id = f"forest-{group.family.id}-{index}"
    first, second = group.treatments
    words = vocabulary.TREATMENTS
    return ForestView(
        id=view_id,
        title=f"{group.family.label}: {words[first].clinician} vs {words[second].clinician}",
        columns=(words[first].clinician, words[second].clinician),
        definition=group.family.definition,
        timeframe=group.family.timeframe,
        comparable=group.family.comparable,
        rows=_rows(group, fit or {}),
        notes=group.notes,
        method=(
            "From the printed counts: Newcombe 95% CI (difference), Katz (ratio). Pooled by"
            " Mantel-Haenszel (fixed effect; weights are its risk-ratio weights) and by"
            " DerSimonian-Laird (random effects) with the truncated (modified) Hartung-Knapp"
            " interval, never narrower than DerSimonian-Laird's (Knapp & Hartung 2003; metafor"
            ' test="adhoc"). Each pooled row gives the heterogeneity of its own measure.'
        ),
        difference_svg=plots[_key(group)][0],
        ratio_svg=plots[_key(group)][1],
    )


def forest_views(assessment: Assessment, plots: Plots) -> tuple[ForestView, ...]:
    """One forest plot per outcome family that two or more of the assessment's studies share."""
    fit = {c.analysis.study.id: c.applicability.status for c in assessment.comparisons}
    views = [forest_view(g, i, plots, fit) for i, g in enumerate(assessment.side_by_side)]
    rated = assessment.family_certainty
    return tuple(
        replace(v, certainty=family_block(rated[i] if i < len(rated) else None, v.id))
        for i, v in enumerate(views)
    )


__all__ = ["ForestRow", "ForestView", "forest_views", "prepare_plots"]
