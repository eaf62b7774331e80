"""SMART EHR launch against the stub EHR on loopback: discovery, PKCE, state, cookie, pre-fill."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer

from app import create_app
from app.ehr.config import ConfigError
from app.ehr.smart import DISCOVERIES, Discoveries, age_on
from tests.ehr_stub import CLIENT_ID, PATIENT_ID, Stub, serve

PUBLIC = "https://icas.test"
SECRET = "s" * 40
TODAY = dt.date.today()


@pytest.fixture(scope="module")
def stub() -> Iterator[Stub]:
    with serve() as running:
        yield running


@pytest.fixture()
def ehr(stub: Stub) -> Stub:
    stub.reset()
    stub.behaviour["birth_date"] = f"{TODAY.year - 65}-01-01"
    return stub


@pytest.fixture(scope="module")
def smart_app(stub: Stub) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "PUBLIC_URL": PUBLIC,
            "SECRET_KEY": SECRET,
            "SMART_CLIENT_ID": CLIENT_ID,
            "SMART_ISSUERS": [stub.iss],
        }
    )


@pytest.fixture()
def browser(smart_app: Flask) -> FlaskClient:
    # Each test starts with no SMART configuration cached (tests change what the stub answers).
    smart_app.extensions[DISCOVERIES] = Discoveries()
    return smart_app.test_client()


def start(client: FlaskClient, ehr: Stub) -> tuple[Any, dict[str, str]]:
    response = client.get(f"/launch?iss={ehr.iss}&launch=opaque-launch-1", base_url=PUBLIC)
    assert response.status_code == 302, response.get_data(as_text=True)
    query = {k: v[0] for k, v in parse_qs(urlsplit(response.location).query).items()}
    return response, query


def launch_to_callback(client: FlaskClient, ehr: Stub) -> str:
    import requests

    _, query = start(client, ehr)
    response = requests.get(f"{ehr.origin}/auth", params=query, allow_redirects=False, timeout=5)
    parts = urlsplit(response.headers["Location"])
    assert f"{parts.scheme}://{parts.netloc}" == PUBLIC
    return f"{parts.path}?{parts.query}"


def set_cookies(response: Any) -> list[str]:
    return [v for k, v in response.headers.items() if k.lower() == "set-cookie"]


# --------------------------------------------------------------------------- configuration


def test_launch_routes_answer_404_without_configuration(client: FlaskClient) -> None:
    assert client.get("/launch?iss=https://ehr.example/fhir&launch=x").status_code == 404
    assert client.get("/launch/callback?code=a&state=b").status_code == 404


def test_partial_smart_configuration_stops_the_app() -> None:
    with pytest.raises(ConfigError, match="SMART launch needs"):
        create_app({"SMART_CLIENT_ID": CLIENT_ID})
    with pytest.raises(ConfigError, match="SMART_ISSUERS: not https"):
        create_app(
            {
                "PUBLIC_URL": PUBLIC,
                "SECRET_KEY": SECRET,
                "SMART_CLIENT_ID": CLIENT_ID,
                "SMART_ISSUERS": "http://ehr.example/fhir",
            }
        )
    with pytest.raises(ConfigError, match="SECRET_KEY must be at least 32"):
        create_app({"SECRET_KEY": "short"})


def test_settings_come_from_icas_environment_variables(
    monkeypatch: pytest.MonkeyPatch, stub: Stub
) -> None:
    monkeypatch.setenv("ICAS_PUBLIC_URL", PUBLIC)
    monkeypatch.setenv("ICAS_SECRET_KEY", SECRET)
    monkeypatch.setenv("ICAS_SMART_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("ICAS_SMART_ISSUERS", f"https://other.example/fhir {stub.iss}")
    settings = create_app({"TESTING": True}).extensions["ehr"]
    assert settings.smart_enabled
    assert settings.smart_issuers == ("https://other.example/fhir", stub.iss)


# --------------------------------------------------------------------------- the launch


def test_launch_redirects_to_authorize_with_pkce_state_aud_and_minimal_scopes(
    browser: FlaskClient, ehr: Stub
) -> None:
    response, query = start(browser, ehr)
    assert response.location.startswith(f"{ehr.origin}/auth?")
    assert query["response_type"] == "code"
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == f"{PUBLIC}/launch/callback"
    assert query["launch"] == "opaque-launch-1"
    # Only what is used: the Patient is read (.r), never searched; no id token is read, so no
    # openid or fhirUser (SMART App Launch 2.2, scopes and launch context).
    assert query["scope"] == "launch patient/Patient.r"
    assert query["aud"] == ehr.iss
    assert query["code_challenge_method"] == "S256"
    state = base64.urlsafe_b64decode(query["state"] + "==")
    assert len(state) * 8 >= 128
    # The verifier sits in the signed cookie; the challenge is its S256 hash.
    cookie = browser.get_cookie("icas_launch", domain="icas.test", path="/launch")
    assert cookie is not None
    data = URLSafeTimedSerializer(SECRET, salt="icas-smart-launch").loads(cookie.value)
    assert set(data) == {"s", "v", "i", "t"}
    assert data["s"] == query["state"] and data["i"] == ehr.iss
    assert data["t"] == f"{ehr.origin}/token"
    digest = hashlib.sha256(data["v"].encode()).digest()
    assert query["code_challenge"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert 43 <= len(data["v"]) <= 128


def test_launch_cookie_is_signed_httponly_secure_partitioned_and_short_lived(
    browser: FlaskClient, ehr: Stub
) -> None:
    response, _ = start(browser, ehr)
    (header,) = set_cookies(response)
    attributes = {part.strip().split("=")[0].lower() for part in header.split(";")}
    assert {"httponly", "secure", "partitioned"} <= attributes
    assert "SameSite=None" in header
    assert "Max-Age=600" in header
    assert "Path=/launch" in header


@pytest.mark.parametrize(
    "query",
    ["iss=https://evil.example/fhir&launch=x", "launch=x", "iss={iss}", ""],
)
def test_launch_refuses_unknown_or_missing_issuer(
    browser: FlaskClient, ehr: Stub, query: str
) -> None:
    response = browser.get(f"/launch?{query.format(iss=ehr.iss)}", base_url=PUBLIC)
    assert response.status_code == 400
    assert set_cookies(response) == []
    assert ehr.authorize_requests == []


def test_launch_refuses_an_ehr_without_pkce_s256(browser: FlaskClient, ehr: Stub) -> None:
    ehr.behaviour["methods"] = ["plain"]
    response = browser.get(f"/launch?iss={ehr.iss}&launch=x", base_url=PUBLIC)
    assert response.status_code == 502
    assert "PKCE S256" in response.get_data(as_text=True)


# --------------------------------------------------------------------------- the callback


def test_callback_prefills_the_age_and_says_where_it_came_from(
    browser: FlaskClient, ehr: Stub
) -> None:
    callback = launch_to_callback(browser, ehr)
    before = dt.date.today()
    response = browser.get(callback, base_url=PUBLIC)
    after = dt.date.today()  # a run crossing midnight dates the page with either day
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert re.search(r'id="age"[^>]*value="65"', page)
    assert "Age 65 was filled in from the EHR record" in page
    assert before.isoformat() in page or after.isoformat() in page
    # The token exchange used the verifier (the stub checks it) and the patient was read once.
    assert ehr.token_requests[-1]["code_verifier"]
    assert ehr.patient_reads == 1
    # Nothing else from the record reaches the page: no name, no id, no birth date.
    for text in ("Testperson", "Alexa", PATIENT_ID, ehr.behaviour["birth_date"]):
        assert text not in page
    # The launch cookie is cleared.
    (header,) = set_cookies(response)
    assert header.startswith("icas_launch=;") and ("Max-Age=0" in header or "1970" in header)
    assert browser.get_cookie("icas_launch", domain="icas.test", path="/launch") is None


def test_callback_age_counts_whole_years(browser: FlaskClient, ehr: Stub) -> None:
    # Born on 31 December: the 70th birthday is still to come this year, except on that day.
    birthday = dt.date(TODAY.year - 70, 12, 31)
    expected = 70 if (TODAY.month, TODAY.day) == (12, 31) else 69
    ehr.behaviour["birth_date"] = birthday.isoformat()
    page = browser.get(launch_to_callback(browser, ehr), base_url=PUBLIC).get_data(as_text=True)
    assert re.search(rf'id="age"[^>]*value="{expected}"', page)


@pytest.mark.parametrize(
    ("behaviour", "note"),
    [
        ({"birth_date": None}, "no full birth date"),
        ({"birth_date": "1961"}, "no full birth date"),
        ({"birth_date": "1961-04"}, "no full birth date"),
        ({"no_patient": True}, "named no patient"),
    ],
)
def test_callback_without_a_usable_birth_date_leaves_age_blank(
    browser: FlaskClient, ehr: Stub, behaviour: dict[str, Any], note: str
) -> None:
    ehr.behaviour.update(behaviour)
    response = browser.get(launch_to_callback(browser, ehr), base_url=PUBLIC)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert note in page
    assert re.search(r'id="age"[^>]*value=""', page)


@pytest.mark.parametrize("kind", ["code", "error"])
def test_a_foreign_state_is_refused_and_the_launch_goes_on(
    browser: FlaskClient, ehr: Stub, kind: str
) -> None:
    callback = launch_to_callback(browser, ehr)
    forged = re.sub(r"state=[^&]+", "state=forged-state-value", callback)
    if kind == "error":  # a forged error redirect (RFC 6749 section 4.1.2.1) to cancel the launch
        forged = "/launch/callback?error=access_denied&state=forged-state-value"
    response = browser.get(forged, base_url=PUBLIC)
    assert response.status_code == 400
    assert "state does not match" in response.get_data(as_text=True)
    assert ehr.token_requests == []
    # Checked against the state before anything is cleared: the browser's launch completes.
    assert set_cookies(response) == []
    assert browser.get_cookie("icas_launch", domain="icas.test", path="/launch") is not None
    assert browser.get(callback, base_url=PUBLIC).status_code == 200


def test_an_error_redirect_with_the_launchs_state_ends_the_launch(
    browser: FlaskClient, ehr: Stub
) -> None:
    callback = launch_to_callback(browser, ehr)
    state = parse_qs(urlsplit(callback).query)["state"][0]
    response = browser.get(f"/launch/callback?error=access_denied&state={state}", base_url=PUBLIC)
    assert response.status_code == 400
    assert "did not authorize" in response.get_data(as_text=True)
    assert browser.get_cookie("icas_launch", domain="icas.test", path="/launch") is None
    assert ehr.token_requests == []


def test_a_replayed_callback_is_refused(browser: FlaskClient, ehr: Stub) -> None:
    callback = launch_to_callback(browser, ehr)
    cookie = browser.get_cookie("icas_launch", domain="icas.test", path="/launch")
    assert cookie is not None
    assert browser.get(callback, base_url=PUBLIC).status_code == 200
    # Replayed without the cookie (it was cleared), then with the old cookie put back.
    assert browser.get(callback, base_url=PUBLIC).status_code == 400
    browser.set_cookie("icas_launch", cookie.value, domain="icas.test", path="/launch")
    response = browser.get(callback, base_url=PUBLIC)
    assert response.status_code == 400
    assert "already completed" in response.get_data(as_text=True)
    assert len(ehr.token_requests) == 1


def test_a_callback_from_another_browser_is_refused(
    smart_app: Flask, browser: FlaskClient, ehr: Stub
) -> None:
    callback = launch_to_callback(browser, ehr)
    response = smart_app.test_client().get(callback, base_url=PUBLIC)
    assert response.status_code == 400
    assert "not started in this browser" in response.get_data(as_text=True)


def test_an_expired_launch_cookie_is_refused(
    browser: FlaskClient, ehr: Stub, monkeypatch: pytest.MonkeyPatch
) -> None:
    callback = launch_to_callback(browser, ehr)
    import itsdangerous.timed

    later = itsdangerous.timed.time.time() + 601
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: later)
    response = browser.get(callback, base_url=PUBLIC)
    assert response.status_code == 400
    assert ehr.token_requests == []


def test_a_tampered_launch_cookie_is_refused(browser: FlaskClient, ehr: Stub) -> None:
    callback = launch_to_callback(browser, ehr)
    state = parse_qs(urlsplit(callback).query)["state"][0]
    forged = URLSafeTimedSerializer("x" * 40, salt="icas-smart-launch").dumps(
        {"s": state, "v": "v" * 50, "i": ehr.iss, "t": "https://evil.example/token"}
    )
    browser.set_cookie("icas_launch", forged, domain="icas.test", path="/launch")
    assert browser.get(callback, base_url=PUBLIC).status_code == 400
    assert ehr.token_requests == []


def test_an_authorization_refusal_or_a_refused_token_is_an_error_page(
    browser: FlaskClient, ehr: Stub
) -> None:
    ehr.behaviour["deny"] = True
    assert browser.get(launch_to_callback(browser, ehr), base_url=PUBLIC).status_code == 400
    ehr.behaviour.clear()
    ehr.behaviour["refuse_token"] = True
    response = browser.get(launch_to_callback(browser, ehr), base_url=PUBLIC)
    assert response.status_code == 502
    assert ehr.patient_reads == 0


def test_nothing_from_the_ehr_is_logged(
    browser: FlaskClient, ehr: Stub, caplog: pytest.LogCaptureFixture
) -> None:
    # INFO and above, as deployed (urllib3 writes request URLs at DEBUG: docs/operations.md says so). The
    # werkzeug records are the stub EHR's own access log, not the app's.
    caplog.set_level(logging.INFO)
    callback = launch_to_callback(browser, ehr)
    assert browser.get(callback, base_url=PUBLIC).status_code == 200
    records = [r for r in caplog.records if r.name != "werkzeug"]
    logged = " ".join(r.getMessage() for r in records)
    code = parse_qs(urlsplit(callback).query)["code"][0]
    for text in (PATIENT_ID, "Testperson", ehr.behaviour["birth_date"], code, "never-kept"):
        assert text not in logged


@pytest.mark.parametrize(
    ("birth", "today", "age"),
    [
        ("1961-04-02", dt.date(2026, 4, 1), 64),
        ("1961-04-02", dt.date(2026, 4, 2), 65),
        ("2000-02-29", dt.date(2026, 2, 28), 25),
        ("2000-02-29", dt.date(2026, 3, 1), 26),
        ("2030-01-01", dt.date(2026, 3, 1), None),
        ("1961-13-01", dt.date(2026, 3, 1), None),
        ("1961-04", dt.date(2026, 3, 1), None),
        (19610402, dt.date(2026, 3, 1), None),
    ],
)
def test_age_from_birth_date(birth: Any, today: dt.date, age: int | None) -> None:
    assert age_on(birth, today) == age


# --------------------------------------------------------------------------- framing


def test_frame_ancestors_default_none_and_configured_allow_list(client: FlaskClient) -> None:
    assert "frame-ancestors 'none'" in client.get("/").headers["Content-Security-Policy"]
    framed = create_app(
        {"TESTING": True, "FRAME_ANCESTORS": "https://ehr.example.org https://emr.example.net"}
    )
    policy = framed.test_client().get("/").headers["Content-Security-Policy"]
    assert "frame-ancestors https://ehr.example.org https://emr.example.net;" in policy
    assert "'none'" not in policy.split("frame-ancestors")[1].split(";")[0]


@pytest.mark.parametrize("bad", ["http://ehr.example.org", "*", "https://ehr.example.org/path"])
def test_a_bad_frame_ancestor_stops_the_app(bad: str) -> None:
    with pytest.raises(ValueError, match="ICAS_FRAME_ANCESTORS"):
        create_app({"FRAME_ANCESTORS": bad})


# --------------------------------------------------------------------------- what the specifications say


def test_an_iss_with_a_trailing_slash_keeps_it_in_aud(browser: FlaskClient, ehr: Stub) -> None:
    # SMART App Launch 2.2: aud is the iss the EHR sent; the allow-list match ignores the slash.
    response = browser.get(f"/launch?iss={ehr.iss}/&launch=l-1", base_url=PUBLIC)
    assert response.status_code == 302
    query = {k: v[0] for k, v in parse_qs(urlsplit(response.location).query).items()}
    assert query["aud"] == f"{ehr.iss}/"
    # The discovery document and the Patient are read from the issuer's base, without a doubled /.
    page = browser.get(launch_to_callback_from(response, ehr), base_url=PUBLIC)
    assert page.status_code == 200 and ehr.patient_reads == 1


def launch_to_callback_from(response: Any, ehr: Stub) -> str:
    import requests

    query = {k: v[0] for k, v in parse_qs(urlsplit(response.location).query).items()}
    answer = requests.get(f"{ehr.origin}/auth", params=query, allow_redirects=False, timeout=5)
    parts = urlsplit(answer.headers["Location"])
    return f"{parts.path}?{parts.query}"


def test_a_public_client_names_itself_in_the_token_request(browser: FlaskClient, ehr: Stub) -> None:
    assert browser.get(launch_to_callback(browser, ehr), base_url=PUBLIC).status_code == 200
    assert ehr.token_requests[-1]["client_id"] == CLIENT_ID
    assert ehr.token_authorizations[-1] == ""


def test_a_confidential_client_uses_basic_alone(stub: Stub, ehr: Stub) -> None:
    # RFC 6749 section 2.3: one authentication method per request; the client_id is in the Basic
    # credentials, not repeated in the body.
    app = create_app(
        {
            "TESTING": True,
            "PUBLIC_URL": PUBLIC,
            "SECRET_KEY": SECRET,
            "SMART_CLIENT_ID": CLIENT_ID,
            "SMART_CLIENT_SECRET": "shh-" * 10,
            "SMART_ISSUERS": [stub.iss],
        }
    )
    client = app.test_client()
    assert client.get(launch_to_callback(client, ehr), base_url=PUBLIC).status_code == 200
    assert "client_id" not in ehr.token_requests[-1]
    credentials = base64.b64encode(f"{CLIENT_ID}:{'shh-' * 10}".encode()).decode()
    assert ehr.token_authorizations[-1] == f"Basic {credentials}"


def test_smart_discovery_is_fetched_once_per_issuer(browser: FlaskClient, ehr: Stub) -> None:
    for index in range(50):
        response = browser.get(f"/launch?iss={ehr.iss}&launch=l-{index}", base_url=PUBLIC)
        assert response.status_code == 302
    assert ehr.discovery_fetches == 1


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_smart_discovery_is_kept_an_hour_and_a_failure_a_minute(
    smart_app: Flask, browser: FlaskClient, ehr: Stub
) -> None:
    clock = Clock()
    smart_app.extensions[DISCOVERIES] = Discoveries(clock=clock)
    launch = f"/launch?iss={ehr.iss}&launch=l-1"
    ehr.behaviour["discovery_fail"] = True
    for _ in range(20):
        assert browser.get(launch, base_url=PUBLIC).status_code == 502
    assert ehr.discovery_fetches == 1
    clock.now += 61
    ehr.behaviour.pop("discovery_fail")
    assert browser.get(launch, base_url=PUBLIC).status_code == 302
    assert browser.get(launch, base_url=PUBLIC).status_code == 302
    assert ehr.discovery_fetches == 2
    clock.now += 3601
    assert browser.get(launch, base_url=PUBLIC).status_code == 302
    assert ehr.discovery_fetches == 3
