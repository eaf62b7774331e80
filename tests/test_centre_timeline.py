"""The centre's early risk in the personal timeline (`use_centre_early_risk`), on fixture evidence.

A centre's 2 of 60 with the self-expanding stent in the 30-day stroke-or-death family: at 30 days
the risk with the stent becomes 3.3% with its Clopper-Pearson CI (0.4% to 11.5%) instead of
baseline x relative effect, with no difference and no NNT; the 1-year and final horizons are as
without the choice; every page that shows it says so in words; bad requests are 422s naming the
field; nothing of it reaches a log, a URL or a cookie.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import re
from typing import Any

import pytest
import textstat
from flask import Flask
from flask.testing import FlaskClient

from app.analysis import stats
from app.contract.scenario import parse_scenario
from app.engine.assess import assess
from app.engine.note import LIMIT, record_note
from app.web import option_grid
from app.web import option_grid_words as words
from tests.test_centre import centre_row
from tests.test_counsel import MAX_GRADE

FIELD = "use_centre_early_risk"
ENTRY = {"option": "self_expanding_stent", "family": "stroke_death_30d", "events": 2, "total": 60}
SCENARIO: dict[str, Any] = {
    "setting": "symptomatic_icas",
    "options": ["medical", "self_expanding_stent"],
    "stenosis_percent": 80,
    "symptomatic": True,
    "centre_results": [ENTRY],
    FIELD: True,
}
RATE = stats.proportion(events=2, total=60)
SHOWN = "3.3% (95% CI 0.4% to 11.5%), your centre's 2 of 60"


def personal(client: FlaskClient, **extra: Any) -> dict[str, list[dict[str, Any]]]:
    """Each family's personal_risks rows of the SAMMPRIS and CASSISS comparisons."""
    response = client.post("/api/v1/assess", json={**SCENARIO, **extra})
    assert response.status_code == 200, response.get_json()
    found: dict[str, list[dict[str, Any]]] = {}
    for comparison in response.get_json()["comparisons"]:
        for risk in comparison["personal_risks"]:
            found.setdefault(risk["family"], []).append(risk)
    return found


def form(client: FlaskClient, view: str = "clinician", **extra: str) -> dict[str, Any]:
    index = centre_row(client)
    return {
        "setting": "symptomatic_icas",
        "options": ["medical", "self_expanding_stent"],
        "stenosis_percent": "80",
        "symptomatic": "yes",
        f"centre-{index}-events": "2",
        f"centre-{index}-total": "60",
        FIELD: "yes",
        "view": view,
        **extra,
    }


def text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


# --- the contract and the JSON ------------------------------------------------------------------------


def test_the_choice_is_one_yes_no_field_of_the_scenario() -> None:
    assert parse_scenario(SCENARIO).use_centre_early_risk is True
    for value in (False, None):
        assert parse_scenario({**SCENARIO, FIELD: value}).to_json()[FIELD] is value
    assert (
        parse_scenario({**SCENARIO, "centre_results": None, FIELD: None}).to_json()[FIELD] is None
    )


@pytest.mark.parametrize("value", ["yes", 1, [True], {"on": True}])
def test_a_value_that_is_not_true_or_false_is_a_422_naming_the_field(
    client: FlaskClient, value: Any
) -> None:
    response = client.post("/api/v1/assess", json={**SCENARIO, FIELD: value})
    assert response.status_code == 422
    (message,) = response.get_json()["fields"][FIELD]
    assert message.startswith("Must be true or false; got ")


def test_the_early_horizon_takes_the_centres_exact_rate(client: FlaskClient) -> None:
    risks = personal(client)
    early = risks["stroke_death_30d"]
    assert len(early) == 4  # two comparisons, each at the SAMMPRIS and CASSISS presets
    for risk in early:
        assert risk["with_intervention"] == {
            "percent": 100 * RATE.value,
            "ci": [100 * RATE.lower, 100 * RATE.upper],
            "source": "centre",
            "counts": [2, 60],
        }
        assert risk["difference"] is None and risk["nnt"] is None
        assert (
            "your centre's own, 2 of 60 procedures (3.3%, exact 95% CI 0.4% to 11.5%)"
            in (risk["assumption"])
        )
        assert "not one randomized comparison" in risk["assumption"]
    assert (round(100 * RATE.lower, 1), round(100 * RATE.upper, 1)) == (0.4, 11.5)
    # The baselines stay what they were: each trial's medical arm.
    assert sorted({r["baseline"]["study"] for r in early}) == ["CASSISS", "SAMMPRIS"]


def test_the_later_horizons_are_unchanged(client: FlaskClient) -> None:
    chosen, plain = personal(client), personal(client, **{FIELD: None})
    assert set(chosen) == set(plain) == {"stroke_death_30d", "primary_1y", "primary_final"}
    for family in ("primary_1y", "primary_final"):
        assert chosen[family] == plain[family]
        assert all(r["with_intervention"]["source"] == "relative_effect" for r in chosen[family])
        assert all(r["with_intervention"]["counts"] is None for r in chosen[family])
    (entered,) = personal(client, **{FIELD: False}, baseline_risks={"stroke_death_30d": 10})[
        "stroke_death_30d"
    ][:1]
    # Without the choice the 30-day risk is baseline x the pooled risk ratio, as before.
    assert entered["with_intervention"]["source"] == "relative_effect"
    assert round(entered["with_intervention"]["percent"], 1) == 25.1


def test_asked_without_an_early_centre_result_is_a_422_naming_the_field(
    client: FlaskClient,
) -> None:
    later = {**ENTRY, "family": "primary_1y"}
    for entries in (None, [later]):
        response = client.post("/api/v1/assess", json={**SCENARIO, "centre_results": entries})
        assert response.status_code == 422
        assert response.get_json()["fields"] == {
            FIELD: [
                "No centre counts for an early (30-day) outcome of a procedure compared here, so"
                " there is no centre's early risk to use: give them (centre_results), or leave this"
                " out. Outcomes it may use: Self-expanding stent: Stroke or death within 30 days"
                " (self_expanding_stent, stroke_death_30d)."
            ]
        }
    note = client.post("/api/v1/assess/note", json={**SCENARIO, "centre_results": None})
    assert note.status_code == 422 and list(note.get_json()["fields"]) == [FIELD]


def test_a_procedure_without_a_centre_result_is_named_and_keeps_its_relative_effect(
    client: FlaskClient,
) -> None:
    body = {**SCENARIO, "options": ["medical", "balloon_stent", "self_expanding_stent"]}
    answer = client.post("/api/v1/assess", json=body).get_json()
    (notice,) = [w for w in answer["warnings"] if w["code"] == "centre_early_risk_not_given"]
    assert notice["text"] == (
        "Your centre's early risk is used only where its counts are given; the early risk is still"
        " baseline × relative effect for the balloon-mounted (balloon-expandable) stent."
    )
    sources = {
        (r["family"], r["with_intervention"]["source"])
        for c in answer["comparisons"]
        for r in c["personal_risks"]
        if r["with_intervention"]
    }
    assert ("vissit_safety_30d", "relative_effect") in sources
    assert ("stroke_death_30d", "centre") in sources
    assert ("stroke_death_30d", "relative_effect") not in sources


# --- the pages -----------------------------------------------------------------------------------------


def test_the_clinician_page_says_so_in_the_panel_and_the_timeline(client: FlaskClient) -> None:
    response = client.post("/", data=form(client))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    words_ = text(page)
    assert "Your centre's early risk: The risk with self-expanding stent is your centre's own," in (
        words_
    )
    start = page.index('<section class="timeline"')
    timeline = page[start : page.index("</section>", start)]
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", timeline, re.S)
    assert [text(r).split(" ")[0] for r in rows] == ["30", "1", "median"]
    assert SHOWN in text(rows[0]) and "none: not randomized" in text(rows[0])
    assert "your centre" not in text(rows[1]) + text(rows[2])
    assert (
        "At 30 days, the diamond is your centre's own rate (exact 95% CI), not baseline × relative"
        " effect; no difference there: not a randomized comparison."
    ) in text(timeline)
    # A diamond marks the centre's rate; the later horizons keep their squares.
    assert timeline.count("l5 5l-5 5l-5-5Z") == 1 and timeline.count("h8v8h-8Z") == 2
    # The later rows are those of the page without the choice.
    plain = client.post("/", data=form(client, **{FIELD: ""})).get_data(as_text=True)
    start = plain.index('<section class="timeline"')
    before = re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", plain[start:], re.S)[:3]
    assert before[1:] == rows[1:] and before[0] != rows[0]
    # The choice is listed with the scenario as used.
    assert "Use our centre's early risk in the personal timeline Yes" in words_


@pytest.mark.parametrize("view", ["patient", "print"])
def test_patient_and_print_say_it_is_our_centres_number_at_grade_8(
    client: FlaskClient, view: str
) -> None:
    data = form(client, view, **{"baseline_risks.stroke_death_30d": "10"})
    page = client.post("/", data=data).get_data(as_text=True)
    start = page.index('<section class="personal"')
    section = re.sub(r"<svg.*?</svg>", " ", page[start:], flags=re.S)
    timeline = section[section.index('<section class="timeline"') :]
    section = section[: section.index('<section class="timeline"')]
    blocks = [text(b) for b in re.findall(r"<(?:p|h3)\b[^>]*>(.*?)</(?:p|h3)>", section, re.S)]
    assert (
        "With self-expanding stent, about 3 in 100 people had it at our centre (2 of 60). It could"
        " be as low as 0 or as high as 12 in 100 (figure 3.3%)." in blocks
    )
    assert any(
        b.startswith("This number is from our own centre, not from the studies.") for b in blocks
    )
    for block in blocks:
        assert textstat.flesch_kincaid_grade(block) <= MAX_GRADE, block
    assert SHOWN in text(timeline)
    # The choice is carried like every other value: a hidden input, never a URL.
    assert f'<input type="hidden" name="{FIELD}" value="yes">' in page


def test_the_option_grid_gives_our_centres_count_in_plain_words(
    app: Flask, client: FlaskClient
) -> None:
    data = form(client, "options", **{"baseline_risks.stroke_death_30d": "10"})
    page = text(client.post("/", data=data).get_data(as_text=True))
    assert (
        "About 3 of 100 people had it at our centre. The true number could be as low as less"
        " than 1 or as high as 12. At our centre, 2 of 60 people had it after this treatment."
    ) in page
    assert words.BASIS["centre"] in page and words.CENTRE_SURE in page
    scenario = parse_scenario({**SCENARIO, "baseline_risks": {"stroke_death_30d": 10}})
    grid = option_grid.option_grid(
        assess(scenario, app.extensions["engine_tables"]),
        revision=dt.date(2026, 1, 1),
        today=dt.date(2026, 1, 15),
    )
    paragraphs = option_grid.grid_paragraphs(grid)
    assert words.BASIS["centre"] in paragraphs
    for paragraph in paragraphs:
        assert textstat.flesch_kincaid_grade(paragraph) <= MAX_GRADE, paragraph


def test_the_note_says_which_figure_is_the_centres_within_its_limit(app: Flask) -> None:
    tables = app.extensions["engine_tables"]
    revision = app.extensions["evidence_base"].evidence.revision
    every = ["medical", "angioplasty", "balloon_stent", "self_expanding_stent"]
    for options in (SCENARIO["options"], every):
        for baseline in (None, {"stroke_death_30d": 10}):
            body = {**SCENARIO, "options": options, "baseline_risks": baseline}
            note = record_note(assess(parse_scenario(body), tables), revision)
            assert len(note) <= LIMIT
            assert (
                "Centre's results: SES stroke_death_30d 2/60 3.3% (0.4–11.5), used as early risk."
                in note
            )
            if baseline:
                assert "Stroke or death ≤30 d: SES centre 3.3% (0.4–11.5)" in note
                assert "centre = our centre's rate (exact 95% CI) as early risk" in note
    plain = record_note(assess(parse_scenario({**SCENARIO, FIELD: None}), tables), revision)
    assert "used as early risk" not in plain and "centre = " not in plain


# --- the form ----------------------------------------------------------------------------------------


def test_the_form_offers_the_choice_in_the_centre_section(client: FlaskClient) -> None:
    blank = client.get("/").get_data(as_text=True)
    start = blank.index('<details class="centre-form"')
    section = blank[start : blank.index("</details>", start)]
    assert f'id="{FIELD}" name="{FIELD}" type="checkbox" value="yes"' in section
    # A results page without the centre's counts leaves it out (the page is at its budget).
    plain = {k: v for k, v in form(client).items() if not k.startswith(("centre-", FIELD))}
    assert FIELD not in client.post("/", data=plain).get_data(as_text=True)
    ticked = client.post("/", data=form(client)).get_data(as_text=True)
    assert f'checked id="{FIELD}"' in ticked and '<details class="centre-form" open>' in ticked


def test_the_form_names_the_choice_when_it_cannot_be_used(client: FlaskClient) -> None:
    data = {k: v for k, v in form(client).items() if not k.startswith("centre-")}
    response = client.post("/", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert (
        f'<a href="#{FIELD}">Use our centre&#39;s early risk in the personal timeline: No' in page
    )
    assert f'id="{FIELD}-error"' in page
    assert f'aria-describedby="{FIELD}-hint {FIELD}-error" aria-invalid="true"' in page
    odd = client.post("/", data=form(client, **{FIELD: "maybe"}))
    assert odd.status_code == 422
    assert "Tick the box, or leave it empty." in odd.get_data(as_text=True)


def test_nothing_of_the_choice_or_the_counts_reaches_the_logs_or_a_cookie(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    entry = {**ENTRY, "events": 4567, "total": 8912}
    answers = [
        client.post("/api/v1/assess", json={**SCENARIO, "centre_results": [entry]}),
        client.post("/api/v1/assess", json={**SCENARIO, "centre_results": None}),
        client.post("/api/v1/assess/note", json={**SCENARIO, "centre_results": [entry]}),
    ]
    index = centre_row(client)
    counts = {f"centre-{index}-events": "4567", f"centre-{index}-total": "8912"}
    for view in ("clinician", "patient", "print", "options", "note"):
        answers.append(client.post("/", data=form(client, view, **counts)))
    answers.append(client.post("/", data=form(client, **{FIELD: "9999"})))
    assert [a.status_code for a in answers] == [200, 422, 200, 200, 200, 200, 200, 200, 422]
    for answer in answers:
        assert "Set-Cookie" not in answer.headers
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records)
    for value in ("4567", "8912", "9999", FIELD):
        assert value not in logged
