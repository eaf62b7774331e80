"""Shared fixtures: the Flask app and its test client, built as the factory builds them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app


@pytest.fixture(scope="session")
def app() -> Iterator[Flask]:
    application = create_app({"TESTING": True})
    yield application


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()
