"""The relative effect each outcome family offers a pair of options, for personal absolute risks.

Built once at start-up, knowing no patient. For every family, setting, unit and pair of treatments
(one member or more) it holds the candidates the declared rule (`RULE`) chooses from: the pooled
Mantel-Haenszel risk ratio when the rule allows it, else each member's own ratio, of which the
engine takes the most applicable for the patient (app/engine/personal.py). It also holds each
member's comparator-arm risk, the presets for a baseline. A hazard ratio is never used as a risk
ratio (GRADE guidelines 12-13; Cochrane Handbook chapter 14).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from app.analysis import pooling, stats
from app.analysis.families import POOLED_DESIGN, Member, member
from app.evidence.model import Effect, Family, Study

Measure = Literal["risk_ratio", "odds_ratio"]
I2_LIMIT = 50.0  # a pooled risk ratio is used only below this I² (%)
RULE = (
    "The pooled Mantel-Haenszel risk ratio where at least two randomized studies with printed"
    " counts share the outcome and its I² is below 50%; otherwise the ratio of the single most"
    " applicable randomized study (its printed risk or odds ratio where it prints one, else the"
    " risk ratio from its counts); without a randomized study, the most applicable study's"
    " printed adjusted risk or odds ratio. A hazard ratio is never used as a risk ratio."
)
RATIO_WORDS = {"risk_ratio": "risk ratio", "odds_ratio": "odds ratio"}
# Time frames that are not one fixed horizon: no NNT over them, and no place on a timeline.
_NOT_FIXED = ("median", "not defined", "not stated", "not reported", "follow-up")
_HORIZON = re.compile(r"(\d+(?:[.\u00b7]\d+)?)\s*(day|week|month|year)s?")
_MONTHS = {"day": 12 / 365.25, "week": 7 * 12 / 365.25, "month": 1.0, "year": 12.0}


@dataclass(frozen=True, slots=True)
class Ratio:
    """A relative effect, the more invasive option vs the other, with its 95% interval."""

    measure: Measure
    value: float
    lower: float
    upper: float
    source: Literal["pooled", "study"]
    studies: tuple[str, ...]  # short names
    i2: float | None  # the pooled ratio's I² (%); None for one study
    how: str  # in words: "Mantel-Haenszel fixed-effect risk ratio", "printed adjusted odds ratio"
    randomized: bool
    note: str = ""  # e.g. that a printed hazard ratio is not used


@dataclass(frozen=True, slots=True)
class Candidate:
    """One member's own ratio (None, with the reason, when it has none the rule may use)."""

    member: Member
    ratio: Ratio | None
    reason: str

    @property
    def study_id(self) -> str:
        return self.member.study.id


@dataclass(frozen=True, slots=True)
class Preset:
    """A member study's comparator-arm risk at the family's time frame: a baseline to offer."""

    member: Member
    events: int
    total: int

    @property
    def percent(self) -> float:
        return 100.0 * self.events / self.total


@dataclass(frozen=True, slots=True)
class FamilyEffect:
    """What one family offers one pair of treatments in one setting and unit."""

    family: Family
    setting: str
    unit: str
    treatments: tuple[str, str]  # more invasive first
    event: str  # harmful or beneficial
    members: tuple[Member, ...]
    pooled: Ratio | None  # set only when the rule takes the pooled ratio
    # Why the pooled ratio is not used (one randomized study, I² at or above 50%), or "".
    not_pooled: str
    candidates: tuple[Candidate, ...]
    presets: tuple[Preset, ...]
    horizon_months: float | None  # None: not one fixed horizon
    fixed_horizon: bool
    study_ids: frozenset[str]  # the members' studies, asked per request


def horizon_months(timeframe: str) -> float | None:
    """The time frame in months ("30 days" -> 0.99, "1 year" -> 12), or None when not one number."""
    found = _HORIZON.search(timeframe.lower())
    if found is None or "not" in timeframe.lower():
        return None
    return float(found.group(1).replace("\u00b7", ".")) * _MONTHS[found.group(2)]


def is_fixed_horizon(timeframe: str) -> bool:
    """Say whether the time frame is one fixed horizon (not a median follow-up, not undefined)."""
    lower = timeframe.lower()
    return horizon_months(timeframe) is not None and not any(w in lower for w in _NOT_FIXED)


def _printed(effect: Effect, study: Study, randomized: bool) -> Ratio:
    """A printed ratio, turned to the more invasive option vs the other when printed the other way."""
    value, low, high = effect.estimate.value, effect.ci[0].value, effect.ci[1].value
    if effect.direction == "comparator_vs_intervention":
        value, low, high = 1.0 / value, 1.0 / high, 1.0 / low
    adjusted = effect.adjustment not in ("", "not stated", "none")
    words = RATIO_WORDS[effect.type]
    how = f"printed {'adjusted ' if adjusted else ''}{words}"
    if adjusted:
        how += f" ({effect.adjustment})"
    if effect.direction == "comparator_vs_intervention":
        how += ", inverted to this order"
    return Ratio(effect.type, value, low, high, "study", (study.short_name,), None, how, randomized)  # type: ignore[arg-type]


def candidate(m: Member) -> Candidate:
    """A member's own ratio under the rule: printed RR or OR first, else (randomized only) counts."""
    randomized = m.study.design.value == POOLED_DESIGN
    printed = [
        e for e in m.outcome.effects if e.type in RATIO_WORDS and e.direction != "not_stated"
    ]
    if printed:
        return Candidate(m, _printed(printed[0], m.study, randomized), "")
    hazard = any(e.type == "hazard_ratio" for e in m.outcome.effects)
    if not randomized:
        return Candidate(
            m,
            None,
            f"{m.study.short_name} is not randomized and prints no adjusted risk or odds ratio;"
            " a crude ratio of a non-randomized comparison is not used.",
        )
    if m.derived:
        return Candidate(m, None, f"{m.study.short_name}'s counts were derived, not printed.")
    rr = m.risk_ratio
    if isinstance(rr, stats.Interval):
        how = "risk ratio from the counts (Katz)"
        note = "Its printed hazard ratio is not used as a risk ratio." if hazard else ""
        ratio = Ratio("risk_ratio", rr.value, rr.lower, rr.upper, "study",
                      (m.study.short_name,), None, how, True, note)  # fmt: skip
        return Candidate(m, ratio, "")
    if hazard:
        return Candidate(
            m, None, f"{m.study.short_name} prints only a hazard ratio, which is not a risk ratio."
        )
    reason = rr.reason if isinstance(rr, stats.Undefined) else "no counts in both groups"
    return Candidate(m, None, f"{m.study.short_name}: {reason}")


def _pooled(members: tuple[Member, ...]) -> tuple[Ratio | None, str]:
    randomized = [
        m
        for m in members
        if m.study.design.value == POOLED_DESIGN and m.has_counts and not m.derived
    ]
    if len(randomized) < 2:
        return None, "Not pooled: fewer than two randomized studies with printed counts."
    tables = [pooling.TwoArm(m.study.short_name, *m.invasive, *m.other) for m in randomized]  # type: ignore[misc]
    try:
        pooled = pooling.pool(tables, measure="risk_ratio", model="fixed")
    except pooling.PoolingError as error:
        return None, f"Not pooled: {error}"
    i2 = pooled.heterogeneity.i2
    if i2 >= I2_LIMIT:
        return None, f"Not pooled: the risk ratio's I² is {i2:.0f}%, at or above {I2_LIMIT:.0f}%."
    names = tuple(m.study.short_name for m in randomized)
    how = "Mantel-Haenszel fixed-effect risk ratio"
    ratio = Ratio("risk_ratio", pooled.estimate, *pooled.ci, "pooled", names, i2, how, True)
    return ratio, ""


def _presets(members: Iterable[Member]) -> tuple[Preset, ...]:
    """Each member's comparator-arm counts, where printed (never derived)."""
    return tuple(
        Preset(m, m.other[0], m.other[1])
        for m in members
        if m.other is not None and not m.derived and m.other[1] > 0
    )


def family_effects(
    studies: Iterable[Study], families: Mapping[str, Family]
) -> tuple[FamilyEffect, ...]:
    """Every family's relative-effect candidates and presets per setting, unit and pair; at start-up."""
    grouped: dict[tuple[str, str, str, tuple[str, str]], list[Member]] = {}
    for study in studies:
        for outcome in study.outcomes:
            if outcome.family in families:
                m = member(study, outcome)
                first, second = study.intervention, study.comparator
                pair = (study.arms[first].treatment, study.arms[second].treatment)
                key = (outcome.family, study.setting.value, study.unit.value, pair)
                grouped.setdefault(key, []).append(m)
    found = []
    for (family_id, setting, unit, pair), listed in grouped.items():
        members = tuple(listed)
        family = families[family_id]
        pooled, not_pooled = _pooled(members)
        found.append(
            FamilyEffect(
                family=family,
                setting=setting,
                unit=unit,
                treatments=pair,
                event=members[0].outcome.event,
                members=members,
                pooled=pooled,
                not_pooled=not_pooled,
                candidates=tuple(candidate(m) for m in members),
                presets=_presets(members),
                horizon_months=horizon_months(family.timeframe),
                fixed_horizon=is_fixed_horizon(family.timeframe),
                study_ids=frozenset(m.study.id for m in members),
            )
        )
    return tuple(found)
