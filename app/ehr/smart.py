"""SMART App Launch 2 (EHR launch) as a confidential or public client; the form is pre-filled with age.

- ``GET /launch?iss=...&launch=...``: ``iss`` must be on ICAS_SMART_ISSUERS (compared without a
  trailing slash). The endpoints come from ``{iss}/.well-known/smart-configuration`` (which must
  offer PKCE S256), cached per issuer for an hour, and fetched at most once a minute after a
  failure. The browser is sent to ``authorize`` with PKCE S256, a ``state`` of 256 random bits,
  ``aud`` = iss exactly as the EHR sent it (a trailing slash kept), the ``launch`` value and only
  the scopes used: ``launch patient/Patient.r`` (the Patient is read, never searched; no
  ``openid fhirUser``: the id token is never read).
- ``GET /launch/callback?code=...&state=...``: ``state`` must equal the launch cookie's, and be
  unused, before anything else, an error redirect included: a callback with another state (a
  forged one) is refused and leaves the launch cookie in place. The code is exchanged (with the
  PKCE verifier; a confidential client authenticates by HTTP Basic only, without repeating
  ``client_id`` in the body), ``Patient/{patient}`` is read with the access token, and the ordinary
  form is shown with the age from ``birthDate`` and a note saying where it came from.

The one launch cookie (``icas_launch``) is signed, HttpOnly, Secure, ``SameSite=None;
Partitioned``, scoped to /launch, lives 10 minutes and is cleared by the callback. It holds the
state, the PKCE verifier, the issuer and its token endpoint: nothing about the patient. Tokens
and the Patient live only for the callback request; nothing from the EHR is stored or logged.
The routes answer 404 unless ICAS_PUBLIC_URL, ICAS_SECRET_KEY, ICAS_SMART_CLIENT_ID and
ICAS_SMART_ISSUERS are set.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets
import threading
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
)
from flask.blueprints import BlueprintSetupState
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response as WerkzeugResponse

from app.ehr import config
from app.web.forms import ScenarioForm

bp = Blueprint("ehr_smart", __name__)
COOKIE = "icas_launch"
COOKIE_PATH = "/launch"
LIFETIME = 600  # seconds: the launch cookie and a state's validity
SCOPES = "launch patient/Patient.r"
DISCOVERY_TTL = 3600.0  # seconds an issuer's SMART configuration is reused
RETRY_AFTER_FAILURE = 60.0  # seconds before an issuer whose configuration failed is asked again
FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
BIRTH_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
STATE = "ehr_smart"
DISCOVERIES = "ehr_smart_discovery"


class LaunchError(Exception):
    """A launch that cannot go on; the status and message are shown (never EHR data)."""

    def __init__(self, status: int, message: str, *, keep_cookie: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        # A callback that is not this browser's launch (another state) leaves its cookie alone.
        self.keep_cookie = keep_cookie


class Discoveries:
    """Each issuer's endpoints, fetched when first needed and kept an hour; failures a minute.

    Calls for an issuer already known never wait; the first calls for one wait on one fetch.
    """

    def __init__(self, clock: Any = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._fetch_locks: dict[str, threading.Lock] = {}
        self._found: dict[str, tuple[float, dict[str, str] | LaunchError]] = {}

    def _cached(self, iss: str) -> dict[str, str] | None:
        when, found = self._found.get(iss, (None, None))
        if when is None or found is None:
            return None
        age = self._clock() - when
        if isinstance(found, LaunchError):
            if age < RETRY_AFTER_FAILURE:
                raise found
            return None
        return found if age < DISCOVERY_TTL else None

    def get(self, iss: str, fetch: Any) -> dict[str, str]:
        with self._lock:
            cached = self._cached(iss)
            if cached is not None:
                return cached
            fetch_lock = self._fetch_locks.setdefault(iss, threading.Lock())
        with fetch_lock:  # one fetch per issuer; calls for other issuers never wait on it
            with self._lock:
                cached = self._cached(iss)
                if cached is not None:
                    return cached
            try:
                found: dict[str, str] | LaunchError = fetch(iss)
            except LaunchError as error:
                found = error
            with self._lock:
                self._found[iss] = (self._clock(), found)
        if isinstance(found, LaunchError):
            raise found
        return found


class UsedStates:
    """States already used by a callback, kept until they could no longer be valid."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._used: dict[str, float] = {}

    def first_use(self, state: str, now: float) -> bool:
        with self._lock:
            for old in [s for s, t in self._used.items() if t + LIFETIME < now]:
                del self._used[old]
            if state in self._used:
                return False
            self._used[state] = now
            return True


@bp.record_once
def _install(state: BlueprintSetupState) -> None:
    if config.install(state.app).smart_enabled:
        # requests is imported where used (start-up needs it only with SMART configured); when
        # configured, import it now, in the process gunicorn forks its workers from.
        import requests  # noqa: F401
    state.app.extensions[STATE] = UsedStates()
    state.app.extensions[DISCOVERIES] = Discoveries()


@bp.before_request
def _enabled() -> None:
    if not config.settings().smart_enabled:
        abort(404)


@bp.errorhandler(LaunchError)
def _launch_error(error: LaunchError) -> Response:
    page = render_template("error.html", status=error.status, message=error.message)
    response = current_app.response_class(page, status=error.status)
    if request.endpoint == "ehr_smart.callback" and not error.keep_cookie:
        _clear_cookie(response)
    return response


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(config.settings().secret_key, salt="icas-smart-launch")


def _clear_cookie(response: Response) -> None:
    response.delete_cookie(
        COOKIE,
        path=COOKIE_PATH,
        secure=True,
        httponly=True,
        samesite="None",
        partitioned=True,
    )


def _endpoint(url: Any) -> str:
    """An endpoint from the discovery document: an https URL (http only on loopback)."""
    if not isinstance(url, str):
        raise LaunchError(502, "The EHR's SMART configuration lacks an endpoint.")
    parts = urlsplit(url)
    loopback = parts.scheme == "http" and parts.hostname in config.LOOPBACK
    if not parts.netloc or not (parts.scheme == "https" or loopback) or parts.fragment:
        raise LaunchError(502, "The EHR's SMART configuration names an endpoint that is not https.")
    return url


def _get_json(url: str, **kwargs: Any) -> Any:
    import requests

    timeout = config.settings().http_timeout
    try:
        response = requests.get(url, timeout=timeout, allow_redirects=False, **kwargs)
        response.raise_for_status()
        return response.json()
    except (requests.RequestException, ValueError):
        raise LaunchError(
            502, "The EHR could not be reached or did not answer as SMART says."
        ) from None


def discover(iss: str) -> dict[str, str]:
    """Read the issuer's SMART configuration: its authorize and token endpoints (with PKCE S256)."""
    document = _get_json(
        f"{iss}/.well-known/smart-configuration", headers={"Accept": "application/json"}
    )
    if not isinstance(document, dict):
        raise LaunchError(502, "The EHR's SMART configuration could not be read.")
    methods = document.get("code_challenge_methods_supported")
    if not isinstance(methods, list) or "S256" not in methods:
        raise LaunchError(502, "The EHR does not offer PKCE S256, which this app requires.")
    return {
        "authorize": _endpoint(document.get("authorization_endpoint")),
        "token": _endpoint(document.get("token_endpoint")),
    }


def challenge(verifier: str) -> str:
    """PKCE S256: BASE64URL(SHA256(verifier)) without padding (RFC 7636 §4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _redirect_uri() -> str:
    return f"{config.settings().public_url}/launch/callback"


@bp.get("/launch")
def launch() -> WerkzeugResponse:
    settings = config.settings()
    # The aud parameter must be the iss the EHR sent, exactly (a trailing slash kept).
    iss = request.args.get("iss", "")
    base = iss.rstrip("/")
    launch_id = request.args.get("launch", "")
    if not base or not launch_id:
        raise LaunchError(400, "A launch needs the iss and launch parameters from the EHR.")
    if base not in settings.smart_issuers:
        raise LaunchError(400, "This EHR is not on the app's list of allowed issuers.")
    endpoints = current_app.extensions[DISCOVERIES].get(base, discover)
    state = secrets.token_urlsafe(32)  # 256 random bits
    verifier = secrets.token_urlsafe(64)  # 86 characters, within RFC 7636's 43-128
    query = urlencode(
        {
            "response_type": "code",
            "client_id": settings.smart_client_id,
            "redirect_uri": _redirect_uri(),
            "launch": launch_id,
            "scope": SCOPES,
            "state": state,
            "aud": iss,
            "code_challenge": challenge(verifier),
            "code_challenge_method": "S256",
        }
    )
    authorize = endpoints["authorize"]
    response = redirect(f"{authorize}{'&' if urlsplit(authorize).query else '?'}{query}", 302)
    cookie = _serializer().dumps({"s": state, "v": verifier, "i": iss, "t": endpoints["token"]})
    response.set_cookie(
        COOKIE,
        cookie,
        max_age=LIFETIME,
        path=COOKIE_PATH,
        secure=True,
        httponly=True,
        samesite="None",
        partitioned=True,
    )
    return response


def _launch_state() -> dict[str, str]:
    value = request.cookies.get(COOKIE)
    try:
        data = _serializer().loads(value or "", max_age=LIFETIME)
    except BadSignature:  # includes an expired signature
        data = None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in "svit"):
        raise LaunchError(
            400,
            "This launch has expired or was not started in this browser. Launch again from the EHR.",
        )
    return data


def exchange(token_endpoint: str, code: str, verifier: str) -> dict[str, Any]:
    """Exchange the code for a token response (client secret by HTTP Basic when configured)."""
    import requests

    settings = config.settings()
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": _redirect_uri(),
        "code_verifier": verifier,
    }
    auth = None
    if settings.smart_client_secret:
        # A confidential client authenticates by HTTP Basic alone (RFC 6749 section 2.3.1: one
        # method per request; SMART App Launch 2.2, confidential-symmetric).
        auth = (settings.smart_client_id, settings.smart_client_secret)
    else:
        form["client_id"] = settings.smart_client_id  # a public client names itself
    try:
        response = requests.post(
            token_endpoint,
            data=form,
            auth=auth,
            timeout=settings.http_timeout,
            allow_redirects=False,
        )
        response.raise_for_status()
        token = response.json()
    except (requests.RequestException, ValueError):
        raise LaunchError(502, "The EHR did not give this app an access token.") from None
    if not isinstance(token, dict) or not isinstance(token.get("access_token"), str):
        raise LaunchError(502, "The EHR did not give this app an access token.")
    if str(token.get("token_type", "")).lower() != "bearer":
        raise LaunchError(502, "The EHR's token is not a bearer token.")
    return token


def age_on(birth_date: Any, today: dt.date) -> int | None:
    """Whole years from a full FHIR birthDate (YYYY-MM-DD) to today; None for a partial date."""
    match = BIRTH_DATE.fullmatch(birth_date) if isinstance(birth_date, str) else None
    if match is None:
        return None
    try:
        born = dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None
    if born > today:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def read_age(iss: str, token: dict[str, Any], today: dt.date) -> tuple[int | None, str]:
    """Read the launch patient's age and say where it came from (or why it is not filled in)."""
    patient = token.get("patient")
    if not isinstance(patient, str) or not FHIR_ID.fullmatch(patient):
        return (
            None,
            "The EHR named no patient for this launch, so nothing was filled in.",
        )
    resource = _get_json(
        f"{iss.rstrip('/')}/Patient/{patient}",
        headers={
            "Accept": "application/fhir+json",
            "Authorization": f"Bearer {token['access_token']}",
        },
    )
    if not isinstance(resource, dict) or resource.get("resourceType") != "Patient":
        raise LaunchError(502, "The EHR did not return the patient's record.")
    age = age_on(resource.get("birthDate"), today)
    if age is None:
        return None, "The record has no full birth date, so the age was left blank."
    return age, (
        f"Age {age} was filled in from the EHR record (the patient's birth date, as of"
        f" {today.isoformat()}). Check it: you can change it. Nothing else was read from the record,"
        " and nothing from it was kept."
    )


@bp.get("/launch/callback")
def callback() -> Response:
    # The query carries the code and state: never logged (app/gunicorn_conf.py logs paths only).
    launch_state = _launch_state()
    state = request.args.get("state", "")
    if not hmac.compare_digest(state.encode(), launch_state["s"].encode()):
        # Not this launch's answer (an error redirect included: RFC 6749 section 10.12): the
        # browser's launch goes on, its cookie kept.
        raise LaunchError(
            400, "The launch's state does not match this browser's launch.", keep_cookie=True
        )
    if "error" in request.args:
        raise LaunchError(400, "The EHR did not authorize this launch.")
    if not current_app.extensions[STATE].first_use(state, time.time()):
        raise LaunchError(400, "This launch was already completed. Launch again from the EHR.")
    code = request.args.get("code", "")
    if not code:
        raise LaunchError(400, "The EHR sent no authorization code.")
    token = exchange(launch_state["t"], code, launch_state["v"])
    age, note = read_age(launch_state["i"], token, dt.date.today())
    del token  # the access token lives only for this request
    form = ScenarioForm(data={"age": age}) if age is not None else ScenarioForm()
    page = render_template("ehr/launched.html", form=form, note=note, nav="calculator")
    response = current_app.response_class(page, status=200)
    _clear_cookie(response)
    return response
