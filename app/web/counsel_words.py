"""The patient and print views' fixed words, at US reading grade 8 or below."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.contract import vocabulary
from app.contract.scenario import ELIGIBILITY

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
OTHER_TITLE = "Other results from this study"
RESULTS_TITLE = "Results from this study"  # when no outcome is pictured
NO_GROUP_NUMBERS = "No numbers were given for each group."
# What the study found ([outcomes.finding]); {option} is a treatment's noun ("a balloon stent").
FINDING_WORDS = {
    "no_difference": "The study found no clear difference between the groups.",
    "more_with_intervention": "The study found that this happened more often with {option}.",
    "more_with_comparator": "The study found that this happened more often with {option}.",
}
# Why an outcome's numbers are told in words, not pictured: what the study printed, said truly.
NOT_COMPUTED_NOTE = (  # counts worked out over group sizes the study does not give
    "The study gave these as percentages. It did not say how many people they are out of. So they"
    " are shown as the study gave them, with no picture."
)
PERCENT_NOTE = (  # percentages only: no count of people who had it
    "The study gave these as percentages, not as counts of people. So they are shown as the study"
    " gave them, with no picture."
)
KAPLAN_MEIER_NOTE = (  # Kaplan-Meier estimates: everyone counts for as long as they were followed
    "The study worked these out over time from everyone it followed, for as long as each person was"
    " followed. They are not simple counts of people. So they are shown as the study gave them,"
    " with no picture."
)
# A meta-analysis's pooled percentages (vocabulary.POOLED_DESIGNS): they are not out of a number of people.
POOLED_NOTE = (
    "These numbers combine several studies. They are shown as the study gave them, with no picture."
)
# Figures printed only by secondary sources (summaries written by others), labelled on every view.
SECONDARY_NOTE = "SECONDARY SOURCE: others gave these numbers in a summary. They are not from the study's report."
QUOTE_INTRO = "In the study's own words:"

# Option order is fixed so that every outcome lists the options the same way.
OPTION_ORDER = tuple(vocabulary.TREATMENTS)


@dataclass(frozen=True, slots=True)
class OptionWords:
    name: str  # a heading: "Medicines only"
    who: str  # after "people who": "took medicines only"
    noun: str  # after "treatments with" (studies that count procedures): "balloon widening only"
    about: str  # one plain sentence describing it


OPTION_WORDS = {
    code: OptionWords(term.heading, term.who, term.noun, term.about)
    for code, term in vocabulary.TREATMENTS.items()
}
# The clinician's options in patient words, for the list of options discussed.
OPTION_NAMES = {code: term.patient for code, term in vocabulary.OPTIONS.items()}
CHECK_WORDS = {name: words.check for name, words in ELIGIBILITY.items()}
LIMIT_WORDS = {name: words.limit for name, words in ELIGIBILITY.items()}
DESIGN_WORDS = {code: term.about for code, term in vocabulary.DESIGNS.items()}
DESIGN_SHORT = {code: term.patient for code, term in vocabulary.DESIGNS.items()}
# A second randomized trial on the same page (the first one's line explains what that means).
ALSO_RANDOMIZED = "In {name} too, chance chose each person's treatment."
# Each comparison's heading: two studies can weigh the same options, so it names the study too.
SECTION_TITLE = "{options}: what {name} found"
NOTE_WORDS = {
    "stopped_early": "The study stopped early, with fewer people than planned. This makes its"
    " numbers less sure.",
    "unit_is_procedure": "This study counted treatments, not people. A few people were treated"
    " more than once.",
    "stent_type_not_reported": "The study did not say which kind of stent was used.",
    "results_not_shown": "Some results of this study could not be read here. One is about"
    " bleeding in the brain. So they are not shown.",
}
DERIVED_NOTE = (
    "The study did not print some of these counts. They were worked out from the numbers it did"
    " print."
)
NO_CITATION = "No citation: the study's source does not give one."

# Study time frames in words ("30 days" -> "within 30 days").
PERIOD_PATTERN = re.compile(r"(\d+) (day|days|week|weeks|month|months|year|years)")
THROUGH_PATTERN = re.compile(r"through (day|week|month|year) (\d+)")
MEDIAN_PATTERN = re.compile(r"median follow-up (\S+ (?:days|weeks|months|years))")
# A plain label that already says when ("in the first month", "during follow-up"): its sentence
# does not add the time frame again ("... in the first month within 30 days").
WHEN_PATTERN = re.compile(r"\b(days?|weeks?|months?|years?|follow-up)\b")
UNSTATED_WORDS = ("not reported", "not stated", "not defined")
UNSTATED_TIME = "over a time not stated in the study"
PERIPROCEDURAL = "around the time of the procedure"
# Time frames that are moments, not periods, in the words a sentence ends with.
MOMENTS = {
    "end of procedure": "at the end of the procedure",
    "immediately after the procedure": "right after the procedure",
}

# How many of a study's population limits could be compared with this patient (applicability).
FIT_NONE_REPORTED = (
    "The study did not give the limits this tool checks, such as age. So there is no way to check"
    " how well it fits you."
)
FIT_FEW = (
    "Only {checked} of {total} points could be compared with the people in this study. So no one"
    " can say how well its numbers fit you."
)
FIT_APPLIES = "On {checked} of {total} points, you are like the people in this study."
FIT_UNKNOWN_FACTS = "Some facts were not given. So they could not be checked: {facts}."
FIT_UNREPORTED = "The study did not say if it had limits on {limits}."
FIT_OUTSIDE = (
    "You are not like the people in this study in some ways, so its numbers may not fit you."
)
# The same, when the page has already said (at the top) that the numbers may not apply here.
FIT_DIFFERS = "Here is where you differ from the people in this study."
# When the studies do not cover this patient at all (the assessment's scope is "outside").
SCOPE_OUTSIDE = (
    "The studies in this tool did not include patients like this. So their numbers may not apply"
    " here. Talk with your care team about what is known."
)
PRINT_TITLE = "Summary for a treatment discussion"
PRINT_TITLE_OUTSIDE = (
    "Not a consent summary for this patient: the studies did not include patients like this"
)
SCOPE_REASONS_TITLE = "Why (for the clinician):"
# Each pair of chosen options no study compares; {first} and {second} are treatment nouns.
PAIR_GAP = (
    "No study here looked at {first} and {second} side by side. So there are no numbers for this"
    " pair."
)
GAPS_TITLE = "Choices with no study"
# A study arm standing for an option that was not ticked (one option chosen, or a study of a stent).
NOT_TICKED = (
    "{name} was not one of the options you chose. It is shown because the study compared it."
)
# The modified Rankin Scale's grades in plain words, for the patient and print views (a bare digit
# means nothing to a patient). Clinicians see the score itself.
RANKIN_WORDS = {
    0: "No symptoms",
    1: "Some symptoms, but does all usual activities",
    2: "Some limits: looks after own affairs, but cannot do everything done before",
    3: "Needs some help, but walks without help",
    4: "Needs help to walk and with own body care",
    5: "Needs care day and night, mostly in bed",
}
NOT_USED = "Not used here"  # a scenario field the setting does not use
# "Has the narrowing caused a stroke?" left unanswered: the problem itself says it has.
IMPLIED_PATIENT = "Yes (the problem above says so)"
