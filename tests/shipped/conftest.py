"""The analysed shipped evidence, shared by the shipped-evidence tests."""

from __future__ import annotations

import pytest

from app.analysis.base import EvidenceBase, analyse
from app.evidence.loader import load_evidence


@pytest.fixture(scope="module")
def base() -> EvidenceBase:
    return analyse(load_evidence())
