"""The reproduction audit finds what the papers' own figures say, including their errors."""

from __future__ import annotations

import pytest

from app.analysis.audit import AuditItem, _p_from_ci_item
from app.analysis.base import EvidenceBase, StudyAnalysis, analyse
from app.evidence.loader import load_evidence
from app.evidence.model import Effect, Printed, Quote
from tests.evidence_dirs import FIXTURE_DIR


@pytest.fixture(scope="module")
def base() -> EvidenceBase:
    return analyse(load_evidence(FIXTURE_DIR))


def items(entry: StudyAnalysis, outcome_id: str) -> list[AuditItem]:
    return list(next(o for o in entry.outcomes if o.outcome.id == outcome_id).audit)


def find(entry: StudyAnalysis, outcome_id: str, figure: str) -> AuditItem:
    matches = [i for i in items(entry, outcome_id) if i.figure == figure]
    assert len(matches) == 1, [i.figure for i in items(entry, outcome_id)]
    return matches[0]


def test_vissit_rates_cis_and_p_values_all_reproduce(base: EvidenceBase) -> None:
    vissit = base.by_id["vissit"]
    for outcome_id in ("primary_safety_30d", "primary_stroke_tia_12m", "mrs_worsening_12m"):
        checked = [i for i in items(vissit, outcome_id) if "denominator" not in i.figure]
        assert len(checked) == 5  # two percents, two CIs, one P
        assert all(i.agrees for i in checked), outcome_id
    p = find(vissit, "primary_safety_30d", "P value between groups")
    assert (p.published, p.recomputed) == (".05", "0.05")


def test_vissit_zero_event_interval_is_one_sided(base: EvidenceBase) -> None:
    item = find(base.by_id["vissit"], "ich_30d", "Medical therapy alone: 95% CI")
    # Reproduced by another method (the one-sided bound): listed, not counted as a disagreement.
    assert (item.agrees, item.method_differs, item.status) == (None, True, "method_differs")
    assert (item.published, item.recomputed) == ("0–5.5%", "0.0–6.7%")
    assert "one-sided 95% exact bound" in item.note


def test_vissit_analysed_58_of_59_randomized(base: EvidenceBase) -> None:
    item = find(
        base.by_id["vissit"],
        "primary_safety_30d",
        "Balloon-expandable stent plus medical therapy: denominator",
    )
    assert (item.published, item.recomputed, item.agrees) == ("59 in the arm", "58 analysed", False)


def test_retrospective_relative_risk_is_not_reproducible(base: EvidenceBase) -> None:
    entry = base.by_id["angioplasty-vs-stent-retro"]
    rr = find(entry, "residual_stenosis", "Risk ratio (crude, from counts)")
    assert (rr.published, rr.recomputed, rr.agrees) == (
        "2.8 (0.85–9.5)",
        "3.61 (1.23–10.58)",
        False,
    )
    p = find(entry, "residual_stenosis", "P value printed with the risk ratio")
    assert (p.published, p.recomputed, p.agrees) == ("0.09", "0.01", False)
    # The printed RR, CI and P agree with one another, just not with the counts.
    assert find(entry, "residual_stenosis", "P value implied by the risk ratio's CI").agrees is True


def test_retrospective_pooled_percents(base: EvidenceBase) -> None:
    entry = base.by_id["angioplasty-vs-stent-retro"]
    deaths = find(entry, "periprocedural_death", "All groups together: percent")
    assert (deaths.published, deaths.recomputed, deaths.agrees) == ("1.5%", "1.6%", False)
    strokes = find(entry, "periprocedural_stroke", "All groups together: percent")
    assert (strokes.published, strokes.recomputed, strokes.agrees) == ("7.3%", "7.3%", True)
    restenosis = find(entry, "restenosis", "All groups together: percent")
    assert (restenosis.published, restenosis.recomputed, restenosis.agrees) == (
        "36.1%",
        "35.8%",
        False,
    )
    assert find(entry, "restenosis", "Pooled events: sum of the groups").agrees is True


def test_retrospective_restenosis_p_not_reproduced_by_any_common_test(base: EvidenceBase) -> None:
    item = find(base.by_id["angioplasty-vs-stent-retro"], "restenosis", "P value between groups")
    assert (item.published, item.recomputed, item.agrees) == ("0.85", "0.72", False)
    assert "None of these reproduces" in item.note


def test_hazard_ratio_is_marked_not_recomputable(base: EvidenceBase) -> None:
    item = find(base.by_id["angioplasty-vs-stent-retro"], "periprocedural_stroke", "Hazard ratio")
    assert item.agrees is None
    assert "crude risk ratio from the counts is 0.97" in item.note


def test_rescue_odds_ratio_p_values_against_their_intervals(base: EvidenceBase) -> None:
    entry = base.by_id["rescue-icas-ses-bms"]
    mrs = find(entry, "mrs_0_2_90d", "P value implied by the odds ratio's CI")
    assert (mrs.published, mrs.agrees) == ("0.75", True)
    restenosis = find(entry, "restenosis_followup", "P value implied by the odds ratio's CI")
    # A logistic-model P a little below the Wald P of its rounded CI, both under 0.05: method differs.
    assert (restenosis.published, restenosis.recomputed, restenosis.status) == (
        "0.02",
        "0.03",
        "method_differs",
    )


def test_cassiss_cox_p_values_differ_in_method_only(base: EvidenceBase) -> None:
    entry = base.by_id["cassiss"]
    item = find(entry, "primary_1y", "P value implied by the hazard ratio's CI")
    assert (item.published, item.recomputed, item.status) == (
        ".82",
        "0.794–0.815",
        "method_differs",
    )
    study_level = [i for i in entry.audit if i.method_differs]
    assert [i.published for i in study_level] == ["0.97", "0.97", "0.70"]
    # What still disagrees: the printed difference and the one medical patient not analysed.
    assert [(o or "study", i.figure) for o, i in entry.disagreements] == [
        ("primary_1y", "Risk difference (crude, from counts)"),
        ("primary_1y", "Medical therapy alone: denominator"),
        ("stroke_death_30d", "Medical therapy alone: denominator"),
    ]


def test_sammpris_product_limit_percent_differs_in_method_only(base: EvidenceBase) -> None:
    entry = base.by_id["sammpris"]
    item = find(entry, "stroke_death_30d", "Medical group: percent")
    assert (item.published, item.recomputed, item.status) == ("5·8%", "5.7%", "method_differs")
    assert entry.disagreements == ()


def _hazard_ratio(p: str) -> Effect:
    printed = (Printed("1.50"), Printed("1.01"), Printed("2.20"))
    quote = Quote("abstract", "HR 1.50")
    return Effect("hazard_ratio", printed[0], printed[1:], Printed(p), "not stated", "", quote)


def test_wald_p_across_the_5_percent_line_stays_a_disagreement() -> None:
    # HR 1.50 (1.01-2.20) implies P about 0.04; a printed P of 0.20 contradicts its own CI.
    item = _p_from_ci_item(_hazard_ratio("0.20"), "hazard ratio")
    assert (item.agrees, item.status) == (False, "not_reproduced")
    close = _p_from_ci_item(_hazard_ratio("0.03"), "hazard ratio")
    assert (close.agrees, close.status) == (None, "method_differs")
    assert _p_from_ci_item(_hazard_ratio("0.04"), "hazard ratio").status == "agrees"


def test_rescue_recurrent_stroke_from_derived_counts(base: EvidenceBase) -> None:
    entry = base.by_id["rescue-icas-ses-bms"]
    p = find(entry, "recurrent_stroke", "P value between groups")
    assert (p.published, p.recomputed, p.agrees) == ("0.001", "0.001", True)
    assert find(entry, "recurrent_stroke", "Self-expanding stent: percent").agrees is True
    fact = entry.audit[0]
    assert (fact.published, fact.recomputed, fact.agrees) == ("55%", "55%", True)


def test_outcome_statistics_are_precomputed(base: EvidenceBase) -> None:
    safety = base.by_id["vissit"].outcomes[0]
    assert safety.risk_difference is not None
    assert round(safety.risk_difference.value, 4) == round(14 / 58 - 5 / 53, 4)
    assert safety.nnt is not None and safety.nnt.kind == "NNTH"
    km = next(
        o
        for o in base.by_id["angioplasty-vs-stent-retro"].outcomes
        if o.outcome.id == "stroke_death_free_2y"
    )
    assert km.survival_difference is not None
    assert round(km.survival_difference.value, 4) == -0.03
