"""The option grid (view=options) and the note for the record, on the tests' frozen evidence."""

from __future__ import annotations

import datetime as dt
import html
import itertools
import re
from typing import Any

import pytest
import textstat
from flask import Flask
from flask.testing import FlaskClient

from app.analysis.base import EvidenceBase
from app.contract.scenario import parse_scenario
from app.engine import discussion
from app.engine.assess import Assessment, assess
from app.engine.note import LIMIT, record_note
from app.web import option_grid
from app.web import option_grid_words as words
from tests.engine_tables import tables
from tests.scenarios import ALL_OPTIONS, VISSIT_LIKE
from tests.test_counsel import FORBIDDEN, MAX_GRADE, SCENARIOS

TODAY = dt.date(2026, 1, 15)
REVISION = dt.date(2026, 1, 1)
ROWS = ("involves", "month", "later", "unknown", "questions")


@pytest.fixture(scope="module")
def base(app: Flask) -> EvidenceBase:
    return app.extensions["evidence_base"]


def assessed(base: EvidenceBase, scenario: dict[str, Any]) -> Assessment:
    return assess(parse_scenario(scenario), tables(base))


def grid(base: EvidenceBase, scenario: dict[str, Any]) -> option_grid.OptionGrid:
    return option_grid.option_grid(assessed(base, scenario), revision=REVISION, today=TODAY)


def form(scenario: dict[str, Any], **extra: str) -> dict[str, Any]:
    data: dict[str, Any] = {k: str(v) for k, v in scenario.items() if k != "options"}
    data["options"] = scenario["options"]
    if scenario.get("symptomatic") is True:
        data["symptomatic"] = "yes"
    return {**data, **extra}


# --- the grid -----------------------------------------------------------------------------------------


def test_one_column_per_option_in_the_fixed_order_every_row_filled(base: EvidenceBase) -> None:
    view = grid(base, ALL_OPTIONS)
    assert [c.option for c in view.columns] == [
        "medical",
        "angioplasty",
        "balloon_stent",
        "self_expanding_stent",
    ]
    assert [r.id for r in view.rows] == list(ROWS)
    for column in view.columns:
        assert [cell.row for cell in column.cells] == list(ROWS)
        assert all(cell.filled for cell in column.cells), column.option


def test_a_risk_row_holds_only_its_own_time_frame(base: EvidenceBase) -> None:
    view = grid(base, ALL_OPTIONS)
    medical = view.columns[0]
    month, later = medical.cells[1], medical.cells[2]
    # VISSIT's 30-day primary safety outcome and SAMMPRIS's 30-day stroke or death: 5/53 and 13/227.
    month_counts = [e.counts for e in month.entries]
    assert any("5 of 53" in c for c in month_counts), month_counts
    assert any("13 of 227" in c for c in month_counts), month_counts
    # The 12-month outcomes are not in the first month's row, nor SAMMPRIS's median 32 months.
    assert not any("8 of 53" in c for c in month_counts)
    assert any("8 of 53" in e.counts for e in later.entries)
    assert not any("34 of 227" in e.counts for c in medical.cells for e in c.entries)
    assert "SAMMPRIS" in view.other_times_studies


def test_a_cell_without_a_figure_says_why(base: EvidenceBase) -> None:
    view = grid(base, ALL_OPTIONS)
    angioplasty = view.columns[1]
    assert angioplasty.cells[1].entries == ()
    assert angioplasty.cells[1].why_not == words.NO_FIGURE
    assert words.NO_METHOD in angioplasty.cells[0].texts
    assert words.NO_SETTING in angioplasty.cells[0].texts


def test_each_figure_says_it_is_the_trials_group_with_its_certainty(base: EvidenceBase) -> None:
    view = grid(base, ALL_OPTIONS)
    cells = [cell for c in view.columns for cell in c.cells if cell.entries]
    assert all(cell.basis == words.BASIS["trial"] for cell in cells)
    entries = [e for cell in cells for e in cell.entries]
    assert len(entries) >= 8
    for entry in entries:
        assert entry.basis == ""  # said once for the cell
        assert entry.certainty.startswith("How sure:")
        assert entry.href.startswith("/evidence/")
        assert entry.share.endswith("of 100 people had it.") or "in 100" in entry.share


def test_involves_quotes_the_studies_methods_once(base: EvidenceBase) -> None:
    view = grid(base, ALL_OPTIONS)
    stent = view.columns[3].cells[0]
    texts = [q.text for q in stent.quotes]
    assert len(texts) == len(set(texts))
    wingspan = [q for q in stent.quotes if "Wingspan" in q.text]
    assert len(wingspan) == 1 and wingspan[0].intro == "In the words of SAMMPRIS and CASSISS:"
    medical = view.columns[0].cells[0]
    assert any("aspirin plus clopidogrel" in q.text for q in medical.quotes)
    assert any("90 days" in q.text for q in medical.quotes)


def test_not_known_names_gaps_registered_trials_and_unmet_limits(base: EvidenceBase) -> None:
    view = grid(base, ALL_OPTIONS)
    medical, angioplasty = view.columns[0].cells[3], view.columns[1].cells[3]
    assert "No study here looked at it next to balloon widening only." in medical.texts
    assert any(n.study == "BASIS" for n in angioplasty.notes)
    assert any(
        n.study == "CASSISS" and n.text.startswith("The study only included") for n in medical.notes
    )


def test_the_same_number_of_prompts_for_every_option_and_no_ranking_words(
    base: EvidenceBase,
) -> None:
    for name in ("vissit", "all-elective", "lvo"):
        view = grid(base, SCENARIOS[name])
        counts = {len(c.cells[4].texts) for c in view.columns}
        assert len(counts) == 1
        for paragraph in option_grid.grid_paragraphs(view):
            assert not FORBIDDEN.search(paragraph), paragraph
            assert "score" not in paragraph.lower() or "no score" in paragraph.lower()


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_grid_reads_at_grade_8(base: EvidenceBase, name: str) -> None:
    paragraphs = option_grid.grid_paragraphs(grid(base, SCENARIOS[name]))
    too_hard = {p: g for p in paragraphs if (g := textstat.flesch_kincaid_grade(p)) > MAX_GRADE}
    assert not too_hard, too_hard
    assert textstat.flesch_kincaid_grade(" ".join(paragraphs)) <= MAX_GRADE


def test_rendered_grid_reads_at_grade_8(client: FlaskClient) -> None:
    page = client.post("/", data=form(ALL_OPTIONS, view="options")).get_data(as_text=True)
    main = re.search(r"<main.*?</main>", page, re.S)
    assert main
    body = re.sub(r"<svg.*?</svg>", " ", main.group(0), flags=re.S)
    # The studies' method sentences are quoted verbatim as theirs; the grade is for our words.
    assert "<blockquote><p>“Medical therapy included dual-antiplatelet therapy" in body
    body = re.sub(r"<blockquote>.*?</blockquote>", " ", body, flags=re.S)
    body = re.sub(r'<section class="sources".*?</section>', " ", body, flags=re.S)  # citations
    body = re.sub(r"<strong>[^<]*:</strong>", " ", body)  # a study's name before what it says
    blocks = [
        " ".join(html.unescape(re.sub(r"<[^>]+>", " ", b)).split())
        for b in re.findall(r"<(?:p|li)\b[^>]*>(.*?)</(?:p|li)>", body, re.S)
    ]
    blocks = [b for b in blocks if b]
    assert len(blocks) > 20
    for block in blocks:
        assert textstat.flesch_kincaid_grade(block) <= MAX_GRADE, block


def test_grid_page_carries_the_scenario_in_hidden_fields_and_prints(client: FlaskClient) -> None:
    response = client.post("/", data=form(ALL_OPTIONS, view="options"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count('class="grid-option') == 4
    assert '<input type="hidden" name="age" value="64">' in page
    assert "data-print hidden>Print</button>" in page
    assert "css/options.css" in page
    # Invalid input shows the form with its errors, whichever view was asked for.
    assert (
        client.post("/", data=form({**ALL_OPTIONS, "age": "abc"}, view="options")).status_code
        == 422
    )


def test_every_view_offers_the_option_grid_and_the_note(client: FlaskClient) -> None:
    for view in ("clinician", "patient", "print", "options", "note"):
        page = client.post("/", data=form(VISSIT_LIKE, view=view)).get_data(as_text=True)
        assert ('name="view" value="options"' in page) == (view != "options"), view
        # The results page holds the note itself; the other views link to the note's own page.
        assert ('name="view" value="note"' in page) == (view not in ("note", "clinician")), view
        assert ('<textarea id="note-text" readonly' in page) == (view in ("note", "clinician"))


# --- the seams ------------------------------------------------------------------------------------------


def test_risk_for_gives_the_trial_arm_today(base: EvidenceBase) -> None:
    comparison = next(
        c for c in assessed(base, VISSIT_LIKE).comparisons if c.analysis.study.id == "vissit"
    )
    result = next(r for r in comparison.outcomes if r.stats.outcome.id == "primary_safety_30d")
    risk = discussion.risk_for(comparison, result, "medical")
    assert risk is not None
    assert (risk.events, risk.total, risk.basis) == (5, 53, "trial")
    assert risk.value == pytest.approx(5 / 53)
    assert discussion.certainty_for(comparison, result) is comparison.certainty_of(result)


# --- the note -------------------------------------------------------------------------------------------


def test_note_holds_every_main_figure_the_options_version_and_closing(
    base: EvidenceBase, client: FlaskClient
) -> None:
    note = record_note(assessed(base, ALL_OPTIONS), base.evidence.revision)
    assert len(note) <= LIMIT
    assert note.endswith("This tool presents evidence and recommends no treatment.\n")
    assert f"Evidence version {base.version} ({base.evidence.revision.isoformat()})." in note
    assert "Options: medical therapy (MT); angioplasty alone (PTA);" in note
    assert "BMS 24.1% (13.9–37.2) · 14/58 vs MT 9.4% (3.1–20.7) · 5/53" in note
    # Every rate with its interval and counts in the note is on the results page as printed there.
    page = " ".join(
        html.unescape(
            re.sub(r"<[^>]+>", " ", client.post("/", data=form(ALL_OPTIONS)).get_data(as_text=True))
        ).split()
    )
    figures = re.findall(r"\d+\.\d% \(\d+\.\d–\d+\.\d\) · \d+/\d+", note)
    assert len(figures) >= 8
    for figure in figures:
        assert figure in page, figure


def test_note_keeps_no_patient_between_notes(base: EvidenceBase) -> None:
    # The study's evidence-only lines are worked out once (app/engine/note.py); a baseline entered
    # for one patient makes that patient's figures personal and leaves the next patient's alone.
    entered = {**VISSIT_LIKE, "baseline_risks": {"vissit_safety_30d": 12.0}}
    plain = record_note(assessed(base, VISSIT_LIKE), base.evidence.revision)
    personal = record_note(assessed(base, entered), base.evidence.revision)
    assert "BMS personal 30.7% (11.9–79.5) vs MT baseline entered 12.0%." in personal
    assert "BMS 36.2% (24.0–49.9) · 21/58 vs MT 15.1% (6.7–27.6) · 8/53." in personal
    assert record_note(assessed(base, VISSIT_LIKE), base.evidence.revision) == plain
    assert "personal" not in plain and "12.0%" not in plain
    assert "BMS 24.1% (13.9–37.2) · 14/58 vs MT 9.4% (3.1–20.7) · 5/53." in plain


def test_note_holds_no_identifier_and_no_value_outside_the_scenario(base: EvidenceBase) -> None:
    note = record_note(assessed(base, {**ALL_OPTIONS, "age": 71}), base.evidence.revision)
    assert "age 71" in note
    assert not re.search(
        r"\b(19|20)\d\d-\d\d-\d\d\b", note.replace(base.evidence.revision.isoformat(), "")
    )
    for word in ("name", "born", "MRN", "NHS", "birth"):
        assert word not in note


def note_box(page: str) -> str:
    """The text of the page's one read-only note box, as a browser reads it."""
    boxes = re.findall(
        r'<textarea id="note-text" readonly rows="\d+" cols="100">(.*?)</textarea>', page, re.S
    )
    assert len(boxes) == 1
    return html.unescape(boxes[0])


def test_api_note_is_the_results_and_note_pages_text(client: FlaskClient) -> None:
    response = client.post("/api/v1/assess/note", json=ALL_OPTIONS)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    note = response.get_data(as_text=True)
    page = client.post("/", data=form(ALL_OPTIONS, view="note"))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert note_box(text) == note
    assert '<input type="hidden" name="age" value="64">' in text
    # The results page ends its view buttons with the same box, collapsed, its Copy button hidden
    # until the script shows it (app.js, loaded on every page; no script of its own).
    results = client.post("/", data=form(ALL_OPTIONS)).get_data(as_text=True)
    assert note_box(results) == note
    details = re.search(r'<details class="record-note" id="note">(.*?)</details>', results, re.S)
    assert details and "<summary>Note for the record</summary>" in details.group(1)
    assert f"The note ({len(note)} characters)" in details.group(1)
    assert '<button type="button" class="secondary" data-copy hidden>Copy the note</button>' in (
        details.group(1)
    )
    assert (
        results.index('value="options"')
        < results.index('id="note"')
        < results.index('class="summary"')
    )
    assert "note.js" not in results + text


def test_api_note_refuses_what_assess_refuses(client: FlaskClient) -> None:
    for body in ({**ALL_OPTIONS, "age": 3}, {"options": ["medical"]}):
        note = client.post("/api/v1/assess/note", json=body)
        full = client.post("/api/v1/assess", json=body)
        assert note.status_code == full.status_code == 422
        assert note.get_json() == full.get_json()
    wrong = client.post("/api/v1/assess/note", data="x", content_type="text/plain")
    assert wrong.status_code == 415


def test_every_note_fits_the_limit_and_says_what_it_leaves_to_the_page(base: EvidenceBase) -> None:
    options = ["medical", "angioplasty", "balloon_stent", "self_expanding_stent"]
    full = {
        "stenosis_percent": 80,
        "symptomatic": True,
        "days_since_event": 100,
        "artery": "intracranial_ica",
        "age": 64,
        "mrs": 3,
        "perforator_infarct": False,
        "prestent_angioplasty": True,
    }
    seen = 0
    for setting in ("symptomatic_icas", "lvo_icas"):
        for size in range(1, 5):
            for chosen in itertools.combinations(options, size):
                scenario = {"setting": setting, "options": list(chosen), **full}
                assessment = assessed(base, scenario)
                note = record_note(assessment, base.evidence.revision)
                assert len(note) <= LIMIT, scenario
                if "·" not in note and assessment.comparisons:
                    assert "counts on the results page" in note
                seen += 1
    assert seen == 30
