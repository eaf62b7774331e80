"""`flask --app app check-evidence` lists studies, outcomes and disagreements, or every error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from app.cli import check_evidence
from tests import server as make_run
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


def test_the_service_commands_exit_78_on_bad_evidence_in_icas_evidence_dir(tmp_path: Path) -> None:
    # The two commands a service manager runs, as it runs them (no make: make itself can only
    # return 2): `flask --app app check-evidence` and the gunicorn start line (`make -n run`).
    root = write_evidence(tmp_path, STUDY.replace("n = 10", "n = -1", 1))
    env = {**os.environ, "ICAS_EVIDENCE_DIR": str(root)}
    check = [sys.executable, "-m", "flask", "--app", "app", "check-evidence"]
    done = subprocess.run(check, capture_output=True, text=True, timeout=60, env=env, check=False)
    assert done.returncode == 78, done.stderr
    assert "studies/mini.toml: arms.stent.n: must be at least 1, got -1" in done.stderr
    # The gunicorn line runs in its own process group, stopped by its id whatever happens.
    server = make_run.start(tmp_path / "server.log", env=env, wait=False)
    try:
        code = server.process.wait(timeout=120)
    finally:
        server.stop()
    assert code == 78, server.output()
    assert "studies/mini.toml: arms.stent.n: must be at least 1, got -1" in server.output()
    assert "Booting worker" not in server.output()
