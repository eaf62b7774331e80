"""The `make run` server itself: its own errors carry the app's headers, one instance serves one
evidence version, and nothing on disk can take a running instance down.

Each test starts the server exactly as `make run` does (tests/server.py reads the command from the
Makefile) on 127.0.0.1 and talks to it over sockets.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.http.security import HEADERS
from tests import server as make_run
from tests.evidence_dirs import FIXTURE_DIR

HOST = make_run.HOST


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[make_run.Server]:
    with make_run.running(tmp_path_factory.mktemp("server") / "server.log") as running:
        yield running


def exchange(port: int, data: bytes, timeout: float = 10.0) -> bytes:
    """Send raw bytes, half-close, and read the whole answer until the server closes."""
    with socket.create_connection((HOST, port), timeout=timeout) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def parse(answer: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body


def healthz_version(port: int) -> str:
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request("GET", "/healthz")
        response = connection.getresponse()
        body = json.loads(response.read())
        assert response.getheader("X-Evidence-Version") == body["evidence_version"]
        return body["evidence_version"]
    finally:
        connection.close()


SERVER_ERRORS = [
    pytest.param(b"GARBAGE\r\n\r\n", 400, "text/html", id="bad-request-line"),
    pytest.param(
        b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: localhost\r\n\r\n",
        414,
        "text/html",
        id="uri-too-long",
    ),
    pytest.param(
        b"GET /api/v1/evidence HTTP/1.1\r\nHost: localhost\r\n"
        + b"".join(b"X-Header-%d: y\r\n" % i for i in range(60))
        + b"\r\n",
        431,
        "text/html",
        id="too-many-headers",
    ),
    pytest.param(
        b"GET / HTTP/1.1\r\nHost: localhost\r\nExpect: something-else\r\n\r\n",
        417,
        "text/html",
        id="expectation",
    ),
    pytest.param(
        b"POST / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: foo\r\n\r\n0\r\n\r\n",
        501,
        "text/html",
        id="unknown-transfer-coding",
    ),
    pytest.param(
        b"POST /api/v1/assess HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        b"Content-Length: 2\r\nTransfer-Encoding: gzip\r\n\r\n{}",
        400,
        "text/html",
        id="transfer-coding-and-length",
    ),
]


@pytest.mark.parametrize(("data", "status", "mimetype"), SERVER_ERRORS)
def test_errors_the_server_writes_itself_carry_the_apps_headers(
    server: make_run.Server, data: bytes, status: int, mimetype: str
) -> None:
    code, headers, body = parse(exchange(server.port, data))
    assert code == status
    for name, value in HEADERS.items():
        assert headers[name.lower()] == value
    assert headers["cache-control"] == "no-store"
    assert headers["x-evidence-version"] == healthz_version(server.port)
    assert headers["content-type"].startswith(mimetype)
    assert int(headers["content-length"]) == len(body)
    # Never the offending request echoed back.
    assert b"GARBAGE" not in body and b"aaaa" not in body


def test_a_refused_request_is_logged_without_its_text(server: make_run.Server) -> None:
    exchange(server.port, b"GET /?age=97&stenosis_percent=83 HTTP/9.9 extra\r\n\r\n")
    log = server.output()
    assert "Invalid request from ip=127.0.0.1: the request could not be parsed" in log
    assert "stenosis_percent" not in log and "age=97" not in log


@pytest.mark.parametrize(
    "path", ["/", "/healthz", "/api/v1/evidence", "/static/css/app.css", "/nowhere", "/api/nowhere"]
)
def test_every_app_answer_names_the_evidence_version(server: make_run.Server, path: str) -> None:
    code, headers, _ = parse(
        exchange(server.port, f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
    )
    assert code in (200, 404)
    assert headers["x-evidence-version"] == healthz_version(server.port)
    assert headers["content-security-policy"] == HEADERS["Content-Security-Policy"]


def test_each_answer_closes_its_connection(server: make_run.Server) -> None:
    # One request per connection, as the sync workers served: a second request on the same
    # connection is never read (app/http/worker.py says why).
    request = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"
    answer = exchange(server.port, request * 2)
    assert answer.count(b"HTTP/1.1 200") == 1
    assert parse(answer)[1]["connection"] == "close"


def test_a_slow_header_connection_is_dropped_and_blocks_nobody(server: make_run.Server) -> None:
    slow = [socket.create_connection((HOST, server.port), timeout=20) for _ in range(8)]
    try:
        for sock in slow:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")  # headers never finished
        started = time.monotonic()
        healthz_version(server.port)  # answered while the slow ones wait
        assert time.monotonic() - started < 2.0
        # The server gives up on them after its header timeout (keepalive = 5 s).
        for sock in slow:
            assert sock.recv(100) == b""
        assert time.monotonic() - started < 10.0
    finally:
        for sock in slow:
            sock.close()


def test_a_body_that_stops_arriving_is_cut_at_the_stall_limit(tmp_path: Path) -> None:
    # The stall limit is gunicorn's `timeout` (30 s in app/gunicorn_conf.py); 2 s here.
    env = {"GUNICORN_CMD_ARGS": "--timeout 2"}
    with make_run.running(tmp_path / "server.log", env=env) as server:
        with socket.create_connection((HOST, server.port), timeout=20) as sock:
            sock.sendall(
                b"POST /api/v1/assess HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                b'Content-Length: 100\r\n\r\n{"setting": '
            )
            started = time.monotonic()
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
            waited = time.monotonic() - started
        status, _, body = parse(answer)
        assert 1.5 < waited < 10
        assert (status, json.loads(body)["error"]) == (400, "bad_request")
        healthz_version(server.port)  # and the server goes on
        assert "ERROR" not in server.output()


# --------------------------------------------------------------------------- evidence on disk


def workers(master: int) -> set[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return {int(pid) for pid in children}


def wait_for_workers(master: int, count: int, excluding: set[int]) -> set[int]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        current = workers(master)
        if len(current) == count and not current & excluding:
            return current
        time.sleep(0.1)
    raise AssertionError(f"workers did not come back: {workers(master)}")


@pytest.mark.parametrize("edit", ["valid", "broken"])
def test_a_running_instance_never_reads_the_evidence_again(tmp_path: Path, edit: str) -> None:
    folder = tmp_path / "evidence"
    shutil.copytree(FIXTURE_DIR, folder)
    log = tmp_path / "server.log"
    with make_run.running(log, env={"ICAS_EVIDENCE_DIR": str(folder)}) as server:
        version = healthz_version(server.port)
        manifest = folder / "manifest.toml"
        if edit == "valid":  # a new revision date: a fresh load would give another version
            manifest.write_text(
                manifest.read_text().replace("revision = ", "revision = 2030-01-01\n#")
            )
        else:  # a broken study file: a fresh load would refuse to start
            (folder / "studies" / "vissit.toml").write_text("schema_version = = 1\n")
        master = server.process.pid
        before = wait_for_workers(master, 2, set())  # the second may still be booting
        # A worker dies (as a crash or the OOM killer would), and the master is told to reload.
        os.kill(min(before), signal.SIGKILL)
        wait_for_workers(master, 2, {min(before)})
        # Let the new worker install its signal handlers: a SIGTERM (which the reload sends the
        # oldest worker) that arrives before that is lost, in any gunicorn worker.
        time.sleep(2)
        os.kill(master, signal.SIGHUP)
        wait_for_workers(master, 2, before)
        answers = [healthz_version(server.port) for _ in range(30)]
        assert server.process.poll() is None
        assert set(answers) == {version}
    assert "evidence problem" not in log.read_text()


# --------------------------------------------------------------------------- the request deadline


@pytest.fixture(scope="module")
def short_deadline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[make_run.Server]:
    # The deadline is 10 s unless ICAS_REQUEST_DEADLINE says otherwise; 2 s here.
    log = tmp_path_factory.mktemp("deadline") / "server.log"
    with make_run.running(log, env={"ICAS_REQUEST_DEADLINE": "2"}) as running:
        yield running
        assert "ERROR" not in running.output()


def trickle(port: int, head: bytes, piece: bytes, pieces: int = 12) -> bytes:
    """Send `head`, then `piece` every 0.5 s (6 s in all: past the 2 s deadline); read the answer."""
    with socket.create_connection((HOST, port), timeout=20) as sock:
        sock.sendall(head)
        for _ in range(pieces):
            time.sleep(0.5)
            try:
                sock.sendall(piece)
            except OSError:
                break  # closed by the server: its answer is waiting
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except ConnectionResetError:
            pass
    return answer


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_body_still_trickling_at_the_deadline_gets_408(
    short_deadline: make_run.Server, chunked: bool
) -> None:
    framing = b"Transfer-Encoding: chunked\r\n" if chunked else b"Content-Length: 1000\r\n"
    head = (
        b"POST /api/v1/assess HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        + framing
        + b"\r\n"
    )
    # Every piece arrives well within the 30 s stall limit: only a deadline per request ends it.
    answer = trickle(short_deadline.port, head, b"1\r\n \r\n" if chunked else b" ")
    status, headers, body = parse(answer)
    assert status == 408
    assert json.loads(body) == {
        "error": "request_timeout",
        "message": "The request did not arrive whole within 2 s: it was not read.",
    }
    assert headers["connection"] == "close"
    assert headers["x-evidence-version"] == healthz_version(short_deadline.port)


def test_a_form_still_trickling_at_the_deadline_gets_a_408_page(
    short_deadline: make_run.Server,
) -> None:
    head = (
        b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: 1000\r\n\r\nsetting="
    )
    status, headers, body = parse(trickle(short_deadline.port, head, b"x"))
    assert status == 408
    assert headers["content-type"].startswith("text/html")
    assert b"did not arrive whole within 2 s" in body


def test_headers_still_trickling_at_the_deadline_get_408(short_deadline: make_run.Server) -> None:
    head = b"GET /api/v1/evidence HTTP/1.1\r\nHost: localhost\r\n"
    answer = trickle(short_deadline.port, head, b"X-Slow: 1\r\n")
    status, headers, body = parse(answer)
    # The worker answers before any request exists, so with its HTML page (the path is unknown).
    assert status == 408
    assert b"The request did not arrive whole in time" in body
    for name, value in HEADERS.items():
        assert headers[name.lower()] == value


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        *(
            ("ICAS_REQUEST_DEADLINE", value, "ICAS_REQUEST_DEADLINE must be a number of seconds")
            for value in ("0", "-3", "soon", "nan", "99999")
        ),
        ("ICAS_TRUSTED_HOSTS", "https://icas.example.org", "ICAS_TRUSTED_HOSTS: not a host name"),
        ("ICAS_PUBLIC_URL", "http://icas.example.org", "ICAS_PUBLIC_URL must be an https URL"),
    ],
)
def test_a_bad_setting_stops_the_server_at_start_with_78(
    tmp_path: Path, name: str, value: str, message: str
) -> None:
    # EX_CONFIG, as for broken evidence: a service manager should not restart into it.
    server = make_run.start(tmp_path / "server.log", env={name: value}, wait=False)
    try:
        code = server.process.wait(timeout=60)
    finally:
        server.stop()
    assert code == 78, server.output()
    assert (
        f"Settings refused: {'EHR settings refused: ' if 'URL' in name else ''}" in server.output()
    )
    assert message in server.output()
    assert "Traceback" not in server.output()
    assert "Booting worker" not in server.output()


def test_a_client_that_waits_for_100_continue_gets_it_before_its_body_is_read(
    server: make_run.Server,
) -> None:
    body = json.dumps(
        {"intervention": {"events": 14, "total": 58}, "comparator": {"events": 5, "total": 53}}
    )
    head = (
        "POST /api/v1/two-by-two HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        f"Expect: 100-continue\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    with socket.create_connection((HOST, server.port), timeout=20) as sock:
        sock.sendall(head.encode())
        assert sock.recv(100) == b"HTTP/1.1 100 Continue\r\n\r\n"  # the body is not sent before
        sock.sendall(body.encode())
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    status, _, text = parse(answer)
    assert status == 200
    assert json.loads(text)["intervention"]["events"] == 14
