"""Request bodies, read whole and strictly before anything parses them: one set of rules for the API and forms.

In the order they are checked:

1. Over MAX_CONTENT_LENGTH (16 KB), however it is sent: 413. A Content-Length over the limit is refused
   before anything is read; a chunked body is read up to one byte past the limit and refused there,
   never parsed cut short.
2. A body not arrived whole by the request deadline (headers and body together, 10 s unless
   ICAS_REQUEST_DEADLINE says otherwise: app/http/worker.py): 408, then the connection is closed.
   A body that cannot be read: 400 saying why. Shorter than its Content-Length (the client went away
   or stalled); chunked encoding the server cannot decode (a bad chunk size, a missing CRLF, a bad
   extension or trailer: gunicorn's decoder raises its own errors while the body is read).
3. Forms (application/x-www-form-urlencoded): text that is not UTF-8, before or after
   percent-decoding: 400 naming the field and the byte. Werkzeug's parser would drop every field
   instead, and the scenario's errors would then name fields the clinician did fill in.

The JSON rules that follow (415, 422) are in app/http/json_body.py.
"""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import unquote_to_bytes

from flask import Flask, Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge

from app.http.errors import Refused, RequestDeadline

FORM = "application/x-www-form-urlencoded"
# Read a chunked body in pieces of this size (it ends at the limit anyway).
PIECE = 8192
LATE = "The request did not arrive whole within {deadline} s: it was not read."
ENDED_EARLY = "The request body ended before its declared length: it was not read."
MALFORMED_CHUNKS = (
    "The request body's chunked encoding is malformed (a chunk size, chunk end, extension or"
    " trailer): it was not read."
)


def _read(stream: Any, size: int) -> bytes:
    try:
        data: bytes = stream.read(size)
        return data
    except RequestDeadline as late:
        raise Refused(408, LATE.format(deadline=f"{late.seconds:g}")) from None
    except (OSError, ClientDisconnected):
        # The client went away, or stopped sending past the server's stall limit.
        raise Refused(400, ENDED_EARLY) from None
    except Exception:  # whatever the server's chunk decoder raises: the body is malformed
        raise Refused(400, MALFORMED_CHUNKS) from None


def read_body(req: Request) -> bytes:
    """Return the whole body; raise 413 past the limit, 400 when it cannot be read (rules 1-2)."""
    environ = req.environ
    limit = req.max_content_length
    stream = environ["wsgi.input"]
    chunked = "HTTP_TRANSFER_ENCODING" in environ
    length = environ.get("CONTENT_LENGTH", "")
    if not chunked and length.isascii() and length.isdigit():
        # A declared length is read in one call, as PEP 3333 allows. Werkzeug's get_data() reads
        # gunicorn's input in chunks until it runs dry, which cost a tenth of the API's
        # throughput (tests/perf/README.md).
        expected = int(length)
        if limit is not None and expected > limit:
            raise RequestEntityTooLarge()
        raw = _read(stream, expected)
        if len(raw) != expected:
            raise Refused(400, ENDED_EARLY)
        return raw
    if not chunked and not environ.get("wsgi.input_terminated"):
        # No length and no chunked framing (or a length that is not a number): no body, as
        # Werkzeug reads it. Gunicorn refuses a malformed Content-Length itself.
        return b""
    pieces: list[bytes] = []
    size = 0
    while True:
        piece = _read(stream, PIECE)
        if not piece:
            return b"".join(pieces)
        size += len(piece)
        if limit is not None and size > limit:
            raise RequestEntityTooLarge()
        pieces.append(piece)


def _field(name: str) -> str:
    """Name a form field in a message: as given when short and printable, else generically."""
    return f"field {name!r}" if len(name) <= 40 and name.isprintable() else "a field"


def _decode(text: str, what: str) -> str:
    raw = unquote_to_bytes(text.replace("+", " "))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        byte = raw[error.start]
        raise Refused(
            400,
            f"The form's {what} is not valid UTF-8 (byte 0x{byte:02x} once percent-decoded).",
        ) from None


def parse_form(raw: bytes) -> ImmutableMultiDict[str, str]:
    """Parse an urlencoded form strictly: every name and value must be UTF-8 (rule 3)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Refused(
            400,
            f"The form is not valid UTF-8 text (byte 0x{raw[error.start]:02x} at position"
            f" {error.start}).",
        ) from None
    pairs: list[tuple[str, str]] = []
    for part in text.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        name = _decode(name, "field name")
        pairs.append((name, _decode(value, _field(name))))
    return ImmutableMultiDict(pairs)


class StrictRequest(Request):
    """Flask's request, whose form is read by read_body and parse_form (the rules above)."""

    def _load_form_data(self) -> None:
        if "form" in self.__dict__:
            return
        # Any body sent to a form route is read and limited, whatever its declared type.
        raw = read_body(self)
        if self.mimetype == FORM:
            self.__dict__["form"] = parse_form(raw)
            self.__dict__["files"] = self.parameter_storage_class()
            return
        if self.mimetype == "multipart/form-data":
            # The body is already whole and within the limit; Werkzeug's parser reads it from here.
            self.environ["wsgi.input"] = io.BytesIO(raw)
            self.environ["CONTENT_LENGTH"] = str(len(raw))
            self.environ.pop("HTTP_TRANSFER_ENCODING", None)
            self.__dict__.pop("stream", None)
            super()._load_form_data()
            return
        self.__dict__["form"] = self.parameter_storage_class()
        self.__dict__["files"] = self.parameter_storage_class()


def register(app: Flask) -> None:
    app.request_class = StrictRequest
