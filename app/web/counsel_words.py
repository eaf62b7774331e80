"""The patient and print views' fixed words, at US reading grade 8 or below."""

from __future__ import annotations

import re
from dataclasses import dataclass

TITLE = "What the studies found"
INTRO = (
    "This page shows what happened to groups of people in medical studies. It cannot tell what will"
    " happen to you or to any one person.",
    "It does not say which treatment to choose. Each option is shown the same way, so you can talk"
    " it over with your care team.",
)
HOW_TO_READ = (
    "Each picture shows 100 people. A filled figure is a person who had the event named above the"
    " picture. An outline figure is a person who did not.",
    "Studies only include some people, so their numbers are not exact. The range shows how low or"
    " high the true number could be. The numbers are rounded to whole people.",
)
NO_EVIDENCE = (
    "No study in this tool compares these options for this kind of problem. So there are no numbers"
    " to show here. Your care team can tell you what is known."
)
CLOSING = "This summary shows study results. It does not say which treatment to choose."
NOT_SHOWN = (
    "The study also looked at {label}. It did not give numbers for each group that can be shown as"
    " people out of 100."
)

# Option order is fixed so that every outcome lists the options the same way.
OPTION_ORDER = (
    "medical",
    "angioplasty",
    "balloon_stent",
    "self_expanding_stent",
    "stent_unspecified",
)


@dataclass(frozen=True, slots=True)
class OptionWords:
    name: str  # a heading: "Medicines only"
    who: str  # after "people who": "took medicines only"
    noun: str  # after "treatments with" (studies that count procedures): "balloon widening only"
    about: str  # one plain sentence describing it


OPTION_WORDS = {
    "medical": OptionWords(
        "Medicines only",
        "took medicines only",
        "medicines only",
        "Medicines, with no stent or balloon.",
    ),
    "angioplasty": OptionWords(
        "Balloon widening only",
        "had balloon widening only",
        "balloon widening only",
        "A small balloon is blown up inside the artery to widen it. No stent is left in.",
    ),
    "balloon_stent": OptionWords(
        "Balloon stent",
        "had a balloon stent",
        "a balloon stent",
        "A small mesh tube (a stent) is opened by a balloon to hold the artery open.",
    ),
    "self_expanding_stent": OptionWords(
        "Self-expanding stent",
        "had a self-expanding stent",
        "a self-expanding stent",
        "A small mesh tube (a stent) opens by itself to hold the artery open.",
    ),
    "stent_unspecified": OptionWords(
        "Stent (type not stated)",
        "had a stent",
        "a stent",
        "A small mesh tube (a stent) holds the artery open. The study did not say which kind.",
    ),
}
# The clinician's options in patient words, for the list of options discussed.
OPTION_NAMES = {
    "medical": "Medicines only (medical therapy)",
    "angioplasty": "Balloon widening only (angioplasty)",
    "balloon_stent": "Balloon stent (balloon-mounted stent)",
    "self_expanding_stent": "Self-expanding stent",
}
SETTING_WORDS = {
    "symptomatic_icas": "A narrowed artery inside the head that has caused a stroke or mini-stroke"
    " (a planned treatment)",
    "lvo_icas": "A blocked artery in the brain during a stroke, with narrowing under the block"
    " (an emergency treatment)",
}
SCENARIO_LABELS = {
    "setting": "The problem",
    "stenosis_percent": "How narrow the artery is",
    "symptomatic": "Narrowing has caused a stroke or mini-stroke",
    "days_since_event": "Days since the last stroke or mini-stroke",
    "artery": "Which artery",
    "age": "Age",
    "prestent_angioplasty": "Balloon widening planned before a self-expanding stent",
}
YES_NO = {True: "Yes", False: "No", None: "Not known"}
CHECK_WORDS = {
    "stenosis_percent": "how narrow the artery is",
    "symptomatic": "whether it caused a stroke or mini-stroke",
    "days_since_event": "the time since the stroke or mini-stroke",
    "artery": "which artery",
    "age": "age",
}
LIMIT_WORDS = {
    "stenosis_percent": "how narrow the artery was",
    "symptomatic": "symptoms",
    "days_since_event": "timing",
    "artery": "which artery",
    "age": "age",
}
DESIGN_WORDS = {
    "randomized_trial": (
        "{name} was a randomized trial. Chance decided which treatment each person got. This makes"
        " the groups alike at the start."
    ),
    "prospective_registry": (
        "{name} was an observational study. It followed people after their treatment. Doctors"
        " chose the treatment for each person; chance did not. So the groups may have been different"
        " from the start, and this alone can change the results."
    ),
    "retrospective_cohort": (
        "{name} was an observational study. It looked back at past medical records. Doctors chose"
        " the treatment for each person; chance did not. So the groups may have been different from"
        " the start, and this alone can change the results."
    ),
}
# Each comparison's heading: two studies can weigh the same options, so it names the study too.
SECTION_TITLE = "{options}: what {name} found"
DESIGN_SHORT = {
    "randomized_trial": "randomized trial",
    "prospective_registry": "observational study (registry)",
    "retrospective_cohort": "observational study (past records)",
}
NOTE_WORDS = {
    "stopped_early": "The study stopped early, with fewer people than planned. This makes its"
    " numbers less sure.",
    "unit_is_procedure": "This study counted treatments, not people. A few people were treated"
    " more than once.",
    "stent_type_not_reported": "The study did not say which kind of stent was used.",
}
DERIVED_NOTE = (
    "The study did not print some of these counts. They were worked out from the numbers it did"
    " print."
)
NO_CITATION = "No citation: the study's source does not give one."

# Study time frames in words ("30 days" -> "within 30 days").
PERIOD_PATTERN = re.compile(r"(\d+) (day|days|week|weeks|month|months|year|years)")
THROUGH_PATTERN = re.compile(r"through (day|week|month|year) (\d+)")
UNSTATED_WORDS = ("not reported", "not stated", "not defined")
UNSTATED_TIME = "over a time not stated in the study"
PERIPROCEDURAL = "around the time of the procedure"
