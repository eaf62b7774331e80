"""The curator's edits of tests/check_new_study.sh leave evidence the loader accepts."""

from __future__ import annotations

import ast
import shutil
import tomllib
from pathlib import Path

from app.evidence.loader import load_evidence
from app.evidence.model import EvidenceError
from tests.edit_evidence import main
from tests.evidence_dirs import FIXTURE_DIR
from tests.new_study import FIXTURE as NEW_STUDY

ROOT = Path(__file__).resolve().parent.parent


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


def test_a_new_criterion_field_is_the_contract_and_the_study_files(tmp_path: Path) -> None:
    # The edit writes only app/contract/scenario.py and study files (and the fictional trial's
    # abstract, with its digest); the folder it leaves must still be read by the real loader.
    root = tmp_path / "repo"
    (root / "app" / "contract").mkdir(parents=True)
    shutil.copy(ROOT / "app" / "contract" / "scenario.py", root / "app" / "contract")
    shutil.copytree(FIXTURE_DIR, root / "tests" / "fixtures" / "evidence")
    evidence = Path(shutil.copytree(FIXTURE_DIR, root / "evidence"))
    main([str(evidence), "add", str(NEW_STUDY), "criterion", "edit_check_field"])
    contract = (root / "app" / "contract" / "scenario.py").read_text(encoding="utf-8")
    assert (
        contract.count('"edit_check_field"') == 1
        and "    edit_check_field: bool | None = None\n" in contract
    )
    ast.parse(contract)
    for study in [*evidence.glob("studies/*.toml"), *root.glob("tests/fixtures/*/studies/*.toml")]:
        stated = tomllib.loads(study.read_text(encoding="utf-8"))["criteria"]["edit_check_field"]
        expected = (
            {"excluded": True}
            if study.parent.parent == evidence and "second" in study.name
            else {"reported": False}
        )
        assert expected.items() <= stated.items(), study
    # The loader here knows no such field: it names the new table in every study, and nothing else.
    try:
        load_evidence(evidence)
    except EvidenceError as error:
        assert all("criteria.edit_check_field" in p for p in error.problems), error.problems
        assert len(error.problems) == 6
    else:
        raise AssertionError("the unchanged contract accepted an unknown criterion")
