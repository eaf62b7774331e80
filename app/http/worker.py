"""The gunicorn worker `make run` uses: gevent's, hardened against slow clients.

Why gevent: each connection is a greenlet, not a process or a thread, so connections that send their
headers slowly or read their answer slowly cost a little memory each and block nobody; the two
processes spend their CPU only on requests that have arrived. Gunicorn's gevent worker also bounds
the reading of each request's headers by `keepalive` seconds (app/gunicorn_conf.py). This worker
adds:

- one request per connection (Connection: close on every answer), as the sync workers served;
- a stall limit: any read or write on a connection that waits more than gunicorn's `timeout`
  seconds (30; a body trickled in, an answer never read) ends that connection, so no client holds
  a greenlet forever;
- the same security headers as the app's own answers, and X-Evidence-Version, on the errors
  gunicorn writes itself before the app sees a request (400, 414, 431, 501, ...), with a JSON body
  under /api/ and a small HTML page elsewhere, as the app's error handlers answer;
- gunicorn's "Invalid request" warnings without the request text they would quote.
"""

from __future__ import annotations

import html
import json
import logging
import re
from typing import Any

from gunicorn.workers.base_async import AsyncWorker
from gunicorn.workers.ggevent import GeventWorker

from app.http.errors import CODES
from app.http.security import HEADERS

# Gunicorn's own error statuses, in the app's words (the request line or header that caused them
# is never echoed: it may carry anything).
MESSAGES = {
    400: "The request could not be read.",
    403: "This request is not allowed.",
    414: "The request line is too long.",
    417: "The expectation in the request cannot be met.",
    431: "The request headers are too large.",
    500: "Something went wrong on our side. No patient data was stored.",
    501: "The request uses a transfer coding this server does not accept.",
}
REASONS = {
    400: "Bad Request",
    403: "Forbidden",
    414: "URI Too Long",
    417: "Expectation Failed",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    501: "Not Implemented",
}
CODE_NAMES = {
    **CODES,
    403: "forbidden",
    414: "uri_too_long",
    417: "expectation_failed",
    431: "request_headers_too_large",
    501: "not_implemented",
}
STATUS_LINE = re.compile(rb"HTTP/1\.[01] (\d{3}) ")


class _RedactInvalidRequest(logging.Filter):
    """Keep gunicorn's "Invalid request" warnings, without the request text they quote.

    Gunicorn's warning quotes the offending request line or header, which could carry anything a
    client sent; the log keeps that a request was refused, and from where.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message.startswith("Invalid request from ip="):
            record.msg = message.split(": ", 1)[0] + ": the request could not be parsed"
            record.args = ()
        return True


class _Captured:
    """A client socket stand-in that keeps what gunicorn writes, so the worker can answer instead."""

    def __init__(self, sock: Any) -> None:
        self._sock = sock
        self.data = b""

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)

    def setblocking(self, flag: bool) -> None:
        pass

    def sendall(self, data: bytes) -> None:
        self.data += bytes(data)

    def send(self, data: bytes) -> int:
        self.data += bytes(data)
        return len(data)


def error_response(status: int, path: str, version: str) -> bytes:
    """Answer a server-layer error as the app would: JSON under /api/, HTML elsewhere; same headers."""
    message = MESSAGES.get(status, MESSAGES[400])
    if path.startswith("/api/"):
        body = json.dumps({"error": CODE_NAMES.get(status, "error"), "message": message}) + "\n"
        content_type = "application/json"
    else:
        body = (
            f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{status} {REASONS.get(status, 'Error')}</title></head>\n"
            f"<body><h1>{REASONS.get(status, 'Error')}</h1><p>{html.escape(message)}</p>"
            f"<p>Evidence version {html.escape(version)}</p></body></html>\n"
        )
        content_type = "text/html; charset=utf-8"
    payload = body.encode("utf-8")
    headers = {
        **HEADERS,
        "Cache-Control": "no-store",
        "X-Evidence-Version": version,
        "Content-Type": content_type,
        "Content-Length": str(len(payload)),
        "Connection": "close",
    }
    head = f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return head.encode("latin-1") + b"\r\n" + payload


class Worker(GeventWorker):
    """Gevent worker with a stall limit per connection and the app's headers on its own errors."""

    def init_process(self) -> None:
        self.log.error_log.addFilter(_RedactInvalidRequest())
        super().init_process()

    def evidence_version(self) -> str:
        base = getattr(self.wsgi, "extensions", {}).get("evidence_base")
        return getattr(base, "version", "")

    def handle(self, listener: Any, client: Any, addr: Any) -> None:
        # GeventWorker.handle makes the socket block without limit; bound every wait instead.
        client.settimeout(self.cfg.timeout or None)
        AsyncWorker.handle(self, listener, client, addr)

    def handle_request(self, listener_name: Any, req: Any, sock: Any, addr: Any) -> bool:
        # One request per connection, as the sync workers served: the next request is accepted by
        # whichever process is free, which spreads CPU-bound requests over both (a kept-alive
        # connection stays with a busy process), and no idle connection is kept open.
        req.force_close()
        try:
            return super().handle_request(listener_name, req, sock, addr)
        except TimeoutError:
            # The client stopped reading its answer (or sending its body): close, quietly; it is
            # the client's doing, not an error of ours to log as one.
            self.log.info("Closed a connection that stalled for %s s", self.cfg.timeout)
            raise StopIteration from None

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        # Let gunicorn classify the error, log it and write the access line; keep what it would
        # write, and answer with the app's headers instead.
        captured = _Captured(client)
        super().handle_error(req, captured, addr, exc)
        match = STATUS_LINE.match(captured.data)
        if match is None:
            return
        path = getattr(req, "path", None) or ""
        answer = error_response(int(match.group(1)), path, self.evidence_version())
        try:
            client.settimeout(5.0)
            client.sendall(answer)
        except OSError:
            self.log.debug("Failed to send error message.")
