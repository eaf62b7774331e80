"""Response headers that keep the page on its own origin and results out of shared caches."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request

from app.http.context import evidence_base
from app.http.errors import SettingsError

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
# The pages answered to the scenario form: only this browser may keep them (never a proxy), and only
# to show them again on Back and Forward (no-cache: never reused for a new request unchecked). With
# no-store, Back after following a link gave "Confirm Form Resubmission" (ERR_CACHE_MISS).
BACK_BUTTON_CACHE = "private, no-cache"


def add_headers(response: Response) -> Response:
    """Set the security headers and the evidence version on every response; forbid storing anything but static files."""
    response.headers.update(HEADERS)
    # Which evidence this answer was built from, on pages, API answers, errors and static files alike.
    response.headers["X-Evidence-Version"] = evidence_base().version
    marked = response.headers.get("Cache-Control") == BACK_BUTTON_CACHE
    if not request.path.startswith("/static/") and not marked:
        # API answers, the live summary and the rest: no browser or proxy may keep them.
        response.headers["Cache-Control"] = "no-store"
    return response


def _origin(word: object) -> bool:
    if not isinstance(word, str):
        return False
    parts = urlsplit(word)
    loopback = parts.scheme == "http" and parts.hostname in (
        "127.0.0.1",
        "localhost",
        "::1",
    )
    plain = bool(parts.netloc) and not (parts.path or parts.query or parts.fragment)
    return plain and (parts.scheme == "https" or loopback)


def frame_ancestors(value: object) -> str:
    """The frame-ancestors sources from ICAS_FRAME_ANCESTORS: EHR origins, or 'none' when unset.

    Origins are https (http only on a loopback host, for tests); anything else stops the app.
    """
    words = value.split() if isinstance(value, str) else list(value or ())  # type: ignore[call-overload]
    bad = [word for word in words if not _origin(word)]
    if bad:
        raise SettingsError(f"ICAS_FRAME_ANCESTORS: not an https origin: {bad!r}")
    return " ".join(words) or "'none'"


def allow_framing(response: Response) -> Response:
    """Let the configured EHR origins frame the app (SMART launches in an iframe)."""
    sources = current_app.extensions["frame_ancestors"]
    if sources != "'none'":
        policy = response.headers.get("Content-Security-Policy", "")
        response.headers["Content-Security-Policy"] = policy.replace(
            "frame-ancestors 'none'", f"frame-ancestors {sources}"
        )
    return response


def register(app: Flask) -> None:
    configured = app.config.get("FRAME_ANCESTORS", os.environ.get("ICAS_FRAME_ANCESTORS"))
    app.extensions["frame_ancestors"] = frame_ancestors(configured)
    app.after_request(allow_framing)  # registered first, so Flask runs it after add_headers
    app.after_request(add_headers)
