"""Trickled bodies against the `make run` server: are legitimate requests still answered, and fast?

Usage (from the repository root; loopback only; bounded: about 45 s, never more than --max-seconds):

    .venv/bin/python tests/perf/trickle.py [--root .] [--label after]
        [--connections 5000] [--interval 20] [--requests 25] [--spread 25]

The server is started with the command `make run` executes in --root (read from its Makefile with
`make -n run`, tests/server.py). While it runs:

- trickling clients: --connections (5,000) connections, opened over about 5 s, each sending the
  headers of a POST /api/v1/assess that declares a 10,000-byte body (within the 16 KB limit), then one body byte every
  --interval (20) seconds. When the server closes one (at its request deadline, with a 408), it is
  opened again at once, so that many are always open or opening. One event loop drives them all
  (non-blocking sockets) in a process of its own, so neither its CPU nor its interpreter lock
  delays the legitimate requests' client;
- once they are all open, --requests (25) legitimate requests are sent one after another, evenly
  over --spread (25) seconds, so they meet the attack across more than one deadline: in turn GET
  /healthz, POST /api/v1/assess (VISSIT-like JSON) and POST / (the same scenario as a form), each
  on a new connection with a 10 s timeout. A request fails when it times out, errors, or does not
  answer 200 with the expected content.

Targets (issue: "a deadline per request"): all legitimate requests answered, p99 under 250 ms, no
worker restarted. The file descriptor limit is raised for this process (the client holds one per
connection); the server raises its own (app/gunicorn_conf.py). Figures are printed and merged into
tests/perf/results.json under "trickle.<label>".
"""

from __future__ import annotations

import argparse
import errno
import heapq
import http.client
import json
import multiprocessing
import os
import resource
import selectors
import socket
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    PERF,
    ROOT,
    VISSIT_SCENARIO,
    busy_processes,
    form_body,
    temporary_directory,
    write_results,
)

from tests import server as make_run

HOST = "127.0.0.1"
HEAD = (
    b"POST /api/v1/assess HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    b"Content-Length: 10000\r\n\r\n{"
)
LEGITIMATE = (
    ("GET", "/healthz", b"", "", b'"status":"ok"'),
    (
        "POST",
        "/api/v1/assess",
        json.dumps(VISSIT_SCENARIO).encode(),
        "application/json",
        b'"id":"vissit"',
    ),
    (
        "POST",
        "/",
        form_body(VISSIT_SCENARIO).encode(),
        "application/x-www-form-urlencoded",
        b'id="results"',
    ),
)


def raise_fd_limit(needed: int) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        soft = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return soft


class Trickle:
    """Keep `count` connections open, each trickling one body byte every `interval` seconds."""

    def __init__(self, port: int, count: int, interval: float, ramp: float) -> None:
        self.port = port
        self.count = count
        self.interval = interval
        self.ramp = ramp
        self.selector = selectors.DefaultSelector()
        self.sockets: dict[int, socket.socket] = {}
        self.due: list[tuple[float, int]] = []  # (when, fd): the next byte of each connection
        self.counts = {"opened": 0, "closed_by_server": 0, "answered_408": 0, "connect_errors": 0}
        self.counts.update({"answered_other": 0, "bytes_trickled": 0})

    def _connect(self) -> None:
        sock = socket.socket()
        sock.setblocking(False)
        code = sock.connect_ex((HOST, self.port))
        if code not in (0, errno.EINPROGRESS):
            self.counts["connect_errors"] += 1
            sock.close()
            return
        self.selector.register(sock, selectors.EVENT_WRITE, "connecting")
        self.sockets[sock.fileno()] = sock

    def _close(self, sock: socket.socket) -> None:
        self.selector.unregister(sock)
        del self.sockets[sock.fileno()]
        sock.close()

    def _event(self, sock: socket.socket, state: str, now: float) -> None:
        if state == "connecting":
            if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                self.counts["connect_errors"] += 1
                self._close(sock)
                return
            try:
                sock.send(HEAD)
            except OSError:
                self.counts["connect_errors"] += 1
                self._close(sock)
                return
            self.counts["opened"] += 1
            self.selector.modify(sock, selectors.EVENT_READ, "open")
            heapq.heappush(self.due, (now + self.interval, sock.fileno()))
            return
        try:
            data = sock.recv(65536)
        except OSError:
            data = b""
        if data.startswith(b"HTTP/1.1 408"):
            self.counts["answered_408"] += 1
        elif data:
            self.counts["answered_other"] += 1
        self.counts["closed_by_server"] += 1
        self._close(sock)

    def _trickle(self, now: float) -> None:
        while self.due and self.due[0][0] <= now:
            _, fd = heapq.heappop(self.due)
            sock = self.sockets.get(fd)
            if sock is None or self.selector.get_key(sock).data != "open":
                continue  # closed (and its descriptor perhaps reused by a newer connection)
            try:
                sock.send(b" ")
                self.counts["bytes_trickled"] += 1
                heapq.heappush(self.due, (now + self.interval, fd))
            except OSError:
                self.counts["closed_by_server"] += 1
                self._close(sock)

    def run(self, stop: Any, opened: Any, open_now: Any, report: Any) -> None:
        started = time.monotonic()
        while not stop.is_set():
            now = time.monotonic()
            # Open (or reopen) connections up to the count, at most count/ramp per second.
            share = min(1.0, (now - started) / self.ramp)
            for _ in range(min(200, max(0, int(self.count * share) - len(self.sockets)))):
                self._connect()
            for key, _ in self.selector.select(timeout=0.05):
                self._event(key.fileobj, key.data, time.monotonic())  # type: ignore[arg-type]
            self._trickle(time.monotonic())
            opened.value = self.counts["opened"]
            open_now.value = len(self.sockets)
        for sock in list(self.sockets.values()):
            self._close(sock)
        report.put(self.counts)


def server_cpu_seconds(master: int) -> float:
    """User and system CPU seconds of the server's master and its workers so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    total = 0
    for pid in [master, *map(int, children)]:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def legitimate(port: int, index: int) -> tuple[bool, float, str]:
    method, path, body, content_type, expected = LEGITIMATE[index % len(LEGITIMATE)]
    headers = {"Content-Type": content_type} if body else {}
    start = time.perf_counter()
    try:
        connection = http.client.HTTPConnection(HOST, port, timeout=10)
        try:
            connection.request(method, path, body=body or None, headers=headers)
            response = connection.getresponse()
            answer = response.read()
            ok = response.status == 200 and expected in answer
            why = "" if ok else f"{method} {path}: status {response.status}"
        finally:
            connection.close()
    except (OSError, http.client.HTTPException) as error:
        ok, why = False, f"{method} {path}: {type(error).__name__}"
    return ok, time.perf_counter() - start, why


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def run(args: argparse.Namespace) -> dict[str, Any]:
    root = Path(args.root).resolve()
    limit = raise_fd_limit(args.connections + 512)
    if limit < args.connections + 64:
        raise SystemExit(f"the file descriptor limit ({limit}) is too low for the connections")
    command = make_run.run_command(root, HOST, 0)
    load_before = [round(x, 2) for x in os.getloadavg()]
    busy = busy_processes()
    with temporary_directory("trickle-") as tmp:
        return measure(args, root, command, load_before, busy, tmp / "server.log")


def measure(
    args: argparse.Namespace,
    root: Path,
    command: list[str],
    load_before: list[float],
    busy: list[str],
    log_path: Path,
) -> dict[str, Any]:
    server = make_run.start(log_path, root=root)
    trickle = Trickle(server.port, args.connections, args.interval, args.ramp)
    context = multiprocessing.get_context("fork")
    stop, report = context.Event(), context.Queue()
    opened, open_now = context.Value("i", 0), context.Value("i", 0)
    child = context.Process(target=trickle.run, args=(stop, opened, open_now, report))
    counts: dict[str, int] = {}
    cpu_start = server_cpu_seconds(server.process.pid)
    cpu_seconds = 0.0
    results: list[tuple[bool, float, str]] = []
    open_at_request: list[int] = []
    begin = time.monotonic()
    try:
        child.start()
        # Wait until every trickling connection is open (or the time runs out).
        while opened.value < args.connections and time.monotonic() - begin < 30:
            time.sleep(0.2)
        ramped = time.monotonic() - begin
        pace = args.spread / args.requests
        first = time.monotonic()
        for index in range(args.requests):
            time.sleep(max(0.0, first + index * pace - time.monotonic()))
            if time.monotonic() - begin > args.max_seconds:
                results.append((False, 0.0, "not sent: the run reached --max-seconds"))
                continue
            open_at_request.append(open_now.value)
            results.append(legitimate(server.port, index))
    finally:
        cpu_seconds = server_cpu_seconds(server.process.pid) - cpu_start
        stop.set()
        counts = report.get(timeout=30) if child.is_alive() or not report.empty() else {}
        child.join(timeout=30)
        server.stop()
    log = server.output()
    latencies = [seconds * 1000 for _, seconds, why in results if "not sent" not in why]
    failures = [why for ok, _, why in results if not ok]
    booted = sum(1 for line in log.splitlines() if "Booting worker" in line)
    p99 = percentile(latencies, 0.99) if latencies else float("inf")
    return {
        "label": args.label,
        "root": str(root),
        "command": " ".join(command).replace(":0 ", ":<port> "),
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cpus": os.cpu_count(),
        "load_average_before": load_before,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "busy_processes_before": busy,
        "connections": args.connections,
        "interval_seconds": args.interval,
        "seconds_to_open_all": round(ramped, 1),
        "open_at_each_request_min_max": [
            min(open_at_request, default=0),
            max(open_at_request, default=0),
        ],
        "requests": args.requests,
        "failed": len(failures),
        "failures_first": failures[:5],
        "p50_ms": round(percentile(latencies, 0.50), 1) if latencies else None,
        "p99_ms": round(p99, 1),
        "max_ms": round(max(latencies), 1) if latencies else None,
        "latencies_ms": [round(value, 1) for value in latencies],
        "seconds": round(time.monotonic() - begin, 1),
        "attack": dict(sorted(counts.items())),
        "server_cpu_seconds": round(cpu_seconds, 1),
        "workers_booted": booted,
        "worker_timeouts": log.count("WORKER TIMEOUT"),
        "error_log_lines": sum(1 for line in log.splitlines() if "[ERROR]" in line),
        "targets_met": not failures and p99 < 250 and booted == 2,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", default=str(ROOT), help="checkout whose `make run` is measured")
    parser.add_argument("--label", default="after")
    parser.add_argument("--connections", type=int, default=5000)
    parser.add_argument("--interval", type=float, default=20, help="seconds between body bytes")
    parser.add_argument("--ramp", type=float, default=5, help="seconds to open the connections")
    parser.add_argument("--requests", type=int, default=25)
    parser.add_argument(
        "--spread", type=float, default=25, help="seconds over which the requests are sent"
    )
    parser.add_argument("--max-seconds", type=float, default=90, help="the run stops by then")
    parser.add_argument("--output", default=str(PERF / "results.json"))
    args = parser.parse_args()
    results = run(args)
    print(json.dumps(results, indent=2))
    write_results(Path(args.output), f"trickle.{args.label}", results)


if __name__ == "__main__":
    main()
