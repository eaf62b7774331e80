"""Draw 100-person icon arrays as inline SVG: filled figures had the event, outlined did not."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from markupsafe import Markup

ICON_INK = "#1d4f91"  # filled figure: a person with the event
ICON_LINE = "#56606b"  # outlined figure: a person without it (5.9:1 on white)
_HEAD = '<circle cx="5" cy="2.9" r="2.3"/>'
_BODY = '<path d="M1 12.6V8.7C1 6.7 2.6 5.7 5 5.7S9 6.7 9 8.7V12.6Z"/>'
COLUMNS = 10
CELL_W, CELL_H = 12, 14


def _figure(kind: str) -> str:
    if kind == "yes":
        return f'<g fill="{ICON_INK}" stroke="{ICON_INK}" stroke-width="0.6">{_HEAD}{_BODY}</g>'
    return f'<g fill="#ffffff" stroke="{ICON_LINE}" stroke-width="1">{_HEAD}{_BODY}</g>'


@dataclass(frozen=True, slots=True)
class IconArray:
    """100 figures in a 10 by 10 grid, filled first in reading order; `svg` is the markup."""

    affected: int
    total: int
    label: str
    svg: Markup


def icon_array(affected: int, *, label: str, uid: str) -> IconArray:
    """Build the inline SVG of a 100-person icon array with `affected` filled figures.

    The SVG has role="img", an aria-label and a <title> (the text alternative); each figure is a
    <use> of the filled ("-yes") or outlined ("-no") figure defined once in the SVG.
    """
    if not 0 <= affected <= 100:
        raise ValueError(f"affected must be from 0 to 100, got {affected}")
    if not re.fullmatch(r"[A-Za-z][\w-]*", uid):
        raise ValueError(f"not a usable id: {uid!r}")
    text = html.escape(label, quote=True)
    rows = 100 // COLUMNS
    uses = []
    for index in range(100):
        kind = "yes" if index < affected else "no"
        x, y = (index % COLUMNS) * CELL_W, (index // COLUMNS) * CELL_H
        uses.append(f'<use href="#{uid}-{kind}" x="{x}" y="{y}"/>')
    svg = (
        f'<svg class="icon-array" id="{uid}" role="img" aria-label="{text}"'
        f' viewBox="0 0 {COLUMNS * CELL_W - 2} {rows * CELL_H - 1}"'
        f' xmlns="http://www.w3.org/2000/svg">'
        f"<title>{text}</title>"
        f'<defs><g id="{uid}-yes">{_figure("yes")}</g><g id="{uid}-no">{_figure("no")}</g></defs>'
        f"{''.join(uses)}</svg>"
    )
    return IconArray(affected, 100, label, Markup(svg))


def legend_icon(kind: str) -> Markup:
    """One figure for a legend, hidden from assistive technology (the legend text says it)."""
    return Markup(
        '<svg class="legend-icon" aria-hidden="true" focusable="false" viewBox="0 0 10 13"'
        f' xmlns="http://www.w3.org/2000/svg">{_figure(kind)}</svg>'
    )
