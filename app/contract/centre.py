"""The scenario's one list field: the centre's own results, each entry validated and named.

`centre_results` is a list of ``{"option", "family", "events", "total"}``: how many procedures the
centre did with one option (``total``) and how many of those patients had the outcome family's
event (``events``). Every error names its entry and key, ``centre_results[0].events``, as every
other scenario error names its field. Rules: whole numbers (text, decimals and booleans refused),
``0 <= events <= total``, ``1 <= total <= MAX_TOTAL``; the option among those chosen; the family one
that has an arm of that option in the chosen setting (the evidence decides which: the caller passes
them as `families`); each option and family given once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.contract.describe import describe as _describe

NAME = "centre_results"
KEYS = ("option", "family", "events", "total")
MAX_TOTAL = 100_000
MAX_ENTRIES = 20
MAX_NAME = 64
# (setting, family id) -> the options that have an arm in that family, in that setting.
Families = Mapping[tuple[str, str], Sequence[str]]


@dataclass(frozen=True, slots=True)
class CentreResult:
    """One validated entry: `events` of `total` procedures with `option` had `family`'s event."""

    option: str
    family: str
    events: int
    total: int

    def to_json(self) -> dict[str, Any]:
        return {
            "option": self.option,
            "family": self.family,
            "events": self.events,
            "total": self.total,
        }


def _whole(value: Any, low: int, high: int) -> tuple[int | None, str | None]:
    # bool is an int in Python, and 3.0 is not a count: both are refused.
    if isinstance(value, bool) or not isinstance(value, int):
        return (
            None,
            f"Must be a whole number from {low} to {high:,}; got {_describe(value)}.",
        )
    if not low <= value <= high:
        return (
            None,
            f"Must be from {low} to {high:,}; got {value if abs(value) < 10**9 else 'a very large number'}.",
        )
    return value, None


def _entry(
    index: int,
    raw: Any,
    chosen: Sequence[str],
    setting: str | None,
    families: Families | None,
    errors: dict[str, list[str]],
) -> CentreResult | None:
    name = f"{NAME}[{index}]"
    if not isinstance(raw, Mapping):
        errors.setdefault(name, []).append(
            f"Must be an object with {', '.join(KEYS)}; got {_describe(raw)}."
        )
        return None
    for key in raw:
        if key not in KEYS:
            errors.setdefault(f"{name}.{str(key)[:MAX_NAME]}", []).append(
                f"Unknown field; fields are: {', '.join(KEYS)}."
            )
    before = len(errors)
    option, family = raw.get("option"), raw.get("family")
    if option is None:
        errors.setdefault(f"{name}.option", []).append("Required.")
    elif not isinstance(option, str) or option not in chosen:
        errors.setdefault(f"{name}.option", []).append(
            f"Must be one of the options chosen ({', '.join(chosen) or 'none'}); got {_describe(option)}."
        )
    if family is None:
        errors.setdefault(f"{name}.family", []).append("Required.")
    elif not isinstance(family, str):
        errors.setdefault(f"{name}.family", []).append(
            f"Must be a family id; got {_describe(family)}."
        )
    elif families is not None and isinstance(option, str) and option in chosen and setting:
        offered = families.get((setting, family))
        if offered is None or option not in offered:
            have = [f for (s, f), options in families.items() if s == setting and option in options]
            errors.setdefault(f"{name}.family", []).append(
                f"No outcome family {family[:MAX_NAME]!r} with a {option} arm in this setting;"
                f" families with one: {', '.join(have) or 'none'}."
            )
    counts: dict[str, int] = {}
    for key, low, high in (("events", 0, MAX_TOTAL), ("total", 1, MAX_TOTAL)):
        if raw.get(key) is None:
            errors.setdefault(f"{name}.{key}", []).append("Required.")
            continue
        value, error = _whole(raw[key], low, high)
        if value is None:
            errors.setdefault(f"{name}.{key}", []).append(error or "Invalid.")
        else:
            counts[key] = value
    if len(counts) == 2 and counts["events"] > counts["total"]:
        errors.setdefault(f"{name}.events", []).append(
            f"Must not exceed {name}.total ({counts['total']}); got {counts['events']}."
        )
    if len(errors) > before:
        return None
    return CentreResult(option, family, counts["events"], counts["total"])  # type: ignore[arg-type]


def parse_entries(
    raw: Any,
    *,
    chosen: Sequence[str],
    setting: str | None,
    families: Families | None,
    errors: dict[str, list[str]],
) -> tuple[CentreResult, ...] | None:
    """Validate `centre_results`, adding every problem to `errors` under its entry's name."""
    if not isinstance(raw, list):
        errors.setdefault(NAME, []).append(
            f"Must be a list of objects with {', '.join(KEYS)}; got {_describe(raw)}."
        )
        return None
    if len(raw) > MAX_ENTRIES:
        errors.setdefault(NAME, []).append(f"At most {MAX_ENTRIES} entries; got {len(raw)}.")
        return None
    before = len(errors)
    entries = [_entry(i, item, chosen, setting, families, errors) for i, item in enumerate(raw)]
    seen: set[tuple[str, str]] = set()
    for index, entry in enumerate(entries):
        if entry is None:
            continue
        if (entry.option, entry.family) in seen:
            errors.setdefault(f"{NAME}[{index}]", []).append(
                "This option and family are already given; give each once."
            )
        seen.add((entry.option, entry.family))
    if len(errors) > before:
        return None
    return tuple(e for e in entries if e is not None)
