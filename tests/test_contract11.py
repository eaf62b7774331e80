"""The issue-11 contract: applicability counts, the invasiveness order, pairs and scope rules."""

from __future__ import annotations

import pytest

from app.contract.scenario import Scenario
from app.contract.vocabulary import INVASIVENESS, more_invasive_first
from app.engine.applicability import Applicability, summarise
from app.engine.criteria import Reason
from app.engine.scope import scenario_outside, scope
from app.evidence.model import Quote

QUOTE = Quote("abstract", "a sentence")


def reasons(*statuses: str) -> tuple[Reason, ...]:
    return tuple(Reason(f"c{i}", s, "text", "primary", QUOTE) for i, s in enumerate(statuses))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (("met", "met", "met", "met", "not_reported"), ("applies", 4, 5)),
        # Half checked is enough; under half is not.
        (("met", "met", "not_reported", "not_reported"), ("applies", 2, 4)),
        (
            ("met", "not_reported", "not_reported", "not_reported", "not_reported"),
            ("unknown", 1, 5),
        ),
        # Enough checked and all of them met: applies, the unknown one still listed and warned about.
        (("met", "met", "met", "unknown", "not_reported"), ("applies", 3, 5)),
        (("met", "unknown", "unknown", "unknown", "not_reported"), ("unknown", 1, 5)),
        # A study reporting no criteria cannot be checked.
        (("not_reported",) * 5, ("unknown", 0, 5)),
        ((), ("unknown", 0, 0)),
        # One unmet criterion is outside, however few were checked.
        (("not_met", "unknown", "unknown", "unknown", "unknown"), ("outside", 1, 5)),
    ],
)
def test_status_needs_half_the_criteria_checked(
    statuses: tuple[str, ...], expected: tuple[str, int, int]
) -> None:
    fit = summarise(reasons(*statuses))
    assert (fit.status, fit.checked, fit.total) == expected
    assert isinstance(fit, Applicability)


def test_invasiveness_order() -> None:
    assert INVASIVENESS == ("self_expanding_stent", "balloon_stent", "angioplasty", "medical")
    assert more_invasive_first("medical", "balloon_stent") == ("balloon_stent", "medical")
    assert more_invasive_first("balloon_stent", "self_expanding_stent") == (
        "self_expanding_stent",
        "balloon_stent",
    )
    assert more_invasive_first("angioplasty", "stent_unspecified") == (
        "stent_unspecified",
        "angioplasty",
    )


@pytest.mark.parametrize(
    ("scenario", "count"),
    [
        (Scenario("symptomatic_icas", ("medical",), stenosis_percent=80, symptomatic=True), 0),
        (Scenario("symptomatic_icas", ("medical",), stenosis_percent=80, symptomatic=False), 1),
        (Scenario("symptomatic_icas", ("medical",), stenosis_percent=100), 1),
        (Scenario("symptomatic_icas", ("medical",), stenosis_percent=0), 1),
        (Scenario("symptomatic_icas", ("medical",), stenosis_percent=0, symptomatic=False), 2),
        # The acute setting is an occlusion by definition: 100% is in scope there.
        (Scenario("lvo_icas", ("balloon_stent",), stenosis_percent=100), 0),
    ],
)
def test_scenarios_outside_the_tool(scenario: Scenario, count: int) -> None:
    assert len(scenario_outside(scenario)) == count
    assert scope(scenario, ()).status == ("outside" if count else "in_scope")


def test_scope_is_outside_when_every_comparison_is() -> None:
    in_scope = Scenario("symptomatic_icas", ("medical",), stenosis_percent=80)
    outside = summarise(reasons("not_met", "met"))
    fine = summarise(reasons("met", "met"))
    assert scope(in_scope, [("A", outside), ("B", fine)]).status == "in_scope"
    found = scope(in_scope, [("A", outside), ("B", outside)])
    assert found.status == "outside"
    assert found.reasons == (
        "This patient is outside the population of every study that compares these options (A, B).",
    )


def test_scope_reasons_in_words() -> None:
    scenario = Scenario("symptomatic_icas", ("medical",), stenosis_percent=100, symptomatic=False)
    assert scenario_outside(scenario) == (
        "The stenosis is asymptomatic: this tool covers symptomatic intracranial stenosis only.",
        "100% is an occlusion, not a stenosis: the elective setting covers stenosis, not chronic"
        " occlusion.",
    )
    zero = Scenario("symptomatic_icas", ("medical",), stenosis_percent=0)
    assert scenario_outside(zero) == (
        "0% means no stenosis: there is nothing for these treatments to treat.",
    )
