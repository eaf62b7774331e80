"""In-process time of the HTML results page (POST /), whole and by part; or its pages dumped to files.

Usage (from the repository root; a few seconds, one core, no server):

    .venv/bin/python tests/perf/page_time.py [--batches 15] [--calls 20]
    .venv/bin/python tests/perf/page_time.py --dump DIR [--evidence DIR]

Timing: for the VISSIT-like and all-four-options scenarios (posted as the HTML form posts them), the
app is built on the shipped evidence, then POST / through Flask's test client is warmed up and timed
in `--batches` batches of `--calls` calls; the best batch's mean per call is printed (the least
disturbed by a neighbour on a shared machine). The parts are the steps of app/web/views.py's
`_calculate`, timed the same way inside one request context; "scenario form" is the form's markup
alone (the blank GET / page's form, rendered with this scenario's values).

Dump: writes GET / and POST / in every view (clinician, patient, print, options, note) for a set of
scenarios (errors, baseline risks, the centre's counts included) to DIR, one file each, so that a
change meant to keep the pages the same can be checked byte for byte (`diff -r before after`).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ALL_OPTIONS_SCENARIO, VISSIT_SCENARIO, form_body  # puts the repository on path
from flask import Flask, render_template, request

from app import create_app
from app.engine.assess import assess
from app.engine.note import record_note
from app.http.context import engine_tables, evidence_base
from app.web import centre, counsel_glance, forest, known, results
from app.web import personal as personal_risks
from app.web.forms import ScenarioForm
from app.web.views import _prepared

FORM = {"content_type": "application/x-www-form-urlencoded"}
VIEWS = ("clinician", "patient", "print", "options", "note")
TIMED = {"VISSIT-like": VISSIT_SCENARIO, "all four options": ALL_OPTIONS_SCENARIO}


def best(call: Callable[[], Any], batches: int, calls: int) -> float:
    """The best batch's mean seconds per call, after a warm-up batch."""
    for _ in range(calls):
        call()
    times = []
    for _ in range(batches):
        start = time.perf_counter()
        for _ in range(calls):
            call()
        times.append((time.perf_counter() - start) / calls)
    return min(times)


def parts(app: Flask, body: str, batches: int, calls: int) -> dict[str, float]:
    """Each step of the clinician results page, timed alone within one request context."""
    with app.test_request_context("/", method="POST", data=body, **FORM):
        data = request.form
        form = ScenarioForm(data)
        scenario = form.scenario()
        assert scenario is not None
        assessment = assess(scenario, engine_tables())
        revision = evidence_base().evidence.revision
        tables = _prepared()["tables"]
        shown = results.results(assessment, form.ignored_inputs(), tables)
        mine = personal_risks.personal_view(assessment)
        context = {
            "form": form,
            "results": shown,
            "glance": counsel_glance.glance(assessment, _prepared()["glances"]),
            "errors": (),
            "nav": "calculator",
            "known_trials": known.known_trial_views(assessment),
            "forests": forest.forest_views(assessment, _prepared()["plots"]),
            "personal": mine,
            "centre": centre.centre_views(assessment.centre),
            "note": record_note(assessment, revision, _prepared()["notes"]),
        }
        blank = {**context, "results": None}

        def build_form() -> None:
            f = ScenarioForm(data)
            f.scenario()

        steps: dict[str, Callable[[], Any]] = {
            "form build + scenario": build_form,
            "engine assess": lambda: assess(scenario, engine_tables()),
            "personal_view": lambda: personal_risks.personal_view(assessment),
            "results.results": lambda: results.results(assessment, form.ignored_inputs(), tables),
            "glance": lambda: counsel_glance.glance(assessment, _prepared()["glances"]),
            "forest": lambda: forest.forest_views(assessment, _prepared()["plots"]),
            "known trials": lambda: known.known_trial_views(assessment),
            "centre views": lambda: centre.centre_views(assessment.centre),
            "record_note": lambda: record_note(assessment, revision, _prepared()["notes"]),
            "render_template": lambda: render_template("calculator/index.html", **context),
            "scenario form (page without results)": lambda: render_template(
                "calculator/index.html", **blank
            ),
        }
        return {name: best(step, batches, calls) for name, step in steps.items()}


def timing(app: Flask, batches: int, calls: int) -> None:
    client = app.test_client()
    get = best(lambda: client.get("/"), batches, calls)
    print(f"GET / (blank form): {get * 1e3:.3f} ms")
    for name, scenario in TIMED.items():
        body = form_body(scenario)
        assert client.post("/", data=body, **FORM).status_code == 200
        whole = best(lambda b=body: client.post("/", data=b, **FORM), batches, calls)
        print(f"\n{name}: POST / {whole * 1e3:.3f} ms per call")
        print("| part | ms |\n| --- | --- |")
        for part, seconds in parts(app, body, batches, calls).items():
            print(f"| {part} | {seconds * 1e3:.3f} |")


def centre_index(page: str) -> int:
    """The form row for the self-expanding stent's 30-day stroke or death counts."""
    marker = '" id="centre-'
    hint = '-hint">Count as the trials did: Any stroke or death in the first 30 days, in patients.'
    end = page.index(hint)
    return int(page[page.rindex(marker, 0, end) + len(marker) : end])


def dump_bodies(client: Any) -> dict[str, dict[str, Any]]:
    """Form bodies for the dump: plain, all options, other settings, errors, entered risks, a centre."""
    index = centre_index(client.get("/").get_data(as_text=True))
    yes_no = {
        k: ("yes" if v else "no") if isinstance(v, bool) else v for k, v in VISSIT_SCENARIO.items()
    }
    four = ["medical", "angioplasty", "balloon_stent", "self_expanding_stent"]
    return {
        "vissit": yes_no,
        "all_four": {**yes_no, "options": four},
        "lvo_all_four": {"setting": "lvo_icas", "options": four, "age": "70"},
        "errors": {
            "setting": "symptomatic_icas",
            "options": "medical",
            "age": "two hundred",
            "stenosis_percent": "180",
            "days_since_event": "3 months",
            "baseline_risks.stroke_death_30d": "x",
            f"centre-{index}-events": "9",
            f"centre-{index}-total": "3",
        },
        "unknown_setting": {"setting": "nowhere", "options": ["medical"]},
        "baseline_risks": {**yes_no, "options": four, "baseline_risks.stroke_death_30d": "10"},
        "centre": {
            "setting": "symptomatic_icas",
            "options": ["medical", "self_expanding_stent"],
            "stenosis_percent": "80",
            "symptomatic": "yes",
            f"centre-{index}-events": "2",
            f"centre-{index}-total": "60",
            "use_centre_early_risk": "yes",
        },
        "centre_no_tick": {
            "setting": "symptomatic_icas",
            "options": four,
            "stenosis_percent": "80",
            "symptomatic": "yes",
            f"centre-{index}-events": "2",
            f"centre-{index}-total": "60",
            "age": "55",
        },
        "ignored": {**yes_no, "setting": "lvo_icas"},
        "tick_refused": {
            "setting": "symptomatic_icas",
            "options": ["medical", "self_expanding_stent"],
            f"centre-{index}-events": "2",
            f"centre-{index}-total": "60",
            "use_centre_early_risk": "maybe",
            "baseline_risks.stroke_death_30d": "10",
            "mrs": "2",
            "symptomatic": "unknown",
        },
    }


def dump(app: Flask, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    client = app.test_client()
    (directory / "get.html").write_bytes(client.get("/").get_data())
    for name, body in dump_bodies(client).items():
        for view in VIEWS:
            response = client.post("/", data={**body, "view": view})
            page = directory / f"{name}.{view}.{response.status_code}.html"
            page.write_bytes(response.get_data())
    print(f"{len(list(directory.iterdir()))} pages in {directory}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batches", type=int, default=15)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--dump", type=Path, help="write the pages to this folder instead")
    parser.add_argument("--evidence", type=Path, help="an evidence folder other than evidence/")
    args = parser.parse_args()
    app = create_app({"EVIDENCE_DIR": args.evidence} if args.evidence else None)
    if args.dump:
        dump(app, args.dump)
    else:
        timing(app, args.batches, args.calls)


if __name__ == "__main__":
    main()
