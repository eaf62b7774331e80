"""Slow clients against the `make run` server: do legitimate requests still get answered, and fast?

Usage (from the repository root; bounded: about 20-60 s, loopback only):

    .venv/bin/python tests/perf/slow_clients.py [--root .] [--label after]
        [--requests 500] [--slow-headers 50] [--readers 6] [--concurrency 4]

The server is started with the command `make run` executes in --root (read from its Makefile with
`make -n run`, tests/server.py), so pointing --root at another checkout measures that checkout's
setup (the "before" figures were taken with --root on main before the change). While it runs:

- slow-header clients (--slow-headers, 50): each opens a connection, sends a request line and one
  header, then one more header line every second and never the blank line that ends the headers;
  when the server closes it, it reconnects at once, so that many are always open or opening;
- never-closing readers (--readers, 6): each asks for GET /api/v1/evidence (79 KB) with a 4 KB
  receive buffer, reads 1 KB every 100 ms, never closes, and reconnects when the server closes;
- once they are in place (2 s), --requests (500) legitimate requests are started evenly over
  --spread (20) seconds, so the attack outlasts several of the server's header and keep-alive
  timeouts, by --concurrency (4) clients, each request on a new connection, in turn GET /healthz, POST /api/v1/assess (VISSIT-like JSON)
  and POST / (the same scenario as a form), each with a 10 s timeout. A request fails when it
  times out, errors, or does not answer 200 with the expected content; requests not sent within
  --max-seconds (120) count as failed, so a run ends in about two minutes at worst.

Targets: 0 failed legitimate requests and p99 latency under 250 ms. Figures are printed and merged
into tests/perf/results.json under "slow_clients.<label>".
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import select
import socket
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
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


class Counter:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.values: dict[str, int] = {}

    def add(self, name: str, amount: int = 1) -> None:
        with self.lock:
            self.values[name] = self.values.get(name, 0) + amount


def slow_header_client(port: int, stop: threading.Event, counter: Counter) -> None:
    """Hold a connection whose headers never end; reconnect whenever the server drops it."""
    while not stop.is_set():
        try:
            sock = socket.create_connection((HOST, port), timeout=5)
        except OSError:
            counter.add("slow_header_connect_errors")
            stop.wait(0.2)
            continue
        counter.add("slow_header_connections")
        try:
            sock.sendall(b"POST /api/v1/assess HTTP/1.1\r\nHost: localhost\r\n")
            line = 0
            while not stop.wait(1.0):
                readable, _, _ = select.select([sock], [], [], 0)
                if readable:  # the server answered (an error) or closed: it gave up on us
                    sock.recv(65536)
                    counter.add("slow_header_closed_by_server")
                    break
                line += 1
                sock.sendall(b"X-Slow-%d: still sending\r\n" % line)
        except OSError:
            counter.add("slow_header_closed_by_server")
        finally:
            sock.close()


def slow_reader(port: int, stop: threading.Event, counter: Counter) -> None:
    """Ask for a large answer, read it 1 KB per 100 ms through a small buffer, never close."""
    while not stop.is_set():
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.settimeout(5)
        try:
            sock.connect((HOST, port))
        except OSError:
            counter.add("reader_connect_errors")
            sock.close()
            stop.wait(0.2)
            continue
        counter.add("reader_connections")
        try:
            sock.sendall(b"GET /api/v1/evidence HTTP/1.1\r\nHost: localhost\r\n\r\n")
            while not stop.wait(0.1):
                try:
                    data = sock.recv(1024)
                except TimeoutError:
                    continue
                if not data:
                    counter.add("reader_closed_by_server")
                    break
                counter.add("reader_bytes", len(data))
        except OSError:
            counter.add("reader_closed_by_server")
        finally:
            sock.close()


def legitimate(port: int, index: int, due: float, deadline: float) -> tuple[bool, float, str]:
    method, path, body, content_type, expected = LEGITIMATE[index % len(LEGITIMATE)]
    time.sleep(max(0.0, due - time.monotonic()))
    if time.monotonic() > deadline:
        return False, 0.0, f"{method} {path}: not sent, the run reached --max-seconds"
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
    command = make_run.run_command(root, HOST, 0)
    load_before = [round(x, 2) for x in os.getloadavg()]
    busy = busy_processes()
    with temporary_directory("slow-clients-") as tmp:
        server = make_run.start(tmp / "server.log", root=root)
        stop = threading.Event()
        counter = Counter()
        attackers = [
            threading.Thread(target=slow_header_client, args=(server.port, stop, counter))
            for _ in range(args.slow_headers)
        ] + [
            threading.Thread(target=slow_reader, args=(server.port, stop, counter))
            for _ in range(args.readers)
        ]
        try:
            for thread in attackers:
                thread.start()
            time.sleep(2.0)
            started = time.perf_counter()
            begin = time.monotonic()
            deadline = begin + args.max_seconds
            pace = args.spread / args.requests

            def send(index: int) -> tuple[bool, float, str]:
                return legitimate(server.port, index, begin + index * pace, deadline)

            with ThreadPoolExecutor(args.concurrency) as pool:
                results = list(pool.map(send, range(args.requests)))
            elapsed = time.perf_counter() - started
        finally:
            stop.set()
            for thread in attackers:
                thread.join(timeout=15)
            server.stop()
        log = server.output()
    latencies = [seconds * 1000 for _, seconds, why in results if "not sent" not in why]
    failures = [why for ok, _, why in results if not ok]
    return {
        "label": args.label,
        "root": str(root),
        "command": " ".join(command).replace(":0 ", ":<port> "),
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "load_average_before": load_before,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "busy_processes_before": busy,
        "slow_header_clients": args.slow_headers,
        "readers": args.readers,
        "requests": args.requests,
        "concurrency": args.concurrency,
        "spread_seconds": args.spread,
        "failed": len(failures),
        "not_sent": sum(1 for why in failures if "not sent" in why),
        "failures_first": failures[:5],
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p90_ms": round(percentile(latencies, 0.90), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "max_ms": round(max(latencies), 1),
        "seconds": round(elapsed, 1),
        "attack": dict(sorted(counter.values.items())),
        "error_log_lines": sum(1 for line in log.splitlines() if "[ERROR]" in line),
        "targets_met": not failures and percentile(latencies, 0.99) < 250,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", default=str(ROOT), help="checkout whose `make run` is measured")
    parser.add_argument("--label", default="after")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--slow-headers", type=int, default=50)
    parser.add_argument("--readers", type=int, default=6)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument(
        "--spread", type=float, default=20, help="seconds over which the requests are started"
    )
    parser.add_argument(
        "--max-seconds", type=float, default=120, help="requests not sent by then count as failed"
    )
    parser.add_argument("--output", default=str(PERF / "results.json"))
    args = parser.parse_args()
    results = run(args)
    print(json.dumps(results, indent=2))
    write_results(Path(args.output), f"slow_clients.{args.label}", results)


if __name__ == "__main__":
    main()
