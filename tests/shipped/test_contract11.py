"""The issue-11 contract on the shipped evidence: withheld statistics, pairs, scope, JSON."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from app.analysis.base import EvidenceBase
from app.contract.scenario import parse_scenario
from app.engine.assess import assess
from tests.engine_tables import tables
from tests.scenarios import ALL_OPTIONS, VISSIT_LIKE
from tests.test_api import post

pytestmark = pytest.mark.shipped_evidence


def outcome(base: EvidenceBase, study: str, outcome_id: str):  # type: ignore[no-untyped-def]
    (found,) = [r for r in base.by_id[study].appraisal.outcomes if r.stats.outcome.id == outcome_id]
    return found


def test_assumed_counts_give_no_statistics(base: EvidenceBase) -> None:
    # RESCUE-ICAS recurrent stroke: 15/111 and 1/83 are back-calculated from 13.5% and 1.2%.
    result = outcome(base, "rescue-icas-ses-bms", "recurrent_stroke")
    stats = result.stats
    assert (stats.intervention.events, stats.comparator.events) == (15, 1)
    assert stats.risk_difference is None and stats.risk_ratio is None
    assert stats.odds_ratio is None and stats.nnt is None and stats.p_value is None
    assert result.not_computed_reason.startswith("No relative effect, difference or NNT")


def test_no_nnt_without_a_time_frame(base: EvidenceBase) -> None:
    # Residual stenosis is timed ("immediately after the procedure"); periprocedural is not defined.
    timed = outcome(base, "angioplasty-vs-stent-retro", "residual_stenosis")
    assert timed.not_computed_reason is None and timed.stats.nnt is not None
    untimed = outcome(base, "angioplasty-vs-stent-retro", "periprocedural_stroke")
    assert untimed.stats.nnt is None and untimed.stats.risk_difference is not None
    assert untimed.not_computed_reason == (
        "No NNT: the source gives no time frame for this outcome (periprocedural (not defined)),"
        " and a number needed to treat means nothing without one."
    )
    vissit = outcome(base, "vissit", base.by_id["vissit"].study.outcomes[0].id)
    assert vissit.not_computed_reason is None and vissit.stats.nnt is not None


def test_pairs_without_evidence_all_four_options(base: EvidenceBase) -> None:
    found = assess(parse_scenario(ALL_OPTIONS), tables(base)).pairs_without_evidence
    # SAMMPRIS and CASSISS compare a self-expanding stent with medical therapy, BASIS angioplasty
    # with medical therapy.
    assert [gap.options for gap in found] == [("self_expanding_stent", "balloon_stent")]
    assert found[0].text.startswith(
        "No study in this evidence base compares a self-expanding stent with a balloon-mounted stent"
    )
    assert assess(parse_scenario(VISSIT_LIKE), tables(base)).pairs_without_evidence == ()


def test_scope_outside_for_an_occlusion_in_the_elective_setting(base: EvidenceBase) -> None:
    found = assess(parse_scenario({**VISSIT_LIKE, "stenosis_percent": 100}), tables(base)).scope
    assert found.status == "outside"
    assert found.reasons[0].startswith("100% is an occlusion")
    assert found.reasons[1] == (
        "This patient is outside the population of every study that compares these options"
        " (VISSIT)."
    )
    assert assess(parse_scenario(VISSIT_LIKE), tables(base)).scope.status == "in_scope"


def test_json_carries_the_contract(client: FlaskClient) -> None:
    status, body = post(client, "/api/v1/assess", ALL_OPTIONS)
    assert status == 200
    assert body["pairs_without_evidence"][0] == {
        "options": ["self_expanding_stent", "balloon_stent"],
        "text": body["pairs_without_evidence"][0]["text"],
    }
    assert len(body["pairs_without_evidence"]) == 1
    assert body["scope"] == {"status": "in_scope", "reasons": []}
    fits = {c["study"]["id"]: c["applicability"] for c in body["comparisons"]}
    # Seven criteria since the Rankin score and perforator infarct fields (VISSIT reports neither).
    assert (fits["vissit"]["status"], fits["vissit"]["checked"], fits["vissit"]["total"]) == (
        "applies",
        4,
        7,
    )
    retro = fits["angioplasty-vs-stent-retro"]
    assert (retro["status"], retro["checked"], retro["total"]) == ("unknown", 1, 7)


def test_json_nulls_assumed_counts(client: FlaskClient) -> None:
    status, body = post(
        client,
        "/api/v1/assess",
        {"setting": "lvo_icas", "options": ["self_expanding_stent", "balloon_stent"]},
    )
    assert status == 200
    (comparison,) = body["comparisons"]
    stroke = {o["id"]: o for o in comparison["outcomes"]}["recurrent_stroke"]
    assert [stroke[k] for k in ("risk_ratio", "odds_ratio", "risk_difference", "nnt")] == [None] * 4
    assert stroke["not_computed_reason"].startswith("No relative effect, difference or NNT")
    assert stroke["published"]["intervention"]["percent"] == "13.5"
    assert stroke["published"]["p"] == "0.001"


def test_published_estimate_leads_in_the_json(client: FlaskClient) -> None:
    body = {**VISSIT_LIKE, "options": ["angioplasty", "balloon_stent"]}
    status, answer = post(client, "/api/v1/assess", body)
    assert status == 200
    (comparison,) = answer["comparisons"]
    # The stent (more invasive) is the intervention, whatever order the options came in.
    assert comparison["intervention"]["treatment"] == "stent_unspecified"
    assert comparison["comparator"]["treatment"] == "angioplasty"
    outcomes = {o["id"]: o for o in comparison["outcomes"]}
    residual = outcomes["residual_stenosis"]
    assert residual["relative_effect"] == {
        "source": "published",
        "type": "risk_ratio",
        "estimate": 2.8,
        "ci": [0.85, 9.5],
        "method": "as printed",
        "direction": "comparator_vs_intervention",
        "p": "0.09",
        "adjustment": "not stated",
        "i2": None,
    }
    # The crude ratio stays in risk_ratio, in the columns' order (stent vs angioplasty).
    assert round(residual["risk_ratio"]["value"], 2) == 0.28
    signals = {s["code"]: s["text"] for s in residual["signals"]}
    assert signals["ci_includes_no_difference"] == (
        "The published risk ratio's 95% CI (0.85–9.5) includes no difference."
    )
    assert "ci_excludes_no_difference" not in signals
    assert signals["methods_disagree"].startswith(
        "Methods disagree: the difference's 95% CI (Newcombe, −19.5 to −2.4 pp) and the crude"
        " risk ratio's 95% CI (Katz, 0.09–0.81) exclude no difference, but the published RR's 95%"
        " CI (0.85–9.5) and the printed P (0.09) do not"
    )
    crude = outcomes["periprocedural_death"]["relative_effect"]
    assert crude["source"] == "recomputed" and crude["method"] == "katz-log"


def test_vissit_borderline_safety_result_is_explained(base: EvidenceBase) -> None:
    result = outcome(base, "vissit", "primary_safety_30d")
    signals = {s.code: s.text for s in result.signals}
    assert signals["ci_excludes_no_difference"] == (
        "The 95% CI of the difference (Newcombe hybrid score) excludes no difference."
    )
    assert signals["methods_disagree"] == (
        "Methods disagree: the difference's 95% CI (Newcombe, +0.5 to +28.2 pp) excludes no"
        " difference, but the crude risk ratio's 95% CI (Katz, 0.99–6.62) and the printed P (.05)"
        " do not, so the result is borderline and whether there is a real difference is uncertain."
    )
    # Where every method agrees nothing more is said.
    agreed = outcome(base, "vissit", "primary_stroke_tia_12m")
    assert "methods_disagree" not in {s.code for s in agreed.signals}


def test_vissit_counts_distinct_causes_of_unreproduced_figures(base: EvidenceBase) -> None:
    (text,) = [
        w.text
        for w in base.by_id["vissit"].appraisal.data_warnings
        if w.code == "published_figure_not_reproduced"
    ]
    assert text == (
        "4 published figures could not be reproduced, from 1 cause: Balloon-expandable stent"
        " plus medical therapy: denominator (59 in the arm vs 58 analysed), in 4 outcomes. 1 more"
        " differs only in method (another test or estimate), not counted. See the audit."
    )
