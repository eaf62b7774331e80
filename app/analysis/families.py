"""Outcomes the evidence declares comparable, grouped across studies, with a pooled estimate where allowed.

A group holds the members of one outcome family (families.toml) that share a setting, a unit
(patients or procedures) and a pair of treatments; the family fixes the time frame. Groups are
built once at start-up. Pooling uses only randomized members with printed counts, needs at least
two of them, and never mixes settings, units, designs or time frames (they are part of the key).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from app.analysis import pooling, stats
from app.contract import vocabulary
from app.evidence.model import ArmResult, Family, Outcome, Study

POOLED_DESIGN = "randomized_trial"


@dataclass(frozen=True, slots=True)
class Member:
    """One study's outcome in a family, oriented more invasive treatment first."""

    study: Study
    outcome: Outcome
    # (events, total) of the more invasive arm, then of the less invasive arm; None without counts.
    invasive: tuple[int, int] | None
    other: tuple[int, int] | None
    risk_difference: stats.Interval | None
    risk_ratio: stats.Interval | stats.Undefined | None
    # The source kinds the counts come from ("secondary" when a summary, not the trial, prints them).
    secondary: bool
    derived: bool  # a count was worked out, not printed: never pooled

    @property
    def has_counts(self) -> bool:
        return self.invasive is not None and self.other is not None


@dataclass(frozen=True, slots=True)
class Group:
    """Members of one family in one setting and unit, comparing the same two treatments."""

    family: Family
    setting: str
    unit: str
    treatments: tuple[str, str]  # more invasive first
    members: tuple[Member, ...]
    risk_ratio: pooling.Pooled | None  # Mantel-Haenszel, fixed effect
    risk_difference: pooling.Pooled | None  # Mantel-Haenszel, fixed effect
    # Why there is no pooled estimate, or what it rests on (a secondary-source count, designs left out).
    notes: tuple[str, ...]
    # DerSimonian-Laird random effects with the truncated Hartung-Knapp interval, beside the fixed.
    risk_ratio_random: pooling.Pooled | None = None
    risk_difference_random: pooling.Pooled | None = None


def _arms(study: Study) -> tuple[str, str]:
    """The study's compared arm ids, more invasive treatment first."""
    first, second = study.intervention, study.comparator
    codes = vocabulary.more_invasive_first(
        study.arms[first].treatment, study.arms[second].treatment
    )
    return (first, second) if codes[0] == study.arms[first].treatment else (second, first)


def _counts(result: ArmResult | None) -> tuple[int, int] | None:
    if result is None or result.events is None or result.total is None:
        return None
    return result.events, result.total


def member(study: Study, outcome: Outcome) -> Member:
    """Orient one study's outcome more invasive first and compute its per-study effects."""
    first, second = _arms(study)
    a, b = outcome.arms.get(first), outcome.arms.get(second)
    invasive, other = _counts(a), _counts(b)
    rd = rr = None
    if invasive is not None and other is not None:
        counts = {
            "intervention_events": invasive[0],
            "intervention_total": invasive[1],
            "comparator_events": other[0],
            "comparator_total": other[1],
        }
        rd, rr = stats.risk_difference(**counts), stats.risk_ratio(**counts)
    results = [r for r in (a, b) if r is not None]
    return Member(
        study=study,
        outcome=outcome,
        invasive=invasive,
        other=other,
        risk_difference=rd,
        risk_ratio=rr,
        secondary=any(study.sources[r.quote.source].kind == "secondary" for r in results),
        derived=any("events" in r.derived or "total" in r.derived for r in results),
    )


def _pool(
    members: tuple[Member, ...], measure: pooling.Measure, random: bool = False
) -> pooling.Pooled | None:
    tables = [
        pooling.TwoArm(m.study.short_name, *m.invasive, *m.other)  # type: ignore[misc]
        for m in members
    ]
    try:
        if random:
            # The truncated Hartung-Knapp interval is never narrower than DerSimonian-Laird's.
            return pooling.pool(
                tables, measure=measure, model="random", adjustment="hartung-knapp-truncated"
            )
        return pooling.pool(tables, measure=measure, model="fixed")
    except pooling.PoolingError:
        return None


def _group(
    key: tuple[str, str, str, tuple[str, str]], members: list[Member], family: Family
) -> Group:
    pooled = tuple(
        m
        for m in members
        if m.study.design.value == POOLED_DESIGN and m.has_counts and not m.derived
    )
    notes = []
    rr = rd = rr_random = rd_random = None
    if len(pooled) >= 2:
        rr, rd = _pool(pooled, "risk_ratio"), _pool(pooled, "risk_difference")
        rr_random = _pool(pooled, "risk_ratio", random=True)
        rd_random = _pool(pooled, "risk_difference", random=True)
        left_out = [m.study.short_name for m in members if m not in pooled]
        if left_out:
            notes.append(
                f"Pooled from the randomized studies with printed counts only; not pooled: {', '.join(left_out)}."
            )
        secondary = [m.study.short_name for m in pooled if m.secondary]
        if secondary:
            notes.append(
                f"The pooled estimate rests on counts from a secondary source for {', '.join(secondary)}."
            )
    else:
        notes.append(
            "No pooled estimate: it needs at least two randomized studies with printed counts in"
            " this family."
        )
    _, setting, unit, treatments = key
    return Group(
        family,
        setting,
        unit,
        treatments,
        tuple(members),
        rr,
        rd,
        tuple(notes),
        rr_random,
        rd_random,
    )


def family_groups(studies: Iterable[Study], families: Mapping[str, Family]) -> tuple[Group, ...]:
    """Group every family member by setting, unit and treatment pair; call at start-up."""
    grouped: dict[tuple[str, str, str, tuple[str, str]], list[Member]] = {}
    for study in studies:
        first, second = _arms(study)
        treatments = (study.arms[first].treatment, study.arms[second].treatment)
        for outcome in study.outcomes:
            if outcome.family in families:
                key = (
                    outcome.family,
                    study.setting.value,
                    study.unit.value,
                    treatments,
                )
                grouped.setdefault(key, []).append(member(study, outcome))
    return tuple(
        _group(key, members, families[key[0]])
        for key, members in grouped.items()
        if len(members) >= 2
    )
