"""Results on a phone over a slow network: from pressing submit to the results painted.

Usage (from the repository root; needs Debian's nginx and chromium):

    .venv/bin/python tests/perf/phone.py [--runs 5] [--output tests/perf/results.json]

`make run`'s server (tests/server.py) behind nginx on 127.0.0.1, configured as the documented
production configuration serves pages (tests/perf/nginx.conf.example: gzip level 5 on text), and
once more with compression off. Debian's Chromium (never a downloaded build), 375 x 812 px, under
Chrome DevTools' emulation of a 3G-class link (300 ms latency, 700 kbit/s each way) and a 4x CPU
slowdown, opens the form, fills the all-four-options scenario as a person would and presses
"Show the evidence". The time is from the form's submit event to the results page's largest
contentful paint (the page opens at #results, so that paint is the results); first contentful
paint and the load event are printed beside it. Target: at most 1.0 s through the production
configuration. Nothing is asserted: the figures go to tests/perf/README.md.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `tests` importable
    sys.path[:0] = [str(Path(__file__).resolve().parents[2])]

from playwright.sync_api import Page, sync_playwright

from tests.perf._common import (
    PERF,
    conditions,
    markdown_table,
    temporary_directory,
    wait_for,
    write_results,
)
from tests.perf.nginx_failover import NGINX, stop_process_group
from tests.server import HOST, free_port, running

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LATENCY_MS = 300
KBIT_PER_S = 700
CPU_SLOWDOWN = 4
TARGET_S = 1.0

CONFIG = """\
# Written by tests/perf/phone.py; the compression lines are tests/perf/nginx.conf.example's.
daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    types {{ text/css css; application/javascript js; image/svg+xml svg; }}
    server {{
        listen {host}:{port};
        {gzip}
        location / {{
            proxy_pass http://{host}:{upstream};
            proxy_set_header Host $host;
        }}
    }}
}}
"""
GZIP = """gzip on;
        gzip_comp_level 5;
        gzip_min_length 1024;
        gzip_proxied any;
        gzip_vary on;
        gzip_types text/css application/javascript application/json image/svg+xml text/plain;"""

# Set on the form page: the submit event's wall-clock time survives the navigation in window.name.
MARK_SUBMIT = """() => document.getElementById('scenario-form').addEventListener(
    'submit', () => { window.name = String(performance.timeOrigin + performance.now()); })"""
# Read on the results page once it has loaded and painted.
READ_PAINTS = """() => new Promise(resolve => {
    const submitted = Number(window.name);
    const at = t => performance.timeOrigin + t - submitted;
    const lcp = [];
    new PerformanceObserver(list => lcp.push(...list.getEntries()))
        .observe({type: 'largest-contentful-paint', buffered: true});
    setTimeout(() => {
        const fcp = performance.getEntriesByName('first-contentful-paint')[0];
        const nav = performance.getEntriesByType('navigation')[0];
        resolve({
            lcp: lcp.length ? at(lcp[lcp.length - 1].startTime) : null,
            fcp: fcp ? at(fcp.startTime) : null,
            load: at(nav.loadEventEnd),
            results: !!document.getElementById('results'),
            bytes: nav.transferSize,
        });
    }, 1500);
})"""


def start_nginx(tmp: Path, upstream: int, compress: bool) -> tuple[subprocess.Popen[bytes], int]:
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp / name).mkdir(parents=True, exist_ok=True)
    tmp.chmod(0o755)  # nginx workers run as "nobody" when started by root
    port = free_port()
    config = tmp / "nginx.conf"
    config.write_text(
        CONFIG.format(
            tmp=tmp, host=HOST, port=port, upstream=upstream, gzip=GZIP if compress else ""
        )
    )
    process = subprocess.Popen(
        [NGINX, "-p", str(tmp), "-c", str(config), "-e", str(tmp / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    wait_for(f"http://{HOST}:{port}/healthz")
    return process, port


def fill_all_four(page: Page) -> None:
    """Fill the all-four-options scenario by label, as tests/browser/helpers.py fill_vissit does."""
    page.get_by_label("Symptomatic intracranial stenosis (elective decision)").check()
    for label in (
        "Medical therapy",
        "Angioplasty alone",
        "Balloon-mounted (balloon-expandable) stent",
        "Self-expanding stent",
    ):
        page.get_by_label(label, exact=True).check()
    page.get_by_label("Degree of stenosis (%)").fill("80")
    page.locator("fieldset", has_text="Is the stenosis symptomatic?").get_by_label("Yes").check()
    page.get_by_label("Days since the qualifying TIA or stroke").fill("10")
    page.get_by_label("Artery with the stenosis").select_option("mca")
    page.get_by_label("Age (years)").fill("64")


def one_run(browser: Any, origin: str) -> dict[str, Any]:
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": LATENCY_MS,
            "downloadThroughput": KBIT_PER_S * 1000 / 8,
            "uploadThroughput": KBIT_PER_S * 1000 / 8,
        },
    )
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    page.goto(origin + "/")
    fill_all_four(page)
    page.evaluate(MARK_SUBMIT)
    with page.expect_navigation(wait_until="load", timeout=60_000):
        page.get_by_role("button", name="Show the evidence", exact=True).first.click()
    found: dict[str, Any] = page.evaluate(READ_PAINTS)
    context.close()
    if not found["results"]:
        raise RuntimeError("the page after submit has no #results")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--output", type=Path, default=PERF / "results.json")
    args = parser.parse_args()
    before = conditions()
    figures: dict[str, list[dict[str, Any]]] = {}
    with (
        temporary_directory("icas-phone-") as tmp,
        running(tmp / "server.log") as server,
        sync_playwright() as driver,
    ):
        browser = driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        served = {
            "gzip (production configuration)": start_nginx(tmp / "gzip", server.port, True),
            "uncompressed": start_nginx(tmp / "plain", server.port, False),
        }
        try:
            origins = {label: f"http://{HOST}:{port}" for label, (_, port) in served.items()}
            for origin in origins.values():
                one_run(browser, origin)  # warm-up: the server's first answers, not timed
            figures = {label: [] for label in served}
            # Alternated, so a neighbour's burst of load falls on both alike.
            for _ in range(args.runs):
                for label, origin in origins.items():
                    figures[label].append(one_run(browser, origin))
        finally:
            for nginx, _port in served.values():
                stop_process_group(nginx)
        browser.close()
    rows = []
    summary = {}
    for label, runs in figures.items():
        lcp = [r["lcp"] / 1000 for r in runs]
        fcp = [r["fcp"] / 1000 for r in runs]
        load = [r["load"] / 1000 for r in runs]
        summary[label] = {
            "lcp_s": lcp,
            "fcp_s": fcp,
            "load_s": load,
            "page_transfer_bytes": runs[0]["bytes"],
            "median_lcp_s": statistics.median(lcp),
        }
        rows.append(
            [
                label,
                f"{runs[0]['bytes']:,}",
                f"{statistics.median(lcp):.2f} ({min(lcp):.2f}-{max(lcp):.2f})",
                f"{statistics.median(fcp):.2f}",
                f"{statistics.median(load):.2f}",
                "yes" if statistics.median(lcp) <= TARGET_S else "**no**",
            ]
        )
    header = ["served", "page bytes on the wire", "submit to LCP s", "FCP s", "load s", "≤ 1.0 s"]
    print(markdown_table(header, rows))
    write_results(
        args.output,
        "phone",
        {
            "setup": f"make run behind nginx on {HOST}; Chromium {CHROMIUM} 375x812, latency"
            f" {LATENCY_MS} ms, {KBIT_PER_S} kbit/s each way, CPU slowdown {CPU_SLOWDOWN}x;"
            f" {args.runs} runs after one warm-up; all-four-options scenario",
            "conditions": before,
            "results": summary,
        },
    )
    print(f"Results written to {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
