"""A funnel plot (Spiegelhalter, Stat Med 2005) drawn on the server as SVG, with its text table.

x: number of procedures; y: event rate. The benchmark is a solid line, the 95% control limits
dashed, the 99.8% limits dotted; trial arms are squares and the centre a diamond, each labelled
with its name. Shapes, line styles and words carry the meaning, never colour; the table after the
plot gives every point with the limits at its number of procedures.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup, escape

from app.analysis.funnel import Limits
from app.engine.centre import CentreComparison

LEFT, PLOT_W, RIGHT = 40, 280, 12  # px
Scale = Callable[[float], float]
TOP, PLOT_H, AXIS = 10, 190, 52  # px: the axis band holds tick labels, axis title and legend


@dataclass(frozen=True, slots=True)
class FunnelRow:
    label: str
    counts: str
    rate: str
    limits_95: str
    limits_998: str
    where: str


@dataclass(frozen=True, slots=True)
class FunnelView:
    id: str
    benchmark: str
    svg: Markup
    rows: tuple[FunnelRow, ...]
    method: str


def _pct(fraction: float) -> str:
    return f"{100 * fraction:.1f}%"


def _where(rate: float, lim: Limits) -> str:
    if lim.within(rate, wide=False):
        return "within the 95% limits"
    side = "above" if rate > lim.upper_95 else "below"
    if lim.within(rate, wide=True):
        return f"{side} the 95% limits, within the 99.8% limits"
    return f"{side} the 99.8% limits"


def _nice(value: float, steps: tuple[float, ...]) -> float:
    for step in steps:
        if value <= step:
            return step
    return steps[-1]


def _svg(c: CentreComparison, view_id: str, p0: float) -> Markup:
    points = c.points
    xmax = _nice(
        max(n for _, _, n, _ in points) * 1.1,
        (50, 100, 200, 250, 300, 400, 500, 1000, 2000, 5000, 10000, 20000, 50000, 110000),
    )
    top = max(max(e / n for _, e, n, _ in points), p0) * 1.6
    ymax = min(1.0, math.ceil(top * 20) / 20)

    def x(n: float) -> float:
        return LEFT + PLOT_W * n / xmax

    def y(rate: float) -> float:
        return TOP + PLOT_H * (1 - min(rate, ymax) / ymax)

    height, width = TOP + PLOT_H + AXIS, LEFT + PLOT_W + RIGHT
    label = (
        f"Funnel plot: event rate against number of procedures. Solid line: benchmark"
        f" {_pct(p0)}; dashed: 95% limits; dotted: 99.8% limits; squares: trial arms; diamond:"
        " your centre. Figures in the table below."
    )
    parts = [
        f'<svg class="funnel-plot" role="img" aria-label="{escape(label)}"'
        f' viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
        ' stroke="currentColor" fill="none" xmlns="http://www.w3.org/2000/svg">',
        f'<clipPath id="{view_id}-clip"><rect x="{LEFT}" y="{TOP}" width="{PLOT_W}"'
        f' height="{PLOT_H}"/></clipPath>',
        f'<path d="M{LEFT} {TOP}V{TOP + PLOT_H}H{LEFT + PLOT_W}"/>',
        f'<g clip-path="url(#{view_id}-clip)">',
        f'<path d="M{LEFT} {y(p0):.1f}H{LEFT + PLOT_W}" stroke-width="1.5"/>',
    ]
    for attr, dash, width_ in (
        ("upper_95", "5 3", 1),
        ("lower_95", "5 3", 1),
        ("upper_998", "1.5 2.5", 1.5),
        ("lower_998", "1.5 2.5", 1.5),
    ):
        d = "".join(
            f"{'M' if i == 0 else 'L'}{x(lim.n):.1f} {y(getattr(lim, attr)):.1f}"
            for i, lim in enumerate(c.funnel)
        )
        parts.append(f'<path d="{d}" stroke-dasharray="{dash}" stroke-width="{width_}"/>')
    parts.append("</g>")
    for name, events, n, _ in points:
        px, py = x(n), y(events / n)
        if name == "Your centre":
            shape = f'<path d="M{px:.1f} {py - 6:.1f}l6 6l-6 6l-6 -6Z" fill="currentColor"/>'
        else:
            shape = f'<path d="M{px - 4:.1f} {py - 4:.1f}h8v8h-8Z" fill="currentColor"/>'
        anchor = "end" if px > LEFT + PLOT_W * 0.75 else "start"
        dx = -8 if anchor == "end" else 8
        parts.append(
            f'{shape}<text x="{px + dx:.1f}" y="{py - 6:.1f}" stroke="none" fill="currentColor"'
            f' text-anchor="{anchor}" font-size="11">{escape(name)}</text>'
        )
    parts.append(_axes(x, y, xmax, ymax))
    parts.append("</svg>")
    return Markup("".join(parts))


def _axes(x: Scale, y: Scale, xmax: float, ymax: float) -> str:
    bottom = TOP + PLOT_H
    xstep = xmax / 5
    ystep = 0.05 if ymax <= 0.3 else 0.1
    ticks, labels = [], []
    for k in range(6):
        n = xstep * k
        ticks.append(f"M{x(n):.1f} {bottom}v4")
        labels.append(f'<text x="{x(n):.1f}" y="{bottom + 15}">{n:,.0f}</text>')
    for k in range(round(ymax / ystep) + 1):
        rate = ystep * k
        ticks.append(f"M{LEFT - 4} {y(rate):.1f}h4")
        labels.append(
            f'<text x="{LEFT - 6}" y="{y(rate) + 4:.1f}" text-anchor="end">{100 * rate:.0f}%</text>'
        )
    legend = (
        f'<text x="{LEFT + PLOT_W / 2}" y="{bottom + 30}">Number of procedures</text>'
        f'<text x="{LEFT}" y="{bottom + 46}" text-anchor="start">— benchmark  - - 95%  ··· 99.8%'
        "  ■ trial arm  ◆ your centre</text>"
    )
    return (
        f'<path d="{"".join(ticks)}"/><g stroke="none" fill="currentColor" font-size="11"'
        f' text-anchor="middle">{"".join(labels)}{legend}</g>'
    )


def funnel_view(c: CentreComparison, view_id: str) -> FunnelView | None:
    """The funnel plot of one centre result, or None without a benchmark to centre it on."""
    benchmark = c.benchmark
    if benchmark is None or not c.points:
        return None
    p0 = benchmark.rate
    rows = tuple(
        FunnelRow(
            label=name,
            counts=f"{events} of {n}",
            rate=_pct(events / n),
            limits_95=f"{_pct(lim.lower_95)} to {_pct(lim.upper_95)}",
            limits_998=f"{_pct(lim.lower_998)} to {_pct(lim.upper_998)}",
            where=_where(events / n, lim),
        )
        for name, events, n, lim in c.points
    )
    return FunnelView(
        id=f"{view_id}-funnel",
        benchmark=(
            f"Benchmark: the pooled rate of the randomized trials' arms of this option"
            f" ({', '.join(benchmark.studies)}), {benchmark.events} of {benchmark.total}"
            f" ({_pct(p0)})."
        ),
        svg=_svg(c, f"{view_id}-funnel", p0),
        rows=rows,
        method=(
            "Control limits: exact binomial 95% and 99.8% limits around the benchmark at each"
            " number of procedures, interpolated between whole events (Spiegelhalter, Statistics"
            " in Medicine 2005). A point outside the limits differs from the benchmark by more"
            " than chance would usually give; the trial arms are shown for reference."
        ),
    )
