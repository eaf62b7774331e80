"""The fictional fourth study of tests/fixtures/new_study/, as a one-study evidence folder."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "new_study"


def write_new_study(root: Path) -> Path:
    """Copy the fixture study and its source under `root` with a manifest listing it; return root."""
    shutil.copytree(FIXTURE / "studies", root / "studies")
    shutil.copytree(FIXTURE / "sources", root / "sources")
    studies = ", ".join(f'"studies/{p.name}"' for p in sorted((root / "studies").glob("*.toml")))
    digests = "".join(
        f'"sources/{p.name}" = "{hashlib.sha256(p.read_bytes()).hexdigest()}"\n'
        for p in sorted((root / "sources").iterdir())
    )
    (root / "manifest.toml").write_text(
        f"schema_version = 1\nrevision = 2026-01-01\nstudies = [{studies}]\n\n[sha256]\n{digests}",
        encoding="utf-8",
    )
    return root
