"""Stylesheets and scripts are served without comments or indentation; the files keep them."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask.testing import FlaskClient

from app.http.assets import slim

STATIC = Path("static")


def test_a_stylesheet_loses_its_comments_and_indentation_but_not_its_strings() -> None:
    css = '/* why */\n.a {\n  content: "/* kept */";\n}\n\n.b/**/.c { color: red; } /* after */\n'
    assert slim("x.css", css) == '.a {\ncontent: "/* kept */";\n}\n.b .c { color: red; }\n'


def test_a_script_loses_only_comments_on_lines_of_their_own() -> None:
    js = (
        "/* what it does\n   and why */\n(function () {\n  // a line comment\n"
        '  var a = "//not a comment";  // kept: after code\n'
        "  try { go(); } catch (e) { /* kept */ }\n  /* kept */ go();\n  go(); /* kept */\n})();\n"
    )
    assert slim("x.js", js) == (
        '(function () {\nvar a = "//not a comment";  // kept: after code\n'
        "try { go(); } catch (e) { /* kept */ }\n/* kept */ go();\ngo(); /* kept */\n})();\n"
    )
    # A template literal may hold a line that only looks like a comment: such a file is left whole.
    assert slim("x.js", "var s = `\n// text\n`;\n") == "var s = `\n// text\n`;\n"
    assert slim("x.svg", "  <svg/>  \n\n") == "  <svg/>  \n\n"


def test_every_stylesheet_and_script_is_served_slimmed_and_revalidated(
    client: FlaskClient,
) -> None:
    files = [p for p in STATIC.rglob("*") if p.suffix in (".css", ".js")]
    assert {"app.css", "app.js"} <= {p.name for p in files}
    for path in files:
        name = path.relative_to(STATIC).as_posix()
        response = client.get(f"/static/{name}")
        body = response.get_data()
        assert response.status_code == 200, name
        assert body == slim(name, path.read_text(encoding="utf-8")).encode(), name
        assert len(body) < len(path.read_bytes()), name  # every file has comments to drop
        assert response.headers["Cache-Control"] == "no-cache", name
        assert response.headers["ETag"] == f'"{hashlib.sha256(body).hexdigest()}"', name
        again = client.get(f"/static/{name}", headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304 and again.get_data() == b"", name
    # Other files are sent as they are.
    response = client.get("/static/favicon.svg")
    assert response.get_data() == (STATIC / "favicon.svg").read_bytes()
    response.close()
