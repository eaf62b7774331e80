"""Known trials for the pages: what each compares and why its numbers are not shown, in two registers."""

from __future__ import annotations

from dataclasses import dataclass

from app.contract import vocabulary
from app.engine.assess import Assessment
from app.evidence.model import KnownTrial

DESIGN_WORDS = {**{c: t.clinician for c, t in vocabulary.DESIGNS.items()}}
DESIGN_WORDS["pooled_individual_patient_data"] = "pooled analysis of individual patient data"


@dataclass(frozen=True, slots=True)
class KnownTrialView:
    name: str
    text: str  # for clinicians
    patient_text: str  # plain words, reading grade 8 or below
    citation: str  # with what could not be verified (clinicians)
    patient_citation: str  # without bibliographic caveats: they belong on the evidence pages
    short_citation: str  # the print view's: journal, year, volume and pages, and registration


def _either(codes: tuple[str, ...], words: str) -> str:
    return " or ".join(getattr(vocabulary.TREATMENTS[c], words) for c in codes)


def known_trial_view(trial: KnownTrial) -> KnownTrialView:
    """Say what the trial compares and why its numbers are not shown; never a number from it."""
    intervention = _either(trial.intervention, "short")
    ids = [f"DOI {trial.citation.doi}" if trial.citation.doi else "", trial.citation.registration]
    identified = [i + "." for i in ids if i]
    citation = " ".join(
        [trial.citation.text, *([trial.citation.note] if trial.citation.note else []), *identified]
    )
    patient_citation = " ".join([trial.citation.text, *identified])
    return KnownTrialView(
        name=trial.short_name,
        text=(
            f"A {DESIGN_WORDS[trial.design]} of {intervention} vs {trial.comparator_label}."
            f" It is not in this evidence base, and none of its numbers are shown. {trial.reason}"
        ),
        patient_text=(
            f"This study looked at {_either(trial.intervention, 'noun')} and"
            f" {trial.comparator_plain or _either(trial.comparator, 'noun')}. It is not in this tool"
            " yet, so its results are not shown here."
        ),
        citation=citation,
        patient_citation=patient_citation,
        short_citation=", ".join(
            s
            for s in (
                trial.citation.short or trial.citation.text,
                trial.citation.registration,
            )
            if s
        ),
    )


def known_trial_views(assessment: Assessment) -> tuple[KnownTrialView, ...]:
    """The assessment's known trials, ready for the pages."""
    return tuple(known_trial_view(t) for t in assessment.known_trials)
