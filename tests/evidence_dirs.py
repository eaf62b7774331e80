"""The two evidence folders of the suite: the tests' frozen copy and the shipped evidence/.

Behaviour tests run on FIXTURE_DIR, a frozen copy of the evidence that only the tests change, so
adding, correcting or retracting a study in evidence/ breaks none of them (tests/fixtures/README.md).
Only tests marked `shipped_evidence` read SHIPPED_DIR, the folder the app serves by default.
"""

from __future__ import annotations

from pathlib import Path

from app.evidence.model import DEFAULT_DIR

FIXTURE_DIR = Path(__file__).resolve().parent / "fixtures" / "evidence"
SHIPPED_DIR = DEFAULT_DIR
