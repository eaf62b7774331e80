"""The shipped evidence/, analysed and served, for the tests of its own content."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from app import create_app
from app.analysis.base import EvidenceBase, analyse
from app.evidence.loader import load_evidence
from tests.evidence_dirs import SHIPPED_DIR


@pytest.fixture(scope="session")
def app() -> Iterator[Flask]:
    """The app on evidence/ (the suite's own `app` reads the tests' frozen copy)."""
    yield create_app({"TESTING": True, "EVIDENCE_DIR": SHIPPED_DIR})


@pytest.fixture(scope="module")
def base() -> EvidenceBase:
    return analyse(load_evidence(SHIPPED_DIR))
