"""CDS Hooks client authentication: the signed JWT every service call carries (CDS Hooks 2.0 §Security).

Accepted: ES384 or RS384 only (``none`` and every HS* are refused), ``typ`` JWT, a ``kid`` found in
the JWKS of an allow-listed issuer, a ``jku`` (if sent) equal to that issuer's configured JWKS URL,
``aud`` equal to the URL called as configured (never built from the request) or an array containing
it (RFC 7519 section 4.1.3), ``iss``, ``iat``, ``exp`` (at most an hour ahead) and a ``jti`` never
seen before in this process.

The keys are fetched over https only once the token names an allowed issuer and a ``kid`` not
cached, with a 2 s timeout; kept an hour; fetched again at most once a minute for an unknown
``kid``; a failed fetch is remembered for a minute (KeyCache): a key server that fails or hangs
cannot be made to slow the service, and a call with a cached key never waits for a fetch.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

# PyJWT and requests (with cryptography and urllib3 behind them) are a quarter of the app's start-up,
# and only a configured CDS service needs them: they are imported where used, and when the service
# is configured, when its blueprint is registered (app/ehr/cds.py), so workers share them.
if TYPE_CHECKING:
    import jwt

ALGORITHMS = ("ES384", "RS384")
KEYS_TTL = 3600.0
REFETCH_AFTER = 60.0
RETRY_AFTER_FAILURE = 60.0  # seconds a failed fetch is remembered, per JWKS URL
FETCH_TIMEOUT = 2.0  # seconds to connect, and between bytes of the answer
MAX_LIFETIME = 3600  # seconds a token may still be valid for: bounds the replay cache
LEEWAY = 30
REQUIRED_CLAIMS = ["iss", "aud", "exp", "iat", "jti"]


class TokenError(Exception):
    """A bearer token refused; the message says why (it names no patient)."""


Fetch = Callable[[str], Mapping[str, Any]]


def fetch_jwks(url: str, timeout: float | None = None) -> Mapping[str, Any]:
    """Fetch a JWKS document over HTTP(S); raise TokenError when it cannot be read."""
    import requests

    try:
        response = requests.get(
            url,
            timeout=FETCH_TIMEOUT if timeout is None else timeout,
            headers={"Accept": "application/json"},
            allow_redirects=False,
        )
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError):
        raise TokenError("The issuer's signing keys could not be fetched.") from None
    if not isinstance(document, Mapping):
        raise TokenError("The issuer's signing keys could not be read.")
    return document


class KeyCache:
    """Each allow-listed JWKS URL's keys by kid, fetched when first needed and kept an hour.

    A call whose kid is cached never waits: the lock guards the dictionaries only and is never held
    across a fetch. A kid not cached fetches the keys again at most once a minute per URL, one
    fetch at a time (other calls needing the same URL meanwhile are refused, not queued); a failed
    fetch is remembered for a minute, during which no call fetches from that URL again.
    """

    def __init__(self, fetch: Fetch = fetch_jwks, clock: Callable[[], float] = time.monotonic):
        self._fetch = fetch
        self._clock = clock
        self._lock = threading.Lock()
        self._keys: dict[str, tuple[float, dict[str, jwt.PyJWK]]] = {}
        self._failed: dict[str, float] = {}  # url -> when its last fetch failed
        self._fetching: set[str] = set()

    def _load(self, url: str) -> dict[str, jwt.PyJWK]:
        import jwt

        try:
            keyset = jwt.PyJWKSet.from_dict(dict(self._fetch(url)))
        except jwt.PyJWTError:
            raise TokenError("The issuer's signing keys could not be read.") from None
        return {k.key_id: k for k in keyset.keys if k.key_id}

    def get(self, url: str, kid: str) -> jwt.PyJWK:
        with self._lock:
            now = self._clock()
            fetched, keys = self._keys.get(url, (None, {}))
            age = None if fetched is None else now - fetched
            if age is not None and age <= KEYS_TTL and kid in keys:
                return keys[kid]
            failed = self._failed.get(url)
            if failed is not None and now - failed < RETRY_AFTER_FAILURE:
                raise TokenError("The issuer's signing keys could not be fetched (retried later).")
            if age is not None and age <= REFETCH_AFTER:
                raise TokenError("The token's kid is not among the issuer's keys.")
            if url in self._fetching:
                raise TokenError("The issuer's signing keys are being fetched; try again.")
            self._fetching.add(url)
        try:
            keys = self._load(url)
        except TokenError:
            with self._lock:
                self._failed[url] = self._clock()
            raise
        finally:
            with self._lock:
                self._fetching.discard(url)
        with self._lock:
            self._keys[url] = (self._clock(), keys)
            self._failed.pop(url, None)
        if kid not in keys:
            raise TokenError("The token's kid is not among the issuer's keys.")
        return keys[kid]


class ReplayCache:
    """jti values seen, each kept until its token expires."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, float] = {}

    def first_use(self, jti: str, expires: float, now: float) -> bool:
        with self._lock:
            for old in [j for j, e in self._seen.items() if e + LEEWAY < now]:
                del self._seen[old]
            if jti in self._seen:
                return False
            self._seen[jti] = expires
            return True


def verify(
    token: str,
    *,
    audience: str,
    issuers: Mapping[str, str],
    keys: KeyCache,
    replays: ReplayCache,
    now: float | None = None,
) -> Mapping[str, Any]:
    """Return the token's claims, or raise TokenError saying what was wrong."""
    import jwt

    try:
        header = jwt.get_unverified_header(token)
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise TokenError("The bearer token is not a JWT.") from None
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        raise TokenError(f"The token's algorithm must be one of {', '.join(ALGORITHMS)}.")
    if header.get("typ") != "JWT" or not isinstance(header.get("kid"), str):
        raise TokenError("The token's header must carry typ JWT and a kid.")
    issuer = unverified.get("iss")
    if not isinstance(issuer, str) or issuer not in issuers:
        raise TokenError("The token's issuer is not on this service's allow-list.")
    jwks_url = issuers[issuer]
    if "jku" in header and header["jku"] != jwks_url:
        raise TokenError("The token's jku is not the issuer's configured JWKS URL.")
    key = keys.get(jwks_url, header["kid"])
    current = time.time() if now is None else now
    try:
        claims = jwt.decode(
            token,
            key=key.key,
            algorithms=[algorithm],
            audience=audience,
            issuer=issuer,
            leeway=LEEWAY,
            options={"require": REQUIRED_CLAIMS, "verify_iat": False},
        )
    except (jwt.PyJWTError, TypeError, ValueError) as error:
        raise TokenError(f"The token was refused: {type(error).__name__}.") from None
    expires = float(claims["exp"])
    if expires - current > MAX_LIFETIME:
        raise TokenError("The token is valid for more than an hour; send a short-lived one.")
    jti = claims["jti"]
    if not isinstance(jti, str) or not jti or not replays.first_use(jti, expires, current):
        raise TokenError("The token's jti was used before (a replay).")
    return claims
