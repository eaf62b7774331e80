"""Raw HTTP against a real server: malformed request lines, headers and bodies never give a 5xx.

The Flask test client never parses HTTP, so it cannot see what the server layer does with a bad
chunk size or a body shorter than its Content-Length. Here the server is started exactly as
`make run` starts it (tests/server.py) and every request is written byte by byte over a socket:

- the body rules of app/http/body.py and app/http/json_body.py, one case each (chunked encoding, the
  16 KB limit however the body is sent, short bodies, invalid UTF-8, duplicate JSON keys);
- hypothesis-generated request lines, headers, bodies and chunked encodings with mutations (bad
  sizes, missing CRLFs, extensions, trailers, truncation), checking that each answer is a status
  below 500 (or 501 for an unknown transfer coding, or no answer at all, for bytes that are not a
  request) and that the server's log has no ERROR line.

A default run is short (RAW_HTTP_EXAMPLES examples per property, 40 unless set). For a deep run:
``RAW_HTTP_EXAMPLES=2000 .venv/bin/python -m pytest tests/test_raw_http.py -q`` (about 1 s per
30 examples per property on a 2-core machine).
"""

from __future__ import annotations

import gzip
import json
import os
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.http.body import ENDED_EARLY, MALFORMED_CHUNKS
from tests import server as make_run
from tests.scenarios import VISSIT_LIKE

EXAMPLES = int(os.environ.get("RAW_HTTP_EXAMPLES", "40"))
RAW = settings(
    database=None,
    deadline=None,
    max_examples=EXAMPLES,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
HOST = make_run.HOST
ERROR_LINE = re.compile(r"\bERROR\b")
JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"
ENDPOINTS = ("/", "/summary", "/api/v1/assess", "/api/v1/two-by-two")
TWO_BY_TWO = {"intervention": {"events": 14, "total": 58}, "comparator": {"events": 5, "total": 53}}


def form_text(scenario: dict[str, Any]) -> str:
    pairs = []
    for name, value in scenario.items():
        for item in value if isinstance(value, list) else [value]:
            text = ("yes" if item else "no") if isinstance(item, bool) else str(item)
            pairs.append(f"{name}={text}")
    return "&".join(pairs)


VALID_BODIES = {
    "/": (FORM_TYPE, form_text(VISSIT_LIKE).encode()),
    "/summary": (FORM_TYPE, form_text(VISSIT_LIKE).encode()),
    "/api/v1/assess": (JSON_TYPE, json.dumps(VISSIT_LIKE).encode()),
    "/api/v1/two-by-two": (JSON_TYPE, json.dumps(TWO_BY_TWO).encode()),
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[make_run.Server]:
    with make_run.running(tmp_path_factory.mktemp("raw-http") / "server.log") as running:
        yield running
        # Whatever was sent, the server logged no error.
        assert not ERROR_LINE.search(running.output()), running.output()


def exchange(port: int, data: bytes) -> bytes:
    """Send raw bytes, half-close, and read the answer until the server closes."""
    with socket.create_connection((HOST, port), timeout=15) as sock:
        try:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server answered and closed before reading everything: read its answer
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except ConnectionResetError:
            pass
    return answer


def parse(answer: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, body


def request(
    path: str, body: bytes, content_type: str, *, chunked: bool = False, length: int | None = None
) -> bytes:
    head = f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: {content_type}\r\n"
    if chunked:
        head += "Transfer-Encoding: chunked\r\n"
    else:
        head += f"Content-Length: {len(body) if length is None else length}\r\n"
    return head.encode() + b"\r\n" + body


def chunks(body: bytes, size: int = 7) -> bytes:
    pieces = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"


def check(server: make_run.Server, answer: bytes) -> int | None:
    """The answer is no answer, a status below 500 or 501; the log has no ERROR line.

    501 is gunicorn's answer to a transfer coding it does not know (`Transfer-Encoding: foo`), as
    RFC 9112 asks: refused, not failed.
    """
    assert not ERROR_LINE.search(server.output()), server.output()[-3000:]
    if not answer:
        return None
    status, headers, body = parse(answer)
    assert status < 500 or status == 501, answer[:2000]
    assert headers.get("x-evidence-version")
    if headers.get("content-type", "").startswith(JSON_TYPE) and body:  # HEAD: no body
        json.loads(body)
    return status


def error_of(answer: bytes) -> tuple[int, str]:
    """Status and message of an error answer, JSON (under /api/) or the HTML error page."""
    status, headers, body = parse(answer)
    if headers["content-type"].startswith(JSON_TYPE):
        return status, json.loads(body)["message"]
    return status, body.decode()


# --------------------------------------------------------------------------- the body rules


MALFORMED = {
    "bad-chunk-size": lambda body: b"zz\r\n" + body + b"\r\n0\r\n\r\n",
    "missing-crlf": lambda body: b"%x\r\n%sXX0\r\n\r\n" % (len(body), body),
    "bad-extension": lambda body: b'%x;ext="open\r\n%s\r\n0\r\n\r\n' % (len(body), body),
    "bad-trailer": lambda body: b"%x\r\n%s\r\n0\r\nno colon here\r\n\r\n" % (len(body), body),
}


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("mutation", sorted(MALFORMED))
def test_malformed_chunked_encoding_is_400(
    server: make_run.Server, path: str, mutation: str
) -> None:
    content_type, body = VALID_BODIES[path]
    answer = exchange(
        server.port, request(path, MALFORMED[mutation](body), content_type, chunked=True)
    )
    status, message = error_of(answer)
    assert status == 400
    assert MALFORMED_CHUNKS.replace("'", "&#39;") in message or MALFORMED_CHUNKS in message
    check(server, answer)


def test_a_well_formed_chunked_form_is_computed(server: make_run.Server) -> None:
    content_type, body = VALID_BODIES["/"]
    answer = exchange(server.port, request("/", chunks(body), content_type, chunked=True))
    assert parse(answer)[0] == 200
    assert b'id="results"' in answer


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "content-length"])
def test_a_form_over_16_kb_is_413_however_sent(server: make_run.Server, chunked: bool) -> None:
    # The body the issue found cut short and computed: padding, then the real stenosis at the end.
    body = b"pad=" + b"x" * 16_400 + b"&" + form_text(VISSIT_LIKE).encode()
    assert len(body) > 16 * 1024
    encoded = chunks(body, 4096) if chunked else body
    answer = exchange(server.port, request("/", encoded, FORM_TYPE, chunked=chunked))
    status, message = error_of(answer)
    assert status == 413
    assert "larger than 16 KB" in message
    assert b'id="results"' not in answer


@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_body_shorter_than_its_content_length_is_400(server: make_run.Server, path: str) -> None:
    content_type, body = VALID_BODIES[path]
    answer = exchange(server.port, request(path, body, content_type, length=len(body) + 40))
    status, message = error_of(answer)
    assert status == 400
    assert ENDED_EARLY in message


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            b"setting=symptomatic_icas&stenosis_percent=8%FF",
            "The form&#39;s field &#39;stenosis_percent&#39; is not valid UTF-8 (byte 0xff once"
            " percent-decoded).",
        ),
        (
            b"setting=symptomatic_icas&age=6\xe94",
            "The form is not valid UTF-8 text (byte 0xe9 at position 30).",
        ),
    ],
    ids=["percent-encoded", "raw-byte"],
)
def test_a_form_that_is_not_utf8_is_400_naming_the_problem(
    server: make_run.Server, body: bytes, message: str
) -> None:
    status, page = error_of(exchange(server.port, request("/", body, FORM_TYPE)))
    assert status == 400
    assert message in page


def test_json_that_is_not_utf8_is_400(server: make_run.Server) -> None:
    body = b'{"setting": "lvo_icas\xff"}'
    status, message = error_of(exchange(server.port, request("/api/v1/assess", body, JSON_TYPE)))
    assert (status, message) == (
        400,
        "The request body is not valid UTF-8 (byte 0xff at position 21).",
    )


def test_duplicate_json_keys_are_422_naming_the_key(server: make_run.Server) -> None:
    body = b'{"setting": "lvo_icas", "options": ["medical"], "age": 50, "age": 90}'
    answer = exchange(server.port, request("/api/v1/assess", body, JSON_TYPE))
    status, _, text = parse(answer)
    assert (status, json.loads(text)) == (
        422,
        {
            "error": "validation_failed",
            "fields": {"age": ["Given more than once; give each field once."]},
        },
    )


# --------------------------------------------------------------------------- generated requests

TOKENS = st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=0, max_size=12)
METHODS = st.sampled_from(["GET", "POST", "PUT", "HEAD", "OPTIONS", "DELETE", "get"]) | TOKENS
PATHS = st.sampled_from([*ENDPOINTS, "/healthz", "/evidence", "/api/v1/evidence", "*"]) | st.text(
    st.characters(min_codepoint=1, max_codepoint=0x2FF), max_size=40
).map(lambda text: "/" + text)
VERSIONS = st.sampled_from(["HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/1.10", "http/1.1", ""])
HEADER_NAMES = (
    st.sampled_from(
        [
            "Host",
            "Content-Type",
            "Content-Length",
            "Transfer-Encoding",
            "Expect",
            "Connection",
            "X-A",
        ]
    )
    | TOKENS
)
HEADER_VALUES = st.sampled_from(
    ["chunked", "identity", "gzip, chunked", "100-continue", JSON_TYPE, FORM_TYPE, "-1", "10", ""]
) | st.text(st.characters(min_codepoint=1, max_codepoint=0xFF), max_size=30)


def line_bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


@RAW
@given(
    method=METHODS,
    path=PATHS,
    version=VERSIONS,
    headers=st.lists(st.tuples(HEADER_NAMES, HEADER_VALUES), max_size=6),
    body=st.binary(max_size=300),
)
def test_generated_request_lines_and_headers_never_give_a_5xx(
    server: make_run.Server,
    method: str,
    path: str,
    version: str,
    headers: list[tuple[str, str]],
    body: bytes,
) -> None:
    head = f"{method} {path} {version}".rstrip() + "\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers)
    check(server, exchange(server.port, line_bytes(head) + b"\r\n" + body))


def mutate(encoded: bytes, kind: str, position: int, junk: bytes) -> bytes:
    """One mutation of a chunked body: replace, insert or cut at `position`."""
    at = position % (len(encoded) + 1)
    if kind == "insert":
        return encoded[:at] + junk + encoded[at:]
    if kind == "replace":
        return encoded[:at] + junk + encoded[at + len(junk) :]
    return encoded[:at]  # "truncate"


CHUNK_JUNK = st.sampled_from(
    [
        *(b"\r\n", b"\r", b"\n", b";", b";a=b", b';a="', b"zz", b"-1", b"fffffffffffffffff"),
        *(b"0\r\n", b"0\r\nX: y\r\n\r\n", b"0\r\nbad\r\n\r\n", b" ", b"\x00"),
    ]
) | st.binary(min_size=1, max_size=8)


@RAW
@given(
    path=st.sampled_from(ENDPOINTS),
    size=st.integers(1, 64),
    mutations=st.lists(
        st.tuples(
            st.sampled_from(["insert", "replace", "truncate"]), st.integers(0, 10_000), CHUNK_JUNK
        ),
        max_size=3,
    ),
)
def test_chunked_mutations_never_give_a_5xx(
    server: make_run.Server, path: str, size: int, mutations: list[tuple[str, int, bytes]]
) -> None:
    content_type, body = VALID_BODIES[path]
    encoded = chunks(body, size)
    for kind, position, junk in mutations:
        encoded = mutate(encoded, kind, position, junk)
    status = check(
        server, exchange(server.port, request(path, encoded, content_type, chunked=True))
    )
    assert status in (None, 200, 400, 413, 415, 422)
    if not mutations:
        assert status == 200


@RAW
@given(
    path=st.sampled_from(ENDPOINTS),
    content_type=st.sampled_from([JSON_TYPE, FORM_TYPE, "text/plain", "multipart/form-data"]),
    body=st.binary(max_size=400) | st.sampled_from([b for _, b in VALID_BODIES.values()]),
    declared=st.sampled_from(["exact", "shorter-body", "longer-body"]),
)
def test_generated_bodies_never_give_a_5xx(
    server: make_run.Server, path: str, content_type: str, body: bytes, declared: str
) -> None:
    length = {
        "exact": len(body),
        "shorter-body": len(body) + 5,
        "longer-body": max(0, len(body) - 3),
    }
    answer = exchange(server.port, request(path, body, content_type, length=length[declared]))
    assert check(server, answer) in (None, 200, 400, 413, 415, 422)


def test_the_server_log_is_where_errors_would_be(server: make_run.Server) -> None:
    # The ERROR check above reads the right file: gunicorn's and the app's lines both land there.
    content_type, body = VALID_BODIES["/api/v1/assess"]
    assert parse(exchange(server.port, request("/api/v1/assess", body, content_type)))[0] == 200
    log = Path(server.log).read_text()
    assert "Booting worker" in log and '"POST /api/v1/assess"' in log


@pytest.mark.parametrize("coding", ["gzip, chunked", "deflate, chunked", "compress,chunked"])
@pytest.mark.parametrize("path", ["/api/v1/assess", "/"])
def test_transfer_codings_other_than_chunked_get_501(
    server: make_run.Server, path: str, coding: str
) -> None:
    # Gunicorn accepts these before `chunked` and passes the body on still compressed: refused.
    content_type, body = VALID_BODIES[path]
    data = gzip.compress(body)
    head = f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: {content_type}\r\n"
    head += f"Transfer-Encoding: {coding}\r\n\r\n"
    answer = exchange(server.port, head.encode() + chunks(data))
    status, headers, text = parse(answer)
    assert status == 501
    assert headers["x-evidence-version"]
    if path.startswith("/api/"):
        assert json.loads(text)["error"] == "not_implemented"
