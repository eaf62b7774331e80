"""The HTML pages: the scenario form, its results, the evidence pages and the error pages."""

from __future__ import annotations

import hashlib
import html
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

from app.contract.scenario import FIELD, FIELDS

VISSIT_FORM: dict[str, Any] = {
    "setting": "symptomatic_icas",
    "options": ["medical", "balloon_stent"],
    "stenosis_percent": "80",
    "symptomatic": "yes",
    "days_since_event": "10",
    "artery": "mca",
    "age": "64",
}
LVO_FORM: dict[str, Any] = {
    "setting": "lvo_icas",
    "options": ["self_expanding_stent", "balloon_stent"],
}
STUDY_IDS = ("vissit", "angioplasty-vs-stent-retro", "rescue-icas-ses-bms")


def post(client: FlaskClient, **changes: Any) -> TestResponse:
    data = {**VISSIT_FORM, **changes}
    return client.post("/", data={k: v for k, v in data.items() if v is not None})


def text(response: TestResponse) -> str:
    """The page as a reader sees its text: tags dropped, entities decoded, whitespace collapsed."""
    page = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return " ".join(html.unescape(page).split())


def field_error(response: TestResponse, name: str) -> str:
    """The error message shown beside one field."""
    page = response.get_data(as_text=True)
    found = re.search(rf'<p class="error-message" id="{name}-error">(.*?)</p>', page, re.S)
    assert found, f"no error shown beside {name}"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).split())


def input_tag(response: TestResponse, name: str) -> str:
    page = response.get_data(as_text=True)
    found = re.search(rf'<input[^>]*\bid="{name}"[^>]*>', page)
    assert found, f"no input {name}"
    return found.group(0)


# --- the form ---------------------------------------------------------------------------------------


def test_form_shows_every_field_with_a_label(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for name in VISSIT_FORM.keys() | {
        f.name for f in FIELDS if f.widget not in ("risks", "entries")
    }:
        assert f'name="{name}"' in page
    ids = re.findall(r'<(?:input|select)[^>]*\bid="([^"]+)"', page)
    # One control per choice of a radio or checkbox field, three (yes, no, not known) per yes/no
    # question, one per number and per select (2 + 4 + 3 x 3 + 4 + 1 today), one baseline input
    # per outcome family, then two counts per centre-results row.
    per_field = {"radio": lambda f: len(f.choices) or 3, "checkbox": lambda f: len(f.choices)}
    families = len(client.application.extensions["web"]["families"])
    per_field["risks"] = lambda f: families
    per_field["entries"] = lambda f: 0
    expected = sum(per_field.get(f.widget, lambda f: 1)(f) for f in FIELDS)
    scenario_ids = [i for i in ids if not i.startswith("centre-")]
    assert len(scenario_ids) == expected >= 2 + 4 + 3 + 3 + 3 + 4 + 1 + families
    assert len(ids) - len(scenario_ids) == 2 * page.count('<fieldset class="centre-row')
    for control_id in ids:
        assert f'<label class="label" for="{control_id}">' in page or (
            f'<label for="{control_id}">' in page
        ), control_id
    # The answer opens at its results (a fragment: never sent to the server).
    assert 'method="post" action="/#results"' in page
    assert "For neurointerventionalists and stroke clinicians" in page
    assert "it does not recommend a treatment" in page


def test_number_fields_are_text_with_a_numeric_keypad(client: FlaskClient) -> None:
    tag = input_tag(client.get("/"), "stenosis_percent")
    assert 'type="text"' in tag and 'inputmode="numeric"' in tag
    assert 'aria-describedby="stenosis_percent-hint"' in tag


def test_form_sets_no_choice_by_default(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert " checked" not in page
    assert "selected" not in page


# --- results ----------------------------------------------------------------------------------------


def test_vissit_scenario_shows_vissits_numbers(client: FlaskClient) -> None:
    response = post(client)
    assert response.status_code == 200
    page = text(response)
    assert "24.1% (13.9–37.2) · 14/58" in page
    assert "9.4% (3.1–20.7) · 5/53" in page
    assert "36.2% (24.0–49.9) · 21/58" in page
    assert "15.1% (6.7–27.6) · 8/53" in page
    assert "+14.7 pp (+0.5 to +28.2)" in page
    assert "RR 2.56 (0.99–6.62)" in page
    assert "NNTH 7 (95% CI NNTH 4 to 195)" in page
    assert "111 patients (1 randomized trial)" in page
    assert (
        "Balloon-expandable stent plus medical therapy vs Medical therapy alone"
        " — VISSIT (randomized trial)"
    ) in page


def test_one_sided_interval_is_a_method_difference_in_the_full_audit(client: FlaskClient) -> None:
    page = text(post(client))
    # Another method (the one-sided bound) reproduces it: not beside the row, but in the audit.
    assert "Published 0–5.5%; recomputed 0.0–6.7%" not in page
    audit = text(client.get("/evidence/vissit"))
    assert "0–5.5% 0.0–6.7% method differs The printed limits match the one-sided" in audit
    assert "RR not estimable: The risk ratio cannot be estimated because the comparator arm" in page


def test_results_show_evidence_version_and_disclaimer_once(client: FlaskClient, app: Any) -> None:
    response = post(client)
    page = text(response)
    version = app.extensions["evidence_base"].version
    footer = f"This tool presents evidence; it does not recommend a treatment. Evidence version {version} ."
    assert page.endswith(footer)
    # The footer says it; the results no longer repeat it, but the note for the record, a text to
    # copy out of the page, carries it (and says it recommends nothing) in its own words.
    note = re.search(r"<textarea[^>]*>(.*?)</textarea>", response.get_data(as_text=True), re.S)
    assert note and note.group(1).count(f"Evidence version {version} (") == 1
    assert page.count(f"Evidence version {version}") == 2
    assert (
        page.count("This tool presents evidence; it does not recommend a treatment.") == 2
    )  # lead, footer
    for word in ("recommended", "we recommend", "best option", "preferred"):
        assert word not in page.lower()


def test_summary_of_findings_notes_are_full_width_rows(client: FlaskClient) -> None:
    page = post(client).get_data(as_text=True)
    table = re.search(r'<table class="sof">.*?</table>', page, re.S)
    assert table
    header = re.search(r"<thead>.*?</thead>", table.group(0), re.S)
    assert header and header.group(0).count('<th scope="col">') == 8
    assert "Notes</th>" not in header.group(0)
    rows = re.findall(r'<tr class="notes-row">\s*<td colspan="8" headers="([^"]+)"', table.group(0))
    assert rows and all(f'id="{row}"' in table.group(0) for row in rows)
    assert table.group(0).count('<tbody class="outcome-group">') == 5
    # Every data cell names its column for the stacked phone layout: app.css labels each by its class.
    css = Path("static/css/app.css").read_text(encoding="utf-8")
    for cell in re.findall(r"<td\b[^>]*>", table.group(0)):
        if "headers=" in cell:
            assert '.sof .notes-row td::before { content: "Notes";' in css
            continue
        (column,) = re.findall(r'class="(?:num )?([a-z-]+)"', cell)
        assert re.search(rf"\.sof td\.{column}::before \{{ content: \"[^\"]+\"; \}}", css), cell


def test_results_offer_the_patient_and_print_views_in_the_same_form(client: FlaskClient) -> None:
    page = post(client).get_data(as_text=True)
    assert (
        '<form class="scenario-form" id="scenario-form" method="post" action="/#results"'
        ' autocomplete="off" spellcheck="false">' in page
    )
    assert '<button type="submit" name="view" value="clinician">Show the evidence</button>' in page
    for value in ("patient", "print"):
        assert f'form="scenario-form" formaction="/" name="view" value="{value}"' in page
    assert 'id="live-summary" class="live-summary" aria-live="polite"' in page
    assert re.search(r'<script src="/static/js/app\.js\?v=[0-9a-f]{12}" defer></script>', page)


def test_every_result_number_links_to_an_anchor_that_exists(client: FlaskClient) -> None:
    page = post(client).get_data(as_text=True)
    links = set(re.findall(r'href="/evidence/vissit#([^"]+)"', page))
    assert {
        "o-primary_safety_30d",
        "o-primary_safety_30d-medical",
        "o-primary_safety_30d-stent",
        "o-ich_30d-medical",
        "audit-ich_30d",
        "crit-stenosis_percent",
    } <= links
    study = client.get("/evidence/vissit").get_data(as_text=True)
    for anchor in links:
        assert f'id="{anchor}"' in study, anchor


def test_links_from_every_setting_resolve(client: FlaskClient) -> None:
    scenarios = [
        {"options": ["angioplasty", "balloon_stent"]},
        {**LVO_FORM, "prestent_angioplasty": "no", "stenosis_percent": None},
    ]
    for changes in scenarios:
        page = post(client, **changes).get_data(as_text=True)
        for study_id, anchor in set(re.findall(r'href="/evidence/([^"#]+)#([^"]+)"', page)):
            target = client.get(f"/evidence/{study_id}").get_data(as_text=True)
            assert f'id="{anchor}"' in target, (study_id, anchor)


def test_retrospective_results(client: FlaskClient) -> None:
    page = text(post(client, options=["angioplasty", "balloon_stent"]))
    assert "Published 2.8 (0.85–9.5); recomputed 3.61 (1.23–10.58) — " in page
    assert "193 procedures (1 retrospective observational cohort)" in page
    assert "adjusted HR (age, sex and center; reference group not stated) 0.54 (0.11–2.5)" in page
    assert "Survival 92% ± 4 (SE)" in page
    assert "does not say which type of stent was used" in page


def test_acute_lvo_results(client: FlaskClient) -> None:
    response = client.post("/", data={**LVO_FORM, "prestent_angioplasty": "no"})
    assert response.status_code == 200
    page = text(response)
    assert "adjusted OR (inverse probability weighting) 1.10 (0.62–1.96); P = 0.75" in page
    assert "14% (printed) · group size not given" in page
    assert "most marked in patients without pre-stenting angioplasty" in page
    assert "Cannot be checked: the study reports none of the population criteria" in page
    assert "DERIVED" in page.upper()


def test_no_direct_comparison_lists_what_the_setting_holds(client: FlaskClient) -> None:
    response = client.post("/", data={"setting": "lvo_icas", "options": ["angioplasty"]})
    assert response.status_code == 200
    page = text(response)
    assert "No study in this evidence base includes angioplasty alone in this setting" in page
    assert "Comparisons the evidence base holds in this setting" in page
    assert "a self-expanding stent vs a balloon-mounted stent (RESCUE-ICAS (SES vs BMS))" in page
    assert "Summary of findings" not in page


# --- patient (counselling) and print views ---------------------------------------------------------

ALL_OPTIONS = ["medical", "angioplasty", "balloon_stent", "self_expanding_stent"]


def test_patient_view_carries_the_scenario_in_a_post_form_only(client: FlaskClient) -> None:
    page = post(client, view="patient").get_data(as_text=True)
    form = re.search(r'<form class="view-switch" method="post" action="/">(.*?)</form>', page, re.S)
    assert form, "no view switch form"
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(1))
    assert sorted(hidden) == sorted(
        [
            ("setting", "symptomatic_icas"),
            ("options", "medical"),
            ("options", "balloon_stent"),
            ("stenosis_percent", "80"),
            ("symptomatic", "yes"),
            ("days_since_event", "10"),
            ("artery", "mca"),
            ("age", "64"),
        ]
    )
    assert 'name="view" value="clinician"' in form.group(1)
    assert 'name="view" value="print"' in form.group(1)
    links = re.findall(r'(?:action|href)="([^"]*)"', page)
    # The only query is a static file's version (its content's digest), never a scenario value.
    assert all(
        "?" not in link or re.fullmatch(r"/static/[\w./-]+\?v=[0-9a-f]{12}", link) for link in links
    ), links
    # Posting the carried values back gives the clinician view of the same scenario.
    back = client.post("/", data=MultiDict([*hidden, ("view", "clinician")]))
    assert back.status_code == 200
    assert "24.1% (13.9–37.2) · 14/58" in text(back)


def test_an_invalid_scenario_shows_the_form_whichever_view(client: FlaskClient) -> None:
    for view in ("patient", "print"):
        response = post(client, view=view, stenosis_percent="101")
        assert response.status_code == 422
        assert field_error(response, "stenosis_percent") == "Error: Must be from 0 to 100; got 101."


def test_an_unknown_view_is_the_clinician_view(client: FlaskClient) -> None:
    response = post(client, view="nonsense")
    assert response.status_code == 200
    assert "Summary of findings" in text(response)


def test_patient_view_without_any_study(client: FlaskClient) -> None:
    response = client.post(
        "/", data={"setting": "lvo_icas", "options": ["angioplasty"], "view": "patient"}
    )
    assert response.status_code == 200
    assert "No study in this tool compares these options" in text(response)
    assert '<svg class="icon-array"' not in response.get_data(as_text=True)


# --- edge values and errors -------------------------------------------------------------------------


@pytest.mark.parametrize("stenosis", ["0", "100"])
def test_stenosis_limits_are_valid_and_outside_vissit(client: FlaskClient, stenosis: str) -> None:
    response = post(client, stenosis_percent=stenosis)
    assert response.status_code == 200
    page = text(response)
    assert (
        f"outside the study population: VISSIT enrolled 70-99% stenosis; this patient has {stenosis}%."
    ) in page
    assert 'class="status status-outside"' in response.get_data(as_text=True)
    assert "Not met:" in page


def test_stenosis_above_100_is_shown_beside_its_field(client: FlaskClient) -> None:
    response = post(client, stenosis_percent="101")
    assert response.status_code == 422
    assert field_error(response, "stenosis_percent") == "Error: Must be from 0 to 100; got 101."
    tag = input_tag(response, "stenosis_percent")
    assert 'value="101"' in tag
    assert 'aria-describedby="stenosis_percent-hint stenosis_percent-error"' in tag
    assert 'aria-invalid="true"' in tag
    page = response.get_data(as_text=True)
    assert '<a href="#stenosis_percent">Degree of stenosis (%): Must be from 0 to 100' in page
    assert 'id="results"' not in page
    assert "<title>Error: " in page


def test_text_in_a_number_field_gets_a_clear_message(client: FlaskClient) -> None:
    response = post(client, stenosis_percent="abc")
    assert response.status_code == 422
    assert field_error(response, "stenosis_percent") == (
        "Error: Enter a whole number from 0 to 100, e.g. 80."
    )
    assert 'value="abc"' in input_tag(response, "stenosis_percent")


@pytest.mark.parametrize(
    ("name", "value"),
    [("age", "64.5"), ("days_since_event", "ten"), ("age", "99999999999999999999")],
)
def test_other_unreadable_numbers(client: FlaskClient, name: str, value: str) -> None:
    response = post(client, **{name: value})
    assert response.status_code == 422
    assert field_error(response, name).startswith("Error: Enter a whole number from")


def test_whitespace_around_a_number_is_accepted(client: FlaskClient) -> None:
    assert post(client, stenosis_percent=" 80 ").status_code == 200


def test_missing_stenosis_in_the_elective_setting(client: FlaskClient) -> None:
    response = post(client, stenosis_percent="")
    assert response.status_code == 422
    assert field_error(response, "stenosis_percent") == (
        "Error: Required for symptomatic intracranial stenosis."
    )
    assert "Degree of stenosis (%): Required for symptomatic intracranial stenosis." in text(
        response
    )


def test_no_options(client: FlaskClient) -> None:
    response = post(client, options=None)
    assert response.status_code == 422
    assert field_error(response, "options") == "Error: Choose at least one treatment option."
    page = response.get_data(as_text=True)
    assert '<a href="#options-0">' in page
    assert '<fieldset aria-describedby="options-hint options-error">' in page


def test_no_setting(client: FlaskClient) -> None:
    response = post(client, setting=None)
    assert response.status_code == 422
    assert field_error(response, "setting") == "Error: Choose the clinical setting."


def test_several_errors_at_once(client: FlaskClient) -> None:
    response = post(client, options=None, age="abc", stenosis_percent="101")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.count('<p class="error-message"') == 3


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("options", ["medical", "laser"]),
        ("setting", "home"),
        ("artery", "aorta"),
        ("symptomatic", "maybe"),
    ],
)
def test_tampered_choices_are_errors_not_crashes(
    client: FlaskClient, name: str, value: Any
) -> None:
    response = post(client, **{name: value})
    assert response.status_code == 422
    assert field_error(response, name)


def test_entered_values_are_kept(client: FlaskClient) -> None:
    page = post(client, age="abc").get_data(as_text=True)
    assert re.search(r'<input checked id="setting-0" name="setting" type="radio"', page)
    assert re.search(
        r'<input checked id="options-0" name="options" type="checkbox" value="medical"', page
    )
    assert re.search(r'<input checked id="options-2" name="options" type="checkbox"', page)
    assert '<option selected value="mca">' in page
    assert 'value="80"' in page and 'value="10"' in page


def test_acute_setting_says_which_entered_values_it_ignored(client: FlaskClient) -> None:
    response = client.post("/", data={**LVO_FORM, "days_since_event": "10", "symptomatic": "yes"})
    assert response.status_code == 200
    page = text(response)
    assert "Entered but not used in this setting" in page
    assert (
        "Days since the qualifying TIA or stroke (entered: 10) was not used: in the acute LVO"
        " setting the occlusion is the qualifying event."
    ) in page
    assert "Is the stenosis symptomatic? (entered: Yes) was not used" in page


def test_ignored_fields_are_not_validated(client: FlaskClient) -> None:
    response = client.post("/", data={**LVO_FORM, "days_since_event": "soon"})
    assert response.status_code == 200
    assert "(entered: soon) was not used" in text(response)


def test_prestent_angioplasty_ignored_without_a_self_expanding_stent(client: FlaskClient) -> None:
    elective = post(client, prestent_angioplasty="yes")
    assert (
        "Angioplasty planned before a self-expanding stent (entered: Yes) was not used:"
        " it is used only in the acute LVO setting."
    ) in text(elective)
    acute = client.post(
        "/",
        data={"setting": "lvo_icas", "options": ["balloon_stent"], "prestent_angioplasty": "no"},
    )
    assert "(entered: No) was not used: it is used only when a self-expanding stent" in text(acute)


def test_nothing_about_the_patient_is_logged(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        post(client)
        post(client, stenosis_percent="abc")
    assert caplog.records == []


# --- evidence pages ---------------------------------------------------------------------------------


def test_evidence_index_lists_every_study_and_about(client: FlaskClient, app: Any) -> None:
    response = client.get("/evidence")
    assert response.status_code == 200
    page = text(response)
    for name in (
        "VISSIT",
        "Retrospective angioplasty vs stent (3 centres)",
        "RESCUE-ICAS (SES vs BMS)",
    ):
        assert name in page
    for study_id in STUDY_IDS:
        assert f'href="/evidence/{study_id}"' in response.get_data(as_text=True)
    assert 'id="about"' in response.get_data(as_text=True)
    base = app.extensions["evidence_base"]
    assert f"Evidence version {base.version}" in page
    assert f"Evidence revision date {base.evidence.revision.isoformat()}" in page
    for phrase in (
        "Intended users Neurointerventionalists and stroke clinicians",
        "Cautioned out-of-scope uses",
        "Asymptomatic intracranial stenosis",
        "Predicting an individual patient's outcome.",
        "Use as a substitute for reading the papers.",
        "Inputs used",
        "not validated on local data",
        "Newcombe (1998)",
        "DOI 10.1001/jama.2015.1693",
        "PMID 25803346",
        "Registration NCT00816166",
        "Not reported. No age limits were found",
        "secondary source",
    ):
        assert phrase in page, phrase


def test_identifiers_are_text_not_links(client: FlaskClient) -> None:
    page = client.get("/evidence").get_data(as_text=True)
    assert "doi.org" not in page
    assert not re.search(r'href="https?:', page)


def test_retrospective_study_page(client: FlaskClient) -> None:
    response = client.get("/evidence/angioplasty-vs-stent-retro")
    assert response.status_code == 200
    page = text(response)
    assert "Citation not given in the source" in page
    assert "Identifiers none given in the source" in page
    assert "Risk ratio (crude, from counts) 2.8 (0.85–9.5) 3.61 (1.23–10.58) NO" in page
    assert "P value implied by the hazard ratio's CI" in page
    assert "not recomputable" in page


def test_vissit_study_page_has_sentences_and_audit(client: FlaskClient) -> None:
    page = client.get("/evidence/vissit").get_data(as_text=True)
    for anchor in (
        "o-primary_safety_30d",
        "o-primary_safety_30d-stent",
        "audit-ich_30d",
        "crit-age",
        "arm-stent",
        "caveat-stopped_early",
        "fact-1",
        "src-abstract",
    ):
        assert f'id="{anchor}"' in page, anchor
    readable = text(client.get("/evidence/vissit"))
    assert (
        "“The 30-day primary safety end point occurred in more patients in the stent group"
        in readable
    )
    assert "NNTH 7 (95% CI NNTH 4 to 195) Altman (BMJ 1998)" in readable
    assert "P = 0.046 two-sided Fisher exact test" in readable


def test_rescue_page_marks_83_as_derived(client: FlaskClient) -> None:
    page = text(client.get("/evidence/rescue-icas-ses-bms"))
    assert "n = 83 patients DERIVED Not printed: 194 patients − 111 self-expanding = 83." in (
        page.replace("derived", "DERIVED")
    )
    assert "Back-calculated: 15/111 is the only count that gives the printed 13.5%." in page


# --- errors and headers -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/evidence/nope", "/nope"])
def test_not_found_is_an_html_page(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    page = text(response)
    assert "Error 404" in page and "There is no page at this address." in page
    assert "Back to the calculator" in page
    assert "does not recommend a treatment" in page  # the base layout


def test_put_is_method_not_allowed(client: FlaskClient) -> None:
    response = client.put("/")
    assert response.status_code == 405
    assert response.mimetype == "text/html"
    assert "Error 405" in text(response)
    assert "POST" in response.headers["Allow"]


def pages(client: FlaskClient) -> list[TestResponse]:
    return [
        client.get("/"),
        post(client),
        post(client, stenosis_percent="abc"),
        client.post("/", data={**LVO_FORM, "days_since_event": "3"}),
        client.post("/", data={"setting": "lvo_icas", "options": ["medical"]}),
        post(client, view="patient"),
        post(client, view="print", options=ALL_OPTIONS),
        client.post("/", data={**LVO_FORM, "view": "patient"}),
        client.get("/evidence"),
        *(client.get(f"/evidence/{study_id}") for study_id in STUDY_IDS),
        client.get("/nope"),
        client.put("/"),
    ]


def test_no_page_sets_a_cookie(client: FlaskClient) -> None:
    for response in pages(client):
        assert "Set-Cookie" not in response.headers


def test_no_inline_style_script_or_handlers(client: FlaskClient) -> None:
    for response in pages(client):
        page = response.get_data(as_text=True)
        assert " style=" not in page
        assert "<style" not in page
        assert not re.search(r"<script(?![^>]*\bsrc=)", page)
        assert not re.search(r" on[a-z]+=", page)


def test_pages_are_structured(client: FlaskClient) -> None:
    for response in pages(client):
        page = response.get_data(as_text=True)
        assert page.startswith("<!doctype html>")
        assert '<html lang="en">' in page
        assert page.count("<main") == 1 and page.count("<h1") == 1
        assert page.count("<table") == page.count("<caption")
        for header in re.findall(r"<th(?:\s[^>]*)?>", page):
            assert "scope=" in header, header
        ids = re.findall(r'\bid="([^"]+)"', page)
        assert len(ids) == len(set(ids)), "duplicate ids"


def test_stylesheets_are_small_and_local(client: FlaskClient) -> None:
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    css = response.get_data(as_text=True)
    assert len(css.encode()) < 20 * 1024
    assert "@media print" in css
    assert "focus-visible" in css
    assert "http" not in css and "@import" not in css
    response.close()
    # The patient and print views' own rules load only on those pages.
    response = client.get("/static/css/counsel.css")
    assert response.status_code == 200
    counsel_css = response.get_data(as_text=True)
    assert len(counsel_css.encode()) < 8 * 1024
    assert ".print-view" in counsel_css and ".print-view" not in css
    assert "http" not in counsel_css and "@import" not in counsel_css
    response.close()


def test_script_is_small_local_and_keeps_scenarios_out_of_urls(client: FlaskClient) -> None:
    response = client.get("/static/js/app.js")
    assert response.status_code == 200
    script = response.get_data(as_text=True)
    response.close()
    assert len(script.encode()) < 16 * 1024
    assert "http" not in script  # no other origin, no absolute address
    assert '"/summary"' in script and 'method: "POST"' in script
    # Never a URL built from the scenario, never stored, never injected as HTML.
    for word in ("location", "history", "pushState", "localStorage", "sessionStorage", "cookie"):
        assert word not in script, word
    assert "innerHTML" not in script and "eval(" not in script


def test_static_files_are_versioned_and_kept_only_at_their_version(client: FlaskClient) -> None:
    # A phone on a slow link must not spend a round trip revalidating the stylesheet per page.
    page = client.get("/").get_data(as_text=True)
    urls = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert {u.split("?")[0] for u in urls} >= {"/static/css/app.css", "/static/js/app.js"}
    for url in urls:
        path, version = url.replace("&amp;", "&").split("?v=")
        response = client.get(url.replace("&amp;", "&"))
        body = response.get_data()
        response.close()
        assert version == hashlib.sha256(body).hexdigest()[:12], path
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        # Without the version, or with an old one, the file is revalidated as before.
        for stale in (path, f"{path}?v=000000000000"):
            response = client.get(stale)
            assert response.status_code == 200
            assert response.headers["Cache-Control"] == "no-cache", stale
            response.close()


def test_favicon_is_local(client: FlaskClient) -> None:
    response = client.get("/static/favicon.svg")
    assert response.status_code == 200
    assert "<script" not in response.get_data(as_text=True)
    response.close()


@pytest.mark.parametrize(
    ("name", "value", "used"),
    [
        ("stenosis_percent", "80%", "80%"),
        ("stenosis_percent", "80 %", "80%"),
        ("age", "64 y", "64"),
        ("age", "64 years old", "64"),
        ("days_since_event", "2 weeks", "14"),
        ("days_since_event", "10 days", "10"),
    ],
)
def test_unambiguous_units_are_read(client: FlaskClient, name: str, value: str, used: str) -> None:
    response = post(client, **{name: value})
    assert response.status_code == 200
    label = FIELD[name].label
    assert re.search(
        rf"<dt>{re.escape(label)}</dt>\s*<dd>{re.escape(used)}</dd>",
        response.get_data(as_text=True),
    )


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "days_since_event",
            "1 month",
            "Error: Enter a whole number from 0 to 3650, e.g. 10. “1 month” cannot be converted"
            " exactly: use days or weeks.",
        ),
        (
            "days_since_event",
            "36 hours",
            "Error: Enter a whole number from 0 to 3650, e.g. 10. “36 hours” cannot be converted"
            " exactly: use days or weeks.",
        ),
        ("age", "64 kg", "Error: Enter a whole number from 18 to 120, e.g. 64."),
        ("stenosis_percent", "80 y", "Error: Enter a whole number from 0 to 100, e.g. 80."),
        ("days_since_event", "2.5 weeks", "Error: Enter a whole number from 0 to 3650, e.g. 10."),
    ],
)
def test_ambiguous_units_keep_the_precise_message(
    client: FlaskClient, name: str, value: str, message: str
) -> None:
    response = post(client, **{name: value})
    assert response.status_code == 422
    assert field_error(response, name) == message


def test_entered_text_is_escaped_wherever_the_form_writes_it_back(client: FlaskClient) -> None:
    # The form's markup is written in Python (app/web/form_html.py): every entered value, the
    # baseline risks' and the centre's counts included, goes back escaped.
    attack = '"><script>alert(1)</script>'
    fields = ("stenosis_percent", "age", "baseline_risks.stroke_death_30d", "centre-0-events")
    page = client.post(
        "/",
        data={
            "setting": "symptomatic_icas",
            "options": ["medical", "self_expanding_stent"],
            **dict.fromkeys(fields, attack),
        },
    )
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "<script>alert" not in html
    assert html.count('value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"') == len(fields)
