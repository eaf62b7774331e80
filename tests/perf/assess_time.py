"""In-process time of the assess view's own steps: read the scenario, assess it, build and encode the JSON.

Usage (from the repository root; a few seconds, one core, no server):

    .venv/bin/python tests/perf/assess_time.py [--calls 20] [--batches 15]

For the VISSIT-like and all-four-options scenarios, on the shipped evidence: each step is run 10
times to warm up, then `--batches` batches of `--calls` calls are timed; the best batch's mean per
call is printed (the least disturbed by a neighbour on a shared machine). The sum is the view's own
work, which the replay ceiling (cpu_per_request.py --replay) leaves out. To compare commits, run it
from a checkout of each in turn.
"""

from __future__ import annotations

import argparse
import sys
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ALL_OPTIONS_SCENARIO, VISSIT_SCENARIO  # puts the repository on the path

from app import create_app
from app.api.encode import assessment_json, dumps
from app.contract.scenario import parse_scenario
from app.engine import centre
from app.engine.assess import assess

SCENARIOS = {"VISSIT-like": VISSIT_SCENARIO, "all four options": ALL_OPTIONS_SCENARIO}


def best(step: Callable[[], Any], calls: int, batches: int) -> float:
    """The best batch's mean seconds per call, after a warm-up."""
    timeit.repeat(step, number=10, repeat=1)
    return min(timeit.repeat(step, number=calls, repeat=batches)) / calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--batches", type=int, default=15)
    args = parser.parse_args()
    app = create_app()
    tables = app.extensions["engine_tables"]
    parts = app.extensions["api"].parts
    families = centre.families(tables.centre)
    print("| scenario | parse µs | assess µs | JSON µs | encode µs | answer bytes |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, body in SCENARIOS.items():
        scenario = parse_scenario(body, families=families)
        assessment = assess(scenario, tables)
        built = assessment_json(assessment, parts)
        steps = (
            lambda: parse_scenario(body, families=families),  # noqa: B023 - run in this loop
            lambda: assess(scenario, tables),  # noqa: B023
            lambda: assessment_json(assessment, parts),  # noqa: B023
            lambda: dumps(built),  # noqa: B023
        )
        times = [best(step, args.calls, args.batches) * 1e6 for step in steps]
        cells = " | ".join(f"{t:.0f}" for t in times)
        print(f"| {name} | {cells} | {len(dumps(built)):,} |")


if __name__ == "__main__":
    main()
