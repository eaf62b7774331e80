"""Words on the results, patient and print pages that say exactly what was counted, once."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from app.web.formatting import label_time, said_in_label
from tests.scenarios import ALL_OPTIONS


def page(client: FlaskClient, scenario: dict[str, Any], view: str = "clinician") -> str:
    data: dict[str, Any] = {**scenario, "view": view}
    if "symptomatic" in data:
        data["symptomatic"] = "yes" if data["symptomatic"] else "no"
    response = client.post("/", data=data)
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def text(body: str) -> str:
    body = re.sub(r"(?s)<(script|style).*?</\1>", " ", body)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def test_a_label_that_names_its_time_frame_gets_it_once() -> None:
    label = "Primary end point, final results (median follow-up 32.4 months)"
    assert said_in_label(label, "median follow-up 32\u00b74 months")
    assert label_time(label, "median follow-up 32\u00b74 months") == ""
    assert label_time("Stroke or death", "30 days") == "30 days"
    assert not said_in_label("Stroke or death", "")


@pytest.mark.parametrize(("score", "words"), [(0, "No symptoms"), (3, "Needs some help")])
def test_the_printout_gives_the_rankin_score_in_words(
    client: FlaskClient, score: int, words: str
) -> None:
    body = text(page(client, {**ALL_OPTIONS, "mrs": score}, "print"))
    assert f"Help needed in daily life before treatment {words}" in body
    assert f"(Rankin score {score})" in body
    assert f"Help needed in daily life before treatment {score} " not in body


def test_no_nested_parentheses_around_the_setting(client: FlaskClient) -> None:
    body = text(page(client, {**ALL_OPTIONS, "options": ["angioplasty", "medical"]}))
    assert "in this setting: Symptomatic intracranial stenosis (elective decision)." in body
    assert "(Symptomatic intracranial stenosis (elective decision))" not in body


OUTSIDE = {**ALL_OPTIONS, "options": ["medical", "balloon_stent"], "stenosis_percent": 40}


@pytest.mark.parametrize("view", ["print", "patient"])
def test_outside_every_study_the_notice_is_not_repeated_by_the_pictures(
    client: FlaskClient, view: str
) -> None:
    body = text(page(client, OUTSIDE, view))
    assert body.count("did not include patients like this") >= 1
    assert "so its numbers may not fit you" not in body
    # The reason stays beside the study's pictures.
    assert (
        "The study only included people whose artery was 70 to 99% narrowed. Yours is 40%." in body
    )
    # A patient outside one study but not all still hears it for that study.
    mixed = text(page(client, {**ALL_OPTIONS, "age": 85}, view))
    assert "did not include patients like this" not in mixed
    assert "so its numbers may not fit you" in mixed


CAVEATS = ("not verified", "not confirmed", "not found")


@pytest.mark.parametrize(
    "scenario",
    [
        ALL_OPTIONS,
        {**ALL_OPTIONS, "options": ["angioplasty", "medical"]},
        {"setting": "lvo_icas", "options": ["self_expanding_stent", "balloon_stent"]},
        {"setting": "lvo_icas", "options": ["angioplasty", "medical"]},
        {"setting": "lvo_icas", "options": ["self_expanding_stent", "medical"]},
    ],
)
def test_no_bibliographic_caveats_for_patients(
    client: FlaskClient, scenario: dict[str, Any]
) -> None:
    for view in ("patient", "print"):
        body = text(page(client, scenario, view))
        assert not [c for c in CAVEATS if c in body], view


def test_the_printouts_sources_nest_no_parentheses(client: FlaskClient) -> None:
    body = text(page(client, ALL_OPTIONS, "print"))
    sources = body[body.index("Sources") :]
    assert "(observational study (past records))" not in sources
    assert (
        "Retrospective angioplasty vs stent (3 centres) , observational study (past records)."
        in sources
    )
