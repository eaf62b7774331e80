"""Templates' indentation collapsed at compile time: pages render as written, with less white space."""

from __future__ import annotations

import re
import traceback

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jinja2 import UndefinedError

from app.web.compact import compact
from tests.scenarios import ALL_OPTIONS


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # Between tags the line breaks render as one space: only they are kept.
        ("<ul>\n    <li>a</li>\n  </ul>", "<ul>\n<li>a</li>\n</ul>"),
        ("<b>x</b>\n      <i>y</i>", "<b>x</b>\n<i>y</i>"),
        ("<b>x</b> \t\n\n  <i>y</i>", "<b>x</b>\n\n<i>y</i>"),
        # Beside template tags too (trim_blocks removes the one after a block tag).
        ("<td>\n    {% if a %}\n    <b>", "<td>\n{% if a %}\n<b>"),
        ("<td>\n    {{ value }}\n  </td>", "<td>\n{{ value }}\n</td>"),
        ("{# note #}\n   <b>", "{# note #}\n<b>"),
        # Text, attribute values and white space without a line break are left as written.
        ("<p>one\n     two</p>", "<p>one\n     two</p>"),
        ('<a title="one\n     two">', '<a title="one\n     two">'),
        ("<b>x</b>   <i>y</i>", "<b>x</b>   <i>y</i>"),
        ("<textarea>{{ note }}</textarea>", "<textarea>{{ note }}</textarea>"),
    ],
)
def test_compact_collapses_only_white_space_between_tags(source: str, expected: str) -> None:
    assert compact(source) == expected


def test_templates_are_compacted_when_they_compile(app: Flask) -> None:
    source = "<ul>\n  {% for i in items %}\n  <li>{{ i }}</li>\n  {% endfor %}\n</ul>"
    assert app.jinja_env.from_string(source).render(items=[1, 2]) == (
        "<ul>\n<li>1</li>\n<li>2</li>\n</ul>"
    )


def test_line_numbers_are_the_templates_own(app: Flask) -> None:
    source = "<ul>\n\n   <li>\n     {{ missing.attribute }}</li>\n</ul>"
    with pytest.raises(UndefinedError) as raised:
        app.jinja_env.from_string(source).render()
    assert any(frame.lineno == 4 for frame in traceback.extract_tb(raised.tb))


def test_the_results_page_holds_no_indentation_between_tags(
    client: FlaskClient,
) -> None:
    page = client.post(
        "/",
        data={**ALL_OPTIONS, "view": "clinician"},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "<h2" in page
    assert not re.search(r">[ \t]*\n[ \t]+<", page)
