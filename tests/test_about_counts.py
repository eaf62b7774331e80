"""The About section's texts that depend on the evidence (its study count) come from the evidence."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from app import create_app
from app.analysis.base import analyse
from app.evidence.loader import load_evidence
from app.web.evidence_pages import about_view, study_count
from tests.minimal_study import write_evidence
from tests.same_pair import write_same_pair

REST = " read from the stored text of their sources only"


@pytest.mark.parametrize(
    ("count", "words"),
    [
        (0, "No studies"),
        (1, "One study"),
        (3, "Three studies"),
        (10, "Ten studies"),
        (11, "11 studies"),
    ],
)
def test_study_count_in_words(count: int, words: str) -> None:
    assert study_count(count) == words


def test_one_study_is_counted(tmp_path: Path) -> None:
    view = about_view(analyse(load_evidence(write_evidence(tmp_path))))
    assert view.limits[0].startswith("One study," + REST)


def test_the_evidence_page_counts_two_studies(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "EVIDENCE_DIR": write_same_pair(tmp_path)})
    page = html.unescape(app.test_client().get("/evidence").get_data(as_text=True))
    assert "<li>Two studies," + REST in page
    assert "Three studies" not in page


def test_the_about_page_says_what_is_pooled(client: FlaskClient) -> None:
    page = html.unescape(client.get("/evidence").get_data(as_text=True))
    assert "never pooled" not in page
    assert "their printed counts are also pooled (Mantel-Haenszel, fixed effect)" in page
