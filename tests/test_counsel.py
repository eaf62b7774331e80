"""The counselling view (app/counsel.py): plain words, icon arrays and reading grade, on real evidence."""

from __future__ import annotations

import datetime as dt
import html
import re
from fractions import Fraction
from typing import Any

import pytest
import textstat
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from app.analysis import stats
from app.analysis.base import EvidenceBase, analyse
from app.analysis.outcomes import ArmStats
from app.contract.scenario import CRITERIA, parse_scenario
from app.engine.assess import Assessment, assess
from app.evidence.loader import load_evidence
from app.web import counsel, icons
from tests.engine_tables import tables
from tests.evidence_dirs import FIXTURE_DIR
from tests.scenarios import ALL_OPTIONS, VISSIT_LIKE

TODAY = dt.date(2025, 3, 7)
LVO = {"setting": "lvo_icas", "options": ["self_expanding_stent", "balloon_stent"]}
SCENARIOS = {
    "vissit": VISSIT_LIKE,
    "all-elective": ALL_OPTIONS,
    "outside": {**ALL_OPTIONS, "stenosis_percent": 100, "days_since_event": 40, "artery": "other"},
    "unknowns": {
        "setting": "symptomatic_icas",
        "options": ["medical", "balloon_stent"],
        "stenosis_percent": 75,
    },
    "lvo": LVO,
    "lvo-no-prestent": {**LVO, "prestent_angioplasty": False},
    "none": {"setting": "lvo_icas", "options": ["angioplasty"]},
    # Outside what the tool covers, and a printout for one option.
    "asymptomatic": {**VISSIT_LIKE, "symptomatic": False},
    "single-option": {**VISSIT_LIKE, "options": ["balloon_stent"]},
}
MAX_GRADE = 8.0
# Words that would rank, recommend or speak in relative terms.
FORBIDDEN = re.compile(
    r"\b(recommend\w*|better|worse|safer|best|preferred|prefer|should|times as|times more|"
    r"relative|risk ratio|odds|percent more|half as|twice)\b",
    re.I,
)


@pytest.fixture(scope="module")
def base() -> EvidenceBase:
    return analyse(load_evidence(FIXTURE_DIR))


def assessed(base: EvidenceBase, scenario: dict[str, Any]) -> Assessment:
    return assess(parse_scenario(scenario), tables(base))


def view(base: EvidenceBase, scenario: dict[str, Any]) -> counsel.CounselView:
    return counsel.counsel_view(assessed(base, scenario), today=TODAY)


def vissit(base: EvidenceBase) -> counsel.CounselComparison:
    # By id, not by unpacking: another study weighing the same options must not break the test.
    return next(c for c in view(base, VISSIT_LIKE).comparisons if c.study_id == "vissit")


def outcome(comparison: counsel.CounselComparison, outcome_id: str) -> counsel.KeyOutcome:
    return next(o for o in comparison.outcomes if o.id == outcome_id)


def option(key: counsel.KeyOutcome, treatment: str) -> counsel.OptionResult:
    return next(o for o in key.options if o.option == treatment)


def affected_icons(svg: str, uid: str) -> tuple[int, int]:
    return svg.count(f'href="#{uid}-yes"'), svg.count(f'href="#{uid}-no"')


# --- numbers in words -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fraction", "expected"),
    [
        (Fraction(14, 58), 24),
        (Fraction(5, 53), 9),
        (Fraction(0), 0),
        (Fraction(1), 100),
        (Fraction(1, 200), 1),  # exactly half a person rounds up
        (Fraction(1, 201), 0),
        (0.139, 14),
        (0.3717, 37),
    ],
)
def test_per_hundred_rounds_half_up(fraction: Fraction | float, expected: int) -> None:
    assert counsel.per_hundred(fraction) == expected


@pytest.mark.parametrize(
    ("timeframe", "words", "note"),
    [
        ("30 days", "within 30 days", ""),
        ("12 months", "within 12 months", ""),
        ("2 years", "within 2 years", ""),
        ("through month 12", "within 12 months", ""),
        ("median follow-up 32·4 months", "over a median follow-up of 32·4 months", ""),
        ("not reported", "over a time not stated in the study", ""),
        ("follow-up (length not stated)", "over a time not stated in the study", ""),
        (
            "periprocedural (not defined)",
            "around the time of the procedure",
            "The study did not say how long this time was.",
        ),
    ],
)
def test_timeframe_words(timeframe: str, words: str, note: str) -> None:
    assert counsel.timeframe_words(timeframe) == (words, note)


def test_event_words_read_after_had() -> None:
    assert counsel.event_words(
        "a stroke, bleeding in the brain, a serious mini-stroke, or death"
    ) == ("a stroke, bleeding in the brain, a serious mini-stroke, or died")
    assert counsel.event_words("death around the time of the procedure") == (
        "died around the time of the procedure"
    )
    assert counsel.event_words("another stroke") == "another stroke"
    assert counsel.event_words("a stroke or death in the first month") == (
        "a stroke or died in the first month"
    )


# --- VISSIT, the worked example ---------------------------------------------------------------------


def test_vissit_stent_both_framings_and_range(base: EvidenceBase) -> None:
    stent = option(outcome(vissit(base), "primary_safety_30d"), "balloon_stent")
    assert (stent.events, stent.total, stent.per_100) == (14, 58, 24)
    assert stent.had == (
        "About 24 of 100 people who had a balloon stent had a stroke, bleeding in the brain, a serious"
        " mini-stroke, or died within 30 days."
    )
    assert stent.did_not == "About 76 of 100 did not."
    assert stent.range == "The true number could be as low as 14 or as high as 37."
    assert stent.counts == "In the study, 14 of 58 people in this group had it."
    assert stent.few == ""  # 14 events: not "few"


def test_vissit_medical_both_framings_range_and_few_events(base: EvidenceBase) -> None:
    medical = option(outcome(vissit(base), "primary_safety_30d"), "medical")
    assert medical.had.startswith("About 9 of 100 people who took medicines only had a stroke")
    assert medical.did_not == "About 91 of 100 did not."
    assert medical.range == "The true number could be as low as 3 or as high as 21."
    assert medical.few == "Because so few had it, this number is not very sure."


def test_vissit_icon_arrays(base: EvidenceBase) -> None:
    key = outcome(vissit(base), "primary_safety_30d")
    stent, medical = option(key, "balloon_stent"), option(key, "medical")
    uid = "ia-vissit-primary_safety_30d-stent"
    svg = str(stent.icons.svg)
    assert affected_icons(svg, uid) == (24, 76)
    assert affected_icons(str(medical.icons.svg), "ia-vissit-primary_safety_30d-medical") == (9, 91)
    # A distinct shape, not only a colour: the filled figure is filled, the other only outlined.
    yes = re.search(rf'<g id="{uid}-yes"><g fill="([^"]+)"', svg)
    no = re.search(rf'<g id="{uid}-no"><g fill="([^"]+)" stroke="([^"]+)"', svg)
    assert yes and no and yes.group(1) != "#ffffff" and no.group(1) == "#ffffff"
    label = (
        "24 of 100 people who had a balloon stent had a stroke, bleeding in the brain, a serious"
        " mini-stroke, or died within 30 days; 76 of 100 did not."
    )
    assert stent.icons.label == label
    assert f'role="img" aria-label="{html.escape(label)}"' in svg
    assert f"<title>{html.escape(label)}</title>" in svg
    assert svg.count("<use ") == 100


def test_vissit_same_time_frame_and_order_for_both_options(base: EvidenceBase) -> None:
    comparison = vissit(base)
    assert [o.id for o in comparison.outcomes] == ["primary_safety_30d", "primary_stroke_tia_12m"]
    for key, time in zip(comparison.outcomes, ("within 30 days", "within 12 months"), strict=True):
        assert key.time == time
        assert [o.option for o in key.options] == ["medical", "balloon_stent"]
        assert all(f" {time}." in o.had for o in key.options)
        assert all(o.icons.total == 100 for o in key.options)
    assert comparison.heading == "Medicines only or balloon stent plus medicines"
    assert comparison.about_study.startswith("VISSIT was a randomized trial.")
    assert comparison.fit == (
        f"On 4 of {len(CRITERIA)} points, you are like the people in this study.",
        "The study did not say if it had limits on age.",
    )
    assert "The study stopped early, with fewer people than planned." in comparison.notes[0]


def test_no_events_say_none_and_how_high_the_risk_could_be(base: EvidenceBase) -> None:
    entry = next(o for o in base.by_id["vissit"].outcomes if o.outcome.id == "ich_30d")
    assert entry.comparator is not None
    words = counsel.OPTION_WORDS["medical"]
    result = counsel.option_result(
        entry.comparator,
        words,
        "medical",
        event="bleeding in the brain",
        label="bleeding in the brain",
        time="within 30 days",
        unit="patients",
        uid="ia-test",
    )
    assert result.had == (
        "None of the 53 people who took medicines only had bleeding in the brain within 30 days."
    )
    assert result.did_not == ""
    # 0 of 53: the exact 95% CI's upper bound is 6.7%, not "fewer than 1 in 100".
    assert result.range == "The true risk could be up to about 7 in 100."
    assert result.few == "Because none had it, this number is not very sure."
    assert affected_icons(str(result.icons.svg), "ia-test") == (0, 100)
    assert result.icons.label == (
        "None of the 53 people who took medicines only had bleeding in the brain within 30 days;"
        " the true risk could be up to about 7 in 100."
    )


def test_a_rate_that_rounds_to_zero_with_events_is_fewer_than_1_in_100() -> None:
    arm = ArmStats(
        arm="a", events=1, total=250, rate=stats.proportion(events=1, total=250), derived={}
    )
    result = counsel.option_result(
        arm,
        counsel.OPTION_WORDS["medical"],
        "medical",
        event="a stroke",
        label="a stroke",
        time="within 30 days",
        unit="patients",
        uid="ia-test",
    )
    assert (
        result.had
        == "Fewer than 1 in 100 people who took medicines only had a stroke within 30 days."
    )
    assert result.did_not == "More than 99 of 100 did not."
    assert result.range == "The true number could be less than 1 or as high as 2."


# --- other studies ----------------------------------------------------------------------------------


def test_a_study_that_counts_procedures_says_treatments(base: EvidenceBase) -> None:
    retro = next(
        c for c in view(base, ALL_OPTIONS).comparisons if c.study_id == "angioplasty-vs-stent-retro"
    )
    # "Periprocedural" is not defined, so there is no picture: the numbers are sentences.
    stroke = next(o for o in retro.others if o.id == "periprocedural_stroke")
    assert stroke.lines == (
        "Balloon widening only: about 7 of 100 treatments were followed by it. In the study, 7 of"
        " 95.",
        "Stent (type not stated): about 7 of 100 treatments were followed by it. In the study, 7 of"
        " 98.",
    )
    # The title says when; the time line says only what the study left out.
    assert stroke.title == "A stroke around the time of the procedure"
    assert stroke.time_line == "The study did not say how long this time was."
    assert "This study counted treatments, not people." in " ".join(retro.notes)
    assert retro.about_study.startswith(
        "Retrospective angioplasty vs stent (3 centres) was an observational study."
    )
    assert "Doctors chose the treatment for each person; chance did not." in retro.about_study


def test_procedures_read_as_treatments_in_pictures(base: EvidenceBase) -> None:
    entry = next(
        o for o in base.by_id["angioplasty-vs-stent-retro"].outcomes if o.outcome.id == "restenosis"
    )
    angioplasty = next(
        a for a in (entry.intervention, entry.comparator) if a and a.arm == "angioplasty"
    )
    result = counsel.option_result(
        angioplasty,
        counsel.OPTION_WORDS["angioplasty"],
        "angioplasty",
        event="the artery narrowing again later",
        label="the artery narrowing again later",
        time="",
        unit="procedures",
        uid="ia-test",
    )
    assert result.had == (
        "About 38 of 100 treatments with balloon widening only were followed by the artery"
        " narrowing again later."
    )
    assert result.did_not == "About 62 of 100 were not."


def test_outside_the_studied_population_in_plain_words(base: EvidenceBase) -> None:
    page = view(base, SCENARIOS["outside"])
    vissit_fit = next(c for c in page.comparisons if c.study_id == "vissit").fit
    # Outside every study: the page's own notice says the numbers may not apply, once; each study
    # keeps the limits this patient is outside.
    assert page.outside and page.scope_text.startswith("The studies in this tool did not include")
    assert vissit_fit[0] == "Here is where you differ from the people in this study."
    assert "The study only included people whose artery was 70 to 99% narrowed. Yours is 100%." in (
        vissit_fit
    )
    assert (
        "The study only included people treated up to 30 days after their stroke or mini-stroke."
        " For you it has been 40 days."
    ) in vissit_fit
    assert (
        "The study only included people with a narrowing in some large arteries in the head."
        " Yours is not one of them."
    ) in vissit_fit
    unknown = next(c for c in view(base, SCENARIOS["unknowns"]).comparisons).fit
    assert (
        "Some facts were not given. So they could not be checked: the time since the stroke or"
        " mini-stroke and which artery."
    ) in unknown


def test_sources_name_the_missing_citation(base: EvidenceBase) -> None:
    sources = {s.name: s for s in view(base, ALL_OPTIONS).sources}
    assert sources["VISSIT"].citation.startswith("Zaidat OO")
    retro = sources["Retrospective angioplasty vs stent (3 centres)"]
    assert retro.citation.startswith("No citation: the study's source does not give one.")


def test_view_has_date_options_and_scenario(base: EvidenceBase) -> None:
    page = view(base, ALL_OPTIONS)
    assert page.date == "7 March 2025"
    assert page.options == (
        "Medicines only (medical therapy)",
        "Balloon widening only (angioplasty)",
        "Balloon stent (balloon-mounted stent)",
        "Self-expanding stent",
    )
    rows = {row.label: row.value for row in page.scenario}
    assert rows["How narrow the artery is"] == "80%"
    assert rows["Balloon widening planned before a self-expanding stent"] == "Not used here"


def test_no_study_no_numbers(base: EvidenceBase) -> None:
    page = view(base, SCENARIOS["none"])
    assert page.comparisons == ()
    assert page.no_evidence.startswith("No study in this tool compares these options")


# --- the words: plain, neutral, never relative ------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_reading_grade_at_most_8_per_paragraph_and_overall(base: EvidenceBase, name: str) -> None:
    paragraphs = counsel.patient_paragraphs(view(base, SCENARIOS[name]))
    grades = {p: textstat.flesch_kincaid_grade(p) for p in paragraphs}
    too_hard = {p: g for p, g in grades.items() if g > MAX_GRADE}
    assert not too_hard, too_hard
    assert textstat.flesch_kincaid_grade(" ".join(paragraphs)) <= MAX_GRADE


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_words_never_rank_recommend_or_go_relative(base: EvidenceBase, name: str) -> None:
    for paragraph in counsel.patient_paragraphs(view(base, SCENARIOS[name])):
        cleaned = paragraph.replace("It does not say which treatment to choose.", "")
        assert not FORBIDDEN.search(cleaned), paragraph


def test_every_option_of_an_outcome_has_the_same_format(base: EvidenceBase) -> None:
    for scenario in SCENARIOS.values():
        for comparison in view(base, scenario).comparisons:
            for key in comparison.outcomes:
                shapes = {
                    (
                        re.sub(r"\d+", "N", o.range.replace("be less than", "be as low as")),
                        o.did_not.split(" of 100")[-1] if " of 100" in o.did_not else o.did_not,
                        o.icons.total,
                    )
                    for o in key.options
                }
                assert len(shapes) == 1, shapes


def test_rendered_patient_page_reads_at_grade_8(client: FlaskClient) -> None:
    form = {k: str(v) for k, v in VISSIT_LIKE.items() if k != "options" and k != "symptomatic"}
    data = {**form, "options": VISSIT_LIKE["options"], "symptomatic": "yes", "view": "patient"}
    page = client.post("/", data=data).get_data(as_text=True)
    main = re.search(r"<main.*?</main>", page, re.S)
    assert main
    body = re.sub(r"<svg.*?</svg>", " ", main.group(0), flags=re.S)
    # The study's own sentences are quoted verbatim, marked as its words; the grade is for ours.
    assert "<blockquote><p>“The EuroQol-5D showed no difference" in body
    body = re.sub(r"<blockquote>.*?</blockquote>", " ", body, flags=re.S)
    blocks = [
        " ".join(html.unescape(re.sub(r"<[^>]+>", " ", b)).split())
        for b in re.findall(r"<(?:p|li)\b[^>]*>(.*?)</(?:p|li)>", body, re.S)
    ]
    blocks = [b for b in blocks if b]
    assert len(blocks) > 10
    for block in blocks:
        assert textstat.flesch_kincaid_grade(block) <= MAX_GRADE, block
    assert textstat.flesch_kincaid_grade(" ".join(blocks)) <= MAX_GRADE


# --- properties -------------------------------------------------------------------------------------


@given(
    total=st.integers(min_value=1, max_value=2000),
    data=st.data(),
    unit=st.sampled_from(["patients", "procedures"]),
)
def test_any_counts_give_consistent_words_and_icons(total: int, data: Any, unit: str) -> None:
    events = data.draw(st.integers(min_value=0, max_value=total))
    rate = stats.proportion(events=events, total=total)
    arm = ArmStats(arm="a", events=events, total=total, rate=rate, derived={})
    result = counsel.option_result(
        arm,
        counsel.OPTION_WORDS["balloon_stent"],
        "balloon_stent",
        event="a stroke",
        label="a stroke",
        time="within 30 days",
        unit=unit,
        uid="ia-x",
    )
    n = counsel.per_hundred(Fraction(events, total))
    assert affected_icons(str(result.icons.svg), "ia-x") == (n, 100 - n)
    assert result.low_100 <= n <= result.high_100
    if 0 < n < 100:
        assert result.had.startswith(f"About {n} of 100 ")
        assert result.did_not.startswith(f"About {100 - n} of 100 ")
    elif events == 0:
        assert result.had.startswith(f"None of the {total} ")
        assert result.range.startswith("The true risk could be up to about ")
    elif n == 0:
        assert result.had.startswith("Fewer than 1 in 100 ")
    else:
        assert result.had.startswith("More than 99 of 100 ")
    assert "within 30 days" in result.had
    assert (result.few != "") == (events < 10)


def test_icon_array_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="affected"):
        icons.icon_array(101, label="x", uid="ia-x")
    with pytest.raises(ValueError, match="id"):
        icons.icon_array(3, label="x", uid='x" onload="')
