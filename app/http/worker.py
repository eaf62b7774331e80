"""The gunicorn worker `make run` uses: gevent's, hardened against slow clients.

Why gevent: each connection is a greenlet, not a process or a thread, so connections that send their
headers slowly or read their answer slowly cost a little memory each and block nobody; the two
processes spend their CPU only on requests that have arrived. Gunicorn's gevent worker also bounds
the reading of each request's headers by `keepalive` seconds (app/gunicorn_conf.py). This worker
adds:

- one request per connection (Connection: close on every answer), as the sync workers served;
- a deadline per request, not per read: its headers and body must all have arrived within
  ICAS_REQUEST_DEADLINE seconds (10 unless set) of the connection being accepted, or it gets 408
  and the connection is closed: a client trickling a byte now and then cannot hold a connection
  slot. The first 16 KB of each body (all of it, for every route but CDS Hooks) are read here,
  before the app is called, so a request still arriving at the deadline is answered here at the
  cost of a few bytes written, not of a request through the app (thousands of trickling clients
  reach their deadlines together); the rest of a larger body is read by the app
  (app/http/body.py), which answers the same 408 past the deadline;
- a stall limit: any other read or write that waits more than gunicorn's `timeout` seconds (30;
  an answer never read) ends that connection, so no client holds a greenlet forever;
- transfer codings other than `chunked` (`gzip, chunked`: gunicorn would pass the body on
  undecoded) refused with 501, as RFC 9112 section 6.1 asks of a coding the server does not know;
- the same security headers as the app's own answers, and X-Evidence-Version, on the errors
  gunicorn writes itself before the app sees a request (400, 408, 414, 431, 501, ...), with a JSON
  body under /api/ and /cds-services and a small HTML page elsewhere, as the app's error handlers
  answer;
- gunicorn's "Invalid request" warnings without the request text they would quote.
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
import time
from collections.abc import Mapping
from typing import Any

from gunicorn.http.errors import UnsupportedTransferCoding
from gunicorn.workers.base_async import AsyncWorker
from gunicorn.workers.ggevent import GeventWorker

from app.http.body import LATE
from app.http.errors import CODES, RequestDeadline, SettingsError
from app.http.security import HEADERS

ENV_DEADLINE = "ICAS_REQUEST_DEADLINE"
DEFAULT_DEADLINE = 10.0
# Bytes of each body read before the app is called: one past the API's and the forms' 16 KB limit
# (app/__init__.py MAX_CONTENT_LENGTH), so every body those routes accept is read whole here; at
# most this much is held per connection.
PREFETCH = 16 * 1024 + 1
PIECE = 8192

# Gunicorn's own error statuses, in the app's words (the request line or header that caused them
# is never echoed: it may carry anything).
MESSAGES = {
    400: "The request could not be read.",
    403: "This request is not allowed.",
    408: "The request did not arrive whole in time: it was not read.",
    414: "The request line is too long.",
    417: "The expectation in the request cannot be met.",
    431: "The request headers are too large.",
    500: "Something went wrong on our side. No patient data was stored.",
    501: "The request uses a transfer coding this server does not accept.",
}
REASONS = {
    400: "Bad Request",
    403: "Forbidden",
    408: "Request Timeout",
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


def request_deadline(environ: Mapping[str, str] = os.environ) -> float:
    """Seconds a request's headers and body have to arrive: ICAS_REQUEST_DEADLINE, else 10."""
    text = environ.get(ENV_DEADLINE, "").strip()
    if not text:
        return DEFAULT_DEADLINE
    try:
        seconds = float(text)
    except ValueError:
        seconds = float("nan")
    if not 0 < seconds <= 3600:
        raise SettingsError(f"{ENV_DEADLINE} must be a number of seconds from 0 to 3600: {text!r}")
    return seconds


class _Deadline:
    """The client socket, every read of which must end by one deadline (headers and body together).

    Each read waits at most until the deadline (and at most the stall limit); past it, the read
    raises RequestDeadline. Writes and everything else go to the socket as they are.
    """

    def __init__(self, sock: Any, seconds: float, stall: float | None) -> None:
        self._sock = sock
        self._seconds = seconds
        self._deadline = time.monotonic() + seconds
        self._stall = stall

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)

    def _read(self, method: Any, *args: Any) -> Any:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise RequestDeadline(self._seconds)
        self._sock.settimeout(left if self._stall is None else min(left, self._stall))
        try:
            return method(*args)
        except TimeoutError:
            if time.monotonic() >= self._deadline:
                raise RequestDeadline(self._seconds) from None
            raise
        finally:
            # Writes (the answer, a static file's sendfile) keep the stall limit.
            self._sock.settimeout(self._stall)

    def recv(self, *args: Any) -> bytes:
        return self._read(self._sock.recv, *args)

    def recv_into(self, *args: Any) -> int:
        return self._read(self._sock.recv_into, *args)


class _Prefetched:
    """A request body whose first bytes the worker has read; the app reads on from here.

    What gunicorn's body reader raised while those bytes were read (a malformed chunk, a client
    gone) is raised to the app where it would have met it, after the bytes that came before.
    """

    def __init__(self, body: Any, data: bytes, error: Exception | None, ended: bool) -> None:
        self._body = body
        self._data = data
        self._error = error
        self._ended = ended

    def _more(self, size: int | None) -> bytes:
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        if self._ended:
            return b""
        return self._body.read(size)

    def read(self, size: int | None = None) -> bytes:
        data, self._data = self._data, b""
        if size is not None and size >= 0 and len(data) >= size:
            data, self._data = data[:size], data[size:]
            return data
        return data + self._more(None if size is None or size < 0 else size - len(data))


def _prefetch(body: Any) -> _Prefetched:
    """Read up to PREFETCH bytes of the body; RequestDeadline is raised, any other error kept."""
    pieces: list[bytes] = []
    size = 0
    try:
        while size < PREFETCH:
            piece = body.read(min(PIECE, PREFETCH - size))
            if not piece:
                return _Prefetched(body, b"".join(pieces), None, True)
            pieces.append(piece)
            size += len(piece)
    except RequestDeadline:
        raise
    except Exception as error:  # for the app to meet, and answer, as it would have
        return _Prefetched(body, b"".join(pieces), error, True)
    return _Prefetched(body, b"".join(pieces), None, False)


def _unsupported_coding(headers: Any) -> str | None:
    """The first transfer coding other than chunked the request names, if any."""
    for name, value in headers:
        if name == "TRANSFER-ENCODING":
            for coding in value.split(","):
                if coding.strip().lower() != "chunked":
                    return value
    return None


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


def error_response(status: int, path: str, version: str, message: str | None = None) -> bytes:
    """Answer a server-layer error as the app would: JSON under /api/, HTML elsewhere; same headers."""
    message = message or MESSAGES.get(status, MESSAGES[400])
    if path.startswith(("/api/", "/cds-services")):
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
        self.deadline = request_deadline()
        super().init_process()

    def evidence_version(self) -> str:
        base = getattr(self.wsgi, "extensions", {}).get("evidence_base")
        return getattr(base, "version", "")

    def handle(self, listener: Any, client: Any, addr: Any) -> None:
        # GeventWorker.handle makes the socket block without limit; bound every wait instead, and
        # every read by the request's deadline, counted from now.
        stall = self.cfg.timeout or None
        client.settimeout(stall)
        AsyncWorker.handle(self, listener, _Deadline(client, self.deadline, stall), addr)

    def handle_request(self, listener_name: Any, req: Any, sock: Any, addr: Any) -> bool:
        # One request per connection, as the sync workers served: the next request is accepted by
        # whichever process is free, which spreads CPU-bound requests over both (a kept-alive
        # connection stays with a busy process), and no idle connection is kept open.
        req.force_close()
        coding = _unsupported_coding(req.headers)
        if coding is not None:
            # Answered 501 by handle_error, as gunicorn answers `Transfer-Encoding: foo`.
            raise UnsupportedTransferCoding(coding)
        try:
            if getattr(req, "_expected_100_continue", False):
                # Gunicorn would send it when it builds the environ, after this read: send it now.
                sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
                req._expected_100_continue = False
            req.body = _prefetch(req.body)
        except RequestDeadline as late:
            self.log.debug("Closed a request not arrived within %s s", late.seconds)
            message = LATE.format(deadline=f"{late.seconds:g}")
            self._answer(sock, 408, req.path or "", message)
            raise StopIteration from None
        try:
            return super().handle_request(listener_name, req, sock, addr)
        except TimeoutError:
            # The client stopped reading its answer (or sending its body): close, quietly; it is
            # the client's doing, not an error of ours to log as one.
            self.log.info("Closed a connection that stalled for %s s", self.cfg.timeout)
            raise StopIteration from None

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        if isinstance(exc, RequestDeadline):
            # The headers were still arriving at the deadline: 408, logged as the client's doing.
            self.log.info("Closed a request not arrived within %s s", exc.seconds)
            self._answer(client, 408, getattr(req, "path", None) or "")
            return
        # Let gunicorn classify the error, log it and write the access line; keep what it would
        # write, and answer with the app's headers instead.
        captured = _Captured(client)
        super().handle_error(req, captured, addr, exc)
        match = STATUS_LINE.match(captured.data)
        if match is None:
            return
        self._answer(client, int(match.group(1)), getattr(req, "path", None) or "")

    def _answer(self, client: Any, status: int, path: str, message: str | None = None) -> None:
        answer = error_response(status, path, self.evidence_version(), message)
        try:
            client.settimeout(5.0)
            client.sendall(answer)
        except OSError:
            self.log.debug("Failed to send error message.")
