"""Corrupted or inconsistent evidence stops start-up, listing every problem.

Each test copies the shipped evidence folder to a temporary directory, breaks the copy, and checks
that ``create_app({"EVIDENCE_DIR": copy})`` raises EvidenceError whose ``problems`` are exactly the
expected messages; the last test starts the `make run` server on a broken copy (ICAS_EVIDENCE_DIR)
and checks that it exits 78 and prints the problems.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from app import create_app
from app.evidence.model import EvidenceError
from tests import server as make_run
from tests.evidence_dirs import FIXTURE_DIR

ROOT = Path(__file__).resolve().parent.parent
VISSIT = "studies/vissit.toml"
RETRO = "studies/angioplasty-vs-stent-retro.toml"
RESCUE = "studies/rescue-icas-ses-bms.toml"
VISSIT_TEXT = "sources/vissit-abstract.txt"
# The sentence of VISSIT's abstract that four quotes of the 30-day haemorrhage outcome come from.
ICH_SENTENCE = (
    "Intracranial hemorrhage within 30 days occurred in more patients in the stent group (5/58;"
    " 8.6% [95% CI, 2.9%-19.0%]) vs none in the medical group (95% CI, 0%-5.5%) (P = .06). "
)
PERCENT_PROBLEM = (
    f"{VISSIT}: outcomes[0].arms.stent.percent: printed 25.1% does not match 14/58 = 24.138% at"
    " the printed precision; correct it, or record the source's error in `discrepancy`"
)
UNKNOWN_KEY_PROBLEM = f"{VISSIT}: outcomes[0].arms.stent.colour: unknown key"
RETRO_EVENTS_PROBLEMS = (
    f"{RETRO}: outcomes[2].arms.angioplasty.events: 700 events exceed the total of 95",
    f"{RETRO}: outcomes[2].arms.angioplasty.percent: printed 7.4% does not match 700/95 = 736.842%"
    " at the printed precision; correct it, or record the source's error in `discrepancy`",
)
ICH_QUOTE_PROBLEMS = tuple(
    f"{VISSIT}: outcomes[1].{key}.quote: not found verbatim in source 'abstract'"
    for key in ("definition", "arms.stent", "arms.medical", "test")
)
EXTRA_STUDY_PROBLEM = "manifest.toml: studies: studies/extra.toml exists but is not listed"

Corruption = Callable[[Path], None]


def replace(name: str, old: str, new: str) -> Corruption:
    """Replace the first `old` in the copy's file `name` (which must contain it)."""

    def corrupt(folder: Path) -> None:
        path = folder / name
        text = path.read_text(encoding="utf-8")
        assert old in text, (name, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return corrupt


def delete(name: str) -> Corruption:
    return lambda folder: (folder / name).unlink()


def add_unlisted_study(folder: Path) -> None:
    shutil.copy(folder / VISSIT, folder / "studies/extra.toml")


CHANGED_PERCENT = replace(VISSIT, 'percent = "24.1"', 'percent = "25.1"')
UNKNOWN_KEY = replace(VISSIT, "events = 14\n", 'events = 14\ncolour = "red"\n')
EVENTS_OVER_TOTAL = replace(RETRO, "events = 7\n", "events = 700\n")


def record_digest(name: str) -> Corruption:
    """Record the copy's file `name` under its new sha256 in the manifest, as a deliberate edit would."""

    def corrupt(folder: Path) -> None:
        manifest = folder / "manifest.toml"
        digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        text, count = re.subn(
            rf'^"{re.escape(name)}" = "[0-9a-f]{{64}}"$',
            f'"{name}" = "{digest}"',
            manifest.read_text(encoding="utf-8"),
            flags=re.MULTILINE,
        )
        assert count == 1, name
        manifest.write_text(text, encoding="utf-8")

    return corrupt


def removed_sentence(folder: Path) -> None:
    # Digest re-recorded: the quote check must catch the edit on its own, not only the checksum.
    replace(VISSIT_TEXT, ICH_SENTENCE, "")(folder)
    record_digest(VISSIT_TEXT)(folder)


REMOVED_SENTENCE = removed_sentence


def broken_copy(tmp_path: Path, *corruptions: Corruption) -> Path:
    folder = tmp_path / "evidence"
    shutil.copytree(FIXTURE_DIR, folder)
    for corrupt in corruptions:
        corrupt(folder)
    return folder


def problems(folder: Path) -> tuple[str, ...]:
    with pytest.raises(EvidenceError) as raised:
        create_app({"TESTING": True, "EVIDENCE_DIR": folder})
    return raised.value.problems


def test_an_unbroken_copy_starts(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "EVIDENCE_DIR": broken_copy(tmp_path)})
    assert app.test_client().get("/healthz").status_code == 200


@pytest.mark.parametrize(
    ("corruptions", "expected"),
    [
        pytest.param([CHANGED_PERCENT], (PERCENT_PROBLEM,), id="changed-percent"),
        pytest.param(
            [replace(VISSIT, "events = 14\ntotal = 58", "events = 60\ntotal = 58")],
            (
                f"{VISSIT}: outcomes[0].arms.stent.events: 60 events exceed the total of 58",
                f"{VISSIT}: outcomes[0].arms.stent.percent: printed 24.1% does not match 60/58"
                " = 103.448% at the printed precision; correct it, or record the source's error"
                " in `discrepancy`",
            ),
            id="events-over-total",
        ),
        pytest.param([EVENTS_OVER_TOTAL], RETRO_EVENTS_PROBLEMS, id="events-over-total-retro"),
        pytest.param([REMOVED_SENTENCE], ICH_QUOTE_PROBLEMS, id="removed-quote-sentence"),
        pytest.param(
            [replace(VISSIT, '13.9%-37.2%])"', '13.9%-37.1%])"')],
            (
                f"{VISSIT}: outcomes[0].arms.stent.quote: not found verbatim in source 'abstract'",
                f"{VISSIT}: outcomes[0].arms.stent.ci: printed 37.2 is not in its quote as"
                " written; quote the sentence that prints it",
            ),
            id="changed-quote",
        ),
        pytest.param(
            [replace(VISSIT, 'id = "vissit"', 'id = "vissit')],
            (f"{VISSIT}: not valid TOML: Illegal character '\\n' (at line 6, column 13)",),
            id="invalid-toml",
        ),
        pytest.param(
            [replace("manifest.toml", "schema_version = 1", "schema_version = ")],
            ("manifest.toml: not valid TOML: Invalid value (at line 2, column 18)",),
            id="invalid-manifest",
        ),
        pytest.param([UNKNOWN_KEY], (UNKNOWN_KEY_PROBLEM,), id="unknown-key"),
        pytest.param([add_unlisted_study], (EXTRA_STUDY_PROBLEM,), id="unlisted-study-file"),
        pytest.param([delete(VISSIT)], (f"{VISSIT}: file not found",), id="listed-study-deleted"),
    ],
)
def test_a_broken_copy_refuses_to_start(
    tmp_path: Path, corruptions: list[Corruption], expected: tuple[str, ...]
) -> None:
    assert problems(broken_copy(tmp_path, *corruptions)) == expected


def test_a_deleted_source_file_refuses_to_start(tmp_path: Path) -> None:
    found = problems(broken_copy(tmp_path, delete("sources/rescue-icas-sesbms-abstract.txt")))
    # Reported once, at the source's file; quotes citing it are not reported again.
    assert found == (
        f"{RESCUE}: sources.abstract.file: no such file: sources/rescue-icas-sesbms-abstract.txt",
    )


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    folder = broken_copy(
        tmp_path,
        CHANGED_PERCENT,
        UNKNOWN_KEY,
        EVENTS_OVER_TOTAL,
        REMOVED_SENTENCE,
        replace(RESCUE, "schema_version = 1", "schema_version = = 1"),
        add_unlisted_study,
    )
    found = problems(folder)
    assert found == (
        EXTRA_STUDY_PROBLEM,
        PERCENT_PROBLEM,
        UNKNOWN_KEY_PROBLEM,
        *ICH_QUOTE_PROBLEMS,
        *RETRO_EVENTS_PROBLEMS,
        found[-1],
    )
    assert found[-1].startswith(f"{RESCUE}: not valid TOML: ")
    # The exception's text, which a server prints, carries every problem.
    with pytest.raises(EvidenceError) as raised:
        create_app({"EVIDENCE_DIR": folder})
    text = str(raised.value)
    assert text.startswith(f"{len(found)} evidence problem(s):\n")
    assert all(problem in text.splitlines() for problem in found)


def test_make_run_on_broken_evidence_exits_78_and_prints_the_problems(tmp_path: Path) -> None:
    folder = broken_copy(tmp_path, CHANGED_PERCENT, UNKNOWN_KEY, add_unlisted_study)
    server = make_run.start(
        tmp_path / "server.log", env={"ICAS_EVIDENCE_DIR": str(folder)}, wait=False
    )
    try:
        code = server.process.wait(timeout=120)
    finally:
        server.stop()
    output = server.output()
    # One exit code (EX_CONFIG), the problems listed once, no traceback, and no worker started:
    # the master loads the evidence before it forks any (app/gunicorn_conf.py preload_app).
    assert code == 78, output
    lines = output.splitlines()
    assert "Evidence is invalid: 3 problem(s)" in lines, output
    for problem in (EXTRA_STUDY_PROBLEM, PERCENT_PROBLEM, UNKNOWN_KEY_PROBLEM):
        assert f"  {problem}" in lines, output
    assert "Traceback" not in output
    assert "Booting worker" not in output
