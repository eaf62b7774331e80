"""A stub EHR for the tests: SMART authorization server, FHIR server and a JWKS, on loopback.

A small Flask app served by Werkzeug in a thread. It checks what a real EHR would check (PKCE S256
against the challenge it was sent, the redirect URI, the client id, the bearer token) and records
each request's parameters, so tests can assert what the app sent. ``behaviour`` changes answers
(a discovery without S256, a refused token, a patient without a birth date...).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import Flask, abort, jsonify, redirect, request
from markupsafe import escape
from werkzeug.serving import make_server

CLIENT_ID = "icas-test-client"
PATIENT_ID = "p-123"


@dataclass
class Stub:
    origin: str = ""
    behaviour: dict[str, Any] = field(default_factory=dict)
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    token_authorizations: list[str] = field(default_factory=list)
    patient_reads: int = 0
    jwks_fetches: int = 0
    jwks: dict[str, Any] = field(default_factory=lambda: {"keys": []})
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    tokens: set[str] = field(default_factory=set)
    iframe_src: str = ""
    discovery_fetches: int = 0
    # Set to end a hanging answer (behaviour "jwks_hang" or "discovery_hang").
    release: threading.Event = field(default_factory=threading.Event)

    @property
    def iss(self) -> str:
        return f"{self.origin}/fhir"

    def reset(self) -> None:
        self.behaviour.clear()
        self.authorize_requests.clear()
        self.token_requests.clear()
        self.token_authorizations.clear()
        self.patient_reads = 0
        self.jwks_fetches = 0
        self.discovery_fetches = 0
        self.release.set()  # let any hanging answer end
        self.release = threading.Event()


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def build(stub: Stub) -> Flask:
    ehr = Flask("ehr_stub")

    @ehr.get("/fhir/.well-known/smart-configuration")
    def configuration() -> Any:
        stub.discovery_fetches += 1
        if stub.behaviour.get("discovery_fail"):
            abort(503)
        document = {
            "authorization_endpoint": f"{stub.origin}/auth",
            "token_endpoint": f"{stub.origin}/token",
            "code_challenge_methods_supported": stub.behaviour.get("methods", ["S256"]),
            "capabilities": ["launch-ehr", "client-public"],
        }
        return jsonify(document)

    @ehr.get("/auth")
    def authorize() -> Any:
        params = dict(request.args)
        stub.authorize_requests.append(params)
        if params.get("client_id") != CLIENT_ID or params.get("code_challenge_method") != "S256":
            abort(400)
        if stub.behaviour.get("deny"):
            return redirect(f"{params['redirect_uri']}?error=access_denied&state={params['state']}")
        code = secrets.token_urlsafe(16)
        stub.codes[code] = params
        query = urlencode({"code": code, "state": params["state"]})
        return redirect(f"{params['redirect_uri']}?{query}")

    @ehr.post("/token")
    def token() -> Any:
        form = dict(request.form)
        stub.token_requests.append(form)
        stub.token_authorizations.append(request.headers.get("Authorization", ""))
        sent = stub.codes.pop(form.get("code", ""), None)
        if (
            sent is None
            or stub.behaviour.get("refuse_token")
            or form.get("grant_type") != "authorization_code"
            or form.get("redirect_uri") != sent["redirect_uri"]
            or _s256(form.get("code_verifier", "")) != sent["code_challenge"]
        ):
            return jsonify({"error": "invalid_grant"}), 400
        access = secrets.token_urlsafe(16)
        stub.tokens.add(access)
        answer = {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": 300,
            "scope": sent["scope"],
            "refresh_token": "never-kept",
        }
        if not stub.behaviour.get("no_patient"):
            answer["patient"] = PATIENT_ID
        return jsonify(answer)

    @ehr.get("/fhir/Patient/<patient_id>")
    def patient(patient_id: str) -> Any:
        stub.patient_reads += 1
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if bearer not in stub.tokens or patient_id != PATIENT_ID:
            abort(401)
        resource: dict[str, Any] = {
            "resourceType": "Patient",
            "id": PATIENT_ID,
            "name": [{"family": "Testperson", "given": ["Alexa"]}],
        }
        if stub.behaviour.get("birth_date") is not None:
            resource["birthDate"] = stub.behaviour["birth_date"]
        return jsonify(resource)

    @ehr.get("/jwks.json")
    def jwks() -> Any:
        stub.jwks_fetches += 1
        if stub.behaviour.get("jwks_fail"):
            abort(503)
        if stub.behaviour.get("jwks_hang"):
            stub.release.wait(60)  # a key server that accepts and never answers
        return jsonify(stub.jwks)

    @ehr.get("/ehr")
    def ehr_page() -> str:
        # The EHR's page embedding the app, as EHRs embed SMART apps (?src= embeds another page).
        src = escape(request.args.get("src", stub.iframe_src))
        frame = f'<iframe src="{src}" title="ICAS" width="1200" height="800"></iframe>'
        return f"<!doctype html><title>EHR</title>{frame}"

    return ehr


@contextmanager
def serve(host: str = "127.0.0.1") -> Iterator[Stub]:
    """Run a stub EHR on a free loopback port for the duration of the block."""
    stub = Stub()
    server = make_server(host, 0, build(stub), threaded=True)
    stub.origin = f"http://{host}:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, name="ehr-stub", daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        stub.release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
