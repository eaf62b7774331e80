"""The curator's edits of tests/check_new_study.sh leave evidence the loader accepts."""

from __future__ import annotations

import shutil
from pathlib import Path

from app.evidence.loader import load_evidence
from tests.edit_evidence import main
from tests.evidence_dirs import FIXTURE_DIR
from tests.new_study import FIXTURE as NEW_STUDY


def copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURE_DIR, tmp_path / "evidence"))


def test_retracting_a_study_drops_it_and_the_digests_only_it_used(tmp_path: Path) -> None:
    evidence = copy(tmp_path)
    main([str(evidence), "remove", "vissit"])
    loaded = load_evidence(evidence)
    assert [s.id for s in loaded.studies] == [
        "angioplasty-vs-stent-retro",
        "rescue-icas-ses-bms",
        "sammpris",
        "cassiss",
    ]
    manifest = (evidence / "manifest.toml").read_text(encoding="utf-8")
    assert "vissit-abstract.txt" not in manifest
    assert '"sources/evidence-notes.md" = ' in manifest  # still used by two studies
    assert (evidence / "sources" / "vissit-abstract.txt").exists()


def test_adding_a_study_lists_it_and_records_its_digests(tmp_path: Path) -> None:
    evidence = copy(tmp_path)
    main([str(evidence), "add", str(NEW_STUDY)])
    ids = [s.id for s in load_evidence(evidence).studies]
    assert ids[:5] == [s.id for s in load_evidence(FIXTURE_DIR).studies]
    assert ids[5:] == ["second-trial"]
