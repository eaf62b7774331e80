"""Shared helpers for the hand-run benchmarks in tests/perf/ (not collected by pytest).

Everything here talks to 127.0.0.1 only: servers bind to loopback and wrk targets loopback.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PERF = Path(__file__).resolve().parent
PYTHON = str(ROOT / ".venv/bin/python") if (ROOT / ".venv/bin/python").exists() else sys.executable
HOST = "127.0.0.1"

# The scripts run as files (python tests/perf/load.py): make the repository importable.
sys.path.insert(0, str(ROOT))

from tests import server as make_run  # noqa: E402
from tests.scenarios import ALL_OPTIONS, VISSIT_LIKE  # noqa: E402

VISSIT_SCENARIO = VISSIT_LIKE
ALL_OPTIONS_SCENARIO = ALL_OPTIONS


def form_body(scenario: dict[str, Any]) -> str:
    """The scenario as the HTML form posts it (application/x-www-form-urlencoded)."""
    pairs: list[tuple[str, str]] = []
    for name, value in scenario.items():
        if isinstance(value, list):
            pairs += [(name, item) for item in value]
        elif isinstance(value, bool):
            pairs.append((name, "yes" if value else "no"))
        else:
            pairs.append((name, str(value)))
    return "&".join(f"{name}={value}" for name, value in pairs)


# One server vocabulary for the tests and the benchmarks (tests/server.py): the same command,
# process group and stop.
free_port = make_run.free_port
Server = make_run.Server


def wait_for(url: str, timeout: float = 30.0) -> None:
    """Wait until `url` answers (for servers this script did not start as `make run`, e.g. nginx)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                response.read()
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def start_gunicorn(
    port: int,
    *,
    workers: int | None = None,
    access_log: str = "file",
    log_dir: Path,
    name: str = "gunicorn",
    app: str | None = None,
    pythonpath: str | None = None,
) -> Server:
    """Start the server exactly as `make run` does (tests/server.py) on loopback; wait for /healthz.

    The command is `make run`'s own (read with `make -n run`): app/gunicorn_conf.py's worker class,
    workers, preload and limits, and the app:serve() entry point. Only what a benchmark must vary
    is passed through GUNICORN_CMD_ARGS, which gunicorn applies over the configuration file:
    access_log "file" writes the access log to <log_dir>/<name>.access.log (the realistic cost of
    logging every request), "devnull" sends it to /dev/null (still formatted and written);
    `workers` overrides the configured count when given; `app` (with `pythonpath`, where its
    module is) replaces the app:serve() entry point by a benchmark's wrapper of it.
    """
    access = str(log_dir / f"{name}.access.log") if access_log == "file" else "/dev/null"
    extra = f"--access-logfile {access}" + (f" --workers {workers}" if workers else "")
    if pythonpath is not None:
        extra += f" --pythonpath {pythonpath}"
    return make_run.start(
        log_dir / f"{name}.log", root=ROOT, port=port, env={"GUNICORN_CMD_ARGS": extra}, app=app
    )


def server_description() -> str:
    """What `make run` starts, for the results' conditions."""
    command = " ".join(make_run.run_command(ROOT, HOST, 0)).replace(":0 ", ":<port> ")
    return f"`make run` ({command}): app/gunicorn_conf.py, 127.0.0.1"


def lua_script(directory: Path, name: str, method: str, body: str, content_type: str) -> Path:
    """A wrk script sending one fixed request and printing the summary as JSON when done."""
    path = directory / f"{name}.lua"
    lines = [f"wrk.method = {json.dumps(method)}"]
    if body:
        lines.append(f"wrk.body = {json.dumps(body)}")
        lines.append(f'wrk.headers["Content-Type"] = {json.dumps(content_type)}')
    lines.append(
        """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\\nWRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p90_us": %d,'
    .. ' "p99_us": %d, "max_us": %d, "mean_us": %f, "connect_errors": %d, "read_errors": %d,'
    .. ' "write_errors": %d, "timeouts": %d, "non_2xx_3xx": %d}\\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    e.connect, e.read, e.write, e.timeout, e.status))
end
"""
    )
    path.write_text("\n".join(lines))
    return path


@dataclass
class WrkResult:
    requests: int
    duration_us: int
    bytes: int
    p50_us: int
    p90_us: int
    p99_us: int
    max_us: int
    mean_us: float
    connect_errors: int
    read_errors: int
    write_errors: int
    timeouts: int
    non_2xx_3xx: int
    raw: str = field(default="", repr=False)

    @property
    def rps(self) -> float:
        return self.requests / (self.duration_us / 1e6)

    @property
    def errors(self) -> int:
        return (
            self.connect_errors
            + self.read_errors
            + self.write_errors
            + self.timeouts
            + self.non_2xx_3xx
        )

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("raw")
        data["rps"] = round(self.rps, 1)
        return data


def wrk(
    url: str,
    script: Path,
    *,
    connections: int,
    duration: float,
    threads: int = 1,
    timeout: float = 5.0,
) -> WrkResult:
    command = [
        "wrk",
        "--latency",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration:g}s",
        f"--timeout={timeout:g}s",
        "-s",
        str(script),
        url,
    ]
    completed = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=duration + 60
    )
    marker = next(line for line in completed.stdout.splitlines() if line.startswith("WRK_JSON "))
    return WrkResult(**json.loads(marker.removeprefix("WRK_JSON ")), raw=completed.stdout)


def require_wrk() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install -y wrk (or run `make bench`)")


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def _cpu_ticks() -> dict[int, tuple[str, int]]:
    ticks = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            text = stat.read_text()
            name = text[text.index("(") + 1 : text.rindex(")")]
            fields = text[text.rindex(")") + 2 :].split()
            ticks[int(stat.parent.name)] = (name, int(fields[11]) + int(fields[12]))
    return ticks


def busy_processes(seconds: float = 1.0, threshold: float = 5.0) -> list[str]:
    """Processes using more than `threshold` % of a CPU over the next `seconds` (names only)."""
    first = _cpu_ticks()
    time.sleep(seconds)
    second = _cpu_ticks()
    hertz = os.sysconf("SC_CLK_TCK")
    busy = []
    for pid, (name, ticks) in second.items():
        if pid in first and first[pid][0] == name:
            percent = 100 * (ticks - first[pid][1]) / hertz / seconds
            if percent > threshold:
                busy.append((percent, name))
    return [f"{name} {percent:.0f}%" for percent, name in sorted(busy, reverse=True)]


def conditions() -> dict[str, Any]:
    """What the machine was doing: load, CPU count, versions, the commit measured."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = bool(
        subprocess.run(
            ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    )
    wrk_version = ""
    if shutil.which("wrk"):
        wrk_version = (
            subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split("\n")[
                0
            ]
        ).strip()
    gunicorn_version = subprocess.run(
        [PYTHON, "-c", "import gunicorn; print(gunicorn.__version__)"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": commit + ("+uncommitted changes" if dirty else ""),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "busy_processes": busy_processes(),
        "python": platform.python_version(),
        "gunicorn": gunicorn_version,
        "wrk": wrk_version,
        "platform": platform.platform(),
    }


@contextlib.contextmanager
def temporary_directory(prefix: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix=prefix) as name:
        yield Path(name)


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def write_results(path: Path, key: str, data: dict[str, Any]) -> None:
    """Merge this benchmark's results under `key` into the JSON file (other keys are kept)."""
    existing: dict[str, Any] = {}
    if path.exists():
        with contextlib.suppress(ValueError):
            existing = json.loads(path.read_text())
    existing[key] = data
    path.write_text(json.dumps(existing, indent=2, ensure_ascii=False) + "\n")
