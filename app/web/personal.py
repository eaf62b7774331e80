"""This patient's absolute risks for the pages: tables for clinicians, words and icon arrays for
patients, a timeline of early harm against later benefit (app/web/timeline.py).

The figures are app/engine/personal.py's; this module only words and rounds them, the same way on
the clinician, patient and print pages.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from markupsafe import Markup

from app.analysis.base import EvidenceBase
from app.analysis.relative import RATIO_WORDS, FamilyEffect, Ratio
from app.contract.vocabulary import SETTINGS, TREATMENTS
from app.engine.assess import Assessment
from app.engine.personal import Baseline, FamilyRisks, PersonalRisk, PresetRisks
from app.web.icons import IconArray, icon_array
from app.web.timeline import Timeline, difference_text, percent_text, range_text, timelines

FITS = {
    "applies": "this patient fits this study",
    "unknown": "cannot be checked whether this patient fits this study",
    "outside": "this patient is outside this study's population",
}


@dataclass(frozen=True, slots=True)
class FormFamily:
    """One baseline input of the form: a family, its time frame and where it is used."""

    id: str
    label: str
    timeframe: str
    settings: str  # space-separated setting codes (the stylesheet hides the others)
    pairs: str  # "Self-expanding stent vs medical therapy"


@dataclass(frozen=True, slots=True)
class RiskRow:
    """One baseline of one family, in words."""

    baseline_label: str
    baseline: str
    with_intervention: str
    difference: str
    nnt: str
    note: str
    assumption: str
    fits: str  # applies, unknown, outside, or "" for an entered baseline
    entered: bool


@dataclass(frozen=True, slots=True)
class PatientOption:
    name: str
    text: str
    icons: IconArray


@dataclass(frozen=True, slots=True)
class FamilyPanel:
    """One family for this patient: the relative effect chosen and a row per baseline."""

    id: str
    title: str
    timeframe: str
    options: tuple[str, str]  # clinician names, more invasive first
    ratio: str
    why: str
    rows: tuple[RiskRow, ...]
    has_ratio: bool
    assumption: str  # what every figure of the panel assumes, in one sentence
    centre: str  # the centre's early risk in words, when it replaces baseline x relative effect
    # Patient and print views: for an entered baseline only, less invasive option first.
    patient_title: str
    patient_lines: tuple[str, ...]
    patient_options: tuple[PatientOption, ...]


@dataclass(frozen=True, slots=True)
class PersonalView:
    panels: tuple[FamilyPanel, ...]
    timelines: tuple[Timeline, ...]
    entered: bool  # any baseline entered
    patient_panels: tuple[FamilyPanel, ...]
    # Each panel as the results page shows it, where it was rendered at start-up (else None).
    panel_html: tuple[Markup | None, ...] = ()


@dataclass(frozen=True, slots=True)
class PreparedPanel:
    panel: FamilyPanel
    html: str  # markupsafe.Markup: the panel as the results page shows it


def form_families(base: EvidenceBase) -> tuple[FormFamily, ...]:
    """Each family with members, once, with the settings and pairs it belongs to (start-up)."""
    found: dict[str, list[FamilyEffect]] = {}
    for effect in base.relative:
        found.setdefault(effect.family.id, []).append(effect)
    rows = []
    for family_id, effects in found.items():
        family = effects[0].family
        settings = " ".join(sorted({e.setting for e in effects}))
        pairs = "; ".join(
            sorted(
                {
                    f"{TREATMENTS[e.treatments[0]].clinician} vs"
                    f" {TREATMENTS[e.treatments[1]].clinician.lower()}"
                    for e in effects
                }
            )
        )
        rows.append(FormFamily(family_id, family.label, family.timeframe, settings, pairs))
    order = {code: rank for rank, code in enumerate(SETTINGS)}
    return tuple(sorted(rows, key=lambda r: (order.get(r.settings.split()[0], 9), r.label)))


def ratio_text(ratio: Ratio | None) -> str:
    if ratio is None:
        return "none the rule may use"
    name = "Pooled " + RATIO_WORDS[ratio.measure] if ratio.source == "pooled" else ratio.how
    name = name[0].upper() + name[1:]
    text = f"{name} {ratio.value:.2f} (95% CI {ratio.lower:.2f} to {ratio.upper:.2f})"
    text += f", {' and '.join(ratio.studies)}"
    if ratio.i2 is not None:
        text += f"; I² {ratio.i2:.0f}% (risk ratio)"
    return text


# The centre's early rate is said once above its panel's table; its row gives no difference.
NOT_RANDOMIZED = "none: not randomized"


def nnt_text(risk: PersonalRisk) -> str:
    if risk.nnt is None:
        if risk.centre is not None:
            return "none"
        if risk.difference is None:
            return "—"
        if risk.difference.lower <= 0 <= risk.difference.upper:
            return "none: the difference's CI includes 0"
        if risk.effect.fixed_horizon:
            return "none: the difference is too small to invert"
        return "none: no fixed time frame"
    return f"{risk.nnt.kind} {math.ceil(risk.nnt.value - 1e-9)}"


def _baseline_label(b: Baseline) -> str:
    if b.source == "entered":
        return "Your estimate"
    events, total = b.counts or (0, 0)
    return f"{b.study} comparator arm, {events}/{total} ({FITS[b.applicability or 'unknown']})"


def _row(risk: PersonalRisk) -> RiskRow:
    b = risk.baseline
    return RiskRow(
        baseline_label=_baseline_label(b),
        baseline=percent_text(b.percent),
        with_intervention=range_text(risk.with_intervention),
        difference=NOT_RANDOMIZED if risk.centre else difference_text(risk.difference),
        nnt=nnt_text(risk),
        note=risk.note,
        assumption=risk.assumption,
        fits=b.applicability or "",
        entered=b.source == "entered",
    )


def _plain(treatment: str) -> str:
    """A treatment's patient words without the clinician's name in brackets: 'medicines only'."""
    return re.sub(r"\s*\(.*?\)", "", TREATMENTS[treatment].patient).lower()


def _in_100(value: float) -> int:
    return max(0, min(100, round(value)))


def _patient(f: FamilyRisks, anchor: str) -> tuple[str, tuple[str, ...], tuple[PatientOption, ...]]:
    """Words and pictures for someone with the entered risk (less invasive option first)."""
    risk = next((r for r in f.risks if r.baseline.source == "entered"), None)
    if risk is None:
        return "", (), ()
    first, second = f.effect.treatments
    words = TREATMENTS
    b = risk.baseline.percent
    plain = f.effect.members[0].outcome.plain_label
    title = f"{plain[0].upper()}{plain[1:]}, for someone with your risk"
    lines = [f"Time looked at: {f.effect.family.timeframe}."]
    if risk.with_intervention is None:
        lines.append("The studies give no figure we can use at your risk.")
        return title, tuple(lines), ()
    w = risk.with_intervention
    lines.append(
        f"With {_plain(second)}, about {b:.0f} in 100 people like you would have it."
        f" This is your doctor's guess ({b:g}%)."
    )
    if risk.centre is not None:
        events, total = risk.centre
        lines.append(
            f"With {_plain(first)}, about {w.value:.0f} in 100 people had it at our centre"
            f" ({events} of {total}). It could be as low as {w.lower:.0f} or as high as"
            f" {w.upper:.0f} in 100 (figure {w.value:.1f}%)."
        )
        lines.append(
            "This number is from our own centre, not from the studies. Our patients may not be"
            f" like you. And it is not a fair test of {_plain(first)} against {_plain(second)}."
        )
    else:
        lines.append(
            f"With {_plain(first)}, about {w.value:.0f} in 100 would have it. It could be as low"
            f" as {w.lower:.0f} or as high as {w.upper:.0f} in 100 (figure {w.value:.1f}%)."
        )
        lines.append(
            "This assumes the effect seen in the studies holds at your risk."
            " We treat your risk as known, so the range shows only how sure the studies are."
        )
    options = (
        PatientOption(
            words[second].patient,
            f"About {b:.0f} in 100",
            icon_array(
                _in_100(b),
                label=f"{_in_100(b)} of 100 figures filled: {words[second].patient}",
                uid=f"{anchor}-comparator",
            ),
        ),
        PatientOption(
            words[first].patient,
            f"About {w.value:.0f} in 100",
            icon_array(
                _in_100(w.value),
                label=f"{_in_100(w.value)} of 100 figures filled: {words[first].patient}",
                uid=f"{anchor}-intervention",
            ),
        ),
    )
    return title, tuple(lines), options


def _assumption(f: FamilyRisks) -> str:
    """One sentence for the panel: its one row's, or the same said of every baseline shown."""
    if f.ratio is None or not f.risks or f.risks[0].centre is not None:
        return ""
    if len(f.risks) == 1:
        return f.risks[0].assumption
    words = RATIO_WORDS[f.ratio.measure]
    return (
        f"Each row assumes the {words} seen in {' and '.join(f.ratio.studies)} applies at its"
        " baseline, treated as known (as GRADE tables do), so the intervals show only the"
        f" uncertainty of the {words}."
    )


def panel(f: FamilyRisks) -> FamilyPanel:
    first, second = f.effect.treatments
    anchor = f"personal-{f.effect.family.id}-{first}-{second}".replace("_", "-")
    title, lines, options = _patient(f, anchor)
    return FamilyPanel(
        id=anchor,
        title=f"{f.effect.family.label}: {TREATMENTS[first].clinician} vs"
        f" {TREATMENTS[second].clinician.lower()}",
        timeframe=f.effect.family.timeframe,
        options=(TREATMENTS[first].clinician, TREATMENTS[second].clinician),
        ratio=ratio_text(f.ratio),
        why=f.why,
        rows=tuple(_row(r) for r in f.risks),
        has_ratio=f.ratio is not None,
        assumption=_assumption(f),
        centre=f.risks[0].assumption if f.risks and f.risks[0].centre else "",
        patient_title=title,
        patient_lines=lines,
        patient_options=options,
    )


def prepare_panels(
    presets: Iterable[PresetRisks], render: Callable[[FamilyPanel], str]
) -> Mapping[int, PreparedPanel]:
    """Build and render the panel of every family's risks tabulated at start-up (`render`: the
    page's macro), by the identity of those FamilyRisks.

    Without an entered baseline or the centre's early rate, a request's families are these very
    objects (engine/personal.py PresetRisks), alive as long as the engine's tables, so no other
    object can share an id with them; any other family is built per request. Building and
    rendering the panels took about a third of the personal section's 0.38 ms on the all-four
    page (tests/perf/README.md).
    """
    found = {}
    for table in presets:
        for family in table.by_fit.values():
            built = panel(family)
            found[id(family)] = PreparedPanel(built, render(built))
    return MappingProxyType(found)


def personal_view(
    assessment: Assessment, prepared: Mapping[int, PreparedPanel] | None = None
) -> PersonalView:
    """Everything the three pages show of this patient's absolute risks (panels from `prepared`)."""
    ready = [(prepared or {}).get(id(f)) for f in assessment.personal]
    panels = tuple(
        panel(f) if r is None else r.panel for f, r in zip(assessment.personal, ready, strict=True)
    )
    entered = any(r.baseline.source == "entered" for f in assessment.personal for r in f.risks)
    return PersonalView(
        panels=panels,
        timelines=timelines(assessment.personal),
        entered=entered,
        patient_panels=tuple(p for p in panels if p.patient_title),
        panel_html=tuple(None if r is None else Markup(r.html) for r in ready),
    )
