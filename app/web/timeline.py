"""Early harm against later benefit: the personal risks of both options at each published horizon.

A small SVG drawn on the server, one per pair of options whose families hold two or more horizons
(30 days, 1 year, a final follow-up), with a text table giving every figure. Horizons are placed
side by side in order, not on a time scale, and nothing joins them: only the published horizons
are shown. A circle is the risk with the less invasive option (the baseline, treated as known), a
square with its 95% interval the risk with the more invasive one; shapes and words carry the
meaning, never colour. Where the clinician chose the centre's early risk, that horizon's risk
with the more invasive option is the centre's own rate: a diamond, its row and the words under the
table say so, and no difference is given there (app/engine/personal.py `with_centre`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from markupsafe import Markup, escape

from app.contract.vocabulary import TREATMENTS
from app.engine.personal import FamilyRisks, PersonalRisk, Range

MINUS = "\u2212"
LEFT, TOP, COLUMN, HEIGHT, BOTTOM = 44, 28, 120, 150, 48  # px


def percent_text(value: float) -> str:
    return f"{value:.1f}%"


def _signed(value: float) -> str:
    text = f"{value:+.1f}"
    return text.replace("-", MINUS)


def range_text(value: Range | None) -> str:
    if value is None:
        return "not shown"
    return f"{value.value:.1f}% (95% CI {value.lower:.1f}% to {value.upper:.1f}%)"


def difference_text(value: Range | None) -> str:
    if value is None:
        return "not shown"
    return (
        f"{_signed(value.value)} points (95% CI {_signed(value.lower)} to {_signed(value.upper)})"
    )


@dataclass(frozen=True, slots=True)
class TimelineRow:
    horizon: str
    outcome: str
    baseline_source: str
    comparator: str
    intervention: str
    difference: str


@dataclass(frozen=True, slots=True)
class Timeline:
    id: str
    title: str
    names: tuple[str, str]  # more invasive first
    svg: Markup
    rows: tuple[TimelineRow, ...]
    centre: str  # which horizon holds the centre's own rate, in words ("" when none)


def _lead(f: FamilyRisks) -> PersonalRisk | None:
    """The entered baseline's risk, else the first preset's (the most applicable study's)."""
    shown = [r for r in f.risks if r.with_intervention is not None]
    entered = [r for r in shown if r.baseline.source == "entered"]
    found = entered or shown
    return found[0] if found else None


def _source(risk: PersonalRisk) -> str:
    b = risk.baseline
    return "your estimate" if b.source == "entered" else f"{b.study} comparator arm"


def _svg(view_id: str, points: list[tuple[str, PersonalRisk]], names: tuple[str, str]) -> Markup:
    top = max(r.with_intervention.upper for _, r in points)  # type: ignore[union-attr]
    top = max(top, max(r.baseline.percent for _, r in points)) * 1.1 or 1.0
    width = LEFT + COLUMN * len(points) + 10
    height = TOP + HEIGHT + BOTTOM

    def y(value: float) -> float:
        return TOP + HEIGHT * (1.0 - value / top)

    label = (
        f"Risk at each published time, in percent. Circles: {names[1]} (the baseline); squares"
        f" with lines: {names[0]} with its 95% interval. Figures in the table below."
    )
    if any(r.centre for _, r in points):
        label = label.replace(
            "squares with lines:", "squares (a diamond: your centre's own rate) with lines:"
        )
    parts = [
        f'<svg class="timeline-plot" id="{view_id}-svg" role="img" aria-label="{escape(label)}"'
        f' viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
        ' stroke="currentColor" fill="currentColor" xmlns="http://www.w3.org/2000/svg">',
        f'<path d="M{LEFT} {TOP}V{TOP + HEIGHT}H{width - 10}" fill="none"/>',
    ]
    for tick in (0.0, top / 2, top / 1.1):
        parts.append(
            f'<text x="{LEFT - 4}" y="{y(tick) + 4:.0f}" stroke="none" text-anchor="end">'
            f"{tick:.0f}</text>"
        )
    for index, (horizon, risk) in enumerate(points):
        centre = LEFT + COLUMN * index + COLUMN / 2
        w, b = risk.with_intervention, risk.baseline.percent
        assert w is not None
        parts.append(f'<circle cx="{centre - 14:.0f}" cy="{y(b):.1f}" r="5" fill="none"/>')
        # A square for baseline x relative effect; a diamond for the centre's own rate.
        mark = "l5 5l-5 5l-5-5Z" if risk.centre else "h8v8h-8Z"
        left = centre + 14 if risk.centre else centre + 10
        upper = y(w.value) - (5 if risk.centre else 4)
        parts.append(
            f'<path d="M{centre + 14:.0f} {y(w.lower):.1f}V{y(w.upper):.1f}'
            f'M{left:.0f} {upper:.1f}{mark}"/>'
        )
        parts.append(
            f'<text x="{centre:.0f}" y="{TOP + HEIGHT + 18}" stroke="none"'
            f' text-anchor="middle">{escape(horizon)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _row(horizon: str, f: FamilyRisks, risk: PersonalRisk) -> TimelineRow:
    return TimelineRow(
        horizon=horizon,
        outcome=f.effect.family.label,
        baseline_source=_source(risk),
        comparator=percent_text(risk.baseline.percent),
        intervention=range_text(risk.with_intervention)
        + (f", your centre's {risk.centre[0]} of {risk.centre[1]}" if risk.centre else ""),
        difference="none: not randomized" if risk.centre else difference_text(risk.difference),
    )


def _centre_words(items: list[tuple[float, FamilyRisks, PersonalRisk]]) -> str:
    """Which horizons hold the centre's own rate, said once under the table."""
    times = [f.effect.family.timeframe for _, f, r in items if r.centre]
    if not times:
        return ""
    return (
        f"At {' and '.join(dict.fromkeys(times))}, the diamond is your centre's own rate (exact"
        " 95% CI), not baseline \u00d7 relative effect; no difference there: not a randomized"
        " comparison."
    )


def timelines(found: Iterable[FamilyRisks]) -> tuple[Timeline, ...]:
    """One timeline per pair of options whose families hold two or more published horizons."""
    by_pair: dict[tuple[str, str, str], list[tuple[float, FamilyRisks, PersonalRisk]]] = {}
    for f in found:
        risk = _lead(f)
        if f.effect.horizon_months is None or risk is None:
            continue
        key = (f.effect.setting, *f.effect.treatments)
        by_pair.setdefault(key, []).append((f.effect.horizon_months, f, risk))
    views = []
    for (_, first, second), items in by_pair.items():
        if len({round(h, 3) for h, _, _ in items}) < 2:
            continue
        items.sort(key=lambda item: item[0])
        names = (TREATMENTS[first].clinician, TREATMENTS[second].clinician.lower())
        view_id = f"timeline-{first}-{second}".replace("_", "-")
        points = [(f.effect.family.timeframe, risk) for _, f, risk in items]
        views.append(
            Timeline(
                id=view_id,
                title=f"Early harm against later benefit: {names[0]} vs {names[1]}",
                names=names,
                svg=_svg(view_id, points, names),
                rows=tuple(_row(f.effect.family.timeframe, f, r) for _, f, r in items),
                centre=_centre_words(items),
            )
        )
    return tuple(views)
