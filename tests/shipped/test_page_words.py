"""Words on the results, patient and print pages, as the shipped evidence says them."""

from __future__ import annotations

import html
import re

import pytest
from flask.testing import FlaskClient

from tests.scenarios import ALL_OPTIONS
from tests.test_page_words import page, text

pytestmark = pytest.mark.shipped_evidence


def test_the_glance_prints_sammpris_final_time_frame_once(client: FlaskClient) -> None:
    body = page(client, ALL_OPTIONS)
    glance = text(body[body.index('<section class="glance"') : body.index("</section>")])
    assert "Primary end point, final results (median follow-up 32.4 months)" in glance
    assert "32.4 months) ( median follow-up 32·4 months)" not in glance
    assert "(median follow-up 32·4 months)" not in glance
    assert glance.count("median follow-up 32") == 1
    summary = client.post("/summary", data={**ALL_OPTIONS, "symptomatic": "yes"})
    live = text(html.unescape(summary.get_data(as_text=True)))
    assert "Primary end point, final results (median follow-up 32.4 months)" in live
    assert "(median follow-up 32·4 months)" not in live


def test_main_outcomes_lead_the_clinician_table(client: FlaskClient) -> None:
    body = page(
        client, {"setting": "lvo_icas", "options": ["self_expanding_stent", "balloon_stent"]}
    )
    table = body[body.index('id="c-rescue-icas-ses-bms"') :]
    rows = re.findall(r'<th scope="row" id="c-rescue-icas-ses-bms-([a-z0-9_]+)"', table)
    assert rows[:2] == ["mrs_0_2_90d", "sich"]
    assert set(rows) >= {"restenosis_followup", "recurrent_stroke", "reperfusion"}


@pytest.mark.parametrize("view", ["patient", "print"])
def test_kaplan_meier_estimates_are_not_said_to_lack_a_denominator(
    client: FlaskClient, view: str
) -> None:
    body = text(page(client, ALL_OPTIONS, view))
    # SAMMPRIS's 1-year primary end point: 20.0% vs 12.2%, Kaplan-Meier rates of 451 patients.
    assert "The study gave 20.0%." in body
    assert "The study worked these out over time from everyone it followed" in body
    assert "It did not say how many people they are out of" not in body
    # RESCUE-ICAS's recurrent stroke: counts worked out over a group size it does not print.
    acute = {"setting": "lvo_icas", "options": ["self_expanding_stent", "balloon_stent"]}
    assert "It did not say how many people they are out of" in text(page(client, acute, view))


def test_no_citation_detail_without_a_source(client: FlaskClient) -> None:
    body = text(client.get("/evidence/rescue-icas-ses-bms").get_data(as_text=True))
    assert "published online 2025 Jun 23 (article ajnr.A8895)" in body
    assert "final issue" not in body


def test_bibliographic_caveats_stay_for_clinicians(client: FlaskClient) -> None:
    evidence = text(client.get("/evidence/rescue-icas-ses-bms").get_data(as_text=True))
    assert "PMID, volume and pages not confirmed." in evidence
    acute = {"setting": "lvo_icas", "options": ["angioplasty", "medical"]}
    results = text(page(client, acute))
    assert "Journal, volume, pages and DOI not verified on a primary page." in results
    patient = text(page(client, acute, "patient"))
    assert "Bailout intracranial angioplasty or stenting following thrombectomy" in patient
