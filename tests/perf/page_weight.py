"""Weight of the results page: the HTML plus every CSS, JS, SVG and image it references.

Usage (from the repository root; `make bench` runs it):

    .venv/bin/python tests/perf/page_weight.py [--base-url http://127.0.0.1:5000]
                                               [--output tests/perf/results.json]

Without --base-url the pages are rendered in process with Flask's test client (the bytes are the
same a server sends); with it, a running server on loopback is asked. Scenarios: a VISSIT-like
patient and the same patient with all four options ticked (the largest results page). Budgets, as a
user receives the page: at most 25 KB (25,000 bytes) compressed as the documented production
configuration compresses text (tests/perf/nginx.conf.example: gzip, level 5), and at most 150 KB
(150,000 bytes) raw for a server without compression; no web fonts and no asset from another
origin. tests/shipped/test_weight.py asserts the same through the test client on every test run.
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

if __package__ in (None, ""):  # run as a script: make `app` and `_common` importable
    sys.path[:0] = [str(Path(__file__).resolve().parents[2]), str(Path(__file__).resolve().parent)]
    from _common import (
        ALL_OPTIONS_SCENARIO,
        PERF,
        VISSIT_SCENARIO,
        form_body,
        markdown_table,
        write_results,
    )
else:
    from ._common import (
        ALL_OPTIONS_SCENARIO,
        PERF,
        VISSIT_SCENARIO,
        form_body,
        markdown_table,
        write_results,
    )

if TYPE_CHECKING:
    from flask import Flask

LIMIT = 150_000
COMPRESSED_LIMIT = 25_000
GZIP_LEVEL = 5  # gzip_comp_level in tests/perf/nginx.conf.example


def compressed_size(body: bytes) -> int:
    """Bytes of the body as nginx sends it with `gzip on` at the configured level."""
    return len(gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0))


FONT_FILES = re.compile(r"\.(woff2?|ttf|otf|eot)(\?|#|$)", re.IGNORECASE)
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")
SCENARIOS = {
    "VISSIT-like": VISSIT_SCENARIO,
    "all four options": ALL_OPTIONS_SCENARIO,
}

# fetch(method, path, form body) -> (status, content type, bytes)
Fetch = Callable[[str, str, str], tuple[int, str, bytes]]


class _Assets(HTMLParser):
    """Collect the URLs of everything a browser loads for the page (not links it navigates to)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.inline_styles = 0
        self.inline_scripts = 0
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        rel = values.get("rel", "").lower().split()
        if tag == "link" and {"stylesheet", "icon", "preload", "modulepreload"} & set(rel):
            self.urls.append(values.get("href", ""))
        elif (
            tag in ("script", "img", "source", "audio", "video", "iframe", "embed")
            and "src" in values
        ):
            self.urls.append(values["src"])
        elif tag in ("use", "image") and ("href" in values or "xlink:href" in values):
            self.urls.append(values.get("href") or values.get("xlink:href", ""))
        elif tag == "object" and "data" in values:
            self.urls.append(values["data"])
        if tag == "style":
            self.inline_styles += 1
        if "style" in values:
            self.inline_styles += 1
        if tag == "script" and "src" not in values:
            self.inline_scripts += 1
        if "srcset" in values:
            self.urls += [part.split()[0] for part in values["srcset"].split(",") if part.strip()]


@dataclass
class Weight:
    scenario: str
    status: int
    html: int
    html_compressed: int = 0
    assets: dict[str, int] = field(default_factory=dict)
    assets_compressed: dict[str, int] = field(default_factory=dict)
    external: list[str] = field(default_factory=list)
    fonts: list[str] = field(default_factory=list)
    inline_styles: int = 0
    inline_scripts: int = 0

    @property
    def total(self) -> int:
        return self.html + sum(self.assets.values())

    @property
    def compressed(self) -> int:
        return self.html_compressed + sum(self.assets_compressed.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "status": self.status,
            "html_bytes": self.html,
            "assets": self.assets,
            "total_bytes": self.total,
            "limit_bytes": LIMIT,
            "compressed_bytes": self.compressed,
            "compressed_limit_bytes": COMPRESSED_LIMIT,
            "external_assets": self.external,
            "font_references": self.fonts,
            "inline_styles": self.inline_styles,
            "inline_scripts": self.inline_scripts,
            "met": self.total <= LIMIT
            and self.compressed <= COMPRESSED_LIMIT
            and not self.external
            and not self.fonts,
        }


def _local_path(url: str, base: str) -> str | None:
    """The same-origin path of a URL, or None when it points at another origin."""
    absolute = urllib.parse.urljoin(base, url)
    parts = urllib.parse.urlsplit(absolute)
    if parts.scheme == "data":
        return None
    if parts.netloc != "local.invalid":
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def page_weight(fetch: Fetch, name: str, scenario: dict[str, Any]) -> Weight:
    """POST the scenario to / and add up the page and every asset it loads (each counted once)."""
    status, _type, html = fetch("POST", "/", form_body(scenario))
    parser = _Assets()
    parser.feed(html.decode("utf-8"))
    weight = Weight(name, status, len(html), compressed_size(html))
    weight.inline_styles = parser.inline_styles
    weight.inline_scripts = parser.inline_scripts
    pending = [(url, "http://local.invalid/") for url in parser.urls]
    while pending:
        url, base = pending.pop(0)
        if url.startswith("data:"):
            continue
        if FONT_FILES.search(url):
            weight.fonts.append(url)
        path = _local_path(url, base)
        if path is None:
            weight.external.append(url)
            continue
        if path in weight.assets:
            continue
        asset_status, content_type, body = fetch("GET", path, "")
        assert asset_status == 200, (path, asset_status)
        weight.assets[path] = len(body)
        weight.assets_compressed[path] = compressed_size(body)
        if "css" in content_type or path.endswith(".css"):
            text = body.decode("utf-8")
            if "@font-face" in text:
                weight.fonts.append(f"@font-face in {path}")
            for match in CSS_URL.finditer(text):
                pending.append((match.group(1) or match.group(2), "http://local.invalid" + path))
    return weight


def fetch_with(app: Flask) -> Fetch:
    """Fetch from the app in process, through Flask's test client."""
    client = app.test_client()

    def fetch(method: str, path: str, body: str) -> tuple[int, str, bytes]:
        if method == "POST":
            response = client.post(
                path, data=body, content_type="application/x-www-form-urlencoded"
            )
        else:
            response = client.get(path)
        data = response.get_data()
        response.close()  # a static file response holds its file open until closed
        return response.status_code, response.content_type or "", data

    return fetch


def client_fetch() -> Fetch:
    from app import create_app

    return fetch_with(create_app())


def url_fetch(base_url: str) -> Fetch:
    def fetch(method: str, path: str, body: str) -> tuple[int, str, bytes]:
        request = urllib.request.Request(
            base_url.rstrip("/") + path,
            data=body.encode() if method == "POST" else None,
            headers={"Content-Type": "application/x-www-form-urlencoded"} if body else {},
            method=method,
        )
        # No Accept-Encoding: the weight is uncompressed.
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()

    return fetch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-url", help="a running server on loopback (default: in process)")
    parser.add_argument("--output", type=Path, default=PERF / "results.json")
    args = parser.parse_args()
    fetch = url_fetch(args.base_url) if args.base_url else client_fetch()
    weights = [page_weight(fetch, name, scenario) for name, scenario in SCENARIOS.items()]
    rows = []
    for w in weights:
        assets = ", ".join(f"{path} {size:,}" for path, size in w.assets.items())
        rows.append(
            [
                w.scenario,
                f"{w.html:,}",
                assets,
                f"{w.total:,}",
                f"{LIMIT:,}",
                f"{w.compressed:,}",
                f"{COMPRESSED_LIMIT:,}",
                len(w.external),
                len(w.fonts),
                "yes" if w.as_dict()["met"] else "**no**",
            ]
        )
    header = [
        "scenario",
        "HTML B",
        "assets B",
        "total B",
        "limit B",
        "gzip B",
        "gzip limit B",
        "external",
        "fonts",
        "met",
    ]
    print(markdown_table(header, rows))
    write_results(
        args.output,
        "page_weight",
        {
            "source": args.base_url or "Flask test client (in process)",
            "pages": [w.as_dict() for w in weights],
        },
    )
    print(f"Results written to {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
