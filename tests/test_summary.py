"""POST /summary: the live summary as a server-rendered fragment, private and never cached."""

from __future__ import annotations

import logging

import pytest
from flask.testing import FlaskClient

from tests.test_privacy import FORM, LEAKS

VISSIT = {
    "setting": "symptomatic_icas",
    "options": ["medical", "balloon_stent"],
    "stenosis_percent": "80",
    "symptomatic": "yes",
    "days_since_event": "10",
    "age": "64",
}


def fragment(client: FlaskClient, data: dict[str, object]) -> tuple[int, str, dict[str, str]]:
    response = client.post("/summary", data=data)
    return response.status_code, response.get_data(as_text=True), dict(response.headers)


def test_incomplete_form_names_what_is_missing_and_what_is_unreadable(
    client: FlaskClient,
) -> None:
    status, html, headers = fragment(client, {"setting": "symptomatic_icas", "age": "abc"})
    assert status == 422
    assert headers["Cache-Control"] == "no-store"
    assert (
        "<li>To see a quick summary, complete: Treatment options being weighed;"
        " Degree of stenosis (%).</li>"
    ) in html
    assert "<li>Age (years): enter a whole number.</li>" in html
    assert "live-comparison" not in html


def test_a_value_the_contract_refuses_is_named_with_its_message(client: FlaskClient) -> None:
    status, html, _ = fragment(client, {**VISSIT, "age": "3"})
    assert status == 422
    assert "<li>Age (years): Must be from 18 to 120; got 3.</li>" in html


def test_fields_the_setting_does_not_use_are_not_read(client: FlaskClient) -> None:
    # Text in a field the acute setting ignores is neither validated nor reported here.
    data = {"setting": "lvo_icas", "options": ["angioplasty"], "days_since_event": "abc"}
    status, html, _ = fragment(client, data)
    assert status == 200
    assert "No study in this evidence base includes angioplasty alone in this setting" in html
    assert "whole number" not in html


def test_the_scenario_is_read_from_the_body_only(client: FlaskClient) -> None:
    assert client.get("/summary").status_code == 405
    response = client.post("/summary?setting=symptomatic_icas&options=medical", data={})
    assert response.status_code == 422
    assert "complete: Clinical setting; Treatment options being weighed." in response.get_data(
        as_text=True
    )


def test_summary_values_never_reach_app_logs(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for data in (FORM, {**FORM, "age": "abc"}):
        response = client.post("/summary", data=data)
        assert response.status_code in (200, 422)
        assert "Set-Cookie" not in response.headers
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records)
    for pattern in LEAKS:
        assert not pattern.search(logged), pattern.pattern
