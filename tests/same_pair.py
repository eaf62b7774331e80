"""Fixture evidence with two studies that compare the same pair of options in the same setting."""

from __future__ import annotations

from pathlib import Path

from tests.minimal_study import MANIFEST, STUDY, write_evidence

SECOND_STUDY = STUDY.replace('id = "mini"', 'id = "mini-two"').replace(
    'short_name = "Mini"', 'short_name = "Mini Two"'
)
TWO_STUDIES = MANIFEST.replace(
    '"studies/mini.toml"]', '"studies/mini.toml", "studies/mini-two.toml"]'
)


def write_same_pair(root: Path) -> Path:
    """Write the mini study and a second one weighing the same stent and medical arms; return root."""
    write_evidence(root, manifest=TWO_STUDIES)
    (root / "studies" / "mini-two.toml").write_text(SECOND_STUDY, encoding="utf-8")
    return root
