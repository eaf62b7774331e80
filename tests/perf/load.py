"""Throughput and latency of the API, the HTML results and /healthz under gunicorn, with wrk.

Usage (from the repository root; `make bench` runs it):

    .venv/bin/python tests/perf/load.py [--duration 10] [--warmup 2] [--rounds 2]
                                        [--access-log file|devnull] [--output tests/perf/results.json]

One server, started exactly as `make run` starts it (app/gunicorn_conf.py: 2 gevent workers, one
request per connection; bound to 127.0.0.1), serves every measurement,
so /healthz and the assess calls are compared on the same server under the same conditions. For
each round, each connection count (1 and 8) and each scenario in turn: a warm-up run (not
recorded), then a measured run of `--duration` seconds with `wrk --latency -t1`. Scenarios
alternate within a round, and rounds repeat, so slow drifts of a shared machine spread over all of
them; the table gives the median over rounds (p99 also its worst round).

Targets: at 8 connections, assess p99 <= 10 ms and HTML results p99 <= 20 ms. The assess calls'
throughput is also given as a share of /healthz's, for information: the throughput target compares
each assess call with the replay ceiling of its own answer (cpu_per_request.py --replay).

wrk runs on the same 2-core machine as the server and takes CPU from it; the server closes the
connection after each response (as the sync workers before it did), so every request includes a
TCP connect on loopback.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    ALL_OPTIONS_SCENARIO,
    PERF,
    VISSIT_SCENARIO,
    busy_processes,
    conditions,
    form_body,
    free_port,
    lua_script,
    markdown_table,
    median,
    require_wrk,
    server_description,
    start_gunicorn,
    temporary_directory,
    write_results,
    wrk,
)

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
# name -> (method, path, body, content type, what a correct answer contains)
SCENARIOS: dict[str, tuple[str, str, str, str, bytes]] = {
    "GET /healthz": ("GET", "/healthz", "", "", b'"status":"ok"'),
    "POST /api/v1/assess (VISSIT-like)": (
        "POST",
        "/api/v1/assess",
        json.dumps(VISSIT_SCENARIO),
        JSON,
        b'"id":"vissit"',
    ),
    "POST /api/v1/assess (all four options)": (
        "POST",
        "/api/v1/assess",
        json.dumps(ALL_OPTIONS_SCENARIO),
        JSON,
        b'"id":"angioplasty-vs-stent-retro"',
    ),
    "POST / HTML results (VISSIT-like)": (
        "POST",
        "/",
        form_body(VISSIT_SCENARIO),
        FORM,
        b'id="results"',
    ),
    "POST / HTML results (all four options)": (
        "POST",
        "/",
        form_body(ALL_OPTIONS_SCENARIO),
        FORM,
        b'id="results"',
    ),
}
CONNECTIONS = (1, 8)
HEALTHZ = "GET /healthz"
ASSESS = [name for name in SCENARIOS if "assess" in name]
HTML = [name for name in SCENARIOS if "HTML" in name]


def check_answers(base: str) -> dict[str, int]:
    """One request per scenario before loading: each answers 200 with the expected content."""
    sizes = {}
    for name, (method, path, body, content_type, expected) in SCENARIOS.items():
        request = urllib.request.Request(
            base + path,
            data=body.encode() if body else None,
            headers={"Content-Type": content_type} if content_type else {},
            method=method,
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            data = response.read()
            assert response.status == 200, (name, response.status)
        assert expected in data, name
        sizes[name] = len(data)
    return sizes


def run(args: argparse.Namespace) -> dict[str, Any]:
    require_wrk()
    before = conditions()
    busy: list[list[str]] = []
    runs: dict[str, dict[int, list[dict[str, Any]]]] = {
        name: {c: [] for c in CONNECTIONS} for name in SCENARIOS
    }
    with temporary_directory("icas-load-") as tmp:
        scripts = {
            name: lua_script(tmp, f"s{i}", method, body, content_type)
            for i, (name, (method, _path, body, content_type, _)) in enumerate(SCENARIOS.items())
        }
        server = start_gunicorn(free_port(), access_log=args.access_log, log_dir=tmp)
        try:
            sizes = check_answers(server.base)
            for round_number in range(1, args.rounds + 1):
                busy.append(busy_processes())
                for connections in CONNECTIONS:
                    for name, (_m, path, *_rest) in SCENARIOS.items():
                        url = server.base + path
                        if args.warmup > 0:
                            wrk(url, scripts[name], connections=connections, duration=args.warmup)
                        result = wrk(
                            url, scripts[name], connections=connections, duration=args.duration
                        )
                        runs[name][connections].append(result.as_dict())
                        print(
                            f"round {round_number} c={connections} {name}: {result.rps:.0f} req/s,"
                            f" p50 {result.p50_us / 1000:.2f} ms, p99 {result.p99_us / 1000:.2f} ms,"
                            f" errors {result.errors}",
                            file=sys.stderr,
                        )
        finally:
            server.stop()
    summary = summarise(runs)
    return {
        "conditions": {
            **before,
            "load_average_after": conditions()["load_average"],
            "server": server_description(),
            "busy_processes_at_each_round": busy,
            "access_log": "file in a temporary directory"
            if args.access_log == "file"
            else "/dev/null",
            "client": "wrk --latency -t1 on the same machine; warm-up "
            f"{args.warmup} s, measured {args.duration} s, {args.rounds} round(s), scenarios"
            " alternated",
        },
        "response_bytes": sizes,
        "summary": summary,
        "targets": targets(summary, runs),
        "runs": runs,
    }


def summarise(runs: dict[str, dict[int, list[dict[str, Any]]]]) -> list[dict[str, Any]]:
    rows = []
    for name, by_connections in runs.items():
        for connections, results in by_connections.items():
            rows.append(
                {
                    "scenario": name,
                    "connections": connections,
                    "rps": round(median([r["rps"] for r in results]), 1),
                    "p50_ms": round(median([r["p50_us"] for r in results]) / 1000, 2),
                    "p99_ms": round(median([r["p99_us"] for r in results]) / 1000, 2),
                    "p99_worst_ms": round(max(r["p99_us"] for r in results) / 1000, 2),
                    "requests": sum(r["requests"] for r in results),
                    "errors": sum(
                        r["connect_errors"]
                        + r["read_errors"]
                        + r["write_errors"]
                        + r["timeouts"]
                        + r["non_2xx_3xx"]
                        for r in results
                    ),
                }
            )
    return rows


def targets(
    summary: list[dict[str, Any]], runs: dict[str, dict[int, list[dict[str, Any]]]]
) -> list[dict[str, Any]]:
    row = {(r["scenario"], r["connections"]): r for r in summary}
    checks = []
    for connections in CONNECTIONS if (HEALTHZ, 1) in row else ():
        health = row[(HEALTHZ, connections)]["rps"]
        for name in [n for n in ASSESS if n in runs]:
            rps = row[(name, connections)]["rps"]
            # Each round measures /healthz and assess minutes apart at most: their ratio within a
            # round is less sensitive to the machine's drifts than the ratio of the medians.
            ratios = [
                a["rps"] / h["rps"]
                for a, h in zip(runs[name][connections], runs[HEALTHZ][connections], strict=True)
            ]
            checks.append(
                {
                    "target": f"{name} throughput ÷ healthz, c={connections} (for information;"
                    " the target is against its replay ceiling: cpu_per_request.py --replay)",
                    "measured": f"{rps:.0f} vs {health:.0f} req/s = {rps / health:.2f} x"
                    f" (per round: {', '.join(f'{r:.2f}' for r in ratios)})",
                    "met": None,
                }
            )
    for names, limit in ((ASSESS, 10.0), (HTML, 20.0)):
        for name in [n for n in names if n in runs]:
            p99 = row[(name, 8)]["p99_ms"]
            checks.append(
                {
                    "target": f"{name} p99 <= {limit:g} ms, c=8",
                    "measured": f"{p99:.2f} ms (worst round {row[(name, 8)]['p99_worst_ms']:.2f})",
                    "met": p99 <= limit,
                }
            )
    checks.append(
        {
            "target": "no failed request (socket errors, timeouts, non-2xx)",
            "measured": f"{sum(r['errors'] for r in summary)} errors",
            "met": all(r["errors"] == 0 for r in summary),
        }
    )
    return checks


def report(results: dict[str, Any]) -> str:
    table = markdown_table(
        ["scenario", "conns", "req/s", "p50 ms", "p99 ms", "worst p99 ms", "requests", "errors"],
        [
            [
                r["scenario"],
                r["connections"],
                f"{r['rps']:.0f}",
                f"{r['p50_ms']:.2f}",
                f"{r['p99_ms']:.2f}",
                f"{r['p99_worst_ms']:.2f}",
                r["requests"],
                r["errors"],
            ]
            for r in results["summary"]
        ],
    )
    goals = markdown_table(
        ["target", "measured", "met"],
        [
            [t["target"], t["measured"], {None: "-", True: "yes", False: "**no**"}[t["met"]]]
            for t in results["targets"]
        ],
    )
    c = results["conditions"]
    return (
        f"Load test, {c['date']}, commit {c['commit']}, {c['cpus']} CPUs, load average"
        f" {c['load_average']} before and {c['load_average_after']} after; busy processes"
        f" at each round: {c['busy_processes_at_each_round']}; {c['server']};"
        f" access log: {c['access_log']}; {c['client']}.\n\n{table}\n\n{goals}\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds measured per run")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up per run")
    parser.add_argument("--rounds", type=int, default=2, help="times every run is repeated")
    parser.add_argument("--access-log", choices=("file", "devnull"), default="file")
    parser.add_argument("--output", type=Path, default=PERF / "results.json")
    parser.add_argument(
        "--only",
        help="comma-separated words; run the scenarios whose name contains one (e.g. healthz,assess)",
    )
    args = parser.parse_args()
    if args.only:
        words = [w.strip() for w in args.only.split(",") if w.strip()]
        for name in list(SCENARIOS):
            if not any(w in name for w in words):
                del SCENARIOS[name]
    results = run(args)
    print(report(results))
    write_results(args.output, "load", results)
    print(f"Results written to {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
