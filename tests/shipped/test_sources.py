"""The shipped source texts: the one documented correction is in place, and its digest is recorded."""

from __future__ import annotations

import hashlib
import tomllib

import pytest

from tests.evidence_dirs import SHIPPED_DIR

pytestmark = pytest.mark.shipped_evidence


def test_vissit_copy_has_the_documented_fix() -> None:
    stored = (SHIPPED_DIR / "sources" / "vissit-abstract.txt").read_text(encoding="utf-8")
    assert "(≥70%)" in stored
    assert "â‰¥" not in stored


def test_every_shipped_source_text_has_its_digest_recorded() -> None:
    manifest = tomllib.loads((SHIPPED_DIR / "manifest.toml").read_text(encoding="utf-8"))
    on_disk = {
        f"sources/{p.name}": hashlib.sha256(p.read_bytes()).hexdigest()
        for p in (SHIPPED_DIR / "sources").iterdir()
    }
    assert manifest["sha256"] == on_disk
