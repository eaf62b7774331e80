"""Shared fixtures: the Flask app and its test client, built as the factory builds them.

The suite runs on the tests' frozen copy of the evidence (tests/evidence_dirs.py): the `app`
fixture reads it, and ICAS_EVIDENCE_DIR, set here before any test module is imported, points every
other create_app() and every server or `flask` command a test starts at it too. Tests of the shipped
evidence itself (marker `shipped_evidence`) name evidence/ explicitly.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.cli import ENV_EVIDENCE_DIR
from tests.evidence_dirs import FIXTURE_DIR

os.environ[ENV_EVIDENCE_DIR] = str(FIXTURE_DIR)
SHIPPED = Path(__file__).resolve().parent / "shipped"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Refuse a test that reads the shipped evidence without the marker that says so."""
    unmarked = [
        item.nodeid
        for item in items
        if ("shipped_server" in getattr(item, "fixturenames", ()) or item.path.parent == SHIPPED)
        and item.get_closest_marker("shipped_evidence") is None
    ]
    if unmarked:
        raise pytest.UsageError(f"read evidence/ without the shipped_evidence marker: {unmarked}")


@pytest.fixture(scope="session")
def app() -> Iterator[Flask]:
    application = create_app({"TESTING": True, "EVIDENCE_DIR": FIXTURE_DIR})
    yield application


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()
