"""Each source text is checked against the sha256 recorded in manifest.toml; a changed copy is refused."""

from __future__ import annotations

import hashlib
import shutil
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from app import create_app
from app.cli import check_evidence
from app.evidence.loader import load_evidence
from app.evidence.model import EvidenceError
from tests.evidence_dirs import FIXTURE_DIR
from tests.minimal_study import MANIFEST, SOURCE_SHA256, SOURCE_TEXT, write_evidence

# The digest of SOURCE_TEXT with its last character (the full stop) removed.
TRUNCATED_SHA256 = hashlib.sha256(SOURCE_TEXT[:-1].encode()).hexdigest()


def problems(root: Path) -> tuple[str, ...]:
    with pytest.raises(EvidenceError) as raised:
        load_evidence(root)
    return raised.value.problems


def test_the_recorded_digest_is_the_files_sha256(tmp_path: Path) -> None:
    root = write_evidence(tmp_path)
    assert hashlib.sha256((root / "sources" / "mini.txt").read_bytes()).hexdigest() == SOURCE_SHA256
    assert [s.id for s in load_evidence(root).studies] == ["mini"]


def test_a_changed_source_copy_is_refused_naming_both_digests(tmp_path: Path) -> None:
    root = write_evidence(tmp_path)
    # The quotes still stand in the shortened text: only the checksum can catch this edit.
    (root / "sources" / "mini.txt").write_text(SOURCE_TEXT[:-1], encoding="utf-8")
    assert problems(root) == (
        "manifest.toml: sha256.sources/mini.txt: source text changed: expected sha256"
        f" {SOURCE_SHA256}, found {TRUNCATED_SHA256} (after a deliberate edit, record the found"
        " digest)",
    )


def test_recording_the_found_digest_accepts_a_deliberate_edit(tmp_path: Path) -> None:
    root = write_evidence(tmp_path, manifest=MANIFEST.replace(SOURCE_SHA256, TRUNCATED_SHA256))
    (root / "sources" / "mini.txt").write_text(SOURCE_TEXT[:-1], encoding="utf-8")
    assert [s.id for s in load_evidence(root).studies] == ["mini"]


def test_a_byte_level_change_is_refused(tmp_path: Path) -> None:
    # Same text after white-space normalisation (which quote checks use), different bytes.
    root = write_evidence(tmp_path)
    (root / "sources" / "mini.txt").write_text(SOURCE_TEXT + "\n", encoding="utf-8")
    found = hashlib.sha256((SOURCE_TEXT + "\n").encode()).hexdigest()
    assert problems(root) == (
        f"manifest.toml: sha256.sources/mini.txt: source text changed: expected sha256"
        f" {SOURCE_SHA256}, found {found} (after a deliberate edit, record the found digest)",
    )


def test_a_source_without_a_digest_is_refused_with_its_digest(tmp_path: Path) -> None:
    manifest = MANIFEST.replace(f'"sources/mini.txt" = "{SOURCE_SHA256}"\n', "")
    assert problems(write_evidence(tmp_path, manifest=manifest)) == (
        "manifest.toml: sha256.sources/mini.txt: missing for a source text that studies/mini.toml"
        f" uses; its sha256 is {SOURCE_SHA256}",
    )


def test_a_manifest_without_the_table_reports_every_source(tmp_path: Path) -> None:
    manifest = MANIFEST.split("[sha256]")[0]
    assert problems(write_evidence(tmp_path, manifest=manifest)) == (
        "manifest.toml: sha256.sources/mini.txt: missing for a source text that studies/mini.toml"
        f" uses; its sha256 is {SOURCE_SHA256}",
    )


def test_a_malformed_digest_is_refused(tmp_path: Path) -> None:
    manifest = MANIFEST.replace(SOURCE_SHA256, SOURCE_SHA256.upper())
    assert problems(write_evidence(tmp_path, manifest=manifest)) == (
        "manifest.toml: sha256.sources/mini.txt: must be a sha256 digest (64 lower-case hex"
        f" digits), got {SOURCE_SHA256.upper()!r}",
        "manifest.toml: sha256.sources/mini.txt: missing for a source text that studies/mini.toml"
        f" uses; its sha256 is {SOURCE_SHA256}",
    )


def test_a_digest_for_a_file_no_study_uses_is_refused(tmp_path: Path) -> None:
    manifest = MANIFEST + f'"sources/old.txt" = "{SOURCE_SHA256}"\n'
    assert problems(write_evidence(tmp_path, manifest=manifest)) == (
        "manifest.toml: sha256.sources/old.txt: no listed study uses this file",
    )


def test_check_evidence_prints_the_digests(tmp_path: Path) -> None:
    root = write_evidence(tmp_path)
    (root / "sources" / "mini.txt").write_text(SOURCE_TEXT[:-1], encoding="utf-8")
    result = CliRunner().invoke(check_evidence, ["--evidence-dir", str(root)])
    assert result.exit_code == 78
    assert f"found {TRUNCATED_SHA256}" in result.output


def test_a_changed_copy_of_a_real_source_stops_start_up(tmp_path: Path) -> None:
    folder = tmp_path / "evidence"
    shutil.copytree(FIXTURE_DIR, folder)
    manifest = load_manifest_digests(folder)
    assert manifest, "the manifest records no digest"
    name, expected = sorted(manifest.items())[0]
    with (folder / name).open("a", encoding="utf-8") as text:
        text.write(" ")
    found = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    with pytest.raises(EvidenceError) as raised:
        create_app({"TESTING": True, "EVIDENCE_DIR": folder})
    assert raised.value.problems == (
        f"manifest.toml: sha256.{name}: source text changed: expected sha256 {expected},"
        f" found {found} (after a deliberate edit, record the found digest)",
    )


def load_manifest_digests(folder: Path) -> dict[str, str]:
    """Return the copy's recorded digests, file -> sha256."""
    return dict(tomllib.loads((folder / "manifest.toml").read_text(encoding="utf-8"))["sha256"])
