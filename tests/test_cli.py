"""`flask --app app check-evidence` lists studies, outcomes and disagreements, or every error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from app.cli import check_evidence
from tests.evidence_dirs import FIXTURE_DIR
from tests.minimal_study import STUDY, write_evidence


def test_lists_studies_outcomes_and_disagreements() -> None:
    result = CliRunner().invoke(check_evidence, ["--evidence-dir", str(FIXTURE_DIR)])
    assert result.exit_code == 0, result.output
    for study_id in ("vissit", "angioplasty-vs-stent-retro", "rescue-icas-ses-bms"):
        assert f"\n{study_id} (" in result.output
    assert "- primary_safety_30d [binary]" in result.output
    assert "- stroke_death_free_2y [kaplan_meier]" in result.output
    assert "published 2.8 (0.85–9.5), recomputed 3.61 (1.23–10.58)" in result.output
    assert "published 0–5.5%, recomputed 0.0–6.7%" in result.output


def test_exits_non_zero_listing_every_error(tmp_path: Path) -> None:
    broken = STUDY.replace('"balloon_stent"', '"stent"').replace('percent = "30"', 'percent = "31"')
    root = write_evidence(tmp_path, broken)
    result = CliRunner().invoke(check_evidence, ["--evidence-dir", str(root)])
    assert result.exit_code == 78
    assert "Evidence is invalid: 2 problem(s)" in result.output
    assert "studies/mini.toml: arms.stent.treatment: 'stent' is not one of" in result.output
    assert "studies/mini.toml: outcomes[0].arms.stent.percent: printed 31%" in result.output


def test_flask_command_runs_even_when_the_app_cannot_start(tmp_path: Path) -> None:
    root = write_evidence(tmp_path, STUDY.replace("n = 10", "n = -1", 1))
    command = [
        sys.executable,
        "-m",
        "flask",
        "--app",
        "app",
        "check-evidence",
        "--evidence-dir",
        str(root),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 78
    assert "studies/mini.toml: arms.stent.n: must be at least 1, got -1" in done.stderr
