"""Studies side by side: a forest plot drawn on the server as SVG, with its text alternative.

Two panels, risk difference (percentage points, linear axis) and risk ratio (log axis), one row per
study and a diamond for the pooled estimate. Shapes and words carry the meaning, never colour: a
square is a study, a diamond the pooled estimate, a dashed line no difference; the table beside
the plot gives every figure in words.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from app.analysis import pooling, stats
from app.analysis.families import Group, Member
from app.contract import vocabulary
from app.engine.assess import Assessment
from app.web.formatting import (
    difference_text,
    evidence_href,
    outcome_anchor,
    ratio_text,
)

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


def _weights(group: Group) -> dict[str, str]:
    pooled = group.risk_difference
    if pooled is None:
        return {}
    return {s.label: f"{s.weight:.1f}%" for s in pooled.studies}


def _pooled_interval(p: pooling.Pooled) -> stats.Interval:
    return stats.Interval(p.estimate, p.ci[0], p.ci[1], p.confidence, "mantel-haenszel")


def _rows(group: Group) -> tuple[ForestRow, ...]:
    weights = _weights(group)
    rows = [
        ForestRow(
            label=m.study.short_name,
            href=evidence_href(m.study.id, outcome_anchor(m.outcome.id)),
            counts=_counts_text(m),
            difference=difference_text(m.risk_difference) if m.risk_difference else "not estimable",
            ratio=ratio_text("RR", m.risk_ratio),
            weight=weights.get(m.study.short_name, ""),
            source_note=_source_note(m),
        )
        for m in group.members
    ]
    if group.risk_difference is not None and group.risk_ratio is not None:
        rows.append(
            ForestRow(
                label="Pooled (Mantel-Haenszel, fixed effect)",
                href="",
                counts=_pooled_counts(group),
                difference=difference_text(_pooled_interval(group.risk_difference)),
                ratio=ratio_text("RR", _pooled_interval(group.risk_ratio)),
                weight="100%",
                source_note=f"I² {group.risk_ratio.heterogeneity.i2:.0f}% (risk ratio)",
                pooled=True,
            )
        )
    return tuple(rows)


def _pooled_counts(group: Group) -> str:
    names = {s.label for s in group.risk_difference.studies}  # type: ignore[union-attr]
    members = [m for m in group.members if m.study.short_name in names]
    a = sum(m.invasive[0] for m in members)  # type: ignore[index]
    n1 = sum(m.invasive[1] for m in members)  # type: ignore[index]
    c = sum(m.other[0] for m in members)  # type: ignore[index]
    n2 = sum(m.other[1] for m in members)  # type: ignore[index]
    return f"{a}/{n1} vs {c}/{n2} (totals)"


def _points(group: Group, measure: str) -> list[tuple[str, float, float, float, bool]]:
    """(label, estimate, lower, upper, pooled) on the plotted scale, for rows that have one."""
    found = []
    for m in group.members:
        interval = m.risk_difference if measure == "rd" else m.risk_ratio
        if isinstance(interval, stats.Interval):
            found.append(
                (
                    m.study.short_name,
                    interval.value,
                    interval.lower,
                    interval.upper,
                    False,
                )
            )
    pooled = group.risk_difference if measure == "rd" else group.risk_ratio
    if pooled is not None:
        found.append(("Pooled", pooled.estimate, pooled.ci[0], pooled.ci[1], True))
    return found


def _scale(values: Sequence[float], null: float, log: bool) -> tuple[Scale, float, float]:
    """Map a value to an x position, covering every interval and the line of no difference."""
    t = math.log if log else (lambda v: v)
    low, high = min(*map(t, values), t(null)), max(*map(t, values), t(null))
    pad = (high - low) * 0.05 or 1.0
    low, high = low - pad, high + pad

    def x(value: float) -> float:
        return LEFT + PLOT * (t(value) - low) / (high - low)

    return x, (math.exp(low) if log else low), (math.exp(high) if log else high)


def _svg(group: Group, measure: str, view_id: str) -> Markup:
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
        ' stroke="currentColor" fill="currentColor" xmlns="http://www.w3.org/2000/svg">',
        f'<text x="2" y="14" stroke="none">{escape(title)}</text>',
    ]
    if not points:
        parts.append("</svg>")
        return Markup("".join(parts))
    bounds = [v for p in points for v in p[1:4] if (v > 0 or not log)]
    x, low, high = _scale(bounds, null, log)
    bottom = TOP + ROW * len(points)
    parts.append(f'<path d="M{x(null):.0f} {TOP - 4}V{bottom}" stroke-dasharray="4 3"/>')
    for index, (label, estimate, lower, upper, pooled) in enumerate(points):
        y = TOP + ROW * index + ROW / 2
        parts.append(f'<text x="2" y="{y + 4:.0f}" stroke="none">{escape(label)}</text>')
        lo, mid, hi = x(lower), x(estimate), x(upper)
        if pooled:  # a diamond spanning the interval
            parts.append(
                f'<path d="M{lo:.1f} {y:.0f}L{mid:.1f} {y - 7:.0f}L{hi:.1f} {y:.0f}L{mid:.1f} {y + 7:.0f}Z"/>'
            )
            continue
        # a square on its interval
        parts.append(f'<path d="M{lo:.1f} {y:.0f}H{hi:.1f}M{mid - 4:.1f} {y - 4:.0f}h8v8h-8Z"/>')
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
        f"Squares: studies; diamond: pooled; dashed line at {line}: no difference. Figures below."
    )


def forest_view(group: Group, index: int) -> ForestView:
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
        rows=_rows(group),
        notes=group.notes,
        method=(
            "From the printed counts: Newcombe 95% CI (difference), Katz (ratio); pooled by"
            " Mantel-Haenszel, fixed effect."
        ),
        difference_svg=_svg(group, "rd", view_id),
        ratio_svg=_svg(group, "rr", view_id),
    )


def _views(groups: tuple[Group, ...]) -> tuple[ForestView, ...]:
    return tuple(forest_view(g, i) for i, g in enumerate(groups))


def forest_views(assessment: Assessment) -> tuple[ForestView, ...]:
    """One forest plot per outcome family that two or more of the assessment's studies share."""
    return _views(assessment.side_by_side)


__all__ = ["ForestRow", "ForestView", "forest_views"]
