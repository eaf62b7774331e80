"""The API's answers that name the shipped studies: their ids, counts and lists."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.http.context import evidence_base
from tests.scenarios import VISSIT_LIKE
from tests.test_api import post, strict_json

pytestmark = pytest.mark.shipped_evidence


def test_assess_answers_the_engine_result(app: Flask, client: FlaskClient) -> None:
    status, body = post(client, "/api/v1/assess", VISSIT_LIKE)
    assert status == 200
    with app.app_context():
        assert body["evidence_version"] == evidence_base().version
    assert [c["study"]["id"] for c in body["comparisons"]] == ["vissit"]
    assert body["warnings"] == []


def test_not_found_is_json(client: FlaskClient) -> None:
    response = client.get("/api/v1/evidence/nope")
    assert response.status_code == 404
    assert strict_json(response) == {
        "error": "not_found",
        "message": "There is no study with this id; studies are: vissit,"
        " angioplasty-vs-stent-retro, rescue-icas-ses-bms, sammpris, cassiss, basis,"
        " rescue-stenting-meta-2023.",
    }
    response = client.get("/api/v1/nothing")
    assert response.status_code == 404
    assert strict_json(response) == {
        "error": "not_found",
        "message": "There is no page at this address.",
    }


def test_evidence_list(app: Flask, client: FlaskClient) -> None:
    response = client.get("/api/v1/evidence")
    assert response.status_code == 200
    body = strict_json(response)
    assert [s["id"] for s in body["studies"]] == [
        "vissit",
        "angioplasty-vs-stent-retro",
        "rescue-icas-ses-bms",
        "sammpris",
        "cassiss",
        "basis",
        "rescue-stenting-meta-2023",
    ]
    with app.app_context():
        assert body["evidence_version"] == evidence_base().version
