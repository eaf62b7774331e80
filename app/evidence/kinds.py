"""What an evidence file must and may give for each outcome kind: the reading rules, one per kind."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from app.evidence.model import ArmResult
from app.evidence.reader import Table, Texts, check_percent, read_quote

# Reads one arm's figures: (its table, the arm id, the source texts, the arm's size if known).
ArmReader = Callable[[Table, str, Texts, int | None], ArmResult]


# How a printed percent was estimated; a product-limit (Kaplan-Meier) percent is not events/total.
PERCENT_METHODS = ("proportion", "product_limit")


def read_counts(table: Table, arm: str, sources: Texts, arm_size: int | None) -> ArmResult:
    """Read events, total, percent and CI for one arm (or the pooled figures), checking each."""
    result = ArmResult(
        arm=arm,
        events=table.whole("events", required=False, minimum=0),
        total=table.whole("total", required=False, minimum=1),
        percent=table.printed("percent"),
        ci=table.printed_pair("ci"),
        derived=table.str_map("derived", ("events", "total")),
        discrepancy=table.text("discrepancy", required=False),
        subset=table.text("subset", required=False),
        quote=read_quote(table, sources),
        percent_method=table.choice("percent_method", PERCENT_METHODS, required=False)
        or "proportion",
    )
    if result.subset and (result.total is None or arm_size is None or result.total >= arm_size):
        table.error(
            "subset",
            "explains a total below the arm size, but the total is not below it",
        )
    given = [key for key in ("events", "total") if key in table.data]
    if len(given) == 1:
        missing = "total" if given == ["events"] else "events"
        table.error(missing, f"required with {given[0]}: events and total go together")
    if not given and "percent" not in table.data:
        table.error("", "needs events and total, or at least a printed percent")
    if result.has_counts and result.events > result.total:  # type: ignore[operator]
        table.error("events", f"{result.events} events exceed the total of {result.total}")
    if result.total is not None and arm_size is not None and result.total > arm_size:
        table.error("total", f"{result.total} exceeds the arm size of {arm_size}")
    if result.percent is not None and result.percent.value > 100:
        table.error("percent", f"must be at most 100, got {result.percent.text}")
    for name in result.derived:
        if getattr(result, name) is None:
            table.error(f"derived.{name}", f"explains {name}, but {name} is not given")
    check_percent(table, result)
    table.done()
    return result


def read_survival(table: Table, arm: str, sources: Texts, arm_size: int | None) -> ArmResult:
    """Read one arm's Kaplan-Meier estimate (survival or event rate) and its SE, all in percent."""
    result = ArmResult(
        arm=arm,
        survival=table.printed("survival"),
        se=table.printed("se"),
        event_rate=table.printed("event_rate"),
        quote=read_quote(table, sources),
    )
    if (result.survival is None) == (result.event_rate is None):
        table.error(
            "",
            "needs survival or event_rate (the cumulative probability of the event), not both",
        )
    figures = (
        (result.survival, "survival"),
        (result.se, "se"),
        (result.event_rate, "event_rate"),
    )
    for value, key in figures:
        if value is not None and value.value > 100:
            table.error(key, f"a percentage must be at most 100, got {value.text}")
    table.done()
    return result


@dataclass(frozen=True, slots=True)
class Reading:
    """The rules for one outcome kind; schema.py applies them and words every problem."""

    # How each arm's figures are read; None: the kind has no per-arm figures at all.
    arm_figures: ArmReader | None
    # Both compared arms must be given.
    arms_required: bool
    # May give pooled figures across all groups ([outcomes.overall], read as counts).
    pooled: bool
    # Needs at least one [[outcomes.effects]] (any kind may quote published effects).
    effects_required: bool
    # Needs a statement, and no other kind may have one.
    statement: bool


READING: Mapping[str, Reading] = MappingProxyType(
    {
        "binary": Reading(
            read_counts,
            arms_required=True,
            pooled=True,
            effects_required=False,
            statement=False,
        ),
        "kaplan_meier": Reading(
            read_survival,
            arms_required=True,
            pooled=False,
            effects_required=False,
            statement=False,
        ),
        "adjusted_effect": Reading(
            None,
            arms_required=False,
            pooled=False,
            effects_required=True,
            statement=False,
        ),
        "narrative": Reading(
            None,
            arms_required=False,
            pooled=False,
            effects_required=False,
            statement=True,
        ),
    }
)
# Applied after an unknown kind has been reported, so the rest of the outcome is still checked.
UNKNOWN = Reading(
    read_counts,
    arms_required=False,
    pooled=False,
    effects_required=False,
    statement=False,
)


def kinds_with(rule: str) -> str:
    """Name the kinds whose reading has `rule` set, for a problem's wording: 'binary or ...'."""
    return " or ".join(kind for kind, reading in READING.items() if getattr(reading, rule))
