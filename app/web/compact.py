"""Collapse the templates' indentation once, when Jinja compiles them, instead of on every page.

A run of white space holding a line break renders as one space, so between markup and template
tags one line break keeps every page as it renders; before a block-level tag even that renders
nothing, nor after one that closes a loop's body (the next item, or what follows the loop, starts
on a line of its own). Done on the template source, the pages cost nothing per request for it (the regular
expressions over a whole all-four results page took 0.8 ms of its 4.8; tests/perf/README.md).
Only white space between a tag's '>' or a template tag's end and a '<' or a template tag's start
is touched: never text, attribute values or what a variable holds, so no <pre> or <textarea>
content changes.
"""

from __future__ import annotations

import re

from jinja2.ext import Extension

# After '>' or a template tag's end ('%}', '}}', '#}'), before '<' or a template tag's start.
_BETWEEN = re.compile(r"(?:(?<=>)|(?<=[%}#]\}))[ \t]*\n\s*(?=<|\{[%{#])")
_BLOCK_TAGS = (
    "tr|td|th|tbody|thead|table|ul|ol|li|div|section|p|h[1-6]|details|summary|fieldset|legend"
    "|caption|dl|dt|dd|form|header|footer|main|nav|figure|figcaption"
)
_BEFORE_BLOCK = re.compile(rf"(?<=>)\n(?=</?(?:{_BLOCK_TAGS})\b)")
# After a block-level element, at the end of a loop's body: what follows starts a line anyway.
_LOOP_END = re.compile(rf"(</(?:{_BLOCK_TAGS})>)\n(?=\{{% endfor %\}})")


def compact(source: str) -> str:
    """Collapse white space between tags to one line break; to nothing beside a block tag."""
    return _LOOP_END.sub(r"\1", _BEFORE_BLOCK.sub("", _BETWEEN.sub("\n", source)))


class Compact(Extension):
    """Compact every template's source before Jinja compiles it (trim_blocks does the tag lines)."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        return compact(source)
