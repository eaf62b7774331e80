"""What a quote must be: long enough to identify its sentence, and carrying every figure it backs.

The quote rule (evidence/README.md, "Quotes"): a quote has at least MIN_WORDS words and stands
exactly once in its source text (white space normalised), so it points at one place: "the" stands
everywhere and identifies nothing. The figure rule: every printed figure of a table (its counts,
percent, interval bounds, P, estimate, survival, SE) occurs in that table's own quote as written,
so a figure edited in the file while its quote still says otherwise is refused. Counts marked
`derived` are not printed and are exempt; a count may be written in words ("Fourteen"); an arm's
`total` equal to that arm's printed size `n` may stand outside the outcome's sentence (the arm's own
quote prints it, and is checked for it).

The figure check reads the raw TOML tables, so it holds for every table kind, present or future,
that names its figures with these keys.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, Protocol

MIN_WORDS = 2
# Integer figures and the `derived` key that exempts them; printed (string) figures.
COUNT_KEYS = ("n", "events", "total")
PRINTED_KEYS = ("percent", "ci", "p", "estimate", "survival", "se", "event_rate", "i2")

# What the schema accepts as a printed figure (app/evidence/reader.py), sign included, and the
# Lancet's middle dot (14·7) as a decimal point.
PRINTED = re.compile(r"[<>]?[-\u2212]?(\d+([.\u00b7]\d*)?|[.\u00b7]\d+)")
_UNITS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


class Reports(Protocol):
    """Where problems go (app.evidence.reader.Problems), named `file: key.path: message`."""

    file: str
    items: list[str]

    def add(self, path: str, message: str) -> None: ...


def number_words(value: int) -> tuple[str, ...]:
    """English words a source may print a count as (0-99): 14 -> 'fourteen', 48 -> 'forty-eight'."""
    if 0 <= value < 20:
        return (_UNITS[value],)
    if 20 <= value < 100:
        tens, unit = divmod(value, 10)
        word = _TENS[tens - 2]
        return (word,) if unit == 0 else (f"{word}-{_UNITS[unit]}", f"{word} {_UNITS[unit]}")
    return ()


def occurs(number: str, text: str) -> bool:
    """Whether `number` stands in `text` as a whole number, not inside another (4 is not in 14 or 4.1)."""
    return re.search(rf"(?<![\d.\u00b7]){re.escape(number)}(?!\d|[.\u00b7]\d)", text) is not None


def count_occurs(value: int, text: str) -> bool:
    """Whether a count is printed in `text`: digits (with or without thousands separators) or words."""
    if any(occurs(form, text) for form in {str(value), f"{value:,}"}):
        return True
    return any(re.search(rf"\b{word}\b", text, flags=re.IGNORECASE) for word in number_words(value))


def printed_number(text: str) -> str:
    """The digits of a printed figure as a quote writes them: '<0.001' -> '0.001', '−5.0' -> '5.0'."""
    return text.lstrip("<>").lstrip("-\u2212")


def quote_problem(quote: str, body: str) -> str | None:
    """Why a (normalised) quote does not identify one place in its (normalised) source, if it does not."""
    found = body.count(quote)
    if found == 0:
        return None  # reported by the verbatim check
    if len(quote.split()) < MIN_WORDS:
        return (
            f"too short to identify its sentence ({len(quote.split())} word); quote at least"
            f" {MIN_WORDS} words of the sentence, with the figures it backs"
        )
    if found > 1:
        return (
            f"stands {found} times in its source, so it does not identify one sentence;"
            " quote more of the sentence"
        )
    return None


def _tables(data: Any, path: str = "") -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Yield (key path, table) for every table under `data` that carries a quote."""
    if isinstance(data, Mapping):
        if isinstance(data.get("quote"), str):
            yield path, data
        for key, value in data.items():
            yield from _tables(value, f"{path}.{key}" if path else str(key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _tables(value, f"{path}[{index}]")


_ARM_RESULT = re.compile(r"outcomes\[\d+\]\.arms\.([^.]+)")


def _arm_size(data: Mapping[str, Any], path: str) -> int | None:
    """The printed size of the arm an outcome's arm table belongs to (None elsewhere or derived)."""
    match = _ARM_RESULT.fullmatch(path)
    arms = data.get("arms")
    if match is None or not isinstance(arms, Mapping):
        return None
    arm = arms.get(match.group(1))
    if not isinstance(arm, Mapping) or "n" in (arm.get("derived") or {}):
        return None
    size = arm.get("n")
    return size if isinstance(size, int) and not isinstance(size, bool) else None


def check_figures(data: Mapping[str, Any], problems: Reports) -> None:
    """Report every printed figure that its table's quote does not contain as written.

    A figure the schema has already found wrong (not a number, negative, over its total, not
    matching its counts) is not reported again: one problem per key, the first one found.
    """
    reported = {item.split(": ", 2)[1] for item in problems.items if item.count(": ") >= 2}
    for path, table in _tables(data):
        arm_size = _arm_size(data, path)
        quote = " ".join(table["quote"].split())
        derived = table.get("derived")
        exempt = set(derived) if isinstance(derived, Mapping) else set()
        for key in COUNT_KEYS:
            value = table.get(key)
            if key in exempt or not isinstance(value, int) or isinstance(value, bool):
                continue
            if f"{path}.{key}" in reported:
                continue
            if key == "total" and value == arm_size:
                continue  # the whole arm: its size stands in the arm's own quote (checked there)
            if not count_occurs(value, quote):
                problems.add(
                    f"{path}.{key}",
                    f"{value} is not in its quote; quote the sentence that prints it, or say how"
                    f" it was worked out in `derived`",
                )
        for key in PRINTED_KEYS:
            value = table.get(key)
            if f"{path}.{key}" in reported:
                continue
            texts = value if isinstance(value, list) else [value]
            for text in texts:
                # A figure that is not a printed number at all is reported by the schema.
                if not isinstance(text, str) or not PRINTED.fullmatch(text):
                    continue
                if not occurs(printed_number(text), quote):
                    problems.add(
                        f"{path}.{key}",
                        f"printed {text} is not in its quote as written; quote the sentence that"
                        " prints it",
                    )
