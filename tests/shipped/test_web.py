"""Pages whose content depends on how many shipped studies match: summaries and icon-array counts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.test_web import ALL_OPTIONS, post, text

pytestmark = pytest.mark.shipped_evidence


def test_vissit_summary_says_the_evidence_applies(client: FlaskClient) -> None:
    page = text(post(client))
    assert (
        "1 study compares these options for symptomatic ICAS: VISSIT (randomized trial)"
        " — applies: the patient meets every criterion checked (checked 4 of 7"
    ) in page
    assert 'class="status status-applies"' in post(client).get_data(as_text=True)
    # Criteria the study does not report share one line; each links to why on the study's page.
    unreported = page.split("Not reported by the study:")[1].split("Warnings")[0]
    assert unreported.replace(" ;", ";").replace(" .", ".").strip() == (
        "age limits; baseline disability (modified Rankin score);"
        " perforator (brainstem or basal ganglia) infarcts."
    )
    assert 'href="/evidence/vissit#crit-age">age limits</a>' in post(client).get_data(as_text=True)


def test_patient_view_from_the_same_post(client: FlaskClient) -> None:
    response = post(client, view="patient")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    readable = text(response)
    assert "<title>Patient view · ICAS evidence calculator</title>" in page
    assert (
        "About 24 of 100 people who had a balloon stent had a stroke, bleeding in the brain, a serious"
        " mini-stroke, or died within 30 days. About 76 of 100 did not."
    ) in readable
    assert "About 9 of 100 people who took medicines only had a stroke" in readable
    assert "The true number could be as low as 14 or as high as 37." in readable
    assert "The true number could be as low as 3 or as high as 21." in readable
    assert "It cannot tell what will happen to you or to any one person." in readable
    assert "VISSIT was a randomized trial." in readable
    assert page.count('<svg class="icon-array"') == 4  # 2 key outcomes x 2 options
    assert page.count('role="img"') == 4
    # The same options in the same order for every outcome: medicines first, then the stent.
    names = re.findall(r'<h4 class="option-name">([^<]+)</h4>', page)
    assert names == ["Medicines only", "Balloon stent plus medicines"] * 2
    for word in ("recommend", "better", "worse", "safer", "preferred", "times as likely"):
        assert word not in readable.lower().replace("does not recommend", ""), word


def test_print_view_has_everything_a_consent_summary_needs(client: FlaskClient, app: Any) -> None:
    response = post(client, view="print", options=ALL_OPTIONS)
    assert response.status_code == 200
    readable = text(response)
    page = response.get_data(as_text=True)
    assert "<title>Printable summary · ICAS evidence calculator</title>" in page
    assert re.search(r"Date: \d{1,2} [A-Z][a-z]+ \d{4}", readable)
    assert "How narrow the artery is 80%" in readable
    for option in ("Medicines only (medical therapy)", "Balloon widening only (angioplasty)"):
        assert option in readable
    assert "About 24 of 100 people who had a balloon stent" in readable
    # The retrospective study's "periprocedural" is undefined: no picture; its numbers are a table
    # row, one cell per option under the option's name (the patient view says them in sentences).
    retro = page.split('id="p-angioplasty-vs-stent-retro"')[1].split("</section>")[0]
    header = re.findall(r'<th scope="col">([^<]+)</th>', retro)
    assert header == ["Balloon widening only", "Stent (type not stated)"]
    stroke = retro.split('id="p-angioplasty-vs-stent-retro-periprocedural_stroke"')[1]
    cells = re.findall(r"<td>([^<]+)</td>", stroke.split("</tr>")[0])
    assert cells == [
        "About 7 of 100 treatments were followed by it. In the study, 7 of 95.",
        "About 7 of 100 treatments were followed by it. In the study, 7 of 98.",
    ]
    # Pictured (two arms each): VISSIT 2 outcomes, SAMMPRIS 2, CASSISS 1; the retrospective study none.
    assert page.count('<svg class="icon-array"') == 10
    # The printout's short citation, with its DOI (the full one is on the study's page).
    assert "Zaidat OO, et al. JAMA 2015;313(12):1240-1248. DOI 10.1001/jama.2015.1693." in readable
    assert "No citation: the study's source does not give one." in readable
    assert f"Evidence version {app.extensions['evidence_base'].version}" in readable
    for line in (
        "Clinician's notes",
        "Patient's notes and questions",
        "Clinician: name and signature",
    ):
        assert line in readable
