"""Error responses: JSON under /api/, HTML pages elsewhere; never a stack trace."""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    408: "request_timeout",
    411: "length_required",
    415: "unsupported_media_type",
    422: "validation_failed",
    500: "internal_error",
}
MESSAGES = {
    400: "The request could not be read.",
    404: "There is no page at this address.",
    405: "This address does not accept that method.",
    413: "The request body is larger than 16 KB.",
    415: "The request body must be JSON (Content-Type: application/json).",
    500: "Something went wrong on our side. No patient data was stored.",
}


class SettingsError(ValueError):
    """An ICAS_* setting that cannot be used; the message names it. The server exits 78 on it."""


class RequestDeadline(Exception):
    """The request's headers and body did not all arrive within the server's deadline.

    Raised by the worker's socket (app/http/worker.py) on a read past the deadline; not an OSError,
    so no layer mistakes it for a client that went away.
    """

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds


class Refused(HTTPException):
    """A refusal whose message is written for the client and shown as is (JSON or HTML)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(description=message)
        self.code = code


def wants_json() -> bool:
    return request.path.startswith("/api/")


def _response(error: HTTPException) -> Response:
    status = error.code or 500
    if isinstance(error, Refused):
        message = error.description or MESSAGES.get(status, "Error.")
    else:
        message = MESSAGES.get(status, error.description or "Error.")
    if wants_json():
        response = jsonify({"error": CODES.get(status, "error"), "message": message})
    else:
        response = Response(render_template("error.html", status=status, message=message))
    response.status_code = status
    # Keep Allow on 405 and any other headers the exception carries.
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def register(app: Flask) -> None:
    """Install handlers for every HTTP error and for unexpected exceptions."""

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        return _response(error)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        # Logged without request data: the body may describe a patient.
        app.logger.error(
            "Unhandled %s on %s %s", type(error).__name__, request.method, request.path
        )
        return _response(InternalServerError())
