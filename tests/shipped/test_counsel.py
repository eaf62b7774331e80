"""The patient view's balance on the shipped studies: every main and counted outcome, pictured or told."""

from __future__ import annotations

import pytest

from app.analysis.base import EvidenceBase
from app.contract.scenario import parse_scenario
from app.engine.assess import assess
from app.web import counsel
from tests.engine_tables import tables
from tests.scenarios import ALL_OPTIONS, VISSIT_LIKE
from tests.test_counsel import LVO, SCENARIOS, view

pytestmark = pytest.mark.shipped_evidence


def by_study(
    base: EvidenceBase, scenario: dict[str, object]
) -> dict[str, counsel.CounselComparison]:
    return {c.study_id: c for c in view(base, scenario).comparisons}


def test_pictured_and_told_outcomes_per_study(base: EvidenceBase) -> None:
    found = {
        study: ([o.id for o in c.outcomes], [o.id for o in c.others])
        for study, c in by_study(base, ALL_OPTIONS).items()
    }
    assert found == {
        # Main outcomes with counts and a time frame are pictured; the rest are told, main first.
        "vissit": (
            ["primary_safety_30d", "primary_stroke_tia_12m"],
            ["ich_30d", "mrs_worsening_12m", "eq5d_12m"],
        ),
        # "Periprocedural" is not defined: no time frame, so no picture.
        "angioplasty-vs-stent-retro": (
            [],
            [
                "periprocedural_death",
                "periprocedural_stroke",
                "residual_stenosis",
                "restenosis",
                "followup_stroke_adjusted",
                "followup_stroke_death_adjusted",
            ],
        ),
        # The 1-year rate is Kaplan-Meier with no counts: told with its printed rates, not pictured.
        "sammpris": (["stroke_death_30d", "primary_final"], ["primary_1y_km"]),
        # The long-term primary outcome (printed percentages only) is told; so is the 30-day
        # figure, a secondary outcome from a secondary source. The long-term secondary outcomes
        # (percentages only, not main) are on the clinician page only, by the balance rule.
        "cassiss": (["primary_1y"], ["primary_longterm", "stroke_death_30d"]),
        # Printed percentages from secondary sources, no counts: every main outcome told, none
        # pictured; its single-arm procedural figures are not a main outcome.
        "basis": ([], ["primary_12m", "stroke_death_30d", "sich"]),
    }
    (rescue,) = view(base, LVO).comparisons
    assert [o.id for o in rescue.outcomes] == []
    assert rescue.others_title == "Results from this study"  # not "other": nothing is pictured
    # The primary outcome and the primary safety outcome lead; the subgroup never appears.
    assert [o.id for o in rescue.others] == [
        "mrs_0_2_90d",
        "sich",
        "restenosis_followup",
        "recurrent_stroke",
        "reperfusion",
        "infarct_volume",
    ]


def test_vissit_disability_haemorrhage_and_quality_of_life_are_shown(base: EvidenceBase) -> None:
    others = {o.id: o for o in by_study(base, VISSIT_LIKE)["vissit"].others}
    assert others["mrs_worsening_12m"].title == "More disability than before treatment"
    assert others["mrs_worsening_12m"].time_line == "Time: within 12 months."
    assert others["mrs_worsening_12m"].lines == (
        "Medicines only: about 11 of 100 people had it. In the study, 6 of 53.",
        "Balloon stent plus medicines: about 24 of 100 people had it. In the study, 14 of 58.",
    )
    assert others["ich_30d"].lines == (
        # 0 of 53: the exact 95% CI's upper bound is 6.7%, so "up to about 7 in 100".
        "Medicines only: none of 53 people had it; the true risk could be up to about 7 in 100.",
        "Balloon stent plus medicines: about 9 of 100 people had it. In the study, 5 of 58.",
    )
    eq5d = others["eq5d_12m"]
    assert eq5d.lines == ()
    assert eq5d.finding == (
        "No numbers were given for each group. The study found no clear difference between the"
        " groups."
    )
    assert eq5d.quote == (
        "The EuroQol-5D showed no difference in any of the 5 dimensions between groups at 12-month"
        " follow-up."
    )


def test_the_print_table_has_both_numbers_per_row_and_says_a_shared_finding_once(
    base: EvidenceBase,
) -> None:
    comparisons = by_study(base, ALL_OPTIONS)
    vissit = comparisons["vissit"]
    assert vissit.option_names == ("Medicines only", "Balloon stent plus medicines")
    others = {o.id: o for o in vissit.others}
    # The same numbers as the patient view's sentences, one cell per option, in the same order.
    assert others["ich_30d"].cells == (
        "None of 53 people had it; the true risk could be up to about 7 in 100.",
        "About 9 of 100 people had it. In the study, 5 of 58.",
    )
    assert others["eq5d_12m"].cells == () and others["eq5d_12m"].finding_rows == 1
    # The retrospective study's two follow-up outcomes rest on one quoted sentence: one cell, two rows.
    retro = comparisons["angioplasty-vs-stent-retro"]
    rows = {o.id: o.finding_rows for o in retro.others}
    assert rows["followup_stroke_adjusted"] == 2
    assert rows["followup_stroke_death_adjusted"] == 0
    assert sum(rows.values()) == len(retro.others)
    for other in retro.others:
        assert other.cells or other.finding or rows[other.id] == 0, other.id


def test_rescue_states_its_findings_and_gives_no_picture_from_assumed_counts(
    base: EvidenceBase,
) -> None:
    (rescue,) = view(base, LVO).comparisons
    others = {o.id: o for o in rescue.others}
    sich = others["sich"]
    assert sich.title == "Bleeding in the brain that causes symptoms"
    assert sich.finding.endswith("The study found no clear difference between the groups.")
    assert sich.quote == (
        "SES and BMS demonstrated comparable safety and clinical outcomes in ICAS-LVO patients."
    )
    assert others["mrs_0_2_90d"].quote == (
        "After adjustment, no significant difference was observed between SES and BMS in 90-day"
        " mRS 0–2"
    )
    assert others["restenosis_followup"].finding.endswith(
        "The study found that this happened more often with a self-expanding stent."
    )
    # 15/111 and 1/83 were back-calculated from 13.5% and 1.2%: the printed figures, no picture.
    stroke = others["recurrent_stroke"]
    assert stroke.lines == (
        "Balloon stent: about 1 of 100 people had it. The study gave 1.2%.",
        "Self-expanding stent: about 14 of 100 people had it. The study gave 13.5%.",
    )
    assert stroke.time_line == "Time: over a time not stated in the study."
    assert stroke.notes[0].startswith("The study gave these as percentages.")
    assert "did not give numbers" not in " ".join(counsel.patient_paragraphs(view(base, LVO)))


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_every_main_and_counted_outcome_appears(base: EvidenceBase, name: str) -> None:
    page = view(base, SCENARIOS[name])
    for comparison in page.comparisons:
        shown = [o.id for o in comparison.outcomes] + [o.id for o in comparison.others]
        study = base.by_id[comparison.study_id]
        for result in study.appraisal.outcomes:
            outcome = result.stats.outcome
            wanted = "subgroup" not in outcome.role and (
                outcome.is_main or result.stats.has_counts or outcome.finding is not None
            )
            assert (outcome.id in shown) == wanted, (comparison.study_id, outcome.id)
        # Without numbers per group, an outcome always says what the study found.
        for other in comparison.others:
            assert other.lines or "The study found" in other.finding, other.id


def test_gaps_scope_and_unticked_arms(base: EvidenceBase) -> None:
    page = view(base, ALL_OPTIONS)
    assert page.gaps == (
        "No study here looked at a self-expanding stent and a balloon stent side by side. So there"
        " are no numbers for this pair.",
    )
    assert not page.outside and page.print_title == "Summary for a treatment discussion"
    single = view(base, {**VISSIT_LIKE, "options": ["balloon_stent"]})
    assert single.options == ("Balloon stent (balloon-mounted stent)",)
    notes = {c.study_id: c.not_ticked for c in single.comparisons}
    assert notes["vissit"] == (
        "Medicines only was not one of the options you chose. It is shown because the study"
        " compared it.",
    )
    outside = view(base, {**VISSIT_LIKE, "symptomatic": False})
    assert outside.outside
    assert outside.print_title == (
        "Not a consent summary for this patient: the studies did not include patients like this"
    )
    assert outside.scope_text.startswith("The studies in this tool did not include patients like")


def test_fit_says_how_few_points_could_be_compared(base: EvidenceBase) -> None:
    retro = by_study(base, ALL_OPTIONS)["angioplasty-vs-stent-retro"]
    assert retro.fit[0] == (
        "Only 1 of 7 points could be compared with the people in this study. So no one can say how"
        " well its numbers fit you."
    )
    (rescue,) = view(base, LVO).comparisons
    assert rescue.fit == (
        "The study did not give the limits this tool checks, such as age. So there is no way to"
        " check how well it fits you.",
    )
    for comparison in view(base, ALL_OPTIONS).comparisons:
        assert "every point" not in " ".join(comparison.fit)


def test_key_outcomes_for_the_live_summary_are_the_counted_main_ones(base: EvidenceBase) -> None:
    found = {
        c.analysis.study.id: [r.stats.outcome.id for r in counsel.key_outcomes(c)]
        for scenario in (ALL_OPTIONS, LVO)
        for c in assess(parse_scenario(scenario), tables(base)).comparisons
    }
    assert found == {
        "vissit": ["primary_safety_30d", "primary_stroke_tia_12m"],
        "angioplasty-vs-stent-retro": ["periprocedural_death", "periprocedural_stroke"],
        "rescue-icas-ses-bms": [],
        # Counted main outcomes only: CASSISS's 30-day figure is a secondary outcome; BASIS and
        # the meta-analysis print percentages, not counts.
        "sammpris": ["stroke_death_30d", "primary_final"],
        "cassiss": ["primary_1y"],
        "basis": [],
    }


def test_unmet_sentences_name_the_criterion_that_was_not_met(base: EvidenceBase) -> None:
    stent_question = {
        "setting": "symptomatic_icas",
        "options": ["medical", "self_expanding_stent"],
        "stenosis_percent": 80,
        "days_since_event": 25,
        "artery": "mca",
        "age": 64,
    }
    # SAMMPRIS enrolled a baseline Rankin score of up to 3; CASSISS excluded perforator strokes.
    sammpris = by_study(base, {**stent_question, "mrs": 4})["sammpris"]
    assert sammpris.fit[1] == (
        "The study only included people who needed little help in daily life before it (a Rankin"
        " score of up to 3). Your score is 4."
    )
    cassiss = by_study(base, {**stent_question, "perforator_infarct": True})["cassiss"]
    assert cassiss.fit[1] == (
        "The study did not include people whose stroke was deep in the brain, from a tiny side"
        " branch."
    )
    # Every criterion field has its own sentence: none falls through to another field's words.
    study = base.by_id["sammpris"].study
    scenario = parse_scenario({**stent_question, "mrs": 4, "perforator_infarct": True})
    sentences = {field: counsel.unmet_sentence(field, study, scenario) for field in study.criteria}
    assert len(set(sentences.values())) == len(sentences)
