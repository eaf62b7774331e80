"""CPU time per request and throughput of /healthz and the assess calls, alternated, one server.

Usage (from the repository root):

    .venv/bin/python tests/perf/cpu_per_request.py [--duration 4] [--rounds 3] [--connections 8]

Throughput on a shared machine swings by a tenth between rounds when a neighbour is busy; CPU
seconds spent per request move less, because time the processes wait for a CPU is not counted. For
each round and scenario, one `make run` server (access log to /dev/null) is loaded with wrk for
`--duration` seconds after a 1 s warm-up; the server's CPU time (its processes' utime + stime from
/proc) and wrk's (rusage of the child) are divided by the requests served. The ratio healthz ÷
assess of these totals is what the throughput ratio would be if every request cost only CPU on the
same two cores. It also prints each round's throughput ratio (req/s of the assess call ÷ req/s of
/healthz in the same round) and their median: short rounds, one server, scenarios alternated, as
load.py measures at length. To compare commits in one sitting, check each out in a worktree with
its own .venv and run this script from each in turn.

With `--replay`, the server is `make run`'s with one benchmark-only route added (tests/perf/
replay.py) and two more scenarios, POST /perf/replay with each assess body: the scenario read and
validated as the assess view does, then that request's own answer, prebuilt. Its rate is the
ceiling for that request with an answer of that size and no per-request work; the script prints
each assess request's throughput as a share of its own ceiling, round by round (target: at least
0.8).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    ALL_OPTIONS_SCENARIO,
    PERF,
    VISSIT_SCENARIO,
    free_port,
    lua_script,
    median,
    require_wrk,
    start_gunicorn,
    temporary_directory,
)

SCENARIOS = {
    "GET /healthz": ("GET", "/healthz", "", ""),
    "POST /api/v1/assess (VISSIT-like)": (
        "POST",
        "/api/v1/assess",
        json.dumps(VISSIT_SCENARIO),
        "application/json",
    ),
    "POST /api/v1/assess (all four options)": (
        "POST",
        "/api/v1/assess",
        json.dumps(ALL_OPTIONS_SCENARIO),
        "application/json",
    ),
}
# Each assess request, sent to the replay route (tests/perf/replay.py PATH): its ceiling.
REPLAY = {
    "POST /perf/replay (VISSIT-like answer, prebuilt)": (
        "POST",
        "/perf/replay",
        *SCENARIOS["POST /api/v1/assess (VISSIT-like)"][2:],
    ),
    "POST /perf/replay (all-four answer, prebuilt)": (
        "POST",
        "/perf/replay",
        *SCENARIOS["POST /api/v1/assess (all four options)"][2:],
    ),
}
CEILING = {
    "POST /api/v1/assess (VISSIT-like)": "POST /perf/replay (VISSIT-like answer, prebuilt)",
    "POST /api/v1/assess (all four options)": "POST /perf/replay (all-four answer, prebuilt)",
}
TICKS = os.sysconf("SC_CLK_TCK")


def descendants(pid: int) -> list[int]:
    out = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    children = [int(p) for p in out]
    return children + [d for c in children for d in descendants(c)]


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def load(url: str, script: Path, connections: int, duration: float) -> tuple[int, float]:
    """Run wrk; return the requests it completed and the CPU seconds it used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration:g}s", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next(x for x in done.stdout.splitlines() if x.startswith("WRK_JSON "))
    requests = json.loads(line.removeprefix("WRK_JSON "))["requests"]
    used = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return requests, used


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument(
        "--replay", action="store_true", help="also measure each assess answer served prebuilt"
    )
    args = parser.parse_args()
    require_wrk()
    scenarios = {**SCENARIOS, **(REPLAY if args.replay else {})}
    per_request: dict[str, list[tuple[float, float]]] = {name: [] for name in scenarios}
    rates: dict[str, list[float]] = {name: [] for name in scenarios}
    with temporary_directory("icas-cpu-") as tmp:
        scripts = {
            name: lua_script(tmp, f"s{i}", method, body, content_type)
            for i, (name, (method, _path, body, content_type)) in enumerate(scenarios.items())
        }
        wrapper = {"app": "replay:serve()", "pythonpath": str(PERF)} if args.replay else {}
        server = start_gunicorn(free_port(), access_log="devnull", log_dir=tmp, **wrapper)
        try:
            pids = [*descendants(server.process.pid), server.process.pid]
            for _ in range(args.rounds):
                for name, (_m, path, _b, _c) in scenarios.items():
                    url = server.base + path
                    load(url, scripts[name], args.connections, 1.0)
                    start = cpu_seconds(pids)
                    requests, client = load(url, scripts[name], args.connections, args.duration)
                    served = cpu_seconds(pids) - start
                    per_request[name].append((served * 1e6 / requests, client * 1e6 / requests))
                    rates[name].append(requests / args.duration)
        finally:
            server.stop()
    print(f"| scenario (c={args.connections}) | server µs/request | wrk µs/request | total |")
    print("| --- | --- | --- | --- |")
    totals = {}
    for name, rounds in per_request.items():
        totals[name] = median([s + c for s, c in rounds])
        server_us = median([s for s, _ in rounds])
        client_us = median([c for _, c in rounds])
        print(f"| {name} | {server_us:.0f} | {client_us:.0f} | {totals[name]:.0f} |")
    health = totals["GET /healthz"]
    for name in list(scenarios)[1:]:
        ratios = [a / h for a, h in zip(rates[name], rates["GET /healthz"], strict=True)]
        print(
            f"{name}: CPU ratio healthz ÷ assess = {health / totals[name]:.2f}; throughput ratio"
            f" per round {', '.join(f'{r:.2f}' for r in ratios)}, median {median(ratios):.2f}"
        )
    if args.replay:
        for name, ceiling in CEILING.items():
            shares = [a / c for a, c in zip(rates[name], rates[ceiling], strict=True)]
            print(
                f"{name} ÷ its replay ceiling (throughput, target ≥ 0.8): per round"
                f" {', '.join(f'{r:.2f}' for r in shares)}, median {median(shares):.2f}"
            )


if __name__ == "__main__":
    main()
