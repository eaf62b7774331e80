"""`make run`'s app plus one benchmark-only route: the benchmark scenarios' answers, replayed.

`tests/perf/cpu_per_request.py --replay` serves this instead of app:serve() (the same gunicorn
command otherwise). POST /perf/replay reads and validates the scenario exactly as
POST /api/v1/assess does, then answers the very bytes /api/v1/assess gave for that benchmark
scenario (VISSIT-like or all four options, told apart by their options) when the server started,
skipping only assess, the JSON building and encoding. It measures what an answer of that size costs
with no per-request work: the ceiling any implementation of the assess view reaches on this machine
with the same answer. Never part of the app: it exists only in this benchmark folder, and it knows
only the two fictional benchmark scenarios.
"""

from __future__ import annotations

import sys
from pathlib import Path

from flask import Flask, Response

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ALL_OPTIONS_SCENARIO, VISSIT_SCENARIO

import app as icas
from app.contract.scenario import parse_scenario
from app.http.json_body import read_json

PATH = "/perf/replay"


def serve() -> Flask:
    """Build `make run`'s app, add the replay route, and record the answer it replays."""
    app = icas.serve()
    answers: dict[tuple[str, ...], bytes] = {}

    @app.post(PATH)
    def replay() -> Response:
        scenario = parse_scenario(read_json())
        return app.response_class(answers[scenario.options], mimetype="application/json")

    for benchmark in (VISSIT_SCENARIO, ALL_OPTIONS_SCENARIO):
        done = app.test_client().post("/api/v1/assess", json=benchmark)
        if done.status_code != 200:
            raise RuntimeError(f"/api/v1/assess answered {done.status_code} to a replayed scenario")
        answers[tuple(benchmark["options"])] = done.data
    return app
