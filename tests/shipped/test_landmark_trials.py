"""Issue 12's done-when checks on the shipped evidence: SAMMPRIS, CASSISS, the forest plot, BASIS."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from app.analysis.base import EvidenceBase
from app.contract.scenario import parse_scenario
from app.engine.assess import Assessment, assess
from app.evidence.loader import load_evidence
from app.web.summary import live_summary
from tests.engine_tables import tables
from tests.evidence_dirs import SHIPPED_DIR
from tests.test_api import post

pytestmark = pytest.mark.shipped_evidence

# 80% MCA stenosis, TIA 10 days ago, age 64, weighing medical therapy against a self-expanding stent.
STENT_QUESTION: dict[str, Any] = {
    "setting": "symptomatic_icas",
    "options": ["medical", "self_expanding_stent"],
    "stenosis_percent": 80,
    "symptomatic": True,
    "days_since_event": 10,
    "artery": "mca",
    "age": 64,
}
# After a TIA there is no infarct, and a Rankin score is given: every SAMMPRIS criterion can be checked.
STENT_QUESTION_FULL = {**STENT_QUESTION, "mrs": 0, "perforator_infarct": False}
ANGIOPLASTY_QUESTION = {
    "setting": "symptomatic_icas",
    "options": ["medical", "angioplasty"],
    "stenosis_percent": 80,
}


def assessed(base: EvidenceBase, body: dict[str, Any]) -> Assessment:
    return assess(parse_scenario(body), tables(base))


def by_id(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["study"]["id"]: c for c in body["comparisons"]}


def outcome(comparison: dict[str, Any], outcome_id: str) -> dict[str, Any]:
    return next(o for o in comparison["outcomes"] if o["id"] == outcome_id)


def test_sammpris_applies_and_cassiss_is_outside_at_day_10(base: EvidenceBase) -> None:
    result = assessed(base, STENT_QUESTION_FULL)
    fits = {c.analysis.study.id: c.applicability for c in result.comparisons}
    assert [c.analysis.study.id for c in result.comparisons] == ["sammpris", "cassiss"]
    assert (fits["sammpris"].status, fits["sammpris"].checked, fits["sammpris"].total) == (
        "applies",
        6,
        7,
    )
    assert fits["cassiss"].status == "outside"
    (unmet,) = [r for r in fits["cassiss"].reasons if r.status == "not_met"]
    assert unmet.text == (
        "CASSISS enrolled patients 21-365 days after the qualifying TIA or stroke; this patient's"
        " event was 10 days ago. (Upper limit from a secondary source.)"
    )


def test_without_a_rankin_score_sammpris_applies_and_says_what_is_unknown(
    base: EvidenceBase,
) -> None:
    # The scenario gives no Rankin score; SAMMPRIS limits it (≤ 3): 5 of 7 criteria checked,
    # all met, so it applies, with the unknown one listed and a warning naming it as unchecked.
    comparisons = {c.analysis.study.id: c for c in assessed(base, STENT_QUESTION).comparisons}
    fits = {study: c.applicability for study, c in comparisons.items()}
    assert (fits["sammpris"].status, fits["sammpris"].checked, fits["sammpris"].total) == (
        "applies",
        5,
        7,
    )
    assert "population_partly_unknown" in [w.code for w in comparisons["sammpris"].warnings]
    (unknown,) = [r for r in fits["sammpris"].reasons if r.status == "unknown"]
    assert unknown.text == (
        "SAMMPRIS enrolled patients with a modified Rankin score of up to 3; this patient's"
        " baseline score was not given."
    )
    assert assessed(base, {**STENT_QUESTION, "mrs": 4}).comparisons[0].applicability.status == (
        "outside"
    )


def test_the_answer_holds_counts_intervals_and_audit_notes(client: FlaskClient) -> None:
    status, body = post(client, "/api/v1/assess", STENT_QUESTION_FULL)
    assert status == 200
    studies = by_id(body)
    early = outcome(studies["sammpris"], "stroke_death_30d")
    assert (early["intervention"]["events"], early["intervention"]["total"]) == (33, 224)
    assert (early["comparator"]["events"], early["comparator"]["total"]) == (13, 227)
    # Newcombe hybrid score interval of 33/224 - 13/227 = 9.01 points.
    rd = early["risk_difference"]
    assert (round(100 * rd["value"], 2), round(100 * rd["ci"][0], 1)) == (9.01, 3.4)
    primary = outcome(studies["cassiss"], "primary_1y")
    assert (primary["intervention"]["events"], primary["intervention"]["total"]) == (14, 176)
    assert (primary["comparator"]["events"], primary["comparator"]["total"]) == (13, 181)
    assert round(100 * primary["risk_difference"]["value"], 2) == 0.77
    published = {e["type"]: e for e in primary["published"]["effects"]}
    assert (published["hazard_ratio"]["estimate"], published["hazard_ratio"]["p"]) == (
        "1.10",
        ".82",
    )
    assert published["risk_difference"]["ci"] == ["−5.0", "5.9"]
    audit = {a["figure"]: a for a in primary["audit"]}
    flagged = audit["Risk difference (crude, from counts)"]
    assert (flagged["published"], flagged["agrees"]) == ("0.4 (−5.0 to 5.9) points", False)
    assert flagged["recomputed"].startswith("0.8 (")
    assert audit["Medical therapy alone: denominator"]["note"] == (
        "1 of 182 in this arm is not in this result; the source gives no reason."
    )
    early_audit = {a["figure"]: a for a in early["audit"]}
    product_limit = early_audit["Aggressive medical management alone: percent"]
    assert (product_limit["published"], product_limit["recomputed"]) == ("5·8%", "5.7%")
    assert "product-limit estimate" in product_limit["note"]


def test_cassiss_printed_difference_leads_and_the_crude_one_is_the_note(
    client: FlaskClient,
) -> None:
    _, body = post(client, "/api/v1/assess", STENT_QUESTION_FULL)
    primary = outcome(by_id(body)["cassiss"], "primary_1y")
    lead = primary["absolute_effect"]
    assert (lead["source"], lead["estimate"], lead["ci"]) == ("published", 0.004, [-0.05, 0.059])
    # The leading (printed) difference's CI, -5.0 to 5.9 points, includes 0: no NNT anywhere,
    # neither the printed difference's (250) nor the counts' (130).
    assert lead["nnt"] is None and primary["nnt"] is None
    assert primary["not_computed_reason"] == (
        "No clear difference, so no NNT is shown: the 95% CI of the published difference (−5.0 to"
        " +5.9 percentage points) includes no difference, so a number needed to treat would mean"
        " nothing."
    )
    early = outcome(by_id(body)["sammpris"], "stroke_death_30d")
    assert early["absolute_effect"]["source"] == "recomputed"
    assert early["absolute_effect"]["nnt"] == early["nnt"]
    assert early["nnt"]["text"] == "NNTH 12 (95% CI NNTH 7 to 30)"
    # Over a median follow-up there is no fixed horizon: no NNT, though the CI excludes 0.
    final = outcome(by_id(body)["sammpris"], "primary_final")
    assert final["risk_difference"]["ci"][0] > 0
    assert final["nnt"] is None and final["absolute_effect"]["nnt"] is None
    assert final["not_computed_reason"].startswith(
        "NNT not shown: the time frame is a median follow-up (median follow-up 32·4 months)"
    )
    page = client.post("/", data={k: _form(v) for k, v in STENT_QUESTION_FULL.items()})
    text = html.unescape(page.get_data(as_text=True))
    row = text[text.index('id="c-cassiss-primary_1y"') :]
    row = row[: row.index("</tbody>")]
    assert "Published +0.4 pp (−5.0 to +5.9)" in row
    assert "no clear difference: NNT not shown" in row
    assert "NNTH 250" not in text and "NNTH 130" not in text
    final = text[text.index('id="c-sammpris-primary_final"') :]
    assert "not shown: median follow-up, not a fixed time" in final[: final.index("</tr>")]
    assert "+0.8 pp" not in row  # the crude difference is the audit note's, in its own words
    assert "recomputed 0.8 (-4.9 to 6.5) points" in row


def test_the_live_summary_leads_with_cassiss_printed_difference(base: EvidenceBase) -> None:
    summary = live_summary(assessed(base, STENT_QUESTION_FULL))
    cassiss = next(c for c in summary.comparisons if c.heading.startswith("CASSISS"))
    assert cassiss.outcomes[0].difference == (
        "Absolute difference (intervention − comparator): Published +0.4 pp (−5.0 to +5.9)"
    )


def test_patient_sentences_say_when_once(client: FlaskClient) -> None:
    form = {k: _form(v) for k, v in STENT_QUESTION_FULL.items()}
    page = html.unescape(client.post("/", data={**form, "view": "patient"}).get_data(as_text=True))
    # The label says when; the time line above the pictures gives the study's own time frame.
    assert (
        "About 15 of 100 people who had a self-expanding stent had a stroke or died in the first"
        " month." in page
    )
    assert "Time: within 30 days." in page
    assert "in the first month within 30 days" not in page
    assert "Time: over a median follow-up of 32·4 months." in page
    # The composite says what was counted: early stroke or death, or a later territory stroke.
    assert (
        "About 23 of 100 people who had a self-expanding stent had a stroke or died in the first"
        " month, or a stroke in the same brain area later during follow-up." in page
    )
    assert "over this time" not in page


def test_secondary_source_counts_are_marked(client: FlaskClient) -> None:
    _, body = post(client, "/api/v1/assess", STENT_QUESTION_FULL)
    early = outcome(by_id(body)["cassiss"], "stroke_death_30d")
    assert (early["intervention"]["events"], early["comparator"]["events"]) == (9, 4)
    assert early["published"]["intervention"]["quote"]["source_kind"] == "secondary"
    assert early["definition"]["source_title"].startswith("neuro.wiki trial summary")


def test_forest_plot_of_30_day_stroke_or_death(base: EvidenceBase, client: FlaskClient) -> None:
    (group,) = assessed(base, STENT_QUESTION_FULL).side_by_side
    assert group.family.id == "stroke_death_30d"
    assert [m.study.id for m in group.members] == ["sammpris", "cassiss"]
    # Mantel-Haenszel by hand: sum(a n2/N) / sum(c n1/N)
    # = (33*227/451 + 9*181/357) / (13*224/451 + 4*176/357) = 21.1728 / 8.4288 = 2.512.
    assert group.risk_ratio is not None and group.risk_ratio.estimate == pytest.approx(
        2.512, abs=5e-4
    )
    # Weights n1 n2 / N: (112.745 * 0.090052 + 89.232 * 0.029037) / 201.977 = 0.06310.
    assert group.risk_difference is not None
    assert group.risk_difference.estimate == pytest.approx(0.06310, abs=5e-5)
    assert any("secondary source" in note and "CASSISS" in note for note in group.notes)
    page = client.post("/", data={k: _form(v) for k, v in STENT_QUESTION_FULL.items()})
    text = page.get_data(as_text=True)
    section = text[text.index('<section class="forest"') :]
    section = section[: section.index("</section>")]
    assert section.count('<svg class="forest-plot" role="img"') == 2
    assert "33/224 vs 13/227" in section and "9/176 vs 4/181" in section
    assert "counts from a secondary source" in section
    assert "RR 2.51 (1.46–4.32)" in html.unescape(section)
    # Shapes and words, never colour.
    assert not re.search(r'(fill|stroke)="(?!currentColor|none)', section)


def _form(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return [str(v) for v in value] if isinstance(value, list) else str(value)


def test_basis_answers_angioplasty_vs_medical_with_its_secondary_figures(
    client: FlaskClient,
) -> None:
    status, body = post(client, "/api/v1/assess", ANGIOPLASTY_QUESTION)
    assert status == 200
    assert body["known_trials"] == []
    (basis,) = body["comparisons"]
    assert basis["study"]["id"] == "basis"
    primary = outcome(basis, "primary_12m")
    # The printed hazard ratio leads; no counts, so no difference or NNT.
    assert primary["relative_effect"] == {
        "source": "published",
        "type": "hazard_ratio",
        "estimate": 0.32,
        "ci": [0.16, 0.63],
        "method": "as printed",
        "direction": "intervention_vs_comparator",
        "p": "<0.001",
        "adjustment": "not stated",
        "i2": None,
    }
    assert primary["absolute_effect"] is None and primary["nnt"] is None
    assert primary["intervention"] is None  # no counts: only the printed percentages
    assert (
        primary["published"]["intervention"]["percent"],
        primary["published"]["comparator"]["percent"],
    ) == ("4.4", "13.5")
    # Every figure's quote names its secondary source in the JSON.
    for item in basis["outcomes"]:
        for arm in ("intervention", "comparator"):
            if item["published"][arm] is not None:
                assert item["published"][arm]["quote"]["source_kind"] == "secondary", item["id"]
        assert item["label"].endswith("(secondary source)"), item["id"]
    form = {k: _form(v) for k, v in ANGIOPLASTY_QUESTION.items()}
    clinician = html.unescape(client.post("/", data=form).get_data(as_text=True))
    row = clinician[clinician.index('id="c-basis-primary_12m"') :]
    row = row[: row.index("</tbody>")]
    assert "Published HR (adjustment not stated) 0.32 (0.16–0.63); P < 0.001" in row
    assert "SECONDARY: from news summaries of the trial report" in row
    for view in ("patient", "print"):
        page = html.unescape(client.post("/", data={**form, "view": view}).get_data(as_text=True))
        # BASIS's three main outcomes share the secondary-source label, said once after them.
        assert page.count("SECONDARY SOURCE: others gave these numbers in a summary.") == 1
        assert "The study gave 4.4%." in page and "The study gave 13.5%." in page


def test_the_register_never_carries_a_result() -> None:
    register = load_evidence(SHIPPED_DIR).register
    # BASIS is a study now; ANGEL-REBOOT stays until its results can be read.
    assert [t.id for t in register] == ["angel-reboot", "wasid", "sammpris-cassiss-ipd"]
    for trial in register:
        # Figures live only in citations; a reason or title never holds one.
        assert not re.search(r"\d", trial.reason + trial.title + trial.comparator_label), trial.id


def test_the_stent_question_names_no_known_trial(base: EvidenceBase) -> None:
    # SAMMPRIS and CASSISS are included, so the pooled analysis of them is not named.
    assert assessed(base, STENT_QUESTION).known_trials == ()
    acute = assessed(base, {"setting": "lvo_icas", "options": ["medical", "angioplasty"]})
    assert [t.id for t in acute.known_trials] == ["angel-reboot"]
