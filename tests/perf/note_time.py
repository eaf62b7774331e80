"""In-process time of the note for the record (app/engine/note.py), built on every results page.

Usage (from the repository root; a second or two, one core, no server):

    .venv/bin/python tests/perf/note_time.py [--calls 200] [--repeat 5]

For the VISSIT-like and all-four-options scenarios: the app is built on the shipped evidence, the
scenario assessed once, `record_note` called 50 times to warm up, then `--calls` calls timed
`--repeat` times; the best round's mean per call is printed (the least disturbed by a neighbour on
a shared machine). To compare commits, run it from a checkout of each in turn.
"""

from __future__ import annotations

import argparse
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ALL_OPTIONS_SCENARIO, VISSIT_SCENARIO  # puts the repository on the path

from app import create_app
from app.contract.scenario import parse_scenario
from app.engine.assess import assess
from app.engine.note import record_note

SCENARIOS = {"VISSIT-like": VISSIT_SCENARIO, "all four options": ALL_OPTIONS_SCENARIO}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    app = create_app()
    tables = app.extensions["engine_tables"]
    revision = app.extensions["evidence_base"].evidence.revision
    lines = app.extensions["web"]["notes"]
    for name, body in SCENARIOS.items():
        assessment = assess(parse_scenario(dict(body)), tables)
        for _ in range(50):
            note = record_note(assessment, revision, lines)
        rounds = timeit.repeat(
            lambda a=assessment: record_note(a, revision, lines),
            number=args.calls,
            repeat=args.repeat,
        )
        best = min(rounds) / args.calls
        print(f"{name}: record_note {best * 1e6:.1f} µs per call ({len(note)} characters)")


if __name__ == "__main__":
    main()
