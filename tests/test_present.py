"""View models and formatting (app/web/formatting.py, results.py, evidence_pages.py) against the real evidence base."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from app.analysis import stats
from app.analysis.base import EvidenceBase, analyse
from app.analysis.outcomes import OutcomeStats
from app.contract.scenario import CRITERIA, parse_scenario
from app.engine.assess import Assessment, Comparison, assess
from app.evidence.loader import load_evidence
from app.evidence.model import Effect, Printed, Quote
from app.web import evidence_pages, formatting, results
from tests.engine_tables import tables
from tests.evidence_dirs import FIXTURE_DIR
from tests.scenarios import VISSIT_LIKE

MINUS = "\u2212"


@pytest.fixture(scope="module")
def base() -> EvidenceBase:
    return analyse(load_evidence(FIXTURE_DIR))


def outcome(base: EvidenceBase, study_id: str, outcome_id: str) -> OutcomeStats:
    return next(o for o in base.by_id[study_id].outcomes if o.outcome.id == outcome_id)


def assessed(base: EvidenceBase, **scenario: Any) -> Assessment:
    return assess(parse_scenario(scenario), tables(base))


def of_study(assessment: Assessment, study_id: str) -> Comparison:
    # By id, not by unpacking: another study weighing the same options must not break the test.
    return next(c for c in assessment.comparisons if c.analysis.study.id == study_id)


def only(assessment: Assessment) -> Comparison:
    (comparison,) = assessment.comparisons
    return comparison


def row(comparison: Comparison, outcome_id: str) -> results.OutcomeRow:
    view = results.comparison_view(comparison)
    return next(r for r in view.rows if r.id == outcome_id)


# --- numbers ----------------------------------------------------------------------------------------


def test_risk_text_is_percent_with_exact_ci_and_counts(base: EvidenceBase) -> None:
    entry = outcome(base, "vissit", "primary_safety_30d")
    assert entry.comparator is not None and entry.intervention is not None
    assert formatting.risk_text(entry.comparator) == "9.4% (3.1–20.7) · 5/53"
    assert formatting.risk_text(entry.intervention) == "24.1% (13.9–37.2) · 14/58"


def test_risk_text_for_an_arm_without_events(base: EvidenceBase) -> None:
    entry = outcome(base, "vissit", "ich_30d")
    assert entry.comparator is not None
    assert formatting.risk_text(entry.comparator) == "0.0% (0.0–6.7) · 0/53"


def test_percent() -> None:
    assert formatting.percent(0.3620689655172414) == "36.2%"
    assert formatting.percent(0.151, decimals=0) == "15%"


def test_difference_in_percentage_points_with_signs(base: EvidenceBase) -> None:
    rd = outcome(base, "vissit", "primary_safety_30d").risk_difference
    assert rd is not None
    assert formatting.difference_text(rd) == "+14.7 pp (+0.5 to +28.2)"
    spanning = outcome(base, "vissit", "mrs_worsening_12m").risk_difference
    assert spanning is not None
    assert formatting.difference_text(spanning) == f"+12.8 pp ({MINUS}1.7 to +26.6)"
    negative = outcome(base, "angioplasty-vs-stent-retro", "residual_stenosis").risk_difference
    assert negative is not None
    assert formatting.difference_text(negative) == f"{MINUS}10.7 pp ({MINUS}19.5 to {MINUS}2.4)"


def test_difference_that_rounds_to_zero_has_no_sign() -> None:
    interval = stats.Interval(-0.0004, -0.01, 0.02, 0.95, "newcombe-hybrid-score")
    assert formatting.difference_text(interval) == f"0.0 pp ({MINUS}1.0 to +2.0)"


def test_risk_ratio_text(base: EvidenceBase) -> None:
    rr = outcome(base, "vissit", "primary_stroke_tia_12m").risk_ratio
    assert formatting.ratio_text("RR", rr) == "RR 2.40 (1.16–4.95)"
    retro = outcome(base, "angioplasty-vs-stent-retro", "residual_stenosis").risk_ratio
    assert formatting.ratio_text("RR", retro) == "RR 0.28 (0.09–0.81)"


def test_risk_ratio_not_estimable_gives_the_reason(base: EvidenceBase) -> None:
    rr = outcome(base, "vissit", "ich_30d").risk_ratio
    assert isinstance(rr, stats.Undefined)
    assert formatting.ratio_text("RR", rr) == f"RR not estimable: {rr.reason}"
    assert "comparator arm has no events" in formatting.ratio_text("RR", rr)
    assert formatting.ratio_text("RR", None) == "RR not estimable: no counts per group"


def test_nnt_is_passed_through_in_altmans_notation(base: EvidenceBase) -> None:
    nnt = outcome(base, "vissit", "primary_safety_30d").nnt
    assert nnt is not None
    assert formatting.nnt_text(nnt) == nnt.text == "NNTH 7 (95% CI NNTH 4 to 195)"
    # A difference whose CI spans 0 gets no NNT at all (not "NNTB 59 to ∞ to NNTH 4").
    spanning = outcome(base, "vissit", "mrs_worsening_12m")
    assert spanning.nnt is None and spanning.risk_difference is not None
    assert spanning.nnt_reason is not None
    assert spanning.nnt_reason.startswith("No clear difference, so no NNT is shown")
    assert formatting.nnt_text(None) == "not calculated: no counts per group"


def test_participants_text() -> None:
    assert formatting.participants_text(111, "patients", "randomized_trial") == (
        "111 patients (1 randomized trial)"
    )
    assert formatting.participants_text(193, "procedures", "retrospective_cohort") == (
        "193 procedures (1 retrospective observational cohort)"
    )
    assert formatting.participants_text(None, "patients", "prospective_registry") == (
        "group sizes not given (1 prospective observational registry)"
    )
    assert formatting.participants_text(
        194, "patients", "prospective_registry", analysed=False
    ) == (
        "194 patients in the study; number analysed not stated"
        " (1 prospective observational registry)"
    )


def test_p_values() -> None:
    assert formatting.printed_p_text(Printed(".05")) == "P = .05"
    assert formatting.printed_p_text(Printed("<0.001")) == "P < 0.001"
    assert formatting.p_value_text(stats.PValue(0.046493, "fisher-exact")) == "P = 0.046"
    assert formatting.p_value_text(stats.PValue(0.0004, "fisher-exact")) == "P < 0.001"


def test_adjusted_effects_are_labelled(base: EvidenceBase) -> None:
    rescue = base.by_id["rescue-icas-ses-bms"].study
    effect = rescue.outcome("mrs_0_2_90d").effects[0]
    assert formatting.effect_text(effect) == (
        "adjusted OR (inverse probability weighting) 1.10 (0.62–1.96); P = 0.75"
    )
    retro = base.by_id["angioplasty-vs-stent-retro"].study
    hr = retro.outcome("followup_stroke_adjusted").effects[0]
    assert (
        formatting.effect_label(hr)
        == "adjusted HR (age, sex and center; reference group not stated)"
    )
    crude = retro.outcome("residual_stenosis").effects[0]
    assert (
        formatting.effect_text(crude)
        == "RR (adjustment not stated; comparator vs intervention) 2.8 (0.85–9.5); P = 0.09"
    )


def test_reversed_effect_direction_is_named() -> None:
    effect = Effect(
        type="odds_ratio",
        estimate=Printed("0.5"),
        ci=(Printed("0.2"), Printed("1.1")),
        p=None,
        adjustment="not stated",
        direction="comparator_vs_intervention",
        quote=Quote("abstract", "x"),
    )
    assert formatting.effect_text(effect) == (
        "OR (adjustment not stated; comparator vs intervention) 0.5 (0.2–1.1)"
    )


def test_survival_text(base: EvidenceBase) -> None:
    retro = base.by_id["angioplasty-vs-stent-retro"].study
    two_years = retro.outcome("stroke_death_free_2y").arms["angioplasty"]
    assert formatting.survival_text(two_years) == "Survival 92% ± 4 (SE)"
    one_year = retro.outcome("restenosis_free_12m").arms["stent"]
    assert formatting.survival_text(one_year) == "Survival 64% (no SE printed)"


# --- rows of the summary-of-findings table ----------------------------------------------------------


def test_binary_row(base: EvidenceBase) -> None:
    r = row(of_study(assessed(base, **VISSIT_LIKE), "vissit"), "primary_safety_30d")
    assert r.comparator.text == "9.4% (3.1–20.7) · 5/53"
    assert r.comparator.href == "/evidence/vissit#o-primary_safety_30d-medical"
    assert r.intervention.href == "/evidence/vissit#o-primary_safety_30d-stent"
    assert r.difference.text == "+14.7 pp (+0.5 to +28.2)"
    assert r.difference.href == "/evidence/vissit#o-primary_safety_30d"
    assert r.relative.text == "RR 2.56 (0.99–6.62)"
    assert r.nnt.text == "NNTH 7 (95% CI NNTH 4 to 195)"
    assert r.participants.text == "111 patients (1 randomized trial)"
    assert r.participants.href == "/evidence/vissit#o-primary_safety_30d"
    assert r.statement is None
    published = [n for n in r.notes if n.kind == "published"]
    assert [n.text for n in published] == ["P = .05"]
    assert published[0].href == "/evidence/vissit#o-primary_safety_30d-p"


def test_derived_values_are_marked(base: EvidenceBase) -> None:
    r = row(of_study(assessed(base, **VISSIT_LIKE), "vissit"), "ich_30d")
    assert r.comparator.derived and not r.intervention.derived
    derived = [n for n in r.notes if n.kind == "derived"]
    assert len(derived) == 1
    assert derived[0].tag == "derived"
    assert derived[0].label == "Medical therapy alone, denominator"
    assert derived[0].text.startswith("Not printed for this outcome: 53")
    # The derived-counts signal is replaced by the notes above, not repeated.
    assert not any(n.kind == "signal" and "not printed" in n.text.lower() for n in r.notes)


def test_audit_disagreements_are_notes(base: EvidenceBase) -> None:
    r = row(of_study(assessed(base, **VISSIT_LIKE), "vissit"), "ich_30d")
    audit = [n for n in r.notes if n.kind == "audit"]
    # The one-sided interval differs in method only: in the full audit, not beside the row.
    assert [n.label for n in audit] == [
        "Balloon-expandable stent plus medical therapy: denominator"
    ]
    (missing,) = audit
    assert missing.text.startswith("Published 59 in the arm; recomputed 58 analysed — ")
    assert missing.href == "/evidence/vissit#audit-ich_30d"


def test_audit_note_for_the_retrospective_risk_ratio(base: EvidenceBase) -> None:
    comparison = only(
        assessed(
            base,
            setting="symptomatic_icas",
            options=["angioplasty", "balloon_stent"],
            stenosis_percent=80,
        )
    )
    r = row(comparison, "residual_stenosis")
    texts = [n.text for n in r.notes if n.kind == "audit"]
    assert any(
        t.startswith("Published 2.8 (0.85–9.5); recomputed 3.61 (1.23–10.58) — ") for t in texts
    )
    # The published RR leads (the relative cell, inverted to the columns' order and marked
    # derived); the crude ratio is a note, and the published estimate is not repeated as one.
    assert r.relative.text == (
        "Published RR (adjustment not stated; comparator vs intervention) 2.8 (0.85–9.5);"
        " P = 0.09; inverted: RR 0.36 (0.11–1.18)"
    )
    assert r.relative.derived
    assert r.relative.href.endswith("#o-residual_stenosis-effect-1")
    assert [n.text for n in r.notes if n.kind == "published"] == []
    (recomputed,) = [n.text for n in r.notes if n.kind == "recomputed"]
    assert recomputed.startswith("RR 0.28 (0.09–0.81), Intracranial stent (type not stated) vs")
    (disagree,) = [n.text for n in r.notes if n.text.startswith("Methods disagree")]
    assert "the published RR's 95% CI (0.85–9.5) and the printed P (0.09) do not" in disagree
    # The design is in the participants column; signals do not repeat it.
    assert not any(n.text.startswith("Design:") for n in r.notes)


def test_kaplan_meier_rows(base: EvidenceBase) -> None:
    comparison = only(
        assessed(
            base,
            setting="symptomatic_icas",
            options=["angioplasty", "self_expanding_stent"],
            stenosis_percent=80,
        )
    )
    r = row(comparison, "stroke_death_free_2y")
    assert r.intervention.text == "Survival 89% ± 5 (SE)"
    assert r.comparator.text == "Survival 92% ± 4 (SE)"
    assert r.difference.text == f"{MINUS}3.0 pp ({MINUS}15.5 to +9.5) in survival"
    assert r.relative.text.startswith("not estimable")
    assert r.participants.text.startswith("193 procedures in the study")
    assert r.participants.href == "/evidence/angioplasty-vs-stent-retro#arms"
    assert any("standard error" in n.text for n in r.notes)
    no_se = row(comparison, "restenosis_free_12m")
    assert no_se.difference.text == "not estimable: no standard errors printed"


def test_adjusted_effect_rows_show_no_group_risks(base: EvidenceBase) -> None:
    comparison = only(
        assessed(base, setting="lvo_icas", options=["self_expanding_stent", "balloon_stent"])
    )
    r = row(comparison, "mrs_0_2_90d")
    assert r.intervention.text == r.comparator.text == "not given (adjusted effect only)"
    assert r.relative.text.startswith("adjusted OR (inverse probability weighting) 1.10")
    assert r.relative.href == "/evidence/rescue-icas-ses-bms#o-mrs_0_2_90d-effect-1"


def test_percent_only_and_narrative_rows(base: EvidenceBase) -> None:
    comparison = only(
        assessed(base, setting="lvo_icas", options=["self_expanding_stent", "balloon_stent"])
    )
    r = row(comparison, "recurrent_stroke_no_prestent_angioplasty")
    assert r.intervention.text == "14% (printed) · group size not given"
    assert r.comparator.text == "1% (printed) · group size not given"
    assert r.difference.text == "not estimable: group sizes not given"
    assert r.participants.text.startswith("group sizes not given")
    narrative = row(comparison, "sich")
    assert narrative.statement is not None
    assert narrative.statement.text.startswith("The primary safety outcome; the abstract gives no")
    # Counts back-calculated over unstated group sizes: the printed percents, nothing computed.
    assumed = row(comparison, "recurrent_stroke")
    assert (assumed.intervention.text, assumed.comparator.text) == (
        "13.5% (printed)",
        "1.2% (printed)",
    )
    for cell in (assumed.difference, assumed.relative, assumed.nnt):
        assert cell.text.startswith("not computed")


# --- summary sentences ------------------------------------------------------------------------------


def test_summary_when_nothing_can_be_checked(base: EvidenceBase) -> None:
    assessment = assessed(
        base, setting="lvo_icas", options=["self_expanding_stent", "balloon_stent"]
    )
    assert results.summary_sentence(assessment) == (
        "1 study compares these options for acute LVO with underlying ICAS: RESCUE-ICAS (SES vs BMS)"
        " (prospective observational registry) — cannot be checked: the study reports none of the"
        " population criteria"
        f" this tool checks ({len(CRITERIA)} criteria not reported)."
    )
    assert results.comparison_view(only(assessment)).status == "unchecked"


def test_summary_without_a_comparison(base: EvidenceBase) -> None:
    assessment = assessed(base, setting="lvo_icas", options=["medical", "angioplasty"])
    view = results.results(assessment)
    assert view.summary == assessment.warnings[0].text
    assert view.summary.startswith("No study in this evidence base compares")
    assert view.available == (
        "a self-expanding stent vs a balloon-mounted stent (RESCUE-ICAS (SES vs BMS))",
    )
    assert view.warnings == ()
    assert view.comparisons == ()


def test_heading_and_caption(base: EvidenceBase) -> None:
    view = results.comparison_view(of_study(assessed(base, **VISSIT_LIKE), "vissit"))
    assert view.heading == (
        "Balloon-expandable stent plus medical therapy vs Medical therapy alone"
        " — VISSIT (randomized trial)"
    )
    assert view.anchor == "c-vissit"
    # Main outcomes (primary safety, primary efficacy) lead; the rest follow in the study's order.
    assert [r.id for r in view.rows] == [
        "primary_safety_30d",
        "primary_stroke_tia_12m",
        "ich_30d",
        "mrs_worsening_12m",
        "eq5d_12m",
    ]
    assert {r.id for r in view.rows} == {o.outcome.id for o in base.by_id["vissit"].outcomes}
    assert view.reasons[0].href == "/evidence/vissit#crit-stenosis_percent"


# --- scenario and ignored fields --------------------------------------------------------------------


def test_ignored_fields_by_setting() -> None:
    lvo = results.ignored_fields("lvo_icas", ["balloon_stent", "self_expanding_stent"])
    assert set(lvo) == {"symptomatic", "days_since_event", "perforator_infarct"}
    assert set(results.ignored_fields("lvo_icas", ["balloon_stent"])) == {
        "symptomatic",
        "days_since_event",
        "perforator_infarct",
        "prestent_angioplasty",
    }
    assert set(results.ignored_fields("symptomatic_icas", ["medical"])) == {"prestent_angioplasty"}
    assert results.ignored_fields(None, []) == {}


def test_ignored_input_text() -> None:
    item = results.IgnoredInput(
        "days_since_event", "Days since the qualifying TIA or stroke", "10", "why."
    )
    assert item.text == "Days since the qualifying TIA or stroke (entered: 10) was not used: why."


def test_scenario_rows_say_not_known_and_not_used(base: EvidenceBase) -> None:
    assessment = assessed(base, setting="symptomatic_icas", options=["medical"], stenosis_percent=0)
    rows = dict((r.label, r.value) for r in results.results(assessment).scenario)
    assert rows["Degree of stenosis (%)"] == "0%"
    assert rows["Age (years)"] == "Not known"
    assert rows["Angioplasty planned before a self-expanding stent"] == "Not used in this setting"


# --- evidence pages ---------------------------------------------------------------------------------


def test_study_view_of_vissit(base: EvidenceBase) -> None:
    view = evidence_pages.study_view(base.by_id["vissit"])
    assert view.design == "randomized trial"
    assert ("DOI", "10.1001/jama.2015.1693") in [(r.label, r.value) for r in view.identifiers]
    criteria = {c.field: c for c in view.criteria}
    assert criteria["stenosis_percent"].text.startswith("70-99% stenosis.")
    assert criteria["stenosis_percent"].source_kind == "secondary source"
    assert not criteria["age"].reported
    assert criteria["age"].text.startswith("Not reported.")
    ich = next(o for o in view.outcomes if o.id == "ich_30d")
    assert [f.anchor for f in ich.figures] == [
        "o-ich_30d-stent",
        "o-ich_30d-medical",
        "o-ich_30d-p",
    ]
    assert [a.agrees_text for a in ich.audit].count("NO") == 1
    assert [a.agrees_text for a in ich.audit].count("method differs") == 1
    stats_text = {s.name: s.text for s in ich.stats}
    assert stats_text["NNT"] == "NNTH 12 (95% CI NNTH 6 to 353)"


def test_study_view_marks_the_derived_arm(base: EvidenceBase) -> None:
    view = evidence_pages.study_view(base.by_id["rescue-icas-ses-bms"])
    bms = next(a for a in view.arms if a.label == "Balloon-mounted stent")
    assert bms.n == "n = 83 patients"
    assert bms.derived.startswith("Not printed: 194")
    assert bms.href == "/evidence/rescue-icas-ses-bms#arm-bms"
    assert (
        bms.description
        == "comparator arm; stands for the option: Balloon-mounted (balloon-expandable) stent"
    )
    retro = evidence_pages.study_view(base.by_id["angioplasty-vs-stent-retro"])
    assert retro.arms[0].description.endswith("it stands for either stent option")


def test_retrospective_study_has_no_citation(base: EvidenceBase) -> None:
    view = evidence_pages.study_view(base.by_id["angioplasty-vs-stent-retro"])
    assert view.citation == ""
    assert "not given in the source" in view.citation_text
    assert [(r.label, r.value) for r in view.identifiers] == [
        ("Identifiers", "none given in the source")
    ]


def test_criterion_text_for_each_kind(base: EvidenceBase) -> None:
    vissit = base.by_id["vissit"].study
    assert evidence_pages.criterion_text(vissit.criteria["days_since_event"]).startswith(
        "Patients up to 30 days after the qualifying TIA or stroke."
    )
    assert (
        evidence_pages.criterion_text(vissit.criteria["symptomatic"])
        == "Only symptomatic stenosis."
    )
    assert evidence_pages.criterion_text(vissit.criteria["artery"]).startswith(
        "Treated: the intracranial internal carotid artery, middle cerebral artery,"
    )
    cassiss = base.by_id["cassiss"].study
    assert evidence_pages.criterion_text(cassiss.criteria["age"]) == "Patients aged 30-80."
    assert evidence_pages.criterion_text(cassiss.criteria["perforator_infarct"]) == (
        "Excluded: patients whose qualifying stroke was a perforator (brainstem or basal ganglia)"
        " infarct."
    )


def test_about_view(base: EvidenceBase) -> None:
    about = evidence_pages.about_view(base)
    assert about.evidence_version == base.version
    assert about.revision == base.evidence.revision.isoformat()
    assert dt.date.fromisoformat(about.revision)
    assert "Degree of stenosis (%)" in about.inputs
    assert any("Predicting an individual" in item for item in about.out_of_scope)
    assert "not validated on local data" in about.not_predictive
    assert len(about.sources) == len(base.studies)
    assert "neither stored nor logged" in about.privacy
