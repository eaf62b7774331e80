"""Start-up time: import plus create_app (evidence loading and validation, statistics, audit, and
the JSON encoded once), each run in a fresh Python process.

Usage (from the repository root; `make bench` runs it):

    .venv/bin/python tests/perf/startup.py [--runs 10] [--output tests/perf/results.json]

Each child process records, with time.perf_counter from its first statement: importing the app
package (Flask, NumPy, SciPy, ...), create_app() split into load_evidence, analyse and the rest
(blueprints, evidence/OpenAPI/assessment JSON prepared once), and the parent records the child's
whole wall time (interpreter start-up included). Target: import + create_app <= 1.5 s (median and
max reported). The app's bytecode is compiled first, as `make run` does before it starts the server.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    PERF,
    PYTHON,
    ROOT,
    conditions,
    markdown_table,
    median,
    write_results,
)

TARGET_S = 1.5
CHILD = r"""
import time
start = time.perf_counter()
import json
import app
from app import create_app
imported = time.perf_counter()
spent = {"load_evidence": 0.0, "analyse": 0.0}
def timed(name, function):
    def wrapper(*args, **kwargs):
        t = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[name] += time.perf_counter() - t
    return wrapper
app.load_evidence = timed("load_evidence", app.load_evidence)
app.analyse = timed("analyse", app.analyse)
create_app()
created = time.perf_counter()
print("STARTUP_JSON " + json.dumps({
    "import_s": imported - start,
    "create_app_s": created - imported,
    "load_evidence_s": spent["load_evidence"],
    "analyse_s": spent["analyse"],
    "total_s": created - start,
}))
"""


def one_run() -> dict[str, float]:
    began = time.perf_counter()
    completed = subprocess.run(
        [PYTHON, "-c", CHILD], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    wall = time.perf_counter() - began
    line = next(x for x in completed.stdout.splitlines() if x.startswith("STARTUP_JSON "))
    return {**json.loads(line.removeprefix("STARTUP_JSON ")), "process_wall_s": wall}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--output", type=Path, default=PERF / "results.json")
    args = parser.parse_args()
    before = conditions()
    subprocess.run([PYTHON, "-m", "compileall", "-q", "app"], cwd=ROOT, check=True, timeout=120)
    runs = [one_run() for _ in range(args.runs)]
    keys = ["import_s", "load_evidence_s", "analyse_s", "create_app_s", "total_s", "process_wall_s"]
    labels = {
        "import_s": "import app (Flask, NumPy, SciPy, ...)",
        "load_evidence_s": "load_evidence (TOML, checks, quotes)",
        "analyse_s": "analyse (statistics, audit)",
        "create_app_s": "create_app() in all",
        "total_s": "import + create_app",
        "process_wall_s": "whole process (interpreter start-up included)",
    }
    summary = {
        key: {
            "median_s": round(median([r[key] for r in runs]), 3),
            "max_s": round(max(r[key] for r in runs), 3),
        }
        for key in keys
    }
    print(
        markdown_table(
            ["step", f"median of {args.runs} (s)", "max (s)"],
            [
                [labels[k], f"{summary[k]['median_s']:.3f}", f"{summary[k]['max_s']:.3f}"]
                for k in keys
            ],
        )
    )
    met = summary["total_s"]["max_s"] <= TARGET_S
    print(
        f"\nTarget import + create_app <= {TARGET_S} s: median {summary['total_s']['median_s']:.3f} s,"
        f" max {summary['total_s']['max_s']:.3f} s: {'met' if met else 'NOT met'}."
    )
    write_results(
        args.output,
        "startup",
        {
            "conditions": {**before, "load_average_after": conditions()["load_average"]},
            "runs": len(runs),
            "summary": summary,
            "target_s": TARGET_S,
            "met": met,
            "samples": [{k: round(v, 4) for k, v in r.items()} for r in runs],
        },
    )
    print(f"Results written to {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
