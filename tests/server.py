"""Start the server exactly as `make run` does, for the raw-HTTP tests and the benchmarks.

The command is read from the Makefile itself (`make -n run`), so the tests and tests/perf/ always
run what users run: the same gunicorn settings, worker class and app entry point. Servers bind to
127.0.0.1 only, run in their own process group, and are stopped by that group's id.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def run_command(root: Path = ROOT, host: str = HOST, port: int = 5000) -> list[str]:
    """The command `make run` would execute in `root` (it runs there, as make does)."""
    make = ["make", "-s", "-n", "--no-print-directory", "-C", str(root), "run"]
    done = subprocess.run(
        [*make, f"HOST={host}", f"PORT={port}"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    # The recipe's last line is the server; lines before it would first rebuild .venv (when stale)
    # and compile the app's bytecode, which a test or benchmark must not do: it runs the server
    # with the .venv and bytecode as they are.
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    command = shlex.split(lines[-1])
    if not (root / command[0]).exists() and Path(command[0]).name == "gunicorn":
        # A copy without its own .venv (tests/check_new_study.sh): the same gunicorn and
        # arguments, through the interpreter running the tests.
        command = [sys.executable, "-m", "gunicorn", *command[1:]]
    return command


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A `make run` server started by this process, stopped by its process group id."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=timeout)
        return self.process.returncode


def wait_for(url: str, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                response.read()
                return
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited with {process.returncode}") from None
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def start(
    log: Path,
    *,
    root: Path = ROOT,
    port: int | None = None,
    env: Mapping[str, str] | None = None,
    wait: bool = True,
    app: str | None = None,
) -> Server:
    """Start `make run`'s command on 127.0.0.1 and (unless told not to) wait for /healthz.

    `app` replaces the command's app entry point (a benchmark's wrapper of app:serve()); nothing
    else of the command changes.
    """
    port = port or free_port()
    command = run_command(root, HOST, port)
    if app is not None:
        if command[-1] != "app:serve()":
            raise RuntimeError(f"`make run` no longer ends with app:serve(): {command[-1]!r}")
        command[-1] = app
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=root,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
            start_new_session=True,
        )
    server = Server(process, port, log)
    if wait:
        try:
            wait_for(f"{server.base}/healthz", process)
        except BaseException:
            server.stop()
            raise
    return server


@contextlib.contextmanager
def running(log: Path, **kwargs: object) -> Iterator[Server]:
    server = start(log, **kwargs)  # type: ignore[arg-type]
    try:
        yield server
    finally:
        server.stop()
