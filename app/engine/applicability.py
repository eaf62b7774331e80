"""How well a patient fits a study's population: the study's reasons for this scenario, summed up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from app.analysis.population import Reason, ReasonTable, reason
from app.contract.scenario import Scenario
from app.evidence.model import Study

Status = Literal["applies", "partial", "outside"]
STATUS_ORDER = {"applies": 0, "partial": 1, "outside": 2}


@dataclass(frozen=True, slots=True)
class Applicability:
    status: Status
    reasons: tuple[Reason, ...]


def applicability(
    study: Study, scenario: Scenario, table: ReasonTable | None = None
) -> Applicability:
    """Compare the scenario with every criterion the study reports (and list those it does not).

    Reasons come from the study's reason_table when given; a value it lacks (a Scenario built
    without parse_scenario) is compared as it comes.
    """
    reasons = []
    for field in study.criteria:
        value = getattr(scenario, field)
        found = None if table is None else table[field].get((type(value), value))
        reasons.append(reason(study, field, value) if found is None else found)
    statuses = {r.status for r in reasons}
    overall: Status = (
        "outside" if "not_met" in statuses else "partial" if "unknown" in statuses else "applies"
    )
    return Applicability(overall, tuple(reasons))
