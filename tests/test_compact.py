"""Templates' indentation collapsed at compile time: pages render as written, with less white space."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.web.compact import compact
from tests.scenarios import ALL_OPTIONS


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # Before a block-level tag, opening or closing, nothing is rendered: nothing is kept.
        ("<ul>\n    <li>a</li>\n  </ul>", "<ul><li>a</li></ul>"),
        # Between inline tags the line break renders as one space: one line break is kept.
        ("<b>x</b>\n      <i>y</i>", "<b>x</b>\n<i>y</i>"),
        ("<b>x</b> \t\n\n  <i>y</i>", "<b>x</b>\n<i>y</i>"),
        # Beside template tags, one line break (trim_blocks removes it after a block tag).
        ("<td>\n    {% if a %}\n    <b>", "<td>\n{% if a %}\n<b>"),
        ("<td>\n    {{ value }}\n  </td>", "<td>\n{{ value }}\n</td>"),
        ("{# note #}\n   <b>", "{# note #}\n<b>"),
        # A loop's body ending a block-level element: nothing before the next item or what follows.
        ("<li>a</li>\n  {% endfor %}", "<li>a</li>{% endfor %}"),
        ("<b>a</b>\n  {% endfor %}", "<b>a</b>\n{% endfor %}"),
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
    # Before the loop the line break stays (what follows is known only when rendered); after an
    # item closing a block-level element, none.
    assert (
        app.jinja_env.from_string(source).render(items=[1, 2]) == "<ul>\n<li>1</li><li>2</li></ul>"
    )


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
