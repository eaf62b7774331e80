"""The shipped evidence's content: its five studies and VISSIT's published values."""

from __future__ import annotations

import html

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from app.cli import check_evidence
from app.evidence.loader import load_evidence
from app.evidence.model import Printed
from tests.evidence_dirs import SHIPPED_DIR

pytestmark = pytest.mark.shipped_evidence


def test_shipped_evidence_loads_seven_studies() -> None:
    evidence = load_evidence(SHIPPED_DIR)
    assert [s.id for s in evidence.studies] == [
        "vissit",
        "angioplasty-vs-stent-retro",
        "rescue-icas-ses-bms",
        "sammpris",
        "cassiss",
        "basis",
        "rescue-stenting-meta-2023",
    ]
    designs = {s.id: s.design.value for s in evidence.studies}
    assert designs == {
        "vissit": "randomized_trial",
        "angioplasty-vs-stent-retro": "retrospective_cohort",
        "rescue-icas-ses-bms": "prospective_registry",
        "sammpris": "randomized_trial",
        "cassiss": "randomized_trial",
        "basis": "randomized_trial",
        "rescue-stenting-meta-2023": "meta_analysis_nonrandomized",
    }


def test_the_shipped_evidence_passes_its_check() -> None:
    result = CliRunner().invoke(check_evidence, ["--evidence-dir", str(SHIPPED_DIR)])
    assert result.exit_code == 0, result.output
    assert f": {len(load_evidence(SHIPPED_DIR).studies)} studies\n" in result.output


def test_shipped_vissit_values() -> None:
    vissit = load_evidence(SHIPPED_DIR).study("vissit")
    assert vissit is not None
    safety = vissit.outcome("primary_safety_30d")
    assert (safety.arms["stent"].events, safety.arms["stent"].total) == (14, 58)
    assert (safety.arms["medical"].events, safety.arms["medical"].total) == (5, 53)
    assert safety.arms["stent"].ci == (Printed("13.9"), Printed("37.2"))
    assert vissit.arms["stent"].n == 59
    assert vissit.citation.pmid == "25803346"


def test_shipped_derived_values_say_how() -> None:
    rescue = load_evidence(SHIPPED_DIR).study("rescue-icas-ses-bms")
    assert rescue is not None
    assert rescue.arms["bms"].n == 83
    assert "194" in rescue.arms["bms"].derived["n"]
    stroke = rescue.outcome("recurrent_stroke")
    assert (stroke.arms["ses"].events, stroke.arms["bms"].events) == (15, 1)
    assert set(stroke.arms["ses"].derived) == {"events", "total"}


def test_the_about_section_counts_seven_studies(client: FlaskClient) -> None:
    page = html.unescape(client.get("/evidence").get_data(as_text=True))
    assert "<li>Seven studies, read from the stored text of their sources only" in page
