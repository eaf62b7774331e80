"""The live summary fragment shows the shipped VISSIT figures, formatted by the server."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from app.analysis.base import EvidenceBase
from app.web import summary
from tests.test_summary import VISSIT, fragment

pytestmark = pytest.mark.shipped_evidence


def test_vissit_fragment_has_the_key_figures_formatted_by_the_server(client: FlaskClient) -> None:
    status, html, headers = fragment(client, VISSIT)
    assert status == 200
    assert headers["Cache-Control"] == "no-store"
    assert headers["Content-Type"].startswith("text/html")
    assert "<html" not in html and "<form" not in html  # a fragment, not a page
    assert "VISSIT (randomized trial): Balloon-expandable stent plus medical therapy" in html
    assert '<p class="status status-partial">Partial match (checked 3 of 5 criteria)</p>' in html
    assert (
        '<li class="live-risk-intervention">Balloon-expandable stent plus medical therapy:'
        " 24.1% (13.9–37.2) · 14/58</li>"
    ) in html
    assert (
        '<li class="live-risk-comparator">Medical therapy alone: 9.4% (3.1–20.7) · 5/53</li>'
        in html
    )
    assert "Absolute difference (intervention − comparator): +14.7 pp (+0.5 to +28.2)" in html
    # Two key outcomes (primary or safety with counts), no more.
    assert html.count('class="live-outcome"') == 2


def test_assumed_counts_are_tagged_and_not_computed(client: FlaskClient) -> None:
    # RESCUE-ICAS recurrent stroke: 13.5% vs 1.2% printed, counts back-calculated, no time frame.
    acute = {"setting": "lvo_icas", "options": ["self_expanding_stent", "balloon_stent"]}
    status, html, _ = fragment(client, acute)
    assert status == 200
    assert (
        '<p class="status status-unchecked">Cannot be checked (checked 0 of 5 criteria)</p>' in html
    )
    assert "15/111" not in html and "1/83" not in html and "pp (" not in html


def test_live_outcome_shows_printed_percents_with_the_tags(base: EvidenceBase) -> None:
    (result,) = [
        r
        for r in base.by_id["rescue-icas-ses-bms"].appraisal.outcomes
        if r.stats.outcome.id == "recurrent_stroke"
    ]
    live = summary._live_outcome(result, "Self-expanding stent", "Balloon-mounted stent")
    assert live.intervention == "Self-expanding stent: 13.5% (printed)"
    assert live.comparator == "Balloon-mounted stent: 1.2% (printed)"
    assert live.difference == "Absolute difference (intervention − comparator): not computed"
    assert live.tags == ("derived", "time frame not stated", "not computed")
    assert live.note.startswith("No relative effect, difference or NNT: the counts were")
    assert live.note.endswith(" Published P = 0.001.")
