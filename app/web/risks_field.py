"""The form's `baseline_risks`: one optional text input per outcome family, named
`baseline_risks.<family id>`, read into the contract's object of percents.

The form reads the entered texts (blank: not given) and turns each into a number; the contract
(app/contract/scenario.py) checks the bounds, and the engine the family ids, each message naming
`baseline_risks.<family id>`.
"""

from __future__ import annotations

import re
from typing import Any

from wtforms import Field

PERCENT = re.compile(r"([0-9]{1,3}(?:[.,][0-9]{1,6})?)\s*%?")
MESSAGE = "Enter a percent above 0 and below 100, e.g. 12.5."


class RisksField(Field):
    """Entered percents keyed by family id; `keyed_errors` holds each input's own messages."""

    def process(self, formdata: Any, data: Any = None, extra_filters: Any = None) -> None:
        self.process_errors: list[str] = []
        self.keyed_errors: dict[str, list[str]] = {}
        self.entered: dict[str, str] = {}
        self.object_data = data
        self.data: dict[str, float] | None = None
        self.raw_data: list[str] = []
        prefix = f"{self.name}."
        for key in formdata or ():
            if not isinstance(key, str) or not key.startswith(prefix):
                continue
            text = formdata.get(key, "")
            text = text.strip() if isinstance(text, str) else ""
            if text:
                self.entered[key[len(prefix) :]] = text
        values: dict[str, float] = {}
        for key, text in self.entered.items():
            found = PERCENT.fullmatch(text)
            if found is None:
                self.add(key, MESSAGE)
            else:
                values[key] = float(found.group(1).replace(",", "."))
        self.data = values or None

    def add(self, key: str, message: str) -> None:
        """Attach a message to one family's input (and to the field, for the error summary)."""
        self.keyed_errors.setdefault(key, []).append(message)
        self.process_errors.append(f"{key}: {message}")

    def pairs(self) -> tuple[tuple[str, str], ...]:
        """(input name, text) for every entered value, to carry in hidden inputs."""
        return tuple((f"{self.name}.{key}", text) for key, text in self.entered.items())

    def _value(self) -> str:
        return ""
