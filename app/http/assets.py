"""Static files under versioned URLs, kept by browsers for a year: no revalidation per page.

Every page links its stylesheet and script through url_for('static', ...), which adds `v`, the
first hex digits of the served file's SHA-256. A versioned request is answered as immutable, so a
phone on a slow link spends no round trip revalidating the stylesheet before it can paint the
results (tests/perf/phone.py measured one such 300 ms round trip per page). A changed file gets a
new URL. Digests are read once at start-up (a handful of small files); in debug mode, where files
are edited while the app runs, they are read at each use.

Stylesheets and scripts are served without their comments and indentation (``slim``): the comments
say why for the people editing the files, and a browser needs none of them: app.css and app.js
come to 987 fewer compressed bytes on every results page (tests/perf/README.md). The files in
static/ stay as written; only the served bytes (and so their version) are slimmed.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, request

IMMUTABLE = "public, max-age=31536000, immutable"
EXTENSION = "static_versions"
BODIES = "static_bodies"

# A CSS string (kept whole, so a "/*" inside one is not a comment) or a comment (removed).
_CSS_TOKEN = re.compile(r"""("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')|/\*.*?\*/""", re.DOTALL)
# A script's comment standing on lines of its own: a block comment opening a line and closing at
# a line's end, or a line comment alone on its line. Without template literals (refused below) no
# string spans lines, so such a line is never inside a string. A block comment ends at its first
# "*/" (never one further on), and comments after code stay.
_JS_COMMENT_LINES = re.compile(
    r"^[ \t]*(?:/\*(?:[^*]|\*(?!/))*\*/|//[^\n]*)[ \t]*(?:\n|\Z)", re.MULTILINE
)
_EDGES = re.compile(r"^[ \t]+|[ \t]+$", re.MULTILINE)
_BLANK_LINES = re.compile(r"\n{2,}")


def slim(name: str, text: str) -> str:
    """Drop a stylesheet's or script's comments, indentation, trailing blanks and blank lines.

    Line breaks stay, so a script's automatic semicolons and a selector list read as before.
    """
    if name.endswith(".css"):
        text = _CSS_TOKEN.sub(lambda m: m.group(1) or " ", text)  # a space: "a/**/b" is not "ab"
    elif name.endswith(".js"):
        if "`" in text:  # a template literal could hold a line that only looks like a comment
            return text
        text = _JS_COMMENT_LINES.sub("", text)
    else:
        return text
    return _BLANK_LINES.sub("\n", _EDGES.sub("", text)).strip("\n") + "\n"


def served(path: Path) -> bytes:
    """The bytes a static file is served as: stylesheets and scripts slimmed, others unchanged."""
    if path.suffix in (".css", ".js"):
        return slim(path.name, path.read_text(encoding="utf-8")).encode("utf-8")
    return path.read_bytes()


def digest(path: Path) -> str:
    """The version of a static file: the first 12 hex digits of the SHA-256 of its served bytes."""
    return hashlib.sha256(served(path)).hexdigest()[:12]


def versions(folder: Path) -> dict[str, str]:
    """Map each file under the static folder (as url_for names it) to its version."""
    return {p.relative_to(folder).as_posix(): digest(p) for p in folder.rglob("*") if p.is_file()}


def slimmed(folder: Path) -> dict[str, bytes]:
    """Map each stylesheet and script under the static folder to the bytes it is served as."""
    return {
        p.relative_to(folder).as_posix(): served(p)
        for p in folder.rglob("*")
        if p.is_file() and p.suffix in (".css", ".js")
    }


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


def send_static(filename: str) -> Response:
    """Serve a stylesheet or script slimmed (revalidated by its ETag), any other file as it is."""
    folder = Path(current_app.static_folder or "")
    # In debug mode files are edited while the app runs: read them again at each use.
    bodies = slimmed(folder) if current_app.debug else current_app.extensions[BODIES]
    body = bodies.get(filename)
    if body is None:
        return current_app.send_static_file(filename)
    mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    response: Response = current_app.response_class(body, mimetype=mimetype)
    response.set_etag(hashlib.sha256(body).hexdigest())
    response.cache_control.no_cache = True  # as Flask serves a static file: revalidated at each use
    response.make_conditional(request)  # 304 for a matching If-None-Match (it changes in place)
    return response


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
    folder = Path(app.static_folder or "")
    app.extensions[EXTENSION] = versions(folder)
    app.extensions[BODIES] = slimmed(folder)
    app.view_functions["static"] = send_static
    app.url_defaults(add_version)
    app.after_request(cache_versioned)
