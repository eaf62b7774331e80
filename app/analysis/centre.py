"""The trial arms a centre's own results are set beside: each procedural arm of each outcome family.

Built once at start-up (knows no patient). For each setting, outcome family and procedure option
(any option but medical therapy), the arms of that option in the family's studies with printed
counts, each with its exact rate, and the benchmark a funnel plot is drawn around: the pooled rate
of that option's arms in the family's randomized studies (sum of events over sum of patients;
counts worked out rather than printed are left out, as in pooling).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from app.analysis import stats
from app.contract import vocabulary
from app.evidence.model import Family, Outcome, Study

MEDICAL = "medical"
RANDOMIZED = "randomized_trial"


@dataclass(frozen=True, slots=True)
class TrialArm:
    """One study's arm of an option in an outcome family, with its printed counts."""

    study: Study
    outcome: Outcome
    arm_label: str
    events: int
    total: int
    rate: stats.Interval  # Clopper-Pearson 95%
    secondary: bool  # the counts come from a secondary source
    derived: bool  # a count was worked out, not printed

    @property
    def randomized(self) -> bool:
        return self.study.design.value == RANDOMIZED


@dataclass(frozen=True, slots=True)
class Benchmark:
    """The rate a funnel is centred on, and the arms it pools."""

    events: int
    total: int
    studies: tuple[str, ...]  # short names

    @property
    def rate(self) -> float:
        return self.events / self.total


@dataclass(frozen=True, slots=True)
class Reference:
    """Everything a centre's result for one option and family is compared with."""

    setting: str
    family: Family
    option: str
    arms: tuple[TrialArm, ...]
    benchmark: Benchmark | None


def _arms(study: Study, outcome: Outcome, option: str) -> list[TrialArm]:
    found = []
    for arm_id, arm in study.arms.items():
        result = outcome.arms.get(arm_id)
        if arm.treatment != option or result is None:
            continue
        if result.events is None or result.total is None:
            continue
        found.append(
            TrialArm(
                study=study,
                outcome=outcome,
                arm_label=arm.label,
                events=result.events,
                total=result.total,
                rate=stats.proportion(events=result.events, total=result.total),
                secondary=study.sources[result.quote.source].kind == "secondary",
                derived="events" in result.derived or "total" in result.derived,
            )
        )
    return found


def _benchmark(arms: Iterable[TrialArm]) -> Benchmark | None:
    pooled = [a for a in arms if a.randomized and not a.derived]
    if not pooled:
        return None
    return Benchmark(
        events=sum(a.events for a in pooled),
        total=sum(a.total for a in pooled),
        studies=tuple(a.study.short_name for a in pooled),
    )


def references(
    studies: Iterable[Study], families: Mapping[str, Family]
) -> Mapping[tuple[str, str, str], Reference]:
    """(setting, family id, option) -> the arms a centre's result is set beside; at start-up."""
    found: dict[tuple[str, str, str], list[TrialArm]] = {}
    for study in studies:
        for outcome in study.outcomes:
            if outcome.family not in families:
                continue
            for option in vocabulary.OPTIONS:
                if option == MEDICAL:
                    continue
                arms = _arms(study, outcome, option)
                if arms:
                    found.setdefault((study.setting.value, outcome.family, option), []).extend(arms)
    return MappingProxyType(
        {
            key: Reference(key[0], families[key[1]], key[2], tuple(arms), _benchmark(arms))
            for key, arms in found.items()
        }
    )
