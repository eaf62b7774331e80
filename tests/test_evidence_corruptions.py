"""The evidence edits issue 13 found accepted are refused by the app and by check-evidence alike.

Each case copies the tests' evidence (tests/fixtures/evidence/), makes one edit that keeps every
file self-consistent (so only the quote checks can catch it), and checks the exact problems three ways: `create_app` (what the
server loads), `flask --app app check-evidence` with ICAS_EVIDENCE_DIR pointing at the copy (exit
78), and the same command with `--evidence-dir`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from app import create_app
from app.cli import EXIT_EVIDENCE, check_evidence
from app.evidence.model import EvidenceError
from tests.evidence_dirs import FIXTURE_DIR
from tests.minimal_study import write_evidence

VISSIT = "studies/vissit.toml"
STENT = f"{VISSIT}: outcomes[0].arms.stent"
QUOTE_14_58 = (
    'quote = "The 30-day primary safety end point occurred in more patients in the stent group'
    ' (14/58; 24.1% [95% CI, 13.9%-37.2%])"'
)
NOT_IN_QUOTE = "is not in its quote as written; quote the sentence that prints it"

CORRUPTIONS = {
    # 15/58 is 25.9%: the counts and the percent agree with each other, not with the sentence.
    "count-and-percent": (
        ('events = 14\ntotal = 58\npercent = "24.1"', 'events = 15\ntotal = 58\npercent = "25.9"'),
        (
            f"{STENT}.events: 15 is not in its quote; quote the sentence that prints it, or say how"
            " it was worked out in `derived`",
            f"{STENT}.percent: printed 25.9 {NOT_IN_QUOTE}",
        ),
    ),
    "published-ci": (
        ('ci = ["13.9", "37.2"]', 'ci = ["13.9", "37.5"]'),
        (f"{STENT}.ci: printed 37.5 {NOT_IN_QUOTE}",),
    ),
    "published-p": (
        ('[outcomes.test]\np = ".05"', '[outcomes.test]\np = ".03"'),
        (f"{VISSIT}: outcomes[0].test.p: printed .03 {NOT_IN_QUOTE}",),
    ),
    "published-effect": (
        ('estimate = "2.8"', 'estimate = "2.9"'),
        (
            "studies/angioplasty-vs-stent-retro.toml: outcomes[0].effects[0].estimate: printed 2.9"
            f" {NOT_IN_QUOTE}",
        ),
    ),
    # A total outside its outcome's sentence must be its arm's printed size (here 95 procedures).
    "total-off-the-arm-size": (
        ("events = 14\ntotal = 95\n", "events = 14\ntotal = 94\n"),
        (
            "studies/angioplasty-vs-stent-retro.toml: outcomes[0].arms.angioplasty.total: 94 is not"
            " in its quote; quote the sentence that prints it, or say how it was worked out in"
            " `derived`",
        ),
    ),
    "quote-cut-to-the": (
        (QUOTE_14_58, 'quote = "the"'),
        (
            f"{STENT}.quote: too short to identify its sentence (1 word); quote at least 2 words of"
            " the sentence, with the figures it backs",
            f"{STENT}.events: 14 is not in its quote; quote the sentence that prints it, or say how"
            " it was worked out in `derived`",
            f"{STENT}.total: 58 is not in its quote; quote the sentence that prints it, or say how"
            " it was worked out in `derived`",
            f"{STENT}.percent: printed 24.1 {NOT_IN_QUOTE}",
            f"{STENT}.ci: printed 13.9 {NOT_IN_QUOTE}",
            f"{STENT}.ci: printed 37.2 {NOT_IN_QUOTE}",
        ),
    ),
    # A fragment that stands more than once does not identify one sentence either.
    "quote-not-unique": (
        (
            'quote = "medical therapy alone (medical group; n = 53)"',
            'quote = "medical group"',
        ),
        (
            f"{VISSIT}: arms.medical.quote: stands 5 times in its source, so it does not identify"
            " one sentence; quote more of the sentence",
            f"{VISSIT}: arms.medical.n: 53 is not in its quote; quote the sentence that prints it,"
            " or say how it was worked out in `derived`",
        ),
    ),
}


def corrupted(tmp_path: Path, name: str) -> Path:
    (old, new), _ = CORRUPTIONS[name]
    folder = tmp_path / "evidence"
    shutil.copytree(FIXTURE_DIR, folder)
    retro = ("published-effect", "total-off-the-arm-size")
    study = "studies/angioplasty-vs-stent-retro.toml" if name in retro else VISSIT
    path = folder / study
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    # The first occurrence: the expected problems name where it stands (outcomes[0]).
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_the_app_refuses_the_edit(tmp_path: Path, name: str) -> None:
    with pytest.raises(EvidenceError) as raised:
        create_app({"TESTING": True, "EVIDENCE_DIR": corrupted(tmp_path, name)})
    assert raised.value.problems == CORRUPTIONS[name][1]


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_check_evidence_refuses_the_edit_in_icas_evidence_dir(tmp_path: Path, name: str) -> None:
    folder = corrupted(tmp_path, name)
    result = CliRunner().invoke(check_evidence, [], env={"ICAS_EVIDENCE_DIR": str(folder)})
    assert result.exit_code == EXIT_EVIDENCE == 78
    expected = CORRUPTIONS[name][1]
    assert f"Evidence is invalid: {len(expected)} problem(s)" in result.output
    for problem in expected:
        assert f"  {problem}\n" in result.output
    # --evidence-dir says the same.
    direct = CliRunner().invoke(check_evidence, ["--evidence-dir", str(folder)])
    assert (direct.exit_code, direct.output) == (result.exit_code, result.output)


def test_flask_check_evidence_reads_icas_evidence_dir(tmp_path: Path) -> None:
    """The command a deployment runs, in a process of its own: it checks the folder the app would load."""
    command = [sys.executable, "-m", "flask", "--app", "app", "check-evidence"]
    broken = corrupted(tmp_path / "broken", "count-and-percent")
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "ICAS_EVIDENCE_DIR": str(broken)},
        check=False,
    )
    assert done.returncode == 78, done.stderr
    assert CORRUPTIONS["count-and-percent"][1][0] in done.stderr
    # A valid folder elsewhere is checked, not the shipped one: it lists that folder's study.
    other = write_evidence(tmp_path / "other")
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "ICAS_EVIDENCE_DIR": str(other)},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "1 studies" in done.stdout and "\nmini (" in done.stdout
    assert "vissit" not in done.stdout
