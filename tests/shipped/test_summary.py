"""The live summary fragment shows the shipped VISSIT figures, formatted by the server."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.test_summary import VISSIT, fragment

pytestmark = pytest.mark.shipped_evidence


def test_vissit_fragment_has_the_key_figures_formatted_by_the_server(client: FlaskClient) -> None:
    status, html, headers = fragment(client, VISSIT)
    assert status == 200
    assert headers["Cache-Control"] == "no-store"
    assert headers["Content-Type"].startswith("text/html")
    assert "<html" not in html and "<form" not in html  # a fragment, not a page
    assert "VISSIT (randomized trial): Balloon-expandable stent plus medical therapy" in html
    # Three of VISSIT's seven criteria checked (the artery not given): under half.
    assert '<p class="status status-unchecked">Cannot be checked</p>' in html
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
