"""Scaling out: two gunicorn instances behind Debian's nginx; one is stopped in the middle of a load run.

Usage (from the repository root; `make bench` runs it; needs nginx and wrk):

    .venv/bin/python tests/perf/nginx_failover.py [--duration 30] [--stop-at 15]
        [--connections 8] [--modes term,kill] [--compare-idempotent]
        [--ports 5101,5102] [--output tests/perf/results.json]

Everything runs on 127.0.0.1 from a temporary directory: the nginx configuration (written there,
started with -p and -c pointing at it, in the foreground with `daemon off`, pid, lock, logs and temp
files inside it; the system nginx configuration is never read or touched), two server instances
started exactly as `make run` starts them (app/gunicorn_conf.py: 2 gevent workers each) and wrk
posting a VISSIT-like scenario to /api/v1/assess through nginx. At --stop-at seconds the second instance is stopped:

- mode "term": SIGTERM, gunicorn's graceful shutdown (it stops listening at once, finishes the
  requests in progress, then exits), as a deployment or scale-down does;
- mode "kill": SIGKILL to the instance's whole process group, as a crash does: requests in progress
  on it are cut off.

nginx marks the stopped instance down after `max_fails` failures for `fail_timeout` (passive health
checks) and `proxy_next_upstream error timeout http_502 http_503 non_idempotent` sends the failed
attempt to the other instance. For a POST, nginx by default retries only when the request was not
sent: a refused connection (the instance no longer listens) is retried without more. But requests
nginx had already sent on connections waiting in the instance's accept queue are reset when it
closes its listening socket, even in a graceful stop, and a request cut off mid-way (kill) fails
too: nginx retries those POSTs only with `non_idempotent`. That is safe here: assess is a pure
computation with no side effect, so sending it twice cannot do harm. --compare-idempotent adds runs
without `non_idempotent` to show the difference.

Recorded per run: total requests, failed requests (non-2xx answers and socket errors, as wrk
counts them), requests per second before and after the stop (per-second counts from wrk's Lua
response hook), and what nginx logged (retried requests, upstream errors).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    HOST,
    PERF,
    VISSIT_SCENARIO,
    Server,
    conditions,
    free_port,
    markdown_table,
    require_wrk,
    start_gunicorn,
    temporary_directory,
    wait_for,
    write_results,
)

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

CONFIG = """\
# Written by tests/perf/nginx_failover.py into a temporary prefix; see tests/perf/nginx.conf.example
# for the commented production example.
daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
lock_file {tmp}/nginx.lock;
error_log {tmp}/error.log info;

events {{
    worker_connections 1024;
}}

http {{
    log_format upstreams '$msec $status $request_time "$upstream_addr" "$upstream_status"';
    access_log {tmp}/access.log upstreams;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;

    upstream icas {{
        server {host}:{port1} max_fails={max_fails} fail_timeout={fail_timeout}s;
        server {host}:{port2} max_fails={max_fails} fail_timeout={fail_timeout}s;
    }}

    server {{
        listen {host}:{port};
        # Above the app's own 16 KB limit, so its JSON 413 reaches API clients.
        client_max_body_size 64k;
        client_body_buffer_size 64k;

        location / {{
            proxy_pass http://icas;
            proxy_next_upstream {next_upstream};
            proxy_next_upstream_tries 2;
            proxy_next_upstream_timeout 5s;
            proxy_connect_timeout 1s;
            proxy_read_timeout 10s;
            # Answers (up to ~70 KB) stay in memory; nothing is written to temp files.
            proxy_buffer_size 16k;
            proxy_buffers 8 16k;
            proxy_max_temp_file_size 0;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""

LUA = """\
wrk.method = "POST"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/json"
local threads = {{}}
function setup(thread) table.insert(threads, thread) end
function init(args) ok = {{}}; bad = {{}} end
function response(status, headers, body)
  local second = os.time()
  if status >= 200 and status < 300 then
    ok[second] = (ok[second] or 0) + 1
  else
    bad[second] = (bad[second] or 0) + 1
  end
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('\\nWRK_JSON {{"requests": %d, "duration_us": %d, "connect_errors": %d,'
    .. ' "read_errors": %d, "write_errors": %d, "timeouts": %d, "non_2xx_3xx": %d,'
    .. ' "p50_us": %d, "p99_us": %d, "max_us": %d}}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), latency.max))
  for _, thread in ipairs(threads) do
    for second, n in pairs(thread:get("ok")) do io.write(string.format("OK %d %d\\n", second, n)) end
    for second, n in pairs(thread:get("bad")) do io.write(string.format("BAD %d %d\\n", second, n)) end
  end
end
"""


def start_nginx(
    tmp: Path, port: int, ports: tuple[int, int], next_upstream: str, args: Any
) -> subprocess.Popen[bytes]:
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp / name).mkdir(exist_ok=True)
    tmp.chmod(0o755)  # nginx workers run as "nobody" when started by root
    config = tmp / "nginx.conf"
    config.write_text(
        CONFIG.format(
            tmp=tmp,
            host=HOST,
            port=port,
            port1=ports[0],
            port2=ports[1],
            max_fails=args.max_fails,
            fail_timeout=args.fail_timeout,
            next_upstream=next_upstream,
        )
    )
    subprocess.run(
        [NGINX, "-t", "-p", str(tmp), "-c", str(config), "-e", str(tmp / "error.log")],
        check=True,
        capture_output=True,
    )
    process = subprocess.Popen(
        [NGINX, "-p", str(tmp), "-c", str(config), "-e", str(tmp / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=(tmp / "nginx.stderr").open("w"),
        start_new_session=True,
    )
    wait_for(f"http://{HOST}:{port}/healthz")
    return process


def stop_process_group(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def one_run(mode: str, non_idempotent: bool, args: argparse.Namespace) -> dict[str, Any]:
    next_upstream = "error timeout http_502 http_503" + (
        " non_idempotent" if non_idempotent else ""
    )
    with temporary_directory("icas-nginx-") as tmp:
        servers: list[Server] = []
        nginx = None
        try:
            for index, port in enumerate(args.ports):
                servers.append(
                    start_gunicorn(
                        port,
                        workers=args.workers,
                        access_log="devnull",
                        log_dir=tmp,
                        name=f"gunicorn{index + 1}",
                    )
                )
            port = free_port()
            nginx = start_nginx(tmp, port, args.ports, next_upstream, args)
            script = tmp / "failover.lua"
            script.write_text(LUA.format(body=json.dumps(json.dumps(VISSIT_SCENARIO))))
            stopped_at: list[float] = []

            def stop_second() -> None:
                time.sleep(args.stop_at)
                stopped_at.append(time.time())
                servers[1].stop(signal.SIGTERM if mode == "term" else signal.SIGKILL)

            stopper = threading.Thread(target=stop_second)
            started = time.time()
            stopper.start()
            completed = subprocess.run(
                [
                    "wrk",
                    "--latency",
                    "-t1",
                    f"-c{args.connections}",
                    f"-d{args.duration:g}s",
                    "--timeout=10s",
                    "-s",
                    str(script),
                    f"http://{HOST}:{port}/api/v1/assess",
                ],
                capture_output=True,
                text=True,
                check=True,
                timeout=args.duration + 60,
            )
            stopper.join()
            return summarise(
                mode, non_idempotent, completed.stdout, started, stopped_at[0], tmp, args
            )
        finally:
            if nginx is not None:
                stop_process_group(nginx, signal.SIGQUIT)
            for server in servers:
                server.stop()


def summarise(
    mode: str,
    non_idempotent: bool,
    output: str,
    started: float,
    stopped: float,
    tmp: Path,
    args: argparse.Namespace,
) -> dict[str, Any]:
    lines = output.splitlines()
    totals = json.loads(
        next(x for x in lines if x.startswith("WRK_JSON ")).removeprefix("WRK_JSON ")
    )
    ok: dict[int, int] = {}
    bad: dict[int, int] = {}
    for line in lines:
        kind, _, rest = line.partition(" ")
        if kind in ("OK", "BAD"):
            second, count = (int(x) for x in rest.split())
            target = ok if kind == "OK" else bad
            target[second] = target.get(second, 0) + count
    stop_second = int(stopped)
    first, last = int(started) + 1, int(started + args.duration) - 1  # whole seconds only
    before = [ok.get(s, 0) for s in range(first, stop_second)]
    after = [ok.get(s, 0) for s in range(stop_second + 2, last)]
    failures_by_second = {s - stop_second: n for s, n in sorted(bad.items())}
    access = (tmp / "access.log").read_text().splitlines()
    # Fields: msec status request_time "upstream addresses" "upstream statuses"; a retried request
    # lists two addresses ("127.0.0.1:5102, 127.0.0.1:5101") and two statuses ("502, 200").
    retried = [x for x in access if x.count('"') >= 4 and "," in x.split('"')[1]]
    error_log = (tmp / "error.log").read_text()
    socket_errors = (
        totals["connect_errors"]
        + totals["read_errors"]
        + totals["write_errors"]
        + totals["timeouts"]
    )
    return {
        "mode": mode,
        "proxy_next_upstream": "error timeout http_502 http_503"
        + (" non_idempotent" if non_idempotent else ""),
        "total_requests": totals["requests"],
        "failed_requests": totals["non_2xx_3xx"] + socket_errors,
        "non_2xx": totals["non_2xx_3xx"],
        "socket_errors": socket_errors,
        "socket_errors_by_kind": {
            k: totals[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts")
        },
        "failures_by_second_from_stop": failures_by_second,
        "rps_before": round(sum(before) / len(before), 1) if before else None,
        "rps_after": round(sum(after) / len(after), 1) if after else None,
        "p50_ms": round(totals["p50_us"] / 1000, 2),
        "p99_ms": round(totals["p99_us"] / 1000, 2),
        "max_ms": round(totals["max_us"] / 1000, 2),
        "stopped_after_s": round(stopped - started, 2),
        "nginx_retried_requests": len(retried),
        "nginx_retried_examples": retried[:3],
        "nginx_upstream_errors": error_log.count("while connecting to upstream")
        + error_log.count("upstream prematurely closed")
        + error_log.count("while reading response header from upstream"),
        "nginx_error_kinds": {
            kind: error_log.count(text)
            for kind, text in (
                ("connection refused", "(111: Connection refused)"),
                ("connection reset", "(104: Connection reset by peer)"),
                ("closed before the answer", "upstream prematurely closed connection"),
            )
        },
        # nginx logs this line each time a failure counts against the stopped instance.
        "nginx_marked_down": error_log.count("upstream server temporarily disabled"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--stop-at", type=float, default=15.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument(
        "--workers", type=int, default=None, help="workers per instance (default: as make run)"
    )
    parser.add_argument("--modes", default="term,kill")
    parser.add_argument("--compare-idempotent", action="store_true")
    parser.add_argument("--ports", default="5101,5102")
    parser.add_argument("--max-fails", type=int, default=1)
    parser.add_argument("--fail-timeout", type=int, default=10)
    parser.add_argument("--output", type=Path, default=PERF / "results.json")
    args = parser.parse_args()
    args.ports = tuple(int(p) for p in args.ports.split(","))
    require_wrk()
    if not Path(NGINX).exists():
        sys.exit("nginx is not installed: apt-get install -y nginx")
    before = conditions()
    plan = [(mode, True) for mode in args.modes.split(",")]
    if args.compare_idempotent:
        plan += [(mode, False) for mode in args.modes.split(",")]
    runs = []
    for mode, non_idempotent in plan:
        result = one_run(mode, non_idempotent, args)
        runs.append(result)
        print(json.dumps(result), file=sys.stderr)
    print(
        markdown_table(
            [
                "stop",
                "proxy_next_upstream",
                "requests",
                "failed",
                "failures (s from stop: n)",
                "req/s before",
                "req/s after",
                "p99 ms",
                "nginx retries",
                "marked down",
            ],
            [
                [
                    r["mode"],
                    r["proxy_next_upstream"],
                    r["total_requests"],
                    r["failed_requests"],
                    ", ".join(f"{s}: {n}" for s, n in r["failures_by_second_from_stop"].items())
                    or "none",
                    r["rps_before"],
                    r["rps_after"],
                    r["p99_ms"],
                    r["nginx_retried_requests"],
                    r["nginx_marked_down"],
                ]
                for r in runs
            ],
        )
    )
    write_results(
        args.output,
        "nginx_failover",
        {
            "conditions": {
                **before,
                "load_average_after": conditions()["load_average"],
                "setup": f"nginx ({NGINX}) on {HOST}, 2 gunicorn instances (ports {args.ports}, {args.workers or 2} workers each as `make run` starts them, access log /dev/null), wrk -t1 -c{args.connections} for {args.duration:g} s posting a VISSIT-like scenario to /api/v1/assess; instance 2 stopped after {args.stop_at:g} s; max_fails={args.max_fails} fail_timeout={args.fail_timeout}s",
            },
            "runs": runs,
        },
    )
    print(f"Results written to {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
