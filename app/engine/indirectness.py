"""Indirectness, GRADE's patient-dependent domain: how directly each study answers for this patient.

From the patient's applicability (app/engine/applicability.py): not rated down when the study
applies; one level when it cannot be checked (fewer than half of its criteria checked) or the
patient is outside its population on one criterion; two when outside on two or more. A study
standing for a stent option although it does not say which stent it used adds a level (at most
two in all). A family's pooled estimate takes its least direct member and adds a level for a
difference between members that families.toml declares serious. The rating is then completed
with the four domains judged at start-up (app/analysis/certainty.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from app.analysis.appraisal import OutcomeResult
from app.analysis.certainty import Certainty, Domain, Judged, Rated, judge_family
from app.analysis.families import Group
from app.analysis.statements import family_statement, outcome_statement
from app.contract.scenario import FIELD
from app.engine.applicability import Applicability
from app.engine.plans import Match
from app.evidence.model import Study

VERDICT = {0: "not rated down", 1: "rated down one level", 2: "rated down two levels"}


def _lower(label: str) -> str:
    """'Days since the qualifying TIA or stroke' -> 'days since the qualifying TIA or stroke'."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def _criteria(names: list[str]) -> str:
    labels = [_lower(FIELD[n].label) if n in FIELD else n.replace("_", " ") for n in names]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def indirectness(fit: Applicability, match: Match, name: str) -> Domain:
    """Rate one study's indirectness for this patient (see the module docstring)."""
    levels, why = _why(fit, match, name)
    return Domain("indirectness", levels, f"{why[:1].upper()}{why[1:]}; {VERDICT[levels]}.")


def _why(fit: Applicability, match: Match, name: str) -> tuple[int, str]:
    unmet = [r.criterion for r in fit.reasons if r.status == "not_met"]
    unknown = [r.criterion for r in fit.reasons if r.status == "unknown"]
    if unmet:
        levels = 2 if len(unmet) >= 2 else 1
        count = "1 criterion" if len(unmet) == 1 else f"{len(unmet)} criteria"
        why = f"this patient is outside {name}'s population on {count} ({_criteria(unmet)})"
    elif fit.status == "unknown":
        levels = 1
        why = (
            f"only {fit.checked} of the {fit.total} population criteria of {name} could be checked"
            " for this patient"
        )
    else:
        levels = 0
        why = f"this patient meets every criterion of {name} checked ({fit.checked} of {fit.total})"
        if unknown:
            why += f", though {_criteria(unknown)} {'is' if len(unknown) == 1 else 'are'} not known"
    if match.unspecified_stent:
        levels = min(2, levels + 1)
        why += ", and the study does not say which type of stent it used"
    return levels, why


def family_indirectness(group: Group, members: Mapping[str, tuple[int, str]]) -> Domain:
    """The least direct member's indirectness, plus a level for a declared serious difference."""
    found = [members[m.study.id] for m in group.members if m.study.id in members]
    levels, why = max(found, key=lambda f: f[0]) if found else (1, "no member was assessed")
    if levels == 0:
        why = "this patient meets every criterion checked of each member"
    serious = [d for d in group.family.differences if d.serious]
    if serious:
        levels = min(2, levels + 1)
    aspects = [
        d.aspect + (" (serious)" if d.serious else " (not serious)")
        for d in group.family.differences
    ]
    differs = f"; the members differ in {', '.join(aspects)}" if aspects else ""
    return Domain(
        "indirectness", levels, f"{why[:1].upper()}{why[1:]}{differs}; {VERDICT[levels]}."
    )


def family_certainty(
    groups: Iterable[Group],
    rated: Iterable[Rated],
    fits: Mapping[str, tuple[Applicability, Match, str]],
) -> tuple[Certainty, ...]:
    """Each side-by-side family's certainty for this patient, in the groups' order (`rated`: the
    groups' rated_families, tabulated at start-up)."""
    members = {study: _why(*fit) for study, fit in fits.items()}
    return tuple(
        r.rate(family_indirectness(group, members)) for group, r in zip(groups, rated, strict=True)
    )


def rated_outcomes(study: Study, results: Iterable[OutcomeResult]) -> tuple[Rated | None, ...]:
    """Write each outcome's statement at every indirectness level (None where it is not rated).

    Only the number of levels changes the rating and so the statement: a request takes both from
    here and adds its own indirectness (engine/tables.py).
    """
    return tuple(
        None
        if r.judged is None
        else Rated(
            r.judged,
            tuple(outcome_statement(rating, r.stats, study) for rating in _ratings(r.judged)),
        )
        for r in results
    )


def rated_families(groups: Iterable[Group]) -> tuple[Rated, ...]:
    """Write each family's domains and its statement at every indirectness level."""
    found = []
    for group in groups:
        judged = judge_family(group)
        statements = tuple(family_statement(rating, group) for rating in _ratings(judged))
        found.append(Rated(judged, statements))
    return tuple(found)


def _ratings(judged: Judged) -> list[str]:
    return [judged.with_indirectness(Domain("indirectness", n, "")).rating for n in VERDICT]
