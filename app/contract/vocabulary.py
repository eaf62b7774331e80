"""Every coded vocabulary of the contracts, each code with its clinician and patient words, once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class Term:
    """One code and the words each audience reads for it."""

    code: str
    clinician: str  # a label on clinician pages and in API descriptions
    patient: str  # plain words for the patient and print views (US reading grade 8 or below)
    short: str = ""  # the form used inside a clinician sentence
    about: str = ""  # a plain sentence about it for patients; {name} is the study's short name
    heading: str = ""  # patients' heading for a treatment: "Medicines only"
    who: str = ""  # after "people who": "took medicines only"
    noun: str = ""  # after "treatments with" (studies that count procedures): "medicines only"


def _table(*terms: Term) -> Mapping[str, Term]:
    return MappingProxyType({t.code: t for t in terms})


def clinician(table: Mapping[str, Term]) -> dict[str, str]:
    """Map each code to its clinician label, in the table's order."""
    return {code: term.clinician for code, term in table.items()}


SETTINGS = _table(
    Term(
        "symptomatic_icas",
        "Symptomatic intracranial stenosis (elective decision)",
        "A narrowed artery inside the head that has caused a stroke or mini-stroke"
        " (a planned treatment)",
        short="symptomatic ICAS",
    ),
    Term(
        "lvo_icas",
        "Acute large-vessel occlusion with underlying ICAS (rescue treatment)",
        "A blocked artery in the brain during a stroke, with narrowing under the block"
        " (an emergency treatment)",
        short="acute LVO with underlying ICAS",
    ),
)
# The four options a clinician weighs, then the arm a study may report without the stent's type.
TREATMENTS = _table(
    Term(
        "medical",
        "Medical therapy",
        "Medicines only (medical therapy)",
        "medical therapy",
        about="Medicines, with no stent or balloon.",
        heading="Medicines only",
        who="took medicines only",
        noun="medicines only",
    ),
    Term(
        "angioplasty",
        "Angioplasty alone",
        "Balloon widening only (angioplasty)",
        "angioplasty alone",
        about="A small balloon is blown up inside the artery to widen it. No stent is left in.",
        heading="Balloon widening only",
        who="had balloon widening only",
        noun="balloon widening only",
    ),
    Term(
        "balloon_stent",
        "Balloon-mounted (balloon-expandable) stent",
        "Balloon stent (balloon-mounted stent)",
        "a balloon-mounted stent",
        about="A small mesh tube (a stent) is opened by a balloon to hold the artery open.",
        heading="Balloon stent",
        who="had a balloon stent",
        noun="a balloon stent",
    ),
    Term(
        "self_expanding_stent",
        "Self-expanding stent",
        "Self-expanding stent",
        "a self-expanding stent",
        about="A small mesh tube (a stent) opens by itself to hold the artery open.",
        heading="Self-expanding stent",
        who="had a self-expanding stent",
        noun="a self-expanding stent",
    ),
    Term(
        "stent_unspecified",
        "Stent of unstated type",
        "Stent (type not stated)",
        "a stent of unstated type",
        about="A small mesh tube (a stent) holds the artery open. The study did not say which"
        " kind.",
        heading="Stent (type not stated)",
        who="had a stent",
        noun="a stent",
    ),
)
OPTIONS = MappingProxyType({k: v for k, v in TREATMENTS.items() if k != "stent_unspecified"})
STENT_OPTIONS = ("balloon_stent", "self_expanding_stent")
# Most invasive first: the more invasive of two options is always the intervention column, in every
# table and in the JSON (a stent of unstated type ranks with the stents).
INVASIVENESS = ("self_expanding_stent", "balloon_stent", "angioplasty", "medical")
INVASIVENESS_RANK = MappingProxyType(
    {**{code: rank for rank, code in enumerate(INVASIVENESS)}, "stent_unspecified": 1}
)


def more_invasive_first(first: str, second: str) -> tuple[str, str]:
    """Order two treatment codes more invasive first (ties keep the order given)."""
    if INVASIVENESS_RANK[second] < INVASIVENESS_RANK[first]:
        return second, first
    return first, second


ARTERIES = _table(
    Term(
        "intracranial_ica",
        "Intracranial internal carotid artery",
        "Intracranial internal carotid artery",
    ),
    Term("mca", "Middle cerebral artery", "Middle cerebral artery"),
    Term("vertebral", "Intracranial vertebral artery", "Intracranial vertebral artery"),
    Term("basilar", "Basilar artery", "Basilar artery"),
    Term("other", "Other intracranial artery", "Other intracranial artery"),
)
# In order of strength of design: the order comparisons are listed in.
DESIGNS = _table(
    Term(
        "randomized_trial",
        "randomized trial",
        "randomized trial",
        short="randomized trial",
        about="{name} was a randomized trial. Chance decided which treatment each person got. This"
        " makes the groups alike at the start.",
    ),
    Term(
        "prospective_registry",
        "prospective observational registry",
        "observational study (registry)",
        short="prospective registry (observational)",
        about="{name} was an observational study. It followed people after their treatment. Doctors"
        " chose the treatment for each person; chance did not. So the groups may have been"
        " different from the start, and this alone can change the results.",
    ),
    Term(
        "retrospective_cohort",
        "retrospective observational cohort",
        "observational study (past records)",
        short="retrospective cohort (observational)",
        about="{name} was an observational study. It looked back at past medical records. Doctors"
        " chose the treatment for each person; chance did not. So the groups may have been"
        " different from the start, and this alone can change the results.",
    ),
    Term(
        "meta_analysis_nonrandomized",
        "meta-analysis of non-randomized studies",
        "combined analysis of observational studies",
        short="meta-analysis of non-randomized studies",
        about="{name} combined the results of several observational studies. In each, doctors"
        " chose the treatment for each person; chance did not. So the groups may have been"
        " different from the start, and combining the studies does not remove this. Such"
        " evidence is less certain than a randomized trial's.",
    ),
)
# Designs whose per-group figures are pooled percentages over several studies, never counts.
POOLED_DESIGNS = frozenset({"meta_analysis_nonrandomized"})
# How far a study's population fits the scenario. "unknown": fewer than half of the criteria could
# be checked, or the study reports none ("unchecked" is kept as the pages' older code for it).
STATUSES = _table(
    Term("applies", "Applies", "Applies"),
    Term("unknown", "Cannot be checked", "Cannot be checked"),
    Term("outside", "Outside the study population", "Outside the study population"),
    Term("unchecked", "Cannot be checked", "Cannot be checked"),
)
CRITERION_STATUSES = _table(
    Term("met", "Met", "Met"),
    Term("not_met", "Not met", "Not met"),
    Term("unknown", "Unknown (not given)", "Unknown (not given)"),
    Term("not_reported", "Not reported by the study", "Not reported by the study"),
)
# Yes/no answers that may be left as not known.
TRI_STATE = MappingProxyType({True: "Yes", False: "No", None: "Not known"})
NOT_KNOWN = "Not known"
