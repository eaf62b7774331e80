"""Response headers that keep the page on its own origin and results out of caches."""

from __future__ import annotations

from flask import Flask, Response, request

from app.http.context import evidence_base

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


def add_headers(response: Response) -> Response:
    """Set the security headers and the evidence version on every response; forbid storing anything but static files."""
    response.headers.update(HEADERS)
    # Which evidence this answer was built from, on pages, API answers, errors and static files alike.
    response.headers["X-Evidence-Version"] = evidence_base().version
    if not request.path.startswith("/static/"):
        # Results and API answers describe a patient: no browser or proxy may keep them.
        response.headers["Cache-Control"] = "no-store"
    return response


def register(app: Flask) -> None:
    app.after_request(add_headers)
