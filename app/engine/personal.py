"""This patient's absolute risks: a baseline risk times the relative effect (per request).

For each outcome family a comparison's study belongs to, the relative effect is the one the
declared rule gives (app/analysis/relative.py): the pooled risk ratio where allowed, else the most
applicable study's ratio for this patient. The baseline is the clinician's own estimate
(`baseline_risks`) or, without one, each member study's comparator-arm risk, applicable studies
first. As GRADE Summary-of-Findings tables do (Cochrane Handbook 14.1.5; GRADE guidelines 12-13):

- risk ratio: p1 = p0 x RR, interval p0 x (RR lower, RR upper);
- odds ratio: p1 = OR p0 / (1 - p0 + OR p0), the same at the interval's ends;

the baseline treated as known. The difference is p1 - p0 with the same ends; an NNT only over a
fixed horizon and where the difference's interval excludes 0. A product above 100% is not a risk.
The horizon is always the family's own time frame: nothing is extrapolated.

With `use_centre_early_risk`, at the early horizon (a fixed time frame of at most one month) the
risk with the procedure is the centre's own rate with its exact 95% CI instead (`with_centre`);
no difference or NNT is then given: the centre's patients and the baseline are not one randomized
comparison (docs/methods.md).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import product
from types import MappingProxyType
from typing import Literal

from app.analysis import stats
from app.analysis.relative import RATIO_WORDS, Candidate, FamilyEffect, Preset, Ratio
from app.contract.scenario import Scenario, ScenarioError
from app.contract.vocabulary import DESIGNS, TREATMENTS
from app.engine.applicability import STATUS_ORDER

DESIGN_ORDER = {code: rank for rank, code in enumerate(DESIGNS)}
FIELD = "baseline_risks"
EARLY_MONTHS = 1.0  # the early horizon: a fixed time frame of 30 days or 1 month at most


@dataclass(frozen=True, slots=True)
class Baseline:
    """The risk with the comparator option, in percent at the family's time frame."""

    percent: float
    source: Literal["entered", "study"]
    study: str | None = None  # the preset's study, short name
    study_id: str | None = None
    applicability: str | None = None  # whether this patient fits the preset's study
    counts: tuple[int, int] | None = None  # the preset's events and total


@dataclass(frozen=True, slots=True)
class Range:
    """A figure in percent (or percentage points) with its 95% interval."""

    value: float
    lower: float
    upper: float


@dataclass(frozen=True, slots=True)
class PersonalNNT:
    value: float
    kind: Literal["NNTB", "NNTH"]


@dataclass(frozen=True, slots=True)
class PersonalRisk:
    """One family at one baseline: the risk with each option and their difference."""

    effect: FamilyEffect
    baseline: Baseline
    ratio: Ratio | None
    with_intervention: Range | None  # None: no ratio, or the product is above 100%
    difference: Range | None
    nnt: PersonalNNT | None
    note: str  # why something is not shown ("" when everything is)
    assumption: str
    # The centre's events and total when with_intervention is the centre's own rate (its exact
    # 95% CI), not baseline x relative effect.
    centre: tuple[int, int] | None = None

    @property
    def source(self) -> Literal["relative_effect", "centre"]:
        return "relative_effect" if self.centre is None else "centre"


@dataclass(frozen=True, slots=True)
class FamilyRisks:
    """One family for this patient: the chosen relative effect and a risk per baseline."""

    effect: FamilyEffect
    ratio: Ratio | None
    why: str  # why this ratio (or why none)
    risks: tuple[PersonalRisk, ...]


def check_families(scenario: Scenario, known: Iterable[str]) -> None:
    """Refuse entered baselines of families the evidence does not declare (422 naming each)."""
    ids = sorted(set(known))
    unknown = [key for key, _ in scenario.baseline_risks or () if key not in ids]
    if unknown:
        raise ScenarioError(
            {
                f"{FIELD}.{key}": [f"Unknown outcome family; families are: {', '.join(ids)}."]
                for key in unknown
            }
        )


def _rank(study_id: str, fit: Mapping[str, str], effect: FamilyEffect) -> tuple[int, int, int]:
    member = next(m for m in effect.members if m.study.id == study_id)
    size = sum(member.study.arms[a].n for a in (member.study.intervention, member.study.comparator))
    status = fit.get(study_id, "unknown")
    return STATUS_ORDER[status], DESIGN_ORDER[member.study.design.value], -size


def choose(effect: FamilyEffect, fit: Mapping[str, str]) -> tuple[Ratio | None, str]:
    """The relative effect the rule gives this patient, with why."""
    if effect.pooled is not None:
        ratio = effect.pooled
        return ratio, (
            f"Pooled risk ratio of {' and '.join(ratio.studies)} (Mantel-Haenszel, fixed effect;"
            f" I² {ratio.i2:.0f}%, below 50%)."
        )
    usable: list[Candidate] = [c for c in effect.candidates if c.ratio is not None]
    usable.sort(key=lambda c: (not c.ratio.randomized, _rank(c.study_id, fit, effect)))  # type: ignore[union-attr]
    if not usable:
        reasons = [c.reason for c in effect.candidates if c.reason]
        return None, "No relative effect the rule may use: " + " ".join(reasons)
    chosen = usable[0]
    assert chosen.ratio is not None
    ratio = chosen.ratio
    status = fit.get(chosen.study_id, "unknown")
    fits = {"applies": "applies to this patient", "unknown": "cannot be checked for this patient",
            "outside": "this patient is outside its population"}[status]  # fmt: skip
    kind = "randomized" if ratio.randomized else "non-randomized"
    how = ratio.how[0].upper() + ratio.how[1:]
    why = f"{how} of {ratio.studies[0]}, the most applicable {kind} study ({fits})."
    if ratio.note:
        why += f" {ratio.note}"
    if effect.not_pooled and len(effect.members) > 1:
        why += f" {effect.not_pooled}"
    return ratio, why


def _apply(ratio: Ratio, p0: float, value: float) -> float:
    """The risk with the intervention (a proportion) at baseline p0 for one ratio value."""
    if ratio.measure == "odds_ratio":
        return value * p0 / (1.0 - p0 + value * p0)
    return p0 * value


def _nnt(effect: FamilyEffect, difference: Range) -> PersonalNNT | None:
    if not effect.fixed_horizon or difference.lower <= 0.0 <= difference.upper:
        return None
    more = difference.value > 0
    harmful = effect.event == "harmful"
    kind: Literal["NNTB", "NNTH"] = "NNTH" if more == harmful else "NNTB"
    value = 100.0 / abs(difference.value)
    # At a vanishing baseline (5e-324%) the difference is too small to invert: no NNT, not infinity.
    return PersonalNNT(value, kind) if math.isfinite(value) else None


def _assumption(ratio: Ratio, baseline: Baseline) -> str:
    words = RATIO_WORDS[ratio.measure]
    whose = (
        "your estimated risk"
        if baseline.source == "entered"
        else f"the risk of {baseline.study}'s comparator arm"
    )
    return (
        f"Assumes the {words} seen in {' and '.join(ratio.studies)} applies at {whose}; the"
        " baseline is treated as known (as GRADE tables do), so the interval shows only the"
        f" uncertainty of the {words}."
    )


def personal_risk(effect: FamilyEffect, ratio: Ratio | None, baseline: Baseline) -> PersonalRisk:
    """Baseline x relative effect for one family at one baseline."""
    if ratio is None:
        return PersonalRisk(effect, baseline, None, None, None, None, "", "")
    p0 = baseline.percent / 100.0
    if ratio.measure == "risk_ratio":
        # percent x ratio, not (percent / 100) x ratio x 100: the figure is exactly b x RR.
        point, low, high = (baseline.percent * v for v in (ratio.value, ratio.lower, ratio.upper))
    else:
        point, low, high = (
            100.0 * _apply(ratio, p0, v) for v in (ratio.value, ratio.lower, ratio.upper)
        )
    assumption = _assumption(ratio, baseline)
    words = RATIO_WORDS[ratio.measure]
    if point > 100.0 or not all(map(math.isfinite, (point, low, high))):
        note = (
            f"The {words} ({ratio.value:.2f}, 95% CI {ratio.lower:.2f} to {ratio.upper:.2f})"
            f" cannot apply at a baseline of {baseline.percent:g}%: the risk with the procedure"
            " would be above 100%."
        )
        return PersonalRisk(effect, baseline, ratio, None, None, None, note, assumption)
    notes = []
    if high > 100.0:
        # A risk cannot exceed 100%: the interval's upper end is cut there, and the page says so.
        notes.append(
            f"At a baseline of {baseline.percent:g}% the upper end of the {words}'s interval"
            f" ({ratio.upper:.2f}) would give {high:.1f}%, above 100%: the interval is shown up"
            " to 100%."
        )
        high = 100.0
    b = baseline.percent
    with_intervention = Range(point, low, high)
    difference = Range(point - b, low - b, high - b)
    nnt = _nnt(effect, difference)
    if not effect.fixed_horizon:
        notes.append(f"No NNT: {effect.family.timeframe} is not one fixed time.")
    note = " ".join(notes)
    return PersonalRisk(
        effect, baseline, ratio, with_intervention, difference, nnt, note, assumption
    )


def _preset(preset: Preset, fit: Mapping[str, str]) -> Baseline:
    study = preset.member.study
    return Baseline(
        preset.percent,
        "study",
        study.short_name,
        study.id,
        fit.get(study.id, "unknown"),
        (preset.events, preset.total),
    )


def baselines(
    effect: FamilyEffect, scenario: Scenario, fit: Mapping[str, str]
) -> tuple[Baseline, ...]:
    """The entered baseline, or each member's comparator arm, applicable studies first."""
    entered = scenario.baseline(effect.family.id)
    if entered is not None:
        return (Baseline(entered, "entered"),)
    return _presets(effect, fit)


@dataclass(frozen=True, slots=True)
class PresetRisks:
    """A family's risks at its studies' own baselines, for every fit its studies can have.

    Without an entered baseline a family's risks depend on the patient only through how each
    member study fits (applies, unknown, outside), so they are written at start-up
    (engine/tables.py) and a request looks them up.
    """

    studies: tuple[str, ...]  # the member studies, once each
    by_fit: Mapping[tuple[str, ...], FamilyRisks]  # their fits, in that order -> the risks


def preset_risks(effect: FamilyEffect) -> PresetRisks:
    """Write the family's risks at its studies' baselines for every combination of fits."""
    studies = tuple(dict.fromkeys(m.study.id for m in effect.members))
    by_fit = {}
    for fits in product(STATUS_ORDER, repeat=len(studies)):
        fit = dict(zip(studies, fits, strict=True))
        ratio, why = choose(effect, fit)
        risks = tuple(personal_risk(effect, ratio, b) for b in _presets(effect, fit))
        by_fit[fits] = FamilyRisks(effect, ratio, why, risks)
    return PresetRisks(studies, MappingProxyType(by_fit))


def _presets(effect: FamilyEffect, fit: Mapping[str, str]) -> tuple[Baseline, ...]:
    presets = sorted(effect.presets, key=lambda p: _rank(p.member.study.id, fit, effect))
    return tuple(_preset(p, fit) for p in presets)


def family_risks(
    effects: Iterable[FamilyEffect],
    scenario: Scenario,
    fit: Mapping[str, str],
    tabulated: Sequence[PresetRisks] = (),
) -> tuple[FamilyRisks, ...]:
    """Each family whose members include a study of this assessment, for this patient.

    `tabulated`: each effect's preset_risks, in the same order, used where no baseline is entered.
    """
    found = []
    for index, effect in enumerate(effects):
        if effect.setting != scenario.setting or effect.study_ids.isdisjoint(fit):
            continue
        entered = scenario.baseline(effect.family.id)
        if entered is None and tabulated:
            table = tabulated[index]
            found.append(table.by_fit[tuple(fit.get(s, "unknown") for s in table.studies)])
            continue
        ratio, why = choose(effect, fit)
        risks = tuple(personal_risk(effect, ratio, b) for b in baselines(effect, scenario, fit))
        found.append(FamilyRisks(effect, ratio, why, risks))
    return tuple(found)


def is_early(effect: FamilyEffect) -> bool:
    """Say whether the family's time frame is the early horizon (fixed, at most one month)."""
    months = effect.horizon_months
    return effect.fixed_horizon and months is not None and months <= EARLY_MONTHS + 1e-9


def centre_words(option: str, events: int, total: int, rate: Range) -> str:
    """The sentence every clinician page gives a centre's early risk."""
    return (
        f"The risk with {option} is your centre's own, {events} of {total} procedures"
        f" ({rate.value:.1f}%, exact 95% CI {rate.lower:.1f}% to {rate.upper:.1f}%), instead of"
        " baseline \u00d7 relative effect; no difference or NNT: your centre's patients and the"
        " baseline are not one randomized comparison."
    )


def with_centre(found: FamilyRisks, events: int, total: int, rate: stats.Interval) -> FamilyRisks:
    """The family with the centre's rate as the risk with the procedure at every baseline."""
    percent = Range(100.0 * rate.value, 100.0 * rate.lower, 100.0 * rate.upper)
    option = TREATMENTS[found.effect.treatments[0]].clinician.lower()
    words = centre_words(option, events, total, percent)
    risks = tuple(
        replace(
            risk,
            with_intervention=percent,
            difference=None,
            nnt=None,
            note="",
            assumption=words,
            centre=(events, total),
        )
        for risk in found.risks
    )
    return replace(found, risks=risks)


def unused_baselines(scenario: Scenario, found: Iterable[FamilyRisks]) -> tuple[str, ...]:
    """Entered family ids that none of this scenario's comparisons draws on."""
    used = {f.effect.family.id for f in found}
    return tuple(key for key, _ in scenario.baseline_risks or () if key not in used)
