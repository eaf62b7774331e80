"""Read TOML tables with typed getters that collect every problem as `file: key.path: message`."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

from app.evidence.model import ArmResult, Printed, Quote
from app.evidence.quotes import quote_problem

_MISSING = object()
# Source id -> its normalised text, or None when the declared file could not be read.
Texts = Mapping[str, str | None]


class Problems:
    """Collect problems for one file, each prefixed with the file name and key path."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.items.append(f"{self.file}: {path}: {message}" if path else f"{self.file}: {message}")


class Table:
    """A TOML table being read: typed getters record errors and track which keys were used."""

    def __init__(self, data: Mapping[str, Any], path: str, problems: Problems) -> None:
        self.data = data
        self.path = path
        self.problems = problems
        self.used: set[str] = set()

    def at(self, key: str) -> str:
        if not key:
            return self.path
        return f"{self.path}.{key}" if self.path else key

    def error(self, key: str, message: str) -> None:
        self.problems.add(self.at(key), message)

    def _get(self, key: str, required: bool) -> Any:
        self.used.add(key)
        value = self.data.get(key, _MISSING)
        if value is _MISSING and required:
            self.error(key, "required key is missing")
        return value

    def _typed(self, key: str, kind: type, name: str, required: bool, default: Any) -> Any:
        value = self._get(key, required)
        if value is _MISSING:
            return default
        # bool is an int subclass; a count of `true` is a data-entry error, not 1.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.error(key, f"must be {name}, got {type(value).__name__} {value!r}")
            return default
        return value

    def text(self, key: str, *, required: bool = True, default: str = "") -> str:
        value: str = self._typed(key, str, "a string", required, default)
        if required and value == "" and key in self.data:
            self.error(key, "must not be empty")
        return value

    def choice(self, key: str, choices: tuple[str, ...], *, required: bool = True) -> str:
        value = self.text(key, required=required)
        if value and value not in choices:
            self.error(key, f"{value!r} is not one of: {', '.join(choices)}")
        return value

    def whole(self, key: str, *, required: bool = True, minimum: int | None = None) -> int | None:
        value: int | None = self._typed(key, int, "an integer", required, None)
        if value is not None and minimum is not None and value < minimum:
            self.error(key, f"must be at least {minimum}, got {value}")
            return None
        return value

    def flag(self, key: str, *, required: bool = True) -> bool | None:
        value: bool | None = self._typed(key, bool, "true or false", required, None)
        return value

    def date(self, key: str) -> dt.date | None:
        value: dt.date | None = self._typed(key, dt.date, "a date (YYYY-MM-DD)", True, None)
        if isinstance(value, dt.datetime):
            self.error(key, "must be a date without a time")
            return None
        return value

    def printed(self, key: str, *, required: bool = False, signed: bool = False) -> Printed | None:
        value = self.text(key, required=required)
        return self._parse_printed(key, value, signed) if value else None

    def _parse_printed(self, key: str, text: str, signed: bool = False) -> Printed | None:
        # A leading minus (ASCII or the printed U+2212) is for differences, never counts or P.
        # The decimal mark may be the Lancet's middle dot (U+00B7), kept as printed in `text`.
        if not re.fullmatch(r"[<>]?[-\u2212]?(\d+([.\u00b7]\d*)?|[.\u00b7]\d+)", text):
            self.error(key, f'must be a number as printed, e.g. "24.1" or ".05", got {text!r}')
            return None
        if not signed and text.lstrip("<>")[0] in "-\u2212":
            self.error(key, f"must not be negative here, got {text!r}")
            return None
        try:
            Decimal(text.lstrip("<>").replace("\u2212", "-").replace("\u00b7", "."))
        except InvalidOperation:  # pragma: no cover - the pattern above already excludes this
            self.error(key, f"not a number: {text!r}")
            return None
        return Printed(text)

    def printed_pair(
        self, key: str, *, required: bool = False, signed: bool = False
    ) -> tuple[Printed, Printed] | None:
        value = self._get(key, required)
        if value is _MISSING:
            return None
        if (
            not isinstance(value, list)
            or len(value) != 2
            or not all(isinstance(v, str) for v in value)
        ):
            self.error(key, 'must be a pair of printed numbers, e.g. ["13.9", "37.2"]')
            return None
        lower, upper = (self._parse_printed(key, v, signed) for v in value)
        if lower is None or upper is None:
            return None
        if lower.value > upper.value:
            self.error(key, f"lower limit {lower.text} is above upper limit {upper.text}")
            return None
        return lower, upper

    def str_list(self, key: str, choices: tuple[str, ...]) -> tuple[str, ...]:
        value = self._get(key, True)
        if value is _MISSING:
            return ()
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            self.error(key, "must be a non-empty list of strings")
            return ()
        for item in value:
            if item not in choices:
                self.error(key, f"{item!r} is not one of: {', '.join(choices)}")
        if len(set(value)) != len(value):
            self.error(key, "must not repeat a value")
        return tuple(value)

    def str_map(self, key: str, allowed: tuple[str, ...]) -> Mapping[str, str]:
        value = self._get(key, False)
        if value is _MISSING:
            return MappingProxyType({})
        if not isinstance(value, dict) or not all(isinstance(v, str) and v for v in value.values()):
            self.error(key, 'must be a table of non-empty strings, e.g. { total = "how" }')
            return MappingProxyType({})
        for name in value:
            if name not in allowed:
                self.error(
                    f"{key}.{name}",
                    f"not a derivable value here; use one of: {', '.join(allowed)}",
                )
        return MappingProxyType(dict(value))

    def table(self, key: str, *, required: bool = True) -> Table | None:
        value = self._get(key, required)
        if value is _MISSING:
            return None
        if not isinstance(value, dict):
            self.error(key, f"must be a table, got {type(value).__name__}")
            return None
        return Table(value, self.at(key), self.problems)

    def tables(self, key: str, *, required: bool = False) -> Iterator[Table]:
        """Yield each table of an array of tables, with its index in the key path."""
        value = self._get(key, required)
        if value is _MISSING:
            return
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.error(key, "must be an array of tables ([[...]])")
            return
        for index, item in enumerate(value):
            yield Table(item, f"{self.at(key)}[{index}]", self.problems)

    def keyed_tables(self, key: str, *, required: bool = True) -> Iterator[tuple[str, Table]]:
        """Yield (name, table) for each sub-table of a table of tables."""
        parent = self.table(key, required=required)
        if parent is None:
            return
        parent.used.update(parent.data)
        for name, value in parent.data.items():
            if not isinstance(value, dict):
                parent.error(name, f"must be a table, got {type(value).__name__}")
                continue
            yield name, Table(value, parent.at(name), self.problems)

    def done(self) -> None:
        """Report every key that no getter asked for: unknown keys are errors, never ignored."""
        for key in self.data:
            if key not in self.used:
                self.error(key, "unknown key")


def read_quote(table: Table, sources: Texts) -> Quote:
    """Read `source` and `quote`, and check the quote stands verbatim in that source's text."""
    source = table.text("source")
    text = table.text("quote")
    if source and source not in sources:
        table.error("source", f"unknown source {source!r}; declare it under [sources]")
    # A declared source whose file cannot be read is reported once, at its `file` key.
    elif source and text and (body := sources[source]) is not None:
        if normalise(text) not in body:
            table.error("quote", f"not found verbatim in source {source!r}")
        elif problem := quote_problem(normalise(text), body):
            table.error("quote", problem)
    return Quote(source, text)


def normalise(text: str) -> str:
    return " ".join(text.split())


def check_percent(table: Table, result: ArmResult) -> None:
    """A printed percent must match events/total at its printed precision, or say why not."""
    if result.percent is None or not result.has_counts or not result.total:
        if result.discrepancy:
            table.error(
                "discrepancy",
                "given, but there is no percent with events/total to check",
            )
        return
    computed = 100 * result.events / result.total  # type: ignore[operator]
    agrees = result.percent.agrees(computed)
    if not agrees and not result.discrepancy:
        table.error(
            "percent",
            f"printed {result.percent.text}% does not match {result.events}/{result.total}"
            f" = {computed:.{result.percent.decimals + 2}f}% at the printed precision;"
            " correct it, or record the source's error in `discrepancy`",
        )
    elif agrees and result.discrepancy:
        table.error("discrepancy", f"given, but {result.percent.text}% agrees with the counts")
