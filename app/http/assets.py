"""Static files under versioned URLs, kept by browsers for a year: no revalidation per page.

Every page links its stylesheet and script through url_for('static', ...), which adds `v`, the
first hex digits of the file's SHA-256. A versioned request is answered as immutable, so a phone
on a slow link spends no round trip revalidating the stylesheet before it can paint the results
(tests/perf/phone.py measured one such 300 ms round trip per page). A changed file gets a new URL.
Digests are read once at start-up (a handful of small files); in debug mode, where files are edited
while the app runs, they are read at each use.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, request

IMMUTABLE = "public, max-age=31536000, immutable"
EXTENSION = "static_versions"


def digest(path: Path) -> str:
    """The version of a static file: the first 12 hex digits of its SHA-256."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def versions(folder: Path) -> dict[str, str]:
    """Map each file under the static folder (as url_for names it) to its version."""
    return {p.relative_to(folder).as_posix(): digest(p) for p in folder.rglob("*") if p.is_file()}


def add_version(endpoint: str, values: dict[str, Any]) -> None:
    """url_for('static', filename=...) gains v=<version>."""
    if endpoint != "static" or "filename" not in values:
        return
    name = values["filename"]
    if current_app.debug:
        path = Path(current_app.static_folder or "") / name
        values["v"] = digest(path) if path.is_file() else None
    else:
        values["v"] = current_app.extensions[EXTENSION].get(name)


def cache_versioned(response: Response) -> Response:
    """A static file asked for by its current version may be kept as it is."""
    if request.endpoint == "static" and response.status_code == 200:
        name = (request.view_args or {}).get("filename", "")
        current = (
            digest(Path(current_app.static_folder or "") / name)
            if current_app.debug
            else current_app.extensions[EXTENSION].get(name)
        )
        if current is not None and request.args.get("v") == current:
            response.headers["Cache-Control"] = IMMUTABLE
    return response


def register(app: Flask) -> None:
    app.extensions[EXTENSION] = versions(Path(app.static_folder or ""))
    app.url_defaults(add_version)
    app.after_request(cache_versioned)
