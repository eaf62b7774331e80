"""Response headers that keep the page on its own origin and results out of shared caches."""

from __future__ import annotations

from flask import Flask, Response, request

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
    """Set the security headers on every response; forbid storing anything but static files."""
    response.headers.update(HEADERS)
    marked = response.headers.get("Cache-Control") == BACK_BUTTON_CACHE
    if not request.path.startswith("/static/") and not marked:
        # API answers, the live summary and the rest: no browser or proxy may keep them.
        response.headers["Cache-Control"] = "no-store"
    return response


def register(app: Flask) -> None:
    app.after_request(add_headers)
