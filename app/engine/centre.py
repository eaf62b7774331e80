"""A centre's own results set beside the trial arms of the same option and outcome family.

Per request. For each entry of the scenario's `centre_results`: the centre's rate with its exact
(Clopper-Pearson) 95% CI; per trial arm of that option and family in the setting, the difference
centre - trial (Newcombe hybrid score 95% CI) and Fisher's exact P, computed exactly as
``POST /api/v1/two-by-two`` does with the centre as the intervention arm; and the funnel plot's
95% and 99.8% exact binomial limits around the family's benchmark (app/analysis/funnel.py).

Words come from intervals, never from a point estimate alone: an arm is "lower" or "higher" only
when the difference's 95% CI excludes 0, otherwise it "cannot be told apart"; and a centre whose
95% CI is at least as wide as the benchmark rate itself is told its procedures are too few for a
precise rate.

`early_risk` is the seam for a personal timeline: the centre's rate and CI for one option and
family in this scenario, or None when the centre gave none. `use_early_risks` applies it when the
scenario asks (`use_centre_early_risk`): each personal family at the early horizon whose procedure
has a centre result takes the centre's rate (app/engine/personal.py `with_centre`); asked with no
such result at all, the scenario is refused naming the field (422), and a procedure compared here
without one is named in a notice, its early risk still baseline × relative effect.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from app.analysis import funnel, significance, stats
from app.analysis.caveats import Notice
from app.analysis.centre import Benchmark, Reference, TrialArm
from app.analysis.funnel import Limits
from app.contract import vocabulary
from app.contract.centre import CentreResult, Families
from app.contract.scenario import Scenario, ScenarioError
from app.engine.personal import FamilyRisks, is_early, with_centre

USE_EARLY = "use_centre_early_risk"

Verdict = Literal["lower", "higher", "unclear"]
References = Mapping[tuple[str, str, str], Reference]


@dataclass(frozen=True, slots=True)
class ArmComparison:
    """The centre against one trial arm: centre - trial."""

    arm: TrialArm
    difference: stats.Interval  # Newcombe 95%
    p_value: stats.PValue  # Fisher's exact, two-sided
    verdict: Verdict


@dataclass(frozen=True, slots=True)
class CentreComparison:
    """One centre result with everything it is compared with."""

    entry: CentreResult
    reference: Reference
    rate: stats.Interval  # Clopper-Pearson 95%
    arms: tuple[ArmComparison, ...]
    few: bool  # the centre's CI is at least as wide as the benchmark rate: too few to be precise
    text: str  # the comparison in one clinician's sentence (or two)
    funnel: tuple[Limits, ...]  # limits at each plotted number of procedures
    points: tuple[tuple[str, int, int, Limits], ...]  # (label, events, total, limits at total)

    @property
    def benchmark(self) -> Benchmark | None:
        return self.reference.benchmark


def families(references: References) -> Families:
    """(setting, family) -> the options a centre may give results for (the contract's check)."""
    found: dict[tuple[str, str], list[str]] = {}
    for setting, family, option in references:
        found.setdefault((setting, family), []).append(option)
    return {key: tuple(options) for key, options in found.items()}


def _table(entry: CentreResult, arm: TrialArm) -> dict[str, int]:
    return {
        "intervention_events": entry.events,
        "intervention_total": entry.total,
        "comparator_events": arm.events,
        "comparator_total": arm.total,
    }


def _verdict(difference: stats.Interval) -> Verdict:
    if difference.upper < 0:
        return "lower"
    if difference.lower > 0:
        return "higher"
    return "unclear"


def _pct(fraction: float) -> str:
    return f"{100 * fraction:.1f}%"


def _arm_words(c: ArmComparison, option: str) -> str:
    name = f"{c.arm.study.short_name}'s {vocabulary.OPTIONS[option].clinician.lower()} arm"
    note = ", counts from a secondary source" if c.arm.secondary else ""
    return f"{name}, {c.arm.events} of {c.arm.total} ({_pct(c.arm.rate.value)}{note})"


def describe(
    entry: CentreResult,
    rate: stats.Interval,
    arms: tuple[ArmComparison, ...],
    benchmark: Benchmark | None,
    few: bool,
) -> str:
    """The comparison in words, decided by the intervals."""
    lead = (
        f"Your centre's {entry.events} of {entry.total} ({_pct(rate.value)}; 95% CI"
        f" {_pct(rate.lower)} to {_pct(rate.upper)})"
    )
    clauses = []
    for verdict, words in (("lower", "is lower than"), ("higher", "is higher than")):
        named = [_arm_words(c, entry.option) for c in arms if c.verdict == verdict]
        if named:
            clauses.append(f"{words} {' and '.join(named)}")
    unclear = [_arm_words(c, entry.option) for c in arms if c.verdict == "unclear"]
    if unclear:
        clauses.append(
            f"cannot be told apart from {' or '.join(unclear)} (the difference's 95% CI includes 0)"
        )
    text = f"{lead} {'; it '.join(clauses)}." if clauses else f"{lead}; no trial arm to compare."
    if few and benchmark is not None:
        text += (
            f" With {entry.total} procedures the centre's 95% CI is as wide as the trials' pooled"
            f" rate ({_pct(benchmark.rate)}) or wider: too few procedures for a precise rate;"
            " read the interval, not the point estimate."
        )
    return text


def _few(rate: stats.Interval, benchmark: Benchmark | None) -> bool:
    width = rate.upper - rate.lower
    return benchmark is None or width >= benchmark.rate


def compare(entry: CentreResult, reference: Reference) -> CentreComparison:
    """Compare one centre result with every trial arm of its option and family."""
    rate = stats.proportion(events=entry.events, total=entry.total)
    arms = []
    for arm in reference.arms:
        table = _table(entry, arm)
        difference = stats.risk_difference(**table)
        arms.append(
            ArmComparison(
                arm,
                difference,
                significance.fisher_exact(**table),
                _verdict(difference),
            )
        )
    benchmark = reference.benchmark
    few = _few(rate, benchmark)
    points: list[tuple[str, int, int, Limits]] = []
    plotted: tuple[Limits, ...] = ()
    if benchmark is not None:
        p0 = benchmark.rate
        points = [
            (
                a.arm.study.short_name,
                a.arm.events,
                a.arm.total,
                funnel.limits(a.arm.total, p0),
            )
            for a in arms
        ]
        points.append(("Your centre", entry.events, entry.total, funnel.limits(entry.total, p0)))
        largest = max(n for _, _, n, _ in points)
        plotted = tuple(funnel.limits(n, p0) for n in funnel.plotted_ns(round(largest * 1.1)))
    return CentreComparison(
        entry=entry,
        reference=reference,
        rate=rate,
        arms=tuple(arms),
        few=few,
        text=describe(entry, rate, tuple(arms), benchmark, few),
        funnel=plotted,
        points=tuple(points),
    )


def centre_comparisons(scenario: Scenario, references: References) -> tuple[CentreComparison, ...]:
    """Every centre result of the scenario beside its trial arms (the contract checked the keys)."""
    found = []
    for entry in scenario.centre_results:
        reference = references.get((scenario.setting, entry.family, entry.option))
        if reference is not None:
            found.append(compare(entry, reference))
    return tuple(found)


def early_risk(
    scenario: Scenario, references: References, option: str, family: str
) -> stats.Interval | None:
    """The centre's rate with its exact 95% CI for one option and family, or None if not given.

    The seam for a personal timeline's "use our centre's early risk".
    """
    if (scenario.setting, family, option) not in references:
        return None
    for entry in scenario.centre_results:
        if entry.option == option and entry.family == family:
            return stats.proportion(events=entry.events, total=entry.total)
    return None


def use_early_risks(
    scenario: Scenario, references: References, risks: tuple[FamilyRisks, ...]
) -> tuple[tuple[FamilyRisks, ...], tuple[Notice, ...]]:
    """The personal risks with the centre's early rate where asked, and a notice for any gap.

    Raises ScenarioError naming `use_centre_early_risk` when it is asked and no early personal
    family of a procedure compared here has a centre result.
    """
    if not scenario.use_centre_early_risk:
        return risks, ()
    used: list[str] = []
    missing: list[tuple[str, str]] = []
    offered: list[str] = []
    found: list[FamilyRisks] = []
    for f in risks:
        option, family = f.effect.treatments[0], f.effect.family.id
        if not is_early(f.effect) or option == "medical":
            found.append(f)
            continue
        offered.append(
            f"{vocabulary.OPTIONS[option].clinician}: {f.effect.family.label} ({option}, {family})"
        )
        rate = early_risk(scenario, references, option, family)
        entry = next(
            (e for e in scenario.centre_results if (e.option, e.family) == (option, family)), None
        )
        if rate is None or entry is None:
            missing.append((option, f.effect.family.label))
            found.append(f)
            continue
        used.append(option)
        found.append(with_centre(f, entry.events, entry.total, rate))
    if not used:
        have = ", ".join(dict.fromkeys(offered)) or "none for the options and setting chosen"
        raise ScenarioError(
            {
                USE_EARLY: [
                    "No centre counts for an early (30-day) outcome of a procedure compared here,"
                    " so there is no centre's early risk to use: give them (centre_results), or"
                    f" leave this out. Outcomes it may use: {have}."
                ]
            }
        )
    return tuple(found), _gaps(missing, used)


def _gaps(missing: list[tuple[str, str]], used: list[str]) -> tuple[Notice, ...]:
    """Name each procedure whose early risk stays baseline x relative effect (its families when
    another of its early families takes the centre's rate)."""
    if not missing:
        return ()
    families: dict[str, list[str]] = {}
    for option, label in missing:
        families.setdefault(option, []).append(label)
    named = [
        vocabulary.OPTIONS[o].clinician.lower() + (f" ({'; '.join(labels)})" if o in used else "")
        for o, labels in families.items()
    ]
    return (
        Notice(
            "centre_early_risk_not_given",
            "Your centre's early risk is used only where its counts are given; the early risk"
            f" is still baseline \u00d7 relative effect for the {' and the '.join(named)}.",
        ),
    )
