"""The option grid's fixed words, at US reading grade 8 or below (tests/test_option_grid.py)."""

from __future__ import annotations

TITLE = "Your options side by side"
INTRO = (
    "This grid sets each option you are weighing next to the others. It answers the same"
    " questions for each one, from the studies in this tool.",
    "It does not say which option to choose, and it gives no score. The numbers are for groups of"
    " people in studies. They cannot tell what will happen to you.",
)
# The rows: the questions patients ask (Option Grids, Elwyn et al. 2013).
INVOLVES = "What does it involve?"
FIRST_MONTH = "What happened in the first month?"
LATER = "What happened later, in the first year?"
NOT_KNOWN = "What is not known?"
QUESTIONS = "Questions to think about"
# Each risk row's own time frame and denominator, said once above its cells.
FIRST_MONTH_TIME = "Out of 100 people, within 30 days."
LATER_TIME = "Out of 100 people, within 1 year (12 months)."
# The time frames (as the evidence files write them) each risk row takes.
FIRST_MONTH_FRAMES = ("30 days", "1 month")
LATER_FRAMES = ("1 year", "12 months", "through month 12")

NO_METHOD = "How it was done is not described in the sources held."
NO_MEDICINES = "Which medicines, and for how long, is not described in the sources held."
NO_SETTING = (
    "Where it is done, and the kind of sleep medicine (anaesthesia), are not described in the"
    " sources held."
)
QUOTE_FROM = "In the words of {name}:"
NO_STUDY = "No study in this tool looked at this option."
NO_FIGURE = "No study in this tool gives a number for this option over this time."
OTHER_TIMES = "Some studies gave numbers over other times. They are in the patient view."
# Which kind of figure a cell shows (the seam in app/engine/discussion.py says which it got).
BASIS = {
    "trial": "Each number is the study group's, not a personal estimate.",
    "personal": "This is an estimate for you, worked out from the studies.",
    "centre": "This number is from our own centre, not from the studies.",
}
HAD = "{share} people had it."
AT_CENTRE = "{share} people had it at our centre."
CENTRE_COUNTS = "At our centre, {events} of {total} people had it after this treatment."
# A centre's own count is not rated, and no chance decided who had which treatment there.
CENTRE_SURE = (
    "How sure: not rated. It is one centre's count. Chance did not pick who had this treatment."
)
LIKE_YOU = "{share} people like you would have it."
ENTERED = "This is the risk your care team entered for you."
# How sure: the GRADE rating in the patient view's words (app/analysis/statements.py) when the
# outcome is rated; else whether chance decided the groups.
RATED = "How sure: {rating}. {words}"
NOT_RATED_RANDOM = "How sure: not rated yet. Chance decided who had which treatment."
NOT_RATED_OBSERVED = (
    "How sure: not rated yet. In this study, chance did not decide the groups. So they may differ"
    " in other ways."
)
STOPPED_EARLY = "It stopped early, so it is less sure."
FEW = "Few people had it, so this number is not very sure."
PRINTED_KM = "The study gave {text}% for this group. It worked this out over time, not as a count."
PRINTED = "The study gave {text}% for this group, not a count of people."
NO_RANGE = "The study gave no range for this number."
SECONDARY_QUOTE = "(SECONDARY SOURCE: a summary by others)"
GAP = "No study here looked at it next to {other}."
# Said of one study, named before the sentence (a name is not our words: the grade is for these).
KNOWN_TRIAL = "It looked at this and {other}. Its results are not in this tool yet."
MAY_NOT_FIT = "So its numbers may not fit you."
FIT_UNKNOWN = "Too few points could be compared with you to say how well it fits."
NOT_RANDOM = "Chance did not decide who had which treatment."
STENT_TYPE = "It did not say which kind of stent was used."
NOTHING_FLAGGED = "No gaps are flagged for this option beyond those above."
# Values clarification: prompts only, no score, the same number for every option.
PROMPTS = {
    "medical": (
        "How do you feel about taking pills every day for a long time?",
        "How much does the chance of a stroke later matter to you, next to the first month?",
    ),
    "angioplasty": (
        "How do you feel about a procedure inside the arteries of the brain?",
        "How would you weigh a risk during the first month against a risk later on?",
    ),
    "balloon_stent": (
        "How do you feel about a procedure inside the arteries of the brain? A stent is left in.",
        "How would you weigh a risk during the first month against a risk later on?",
    ),
    "self_expanding_stent": (
        "How do you feel about a procedure inside the arteries of the brain? A stent is left in.",
        "How would you weigh a risk during the first month against a risk later on?",
    ),
}
SHARED_PROMPT = "What matters most to you? Write it down and bring it to your care team."
CLOSING = "This grid shows study results. It does not say which option to choose."
SOURCES_TITLE = "Where this comes from"
