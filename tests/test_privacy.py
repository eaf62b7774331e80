"""Privacy and security by construction: headers, no cookies, no scenario values in any log."""

from __future__ import annotations

import json
import logging
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from app.http.security import CONTENT_SECURITY_POLICY

ROOT = Path(__file__).resolve().parent.parent
# Values a log line could hold only by leaking them: sizes end in "B" and durations in "ms", and no
# timestamp field reaches 83 or 97, so a whole-word match can only be a scenario value.
DISTINCT = {"days_since_event": 3141, "age": 97, "stenosis_percent": 83}
LEAKS = [re.compile(rf"(?<![\w.]){value}(?![\w.])") for value in DISTINCT.values()]
LEAKS.append(re.compile("basilar"))
SCENARIO = {
    "setting": "symptomatic_icas",
    "options": ["medical", "balloon_stent"],
    "symptomatic": True,
    "artery": "basilar",
    **DISTINCT,
}
FORM = {
    "setting": "symptomatic_icas",
    "options": ["medical", "balloon_stent"],
    "symptomatic": "yes",
    "artery": "basilar",
    **{k: str(v) for k, v in DISTINCT.items()},
}


def responses(client: FlaskClient) -> Iterator[tuple[str, object]]:
    yield "GET /", client.get("/")
    yield "POST / ", client.post("/", data=FORM)
    yield "POST / patient", client.post("/", data={**FORM, "view": "patient"})
    yield "POST / options", client.post("/", data={**FORM, "view": "options"})
    yield "POST / note", client.post("/", data={**FORM, "view": "note"})
    yield "POST / invalid", client.post("/", data={**FORM, "age": "abc"})
    yield "POST /api/v1/assess", client.post("/api/v1/assess", json=SCENARIO)
    yield "POST /api/v1/assess 422", client.post("/api/v1/assess", json={**SCENARIO, "age": 3})
    yield "POST /api/v1/assess/note", client.post("/api/v1/assess/note", json=SCENARIO)
    yield "GET /evidence", client.get("/evidence")
    yield "GET /healthz", client.get("/healthz")
    static = client.get("/static/css/app.css")
    static.close()  # a file response holds its file open until closed
    yield "GET /static/css/app.css", static
    yield "GET /nope", client.get("/nope")
    yield "PUT /", client.put("/")


def test_security_headers_on_every_response(client: FlaskClient) -> None:
    for name, response in responses(client):
        headers = response.headers  # type: ignore[attr-defined]
        assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, name
        assert headers["X-Content-Type-Options"] == "nosniff", name
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin", name
        assert "Set-Cookie" not in headers, name
        if name.startswith("POST / "):
            # The form's pages: this browser alone keeps them, for Back (no proxy, no reuse).
            assert headers["Cache-Control"] == "private, no-cache", name
        elif "static" not in name:
            assert headers["Cache-Control"] == "no-store", name


def test_policy_forbids_inline_code_and_other_origins() -> None:
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    for directive in (
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ):
        assert directive in CONTENT_SECURITY_POLICY


def test_scenario_values_never_reach_app_logs(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for _name, response in responses(client):
        assert response.status_code < 500  # type: ignore[attr-defined]
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records)
    for pattern in LEAKS:
        assert not pattern.search(logged), pattern.pattern


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_access_log_carries_no_scenario_values(tmp_path: Path) -> None:
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                "app/gunicorn_conf.py",
                "--workers",
                "1",
                "--bind",
                f"127.0.0.1:{port}",
                "app:create_app()",
            ],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                try:
                    urllib.request.urlopen(f"{base}/healthz", timeout=2).read()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
            request = urllib.request.Request(
                f"{base}/api/v1/assess",
                data=json.dumps(SCENARIO).encode(),
                headers={"Content-Type": "application/json"},
                method="POST",
            )
            assert urllib.request.urlopen(request, timeout=10).status == 200
            form = (
                "&".join(f"{k}={v}" for k, v in FORM.items() if k != "options")
                + "&options=medical&options=balloon_stent"
            )
            page = urllib.request.Request(f"{base}/", data=form.encode(), method="POST")
            assert urllib.request.urlopen(page, timeout=10).status == 200
        finally:
            server.terminate()
            server.wait(timeout=30)
    text = log.read_text()
    assert '"POST /api/v1/assess" 200' in text  # the access log is on, in the documented format
    for pattern in LEAKS:
        assert not pattern.search(text), pattern.pattern
