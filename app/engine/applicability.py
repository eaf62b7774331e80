"""How well a patient fits a study's population: the study's reasons for this scenario, summed up."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from app.contract.scenario import Scenario
from app.engine.criteria import Reason, ReasonTable
from app.evidence.model import Study

# Settings that are symptomatic by definition.
SYMPTOMATIC = ("symptomatic_icas",)
Status = Literal["applies", "unknown", "outside"]
STATUS_ORDER = {"applies": 0, "unknown": 1, "outside": 2}


@dataclass(frozen=True, slots=True)
class Applicability:
    """The overall fit, how many criteria could be checked out of those considered, and why."""

    status: Status
    reasons: tuple[Reason, ...]
    checked: int = 0  # criteria the study reports and this patient's data could check
    total: int = 0  # criteria considered (reported by the study or not)


def summarise(reasons: tuple[Reason, ...]) -> Applicability:
    """Sum reasons up: any unmet is outside; under half checked (or none reported) is unknown.

    'applies' needs at least half of the criteria checked and every checked one met (issue 11); a
    reported criterion this patient's data leaves unknown does not stop it, but stays listed among
    the reasons and adds the warning 'population_partly_unknown' (app/engine/assess.py).
    """
    statuses = [r.status for r in reasons]
    unmet = statuses.count("not_met")
    checked = statuses.count("met") + unmet
    total = len(statuses)
    overall: Status
    if unmet:
        overall = "outside"
    elif checked == 0 or 2 * checked < total:
        overall = "unknown"
    else:
        overall = "applies"
    return Applicability(overall, reasons, checked, total)


def implied_by_setting(scenario: Scenario, field: str) -> bool:
    """Whether the setting answers a field the scenario leaves unanswered (symptomatic stenosis)."""
    return (
        field == "symptomatic"
        and getattr(scenario, field) is None
        and scenario.setting in SYMPTOMATIC
    )


def applicability(study: Study, scenario: Scenario, table: ReasonTable) -> Applicability:
    """Compare the scenario with every criterion the study reports (and list those it does not).

    Reasons are looked up in the study's reason table (app/engine/tables.py), which holds every
    value the scenario contract allows.
    """
    reasons = []
    for field in study.criteria:
        value = getattr(scenario, field)
        from_setting = implied_by_setting(scenario, field)
        if from_setting:
            # The setting itself says the stenosis is symptomatic: the question is redundant, and
            # leaving it unanswered must not count as unknown.
            value = True
        found = table[field][(type(value), value)]
        if from_setting and found.status == "met":
            found = replace(found, text=f"{found.text[:-1]} (the setting is symptomatic stenosis).")
        reasons.append(found)
    return summarise(tuple(reasons))
