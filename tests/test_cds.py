"""CDS Hooks service: discovery, signed-JWT checks (every refusal), hook bodies, the card, CORS."""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.ehr import cds_auth
from app.ehr.cds_auth import KeyCache
from app.ehr.config import ConfigError
from tests.ehr_openapi import declared_errors
from tests.ehr_stub import CLIENT_ID, Stub, serve

PUBLIC = "https://icas.test"
SERVICE = f"{PUBLIC}/cds-services/icas-evidence"
ISSUER = "https://ehr.example.org"
EHR_ORIGIN = "https://ehr.example.org"
CPT = "http://www.ama-assn.org/go/cpt"
ELECTIVE = {"setting": "symptomatic_icas", "options": ["balloon_stent"], "stenosis_percent": 80}

EC_KEY = ec.generate_private_key(ec.SECP384R1())
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_EC_KEY = ec.generate_private_key(ec.SECP384R1())


def jwk(key: Any, kid: str, alg: str) -> dict[str, Any]:
    public = jwt.algorithms.get_default_algorithms()[alg].to_jwk(key.public_key(), as_dict=True)
    return {**public, "kid": kid, "alg": alg, "use": "sig"}


@pytest.fixture(scope="module")
def stub() -> Iterator[Stub]:
    with serve() as running:
        running.jwks = {"keys": [jwk(EC_KEY, "ec-1", "ES384"), jwk(RSA_KEY, "rsa-1", "RS384")]}
        yield running


@pytest.fixture(scope="module")
def cds_app(stub: Stub) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "PUBLIC_URL": PUBLIC,
            "CDS_ISSUERS": {ISSUER: f"{stub.origin}/jwks.json"},
            "CDS_CORS_ORIGINS": [EHR_ORIGIN],
        }
    )


@pytest.fixture()
def cds(cds_app: Flask) -> FlaskClient:
    return cds_app.test_client()


def token(
    key: Any = EC_KEY,
    alg: str = "ES384",
    kid: str = "ec-1",
    headers: dict[str, Any] | None = None,
    **claims: Any,
) -> str:
    now = int(time.time())
    payload = {
        "iss": ISSUER,
        "aud": SERVICE,
        "iat": now,
        "exp": now + 300,
        "jti": str(uuid.uuid4()),
        **claims,
    }
    payload = {k: v for k, v in payload.items() if v is not None}
    return jwt.encode(
        payload, key, algorithm=alg, headers={"kid": kid, "typ": "JWT", **(headers or {})}
    )


def order(code: str, order_id: str = "sr-1", system: str = CPT) -> dict[str, Any]:
    return {
        "resource": {
            "resourceType": "ServiceRequest",
            "id": order_id,
            "status": "draft",
            "intent": "order",
            "code": {"coding": [{"system": system, "code": code}]},
            "subject": {"reference": "Patient/p-123"},
        }
    }


def hook_body(
    *orders: dict[str, Any], hook: str = "order-select", selections: Any = ...
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "userId": "Practitioner/u-1",
        "patientId": "p-123",
        "draftOrders": {"resourceType": "Bundle", "type": "collection", "entry": list(orders)},
    }
    if hook == "order-select":
        context["selections"] = (
            [f"ServiceRequest/{o['resource']['id']}" for o in orders]
            if selections is ...
            else selections
        )
    return {"hook": hook, "hookInstance": str(uuid.uuid4()), "context": context}


def call(client: FlaskClient, body: Any, bearer: str | None = None, **kwargs: Any) -> Any:
    headers = kwargs.pop("headers", {})
    if bearer is not None:
        headers["Authorization"] = f"Bearer {bearer}"
    if "data" not in kwargs and "json" not in kwargs:
        kwargs["json"] = body
    return client.post("/cds-services/icas-evidence", headers=headers, base_url=PUBLIC, **kwargs)


# --------------------------------------------------------------------------- configuration


def test_cds_routes_answer_404_without_configuration(client: FlaskClient) -> None:
    assert client.get("/cds-services").status_code == 404
    response = client.post("/cds-services/icas-evidence", json=hook_body(order("61635")))
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"CDS_ISSUERS": {ISSUER: "https://ehr.example.org/jwks"}}, "needs ICAS_PUBLIC_URL"),
        ({"PUBLIC_URL": PUBLIC, "CDS_ISSUERS": {ISSUER: "http://ehr.example.org/j"}}, "not https"),
        ({"PUBLIC_URL": PUBLIC, "CDS_ISSUERS": "[1]"}, "must be a JSON object"),
        ({"CDS_PROCEDURES": {"61630": ["laser"]}}, "must map to a list"),
        ({"CDS_CORS_ORIGINS": "https://ehr.example.org/path"}, "not an origin"),
        ({"PUBLIC_URL": "http://icas.example.org"}, "must be an https URL"),
    ],
)
def test_bad_cds_settings_stop_the_app(config: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        create_app(config)


def test_discovery_lists_the_service_on_both_order_hooks(cds: FlaskClient) -> None:
    response = cds.get("/cds-services", base_url=PUBLIC)
    assert response.status_code == 200
    services = response.get_json()["services"]
    assert [(s["hook"], s["id"]) for s in services] == [
        ("order-select", "icas-evidence"),
        ("order-sign", "icas-evidence"),
    ]
    assert all(s["title"] and "never recommends" in s["description"] for s in services)


# --------------------------------------------------------------------------- the card


def test_a_signed_stent_order_gets_one_info_card_matching_the_api(
    cds: FlaskClient, cds_app: Flask
) -> None:
    response = call(cds, hook_body(order("61635")), token())
    assert response.status_code == 200, response.get_data(as_text=True)
    (card,) = response.get_json()["cards"]
    assert card["indicator"] == "info"
    assert len(card["summary"]) < 140
    assert card["summary"] == (
        "Evidence for this order: VISSIT (randomized trial) compared a balloon-mounted stent with"
        " medical therapy."
    )
    assert "suggestions" not in card
    assert card["source"] == {
        "label": "ICAS evidence calculator",
        "url": f"{PUBLIC}/evidence/vissit",
    }
    assert card["links"] == [
        {"label": "Open the ICAS evidence calculator", "url": f"{PUBLIC}/", "type": "absolute"}
    ]
    # The numbers are /api/v1/assess's for the same comparison.
    assessed = cds_app.test_client().post("/api/v1/assess", json=ELECTIVE).get_json()
    comparison = assessed["comparisons"][0]
    assert comparison["study"]["id"] == "vissit"
    shown = assert_card_matches_api(card["detail"], comparison)
    assert shown == ["primary_safety_30d", "primary_stroke_tia_12m"]
    detail = card["detail"]
    assert "14/58" in detail and "5/53" in detail and "+14.7 pp (+0.5 to +28.2)" in detail
    assert comparison["study"]["doi"] in detail
    assert assessed["evidence_version"] in detail
    assert "not a prediction for this patient" in detail


def signed(fraction: float) -> str:
    text = f"{abs(100 * fraction):.1f}"
    return text if float(text) == 0 else ("+" if fraction > 0 else "\u2212") + text


def assert_card_matches_api(detail: str, comparison: dict[str, Any]) -> list[str]:
    """Check each outcome line of the card against the API's figures; return the outcome ids."""
    shown = []
    for line in (line for line in detail.splitlines() if line.startswith("- ")):
        outcome = next(o for o in comparison["outcomes"] if line.startswith(f"- {o['label']} ("))
        shown.append(outcome["id"])
        for arm in ("intervention", "comparator"):
            figures = outcome[arm]
            low, high = (f"{100 * bound:.1f}" for bound in figures["ci"])
            rate = f"{100 * figures['rate']:.1f}% ({low}\u2013{high})"
            assert f"{rate} · {figures['events']}/{figures['total']}" in line, (line, arm)
        difference = outcome["risk_difference"]
        if difference is not None:
            low, high = (signed(bound) for bound in difference["ci"])
            assert f"{signed(difference['value'])} pp ({low} to {high})" in line, line
    assert len(shown) >= 2
    return shown


def test_an_angioplasty_order_gets_the_angioplasty_comparison(
    cds: FlaskClient, cds_app: Flask
) -> None:
    response = call(cds, hook_body(order("61630")), token())
    (card,) = response.get_json()["cards"]
    # The study's name is long: the summary drops the design (the detail's heading has it). The
    # arms are named in the study's own order (intervention first).
    study = cds_app.extensions["evidence_base"].by_id["angioplasty-vs-stent-retro"].study
    words = {"angioplasty": "angioplasty alone", "stent_unspecified": "a stent of unstated type"}
    first, second = (words[study.arms[a].treatment] for a in (study.intervention, study.comparator))
    assert card["summary"] == (
        f"Evidence: Retrospective angioplasty vs stent (3 centres) compared {first} with {second}."
    )
    assert "(retrospective observational cohort)" in card["detail"]
    body = {"setting": "symptomatic_icas", "options": ["angioplasty"], "stenosis_percent": 80}
    assessed = cds_app.test_client().post("/api/v1/assess", json=body).get_json()
    (comparison,) = assessed["comparisons"]
    assert comparison["study"]["id"] == "angioplasty-vs-stent-retro"
    assert_card_matches_api(card["detail"], comparison)
    assert card["source"]["url"] == f"{PUBLIC}/evidence/angioplasty-vs-stent-retro"


def test_order_sign_is_answered_too(cds: FlaskClient) -> None:
    response = call(cds, hook_body(order("61635"), hook="order-sign"), token())
    assert len(response.get_json()["cards"]) == 1


@pytest.mark.parametrize(
    "body",
    [
        hook_body(order("70450")),  # a CT head: not on the list
        hook_body(order("61635", system="http://example.org/local-codes")),
        hook_body(
            order("61635", "sr-1"), order("70450", "sr-2"), selections=["ServiceRequest/sr-2"]
        ),
        hook_body(),
    ],
)
def test_other_orders_get_no_card(cds: FlaskClient, body: dict[str, Any]) -> None:
    response = call(cds, body, token())
    assert response.status_code == 200
    assert response.get_json() == {"cards": []}


def test_configured_local_codes_and_smart_link(stub: Stub) -> None:
    app = create_app(
        {
            "TESTING": True,
            "PUBLIC_URL": PUBLIC,
            "SECRET_KEY": "k" * 40,
            "SMART_CLIENT_ID": CLIENT_ID,
            "SMART_ISSUERS": "https://ehr.example.org/fhir",
            "CDS_ISSUERS": json.dumps({ISSUER: f"{stub.origin}/jwks.json"}),
            "CDS_PROCEDURES": json.dumps({"http://example.org/local|IR-STENT": ["balloon_stent"]}),
        }
    )
    client = app.test_client()
    local = hook_body(order("IR-STENT", system="http://example.org/local"))
    (card,) = call(client, local, token()).get_json()["cards"]
    assert card["links"] == [
        {"label": "Open the ICAS evidence calculator", "url": f"{PUBLIC}/launch", "type": "smart"}
    ]
    # The configured list replaces the default one.
    assert call(client, hook_body(order("61635")), token()).get_json() == {"cards": []}


# --------------------------------------------------------------------------- refusals: the token


def _expired() -> str:
    now = int(time.time())
    return token(iat=now - 600, exp=now - 300)


REFUSED_TOKENS = {
    "garbage": lambda: "not-a-jwt",
    "alg none": lambda: jwt.encode(
        {"iss": ISSUER, "aud": SERVICE, "exp": int(time.time()) + 60, "jti": "n1", "iat": 1},
        None,
        algorithm="none",
        headers={"kid": "ec-1", "typ": "JWT"},
    ),
    "HS256": lambda: token(key="a-shared-secret-of-enough-length-32b", alg="HS256"),
    "HS384": lambda: token(key="a-shared-secret-of-enough-length-48-bytes-long!!", alg="HS384"),
    "ES256": lambda: token(key=ec.generate_private_key(ec.SECP256R1()), alg="ES256"),
    "RS256": lambda: token(key=RSA_KEY, alg="RS256", kid="rsa-1"),
    "wrong key, same kid": lambda: token(key=OTHER_EC_KEY),
    "RSA key for an EC kid": lambda: token(key=RSA_KEY, alg="RS384", kid="ec-1"),
    "unknown kid": lambda: token(kid="nobody"),
    "no typ": lambda: token(headers={"typ": None}),
    "foreign issuer": lambda: token(iss="https://evil.example"),
    "discovery audience": lambda: token(aud=f"{PUBLIC}/cds-services"),
    "audience as the app sees itself": lambda: token(
        aud="http://localhost/cds-services/icas-evidence"
    ),
    "expired": _expired,
    "no exp": lambda: token(exp=None),
    "no jti": lambda: token(jti=None),
    "no iat": lambda: token(iat=None),
    "valid for a day": lambda: token(exp=int(time.time()) + 86400),
    "foreign jku": lambda: token(headers={"jku": "https://evil.example/jwks.json"}),
}


@pytest.mark.parametrize("case", sorted(REFUSED_TOKENS))
def test_refused_tokens_get_401(cds: FlaskClient, case: str) -> None:
    response = call(cds, hook_body(order("61635")), REFUSED_TOKENS[case]())
    assert response.status_code == 401, (case, response.get_json())
    assert response.get_json()["error"] == "unauthorized"
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'


def test_a_missing_or_non_bearer_authorization_gets_401_without_an_error_code(
    cds: FlaskClient,
) -> None:
    # RFC 6750 section 3.1: "If the request lacks any authentication information ..., the resource
    # server SHOULD NOT include an error code or other error information."
    body = hook_body(order("61635"))
    response = call(cds, body)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    response = call(cds, body, headers={"Authorization": f"Basic {token()}"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert "bearer JWT is required" in response.get_json()["message"]


def test_an_aud_array_naming_the_service_is_accepted(cds: FlaskClient) -> None:
    # RFC 7519 section 4.1.3: aud is a string or an array of strings; the token is for this service
    # when the array contains its URL.
    signed = token(aud=["https://other.example/cds", SERVICE])
    response = call(cds, hook_body(order("61635")), signed)
    assert response.status_code == 200, response.get_json()
    assert len(response.get_json()["cards"]) == 1
    refused = call(cds, hook_body(order("61635")), token(aud=["https://other.example/cds"]))
    assert refused.status_code == 401


def test_a_replayed_jti_gets_401(cds: FlaskClient) -> None:
    signed = token()
    assert call(cds, hook_body(order("61635")), signed).status_code == 200
    response = call(cds, hook_body(order("61635")), signed)
    assert response.status_code == 401
    assert "replay" in response.get_json()["message"]


def test_rs384_and_a_matching_jku_are_accepted(cds: FlaskClient, stub: Stub) -> None:
    signed = token(RSA_KEY, "RS384", "rsa-1", headers={"jku": f"{stub.origin}/jwks.json"})
    assert call(cds, hook_body(order("61635")), signed).status_code == 200


def test_keys_are_fetched_once_and_cached(stub: Stub) -> None:
    app = create_app(
        {"TESTING": True, "PUBLIC_URL": PUBLIC, "CDS_ISSUERS": {ISSUER: f"{stub.origin}/jwks.json"}}
    )
    client = app.test_client()
    before = stub.jwks_fetches
    for _ in range(3):
        assert call(client, hook_body(order("61635")), token()).status_code == 200
    assert stub.jwks_fetches == before + 1
    # An unknown kid does not make every request refetch the keys.
    for _ in range(3):
        assert call(client, hook_body(), token(kid="rotated")).status_code == 401
    assert stub.jwks_fetches == before + 1


def test_unreachable_keys_refuse_the_token() -> None:
    app = create_app(
        {"TESTING": True, "PUBLIC_URL": PUBLIC, "CDS_ISSUERS": {ISSUER: "http://127.0.0.1:9/jwks"}}
    )
    response = call(app.test_client(), hook_body(order("61635")), token())
    assert response.status_code == 401
    assert "could not be fetched" in response.get_json()["message"]


# --------------------------------------------------------------------------- a failing or hanging key server


class Clock:
    """A clock the test moves, for the key cache's hour and minute."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def keyed(stub: Stub) -> Iterator[tuple[FlaskClient, Clock]]:
    """A CDS app whose key cache runs on a test clock, its ec-1 key already cached."""
    app = create_app(
        {"TESTING": True, "PUBLIC_URL": PUBLIC, "CDS_ISSUERS": {ISSUER: f"{stub.origin}/jwks.json"}}
    )
    clock = Clock()
    app.extensions["ehr_cds"]["keys"] = KeyCache(clock=clock)
    client = app.test_client()
    stub.reset()
    assert call(client, hook_body(order("61635")), token()).status_code == 200
    assert stub.jwks_fetches == 1
    yield client, clock
    stub.reset()


UNSIGNED = jwt.encode(
    {"iss": ISSUER, "aud": SERVICE, "jti": "u"}, None, algorithm="none", headers={"kid": "x"}
)


def test_tokens_that_name_no_allowed_issuer_or_no_signature_never_fetch_keys(
    keyed: tuple[FlaskClient, Clock], stub: Stub
) -> None:
    client, clock = keyed
    clock.now += 3 * 3600  # the cached keys are stale: any fetch allowed would happen now
    for _ in range(10):
        assert call(client, hook_body(), UNSIGNED).status_code == 401
        assert call(client, hook_body(), token(iss="https://other.example")).status_code == 401
        assert call(client, hook_body(), token(alg="HS384", key="k" * 48)).status_code == 401
    assert stub.jwks_fetches == 1


def test_a_failing_key_server_is_asked_at_most_once_a_minute(
    keyed: tuple[FlaskClient, Clock], stub: Stub
) -> None:
    client, clock = keyed
    stub.behaviour["jwks_fail"] = True
    clock.now += 61  # past the minute: an unknown kid may fetch again
    for _ in range(30):
        response = call(client, hook_body(), token(kid="rotated"))
        assert response.status_code == 401
    assert stub.jwks_fetches == 2  # one fetch, failed and remembered
    # A signed call with a cached key is answered without any fetch.
    assert call(client, hook_body(order("61635")), token()).status_code == 200
    assert stub.jwks_fetches == 2
    clock.now += 61  # the failure is forgotten after a minute: one more try
    for _ in range(5):
        assert call(client, hook_body(), token(kid="rotated")).status_code == 401
    assert stub.jwks_fetches == 3


def test_a_hanging_key_server_never_holds_up_a_call_with_a_cached_key(
    keyed: tuple[FlaskClient, Clock], stub: Stub, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, clock = keyed
    # The fetch waits until the stub is released (its timeout raised well past the test).
    monkeypatch.setattr(cds_auth, "FETCH_TIMEOUT", 60.0)
    stub.behaviour["jwks_hang"] = True
    clock.now += 61
    answers: list[int] = []
    fetcher = threading.Thread(
        target=lambda: answers.append(call(client, hook_body(), token(kid="new")).status_code)
    )
    fetcher.start()
    try:
        for _ in range(200):  # until the stub has the fetch (at most 10 s)
            if stub.jwks_fetches == 2:
                break
            time.sleep(0.05)
        assert stub.jwks_fetches == 2
        # While that fetch hangs: a call with the cached key is answered, so it did not wait on it
        # (the fetcher is still waiting), and another unknown kid starts no second fetch.
        assert call(client, hook_body(order("61635")), token()).status_code == 200
        assert call(client, hook_body(), token(kid="other")).status_code == 401
        assert fetcher.is_alive() and not answers
        assert stub.jwks_fetches == 2
    finally:
        stub.release.set()
        fetcher.join(timeout=30)
    assert answers == [401]  # the kid is not among the keys the stub finally sent


# --------------------------------------------------------------------------- refusals: the body


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"json": [1, 2]}, "must be a JSON object"),
        ({"json": {**hook_body(order("61635")), "hook": "patient-view"}}, "hook must be one of"),
        ({"json": {"hook": "order-select", "context": {}}}, "hookInstance"),
        ({"json": {"hook": "order-sign", "hookInstance": "h", "context": []}}, "context"),
        (
            {"json": {"hook": "order-sign", "hookInstance": "h", "context": {"draftOrders": []}}},
            "must be a FHIR Bundle",
        ),
        ({"json": hook_body(order("61635"), selections="ServiceRequest/sr-1")}, "selections"),
        (
            {
                "json": {
                    "hook": "order-sign",
                    "hookInstance": "h",
                    "context": {"draftOrders": {"resourceType": "Bundle", "entry": [1]}},
                }
            },
            "must hold a resource",
        ),
    ],
)
def test_malformed_bodies_get_400_json(
    cds: FlaskClient, kwargs: dict[str, Any], message: str
) -> None:
    response = call(cds, None, token(), **kwargs)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json()["error"] == "bad_request"
    assert message in response.get_json()["message"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"data": "{not json", "content_type": "application/json"},
            "The request body is not valid JSON.",
        ),
        (
            {"data": "hook=order-select", "content_type": "text/plain"},
            "The request body must be JSON (Content-Type: application/json).",
        ),
    ],
)
def test_bodies_that_are_not_json_get_the_apis_415(
    cds: FlaskClient, kwargs: dict[str, Any], message: str
) -> None:
    # One body reader for every route: the same answer as /api/v1/assess gives.
    response = call(cds, None, token(), **kwargs)
    assert response.status_code == 415
    assert response.get_json() == {"error": "unsupported_media_type", "message": message}


def test_duplicate_keys_get_the_apis_422(cds: FlaskClient) -> None:
    data = json.dumps(hook_body(order("61635")))[:-1] + ', "hook": "order-sign"}'
    response = call(cds, None, token(), data=data, content_type="application/json")
    assert response.status_code == 422
    assert response.get_json() == {
        "error": "validation_failed",
        "fields": {"hook": ["Given more than once; give each field once."]},
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"hook": "order-sign", "hookInstance": "h", "context": {"patientId": "p"}},
            "context.draftOrders is required and was not sent.",
        ),
        (
            hook_body(order("61635"), selections=None),
            "context.selections is required for order-select.",
        ),
    ],
)
def test_a_hook_call_missing_its_required_context_gets_400(
    cds: FlaskClient, body: dict[str, Any], message: str
) -> None:
    # CDS Hooks 2.0: draftOrders (order-select and order-sign) and selections (order-select) are
    # required context; a call without them is a bad request. 412 is for prefetch or FHIR data the
    # service cannot obtain, which this service never needs.
    response = call(cds, body, token())
    assert response.status_code == 400
    assert response.get_json() == {"error": "bad_request", "message": message}


def test_an_unsigned_body_is_not_read(cds: FlaskClient) -> None:
    # The token is checked first: a malformed body without a token is a 401, not a 400.
    assert call(cds, None, data="{not json", content_type="application/json").status_code == 401


def test_bodies_up_to_512_kb_are_read_and_larger_ones_refused(cds: FlaskClient) -> None:
    big = hook_body(order("61635"))
    big["prefetch"] = {"padding": "x" * 100_000}
    assert call(cds, big, token()).status_code == 200
    big["prefetch"] = {"padding": "x" * 600_000}
    response = call(cds, big, token())
    assert response.status_code == 413
    assert response.get_json()["error"] == "payload_too_large"


def test_no_request_body_is_logged(cds: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    assert call(cds, hook_body(order("61635")), token()).status_code == 200
    assert call(cds, hook_body(order("61635")), "bad").status_code == 401
    logged = " ".join(r.getMessage() for r in caplog.records if r.name != "werkzeug")
    assert "p-123" not in logged and "u-1" not in logged and "61635" not in logged


# --------------------------------------------------------------------------- CORS


def test_cors_only_for_configured_origins(cds: FlaskClient) -> None:
    body = hook_body(order("61635"))
    allowed = call(cds, body, token(), headers={"Origin": EHR_ORIGIN})
    assert allowed.headers["Access-Control-Allow-Origin"] == EHR_ORIGIN
    assert "Origin" in allowed.headers["Vary"]
    assert "Access-Control-Allow-Credentials" not in allowed.headers
    other = call(cds, body, token(), headers={"Origin": "https://evil.example"})
    assert other.status_code == 200
    assert "Access-Control-Allow-Origin" not in other.headers
    preflight = cds.options(
        "/cds-services/icas-evidence",
        base_url=PUBLIC,
        headers={"Origin": EHR_ORIGIN, "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == EHR_ORIGIN
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    discovery = cds.get(
        "/cds-services", base_url=PUBLIC, headers={"Origin": "https://evil.example"}
    )
    assert "Access-Control-Allow-Origin" not in discovery.headers


# --------------------------------------------------------------------------- the OpenAPI document


def test_answers_match_the_openapi_document(cds: FlaskClient, cds_app: Flask) -> None:
    path = "/cds-services/icas-evidence"
    discovery = cds.get("/cds-services", base_url=PUBLIC)
    assert declared_errors(cds_app, "/cds-services", "get", 200, discovery.get_json()) == []
    answers = {
        200: call(cds, hook_body(order("61635")), token()),
        400: call(cds, [1], token()),
        401: call(cds, hook_body(order("61635"))),
        415: call(cds, None, token(), data="x", content_type="text/plain"),
        422: call(cds, None, token(), data='{"a": 1, "a": 2}', content_type="application/json"),
    }
    for status, response in answers.items():
        assert response.status_code == status
        assert declared_errors(cds_app, path, "post", status, response.get_json()) == [], status
    # The checker sees a wrong shape.
    assert declared_errors(cds_app, path, "post", 200, {"card": []}) != []


def test_unconfigured_answers_match_the_openapi_document(client: FlaskClient, app: Flask) -> None:
    response = client.post("/cds-services/icas-evidence", json=hook_body())
    assert response.status_code == 404
    assert (
        declared_errors(app, "/cds-services/icas-evidence", "post", 404, response.get_json()) == []
    )
    response = client.put("/cds-services/icas-evidence")
    assert response.status_code == 405 and response.mimetype == "text/html"
