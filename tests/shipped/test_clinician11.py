"""The clinician page says what the issue-11 rules decide: pairs, applicability, scope, tags."""

from __future__ import annotations

import html as html_module
import re

import pytest
from flask.testing import FlaskClient

from tests.test_web import ALL_OPTIONS, LVO_FORM, post, text

pytestmark = pytest.mark.shipped_evidence


def section(page: str, study_id: str) -> str:
    found = re.search(rf'<section class="comparison" id="c-{study_id}".*?</section>', page, re.S)
    assert found, study_id
    return found.group(0)


def test_pairs_no_study_compares_are_listed(client: FlaskClient) -> None:
    response = post(client, options=ALL_OPTIONS, artery="mca")
    page = text(response)
    # SAMMPRIS and CASSISS compare a self-expanding stent with medical therapy, BASIS angioplasty
    # with medical therapy.
    assert "5 studies compare some of these options for symptomatic ICAS:" in page
    assert "1 of the 6 pairs of options chosen is compared by no study (listed below)." in page
    assert "Pairs of options no study compares" in page
    for first, second in (("a self-expanding stent", "a balloon-mounted stent"),):
        assert (
            f"No study in this evidence base compares {first} with {second} in this setting"
            " (symptomatic ICAS); no numbers are borrowed from other comparisons." in page
        )
    # Two options one study compares: nothing to list.
    assert "Pairs of options no study compares" not in text(post(client))


def test_more_invasive_option_is_the_intervention_column(client: FlaskClient) -> None:
    html = post(client, options=ALL_OPTIONS).get_data(as_text=True)
    for study_id, intervention in (
        ("vissit", "Balloon-expandable stent plus medical therapy"),
        ("angioplasty-vs-stent-retro", "Intracranial stent (type not stated)"),
    ):
        caption = re.search(r"<caption[^>]*>(.*?)</caption>", section(html, study_id)).group(1)
        assert caption.startswith(f"Summary of findings: {intervention} (intervention)")


def test_retrospective_study_cannot_be_checked_in_amber(client: FlaskClient) -> None:
    html = post(client, options=["angioplasty", "balloon_stent"]).get_data(as_text=True)
    retro = section(html, "angioplasty-vs-stent-retro")
    assert (
        '<p class="status status-unchecked">Cannot be checked: checked 1 of 7 criteria (6 not'
        " reported by the study), too few to say whether the study applies</p>"
    ) in retro
    assert "status-applies" not in retro


def test_unanswered_symptomatic_question_does_not_downgrade_the_match(
    client: FlaskClient,
) -> None:
    html = post(client, symptomatic=None, artery="mca").get_data(as_text=True)
    vissit = section(html, "vissit")
    assert '<p class="status status-applies">Applies: the patient meets every criterion' in vissit
    assert (
        "this patient's stenosis is symptomatic (the setting is symptomatic stenosis)."
        in html_module.unescape(vissit)
    )


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"symptomatic": "no"}, "The stenosis is asymptomatic: this tool covers symptomatic"),
        ({"stenosis_percent": "100"}, "100% is an occlusion, not a stenosis"),
        ({"stenosis_percent": "0"}, "0% means no stenosis"),
    ],
)
def test_scope_is_said_at_the_top(
    client: FlaskClient, changes: dict[str, str], reason: str
) -> None:
    html = post(client, artery="mca", **changes).get_data(as_text=True)
    results = html[html.index('id="results-title"') :]
    notice = results.index("This patient is outside what these studies cover")
    assert notice < results.index('class="summary"')
    assert reason in text_of(results[notice : results.index('class="summary"')])
    assert "Outside the study population: outside the study population" not in text_of(html)
    assert "This patient is outside what these studies cover" not in text(post(client))


def text_of(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


def test_assumed_counts_and_missing_time_frames_are_tagged(client: FlaskClient) -> None:
    response = client.post("/", data=LVO_FORM)
    html = response.get_data(as_text=True)
    row = re.search(
        r'<tbody class="outcome-group">(?:(?!</tbody>).)*?-recurrent_stroke".*?</tbody>', html, re.S
    )
    assert row
    body = row.group(0)
    assert "13.5% (printed)" in body and "1.2% (printed)" in body
    assert "15/111" not in re.sub(r'<ul class="notes">.*', "", body, flags=re.S)
    assert body.count("not computed: counts assumed, group sizes not stated") == 3
    assert '<span class="tag tag-not_computed">not computed</span>' in body
    assert '<span class="tag tag-time-frame">time frame not stated</span>' in body
    assert "P = 0.001" in body


def test_the_study_page_says_which_statistics_were_withheld_and_why(client: FlaskClient) -> None:
    page = client.get("/evidence/rescue-icas-ses-bms").get_data(as_text=True)
    # The outcome's own section, from its anchor to the next outcome's.
    start = page.index('id="o-recurrent_stroke"')
    end = re.compile(r'id="o-(?!recurrent_stroke)').search(page, start).start()
    recurrent = re.sub(r"<[^>]+>", " ", page[start:end])
    recurrent = " ".join(html_module.unescape(recurrent).split())
    assert (
        "Not computed No relative effect, difference or NNT: the counts were back-calculated from"
        " the printed percentages over group sizes the source does not state for this outcome"
    ) in recurrent
    assert "Risk ratio (crude)" not in recurrent
