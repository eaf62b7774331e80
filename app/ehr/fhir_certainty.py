"""GRADE certainty in FHIR R5 Evidence.certainty (EBM-on-FHIR): the rating and each domain's reason.

Evidence.certainty holds the overall rating (type Overall, rating high, moderate, low or very-low,
the informative statement as its description) with one subcomponent per GRADE domain (type
RiskOfBias, Inconsistency, Indirectness, Imprecision or PublicationBias; rating no-concern,
serious-concern or very-serious-concern for 0, 1 or 2 levels down; the reason as its description).
Codes from the R5 code systems certainty-type and certainty-rating.
"""

from __future__ import annotations

from typing import Any

from app.analysis.certainty import Certainty
from app.evidence.model import Study
from app.web.formatting import DESIGN_LABELS

JSON = dict[str, Any]
TYPE = "http://hl7.org/fhir/certainty-type"
RATING = "http://hl7.org/fhir/certainty-rating"
TYPES = {
    "risk_of_bias": ("RiskOfBias", "Risk of bias"),
    "inconsistency": ("Inconsistency", "Inconsistency"),
    "indirectness": ("Indirectness", "Indirectness"),
    "imprecision": ("Imprecision", "Imprecision"),
    "publication_bias": ("PublicationBias", "Publication bias"),
}
OVERALL = {
    "high": ("high", "High quality"),
    "moderate": ("moderate", "Moderate quality"),
    "low": ("low", "Low quality"),
    "very_low": ("very-low", "Very low quality"),
}
CONCERN = {
    0: ("no-concern", "no serious concern"),
    1: ("serious-concern", "serious concern"),
    2: ("very-serious-concern", "very serious concern"),
}


def _code(system: str, code: tuple[str, str]) -> JSON:
    return {"coding": [{"system": system, "code": code[0], "display": code[1]}]}


def certainty_element(certainty: Certainty) -> JSON:
    """The overall certainty with its five domains as subcomponents."""
    start = (
        "randomized trials start high" if certainty.start == "high" else "other designs start low"
    )
    return {
        "description": certainty.statement,
        "note": [{"text": f"GRADE: {start}; each domain rates down 0, 1 or 2 levels."}],
        "type": _code(TYPE, ("Overall", "Overall certainty")),
        "rating": _code(RATING, OVERALL[certainty.rating]),
        "subcomponent": [
            {
                "description": domain.reason,
                "type": _code(TYPE, TYPES[domain.name]),
                "rating": _code(RATING, CONCERN[domain.levels]),
            }
            for domain in certainty.domains
        ],
    }


def design_notes(study: Study) -> list[str]:
    """Notes for a study stopped early and for an observational design."""
    notes = [c.text for c in study.caveats if c.code == "stopped_early"]
    if study.design.value != "randomized_trial":
        notes.append(
            f"Observational design ({DESIGN_LABELS[study.design.value]}): treatment was not"
            " assigned at random, so the certainty of evidence starts low."
        )
    return notes
