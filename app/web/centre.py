"""The centre's own results on the pages: the form's rows, and the comparisons in words and figures.

Form: one row per (setting, outcome family, procedure option) the evidence holds
(app/analysis/centre.py), each with hidden ``centre-<i>-option`` and ``centre-<i>-family`` inputs
and typed ``centre-<i>-events`` and ``centre-<i>-total``. A row with both counts blank is not
given; a row of a setting not chosen is not used (as any field of another setting). Every rule is
the contract's (app/contract/centre.py); its errors, named ``centre_results[j].key``, are attached
to the row that gave entry j. The rows post with the form and are carried by the patient and print
views in hidden inputs like every other value: never in a URL, a cookie or a log.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.analysis.centre import Reference
from app.contract import vocabulary
from app.contract.centre import MAX_TOTAL, NAME
from app.engine.centre import CentreComparison
from app.web.formatting import difference_text, evidence_href, outcome_anchor, p_value_text
from app.web.funnel import FunnelView, funnel_view

COUNTS = ("events", "total")
WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,9}")
ENTRY_NAME = re.compile(r"centre_results\[(\d+)\](?:\.(\w+))?")
COUNT_LABELS = {"events": "Patients with the outcome", "total": "Procedures done"}
COUNT_EXAMPLES = {"events": 2, "total": 60}


@dataclass(slots=True)
class CentreRow:
    """One option and family the centre may give its counts for, as the form holds them."""

    index: int
    setting: str
    option: str
    family: str
    title: str  # "Self-expanding stent: Stroke or death within 30 days"
    definition: str
    raw: dict[str, str]  # events, total as typed
    values: dict[str, int] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    def input_id(self, key: str) -> str:
        return f"centre-{self.index}-{key}"

    @property
    def given(self) -> bool:
        return any(self.raw[k] for k in COUNTS)

    def describedby(self, key: str) -> str:
        ids = [f"centre-{self.index}-hint"]
        if self.errors.get(key):
            ids.append(f"centre-{self.index}-{key}-error")
        return " ".join(ids)


def centre_rows(references: Mapping[tuple[str, str, str], Reference], form: Any) -> list[CentreRow]:
    """The form's rows in a stable order, with what was typed in each (form: a MultiDict or None)."""
    rows = []
    for index, (setting, family, option) in enumerate(sorted(references)):
        reference = references[setting, family, option]
        raw = {}
        for key in COUNTS:
            name = f"centre-{index}-{key}"
            # Asked first: a MultiDict raises (and catches) an exception for each missing key,
            # about 1 us each, 16 on every page that gives no centre counts.
            text = form.get(name, "") if form is not None and name in form else ""
            raw[key] = text.strip()[:32] if isinstance(text, str) else ""
        rows.append(
            CentreRow(
                index=index,
                setting=setting,
                option=option,
                family=family,
                title=f"{vocabulary.OPTIONS[option].clinician}: {reference.family.label}",
                definition=f"{reference.family.definition} Time frame: {reference.family.timeframe}.",
                raw=raw,
            )
        )
    return rows


def _read(row: CentreRow) -> None:
    for key in COUNTS:
        text = row.raw[key]
        if not text:
            row.errors.setdefault(key, []).append("Required when the other count is given.")
        elif WHOLE_NUMBER.fullmatch(text):
            row.values[key] = int(text)
        else:
            low = 1 if key == "total" else 0
            row.errors.setdefault(key, []).append(
                f"Enter a whole number from {low} to {MAX_TOTAL:,}, e.g. {COUNT_EXAMPLES[key]}."
            )


def contract_entries(
    rows: list[CentreRow], setting: str | None
) -> tuple[list[dict[str, Any]], list[CentreRow]]:
    """The rows given in the chosen setting as contract entries, and the row behind each entry."""
    entries, behind = [], []
    for row in rows:
        if not row.given or row.setting != setting:
            continue
        # A count that could not be read is left out of the entry, so the contract still checks
        # the rest of it; its "Required." is dropped when the errors come back.
        _read(row)
        entries.append({"option": row.option, "family": row.family, **row.values})
        behind.append(row)
    return entries, behind


def attach_errors(fields: Mapping[str, list[str]], behind: list[CentreRow]) -> bool:
    """Put the contract's entry errors on the rows; return True when there were any."""
    found = False
    for name, messages in fields.items():
        match = ENTRY_NAME.fullmatch(name)
        if name != NAME and match is None:
            continue
        found = True
        if match is None or int(match.group(1)) >= len(behind):
            continue
        row = behind[int(match.group(1))]
        key = match.group(2) if match.group(2) in COUNTS else "total"
        if key in COUNTS and match.group(2) == key and row.errors.get(key):
            continue  # already says why the text could not be read
        row.errors.setdefault(key, []).extend(messages)
    return found


def carried(rows: list[CentreRow]) -> tuple[tuple[str, str], ...]:
    """The typed counts as (name, value) pairs for the patient and print views' hidden inputs."""
    return tuple(
        (f"centre-{row.index}-{key}", row.raw[key])
        for row in rows
        for key in COUNTS
        if row.raw[key]
    )


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class ArmRow:
    study: str
    href: str
    counts: str  # "33 of 224"
    rate: str  # "14.7% (10.4% to 20.1%)"
    difference: str  # centre - trial, percentage points
    p_value: str
    words: str  # "lower", "higher", "cannot be told apart"
    note: str


@dataclass(frozen=True, slots=True)
class CentreView:
    id: str
    title: str
    definition: str
    counts: str  # "2 of 60 procedures"
    rate: str  # "3.3% (95% CI 0.4% to 11.5%)"
    text: str
    few: bool
    arms: tuple[ArmRow, ...]
    patient: tuple[str, ...]  # plain sentences
    print_line: str  # "Our centre: 2 of 60 procedures (3.3%)"
    figures: str  # the printout's one paragraph: each arm's difference and P, the CI, few or not
    funnel: FunnelView | None


def _pct(fraction: float) -> str:
    return f"{100 * fraction:.1f}%"


VERDICT_WORDS = {"lower": "Lower", "higher": "Higher", "unclear": "Cannot be told apart"}


def _patient(c: CentreComparison) -> tuple[str, ...]:
    """The comparison in plain words (reading grade 8 or below); the intervals decide the words."""
    family = c.reference.family
    lines = [
        f"Our centre: {c.entry.events} of {c.entry.total} procedures ({_pct(c.rate.value)}) led to"
        f" this: {family.label.lower()}.",
        f"The true rate here could be from {_pct(c.rate.lower)} to {_pct(c.rate.upper)}.",
    ]
    for arm in c.arms:
        where = f"In the {arm.arm.study.short_name} study, {arm.arm.events} of {arm.arm.total}"
        where += f" people ({_pct(arm.arm.rate.value)}) had it with the same treatment."
        if arm.verdict == "lower":
            where += " Our rate is lower than that."
        elif arm.verdict == "higher":
            where += " Our rate is higher than that."
        else:
            where += " With these numbers, we cannot tell if our rate is different."
        if arm.arm.secondary:
            where += " These numbers come from a summary of the study, not its own report."
        lines.append(where)
    if c.few:
        lines.append(
            f"{c.entry.total} procedures is a small number. So our true rate is not known well."
        )
    return tuple(lines)


PRINT_VERDICT = {
    "lower": "ours is lower",
    "higher": "ours is higher",
    "unclear": "we cannot tell if ours differs",
}


def _print_text(c: CentreComparison, arms: tuple[ArmRow, ...]) -> str:
    """The printout's short paragraph: the same figures and words as the patient page."""
    parts = [
        f"The true rate here could be from {_pct(c.rate.lower)} to {_pct(c.rate.upper)} (95% CI)."
    ]
    for compared, row in zip(c.arms, arms, strict=True):
        source = "; from a summary of the study" if row.note else ""
        parts.append(
            f"{row.study}: {row.counts} ({_pct(compared.arm.rate.value)}{source});"
            f" {PRINT_VERDICT[compared.verdict]}: {row.difference}, {row.p_value}."
        )
    if c.few:
        parts.append(
            f"{c.entry.total} procedures is a small number, so our true rate is not known well."
        )
    return " ".join(parts)


def centre_views(comparisons: tuple[CentreComparison, ...]) -> tuple[CentreView, ...]:
    """Each centre result beside its trial arms, for the clinician, patient and print pages."""
    views = []
    for index, c in enumerate(comparisons):
        family, option = c.reference.family, vocabulary.OPTIONS[c.entry.option]
        arms = tuple(
            ArmRow(
                study=a.arm.study.short_name,
                href=evidence_href(a.arm.study.id, outcome_anchor(a.arm.outcome.id)),
                counts=f"{a.arm.events} of {a.arm.total}",
                rate=f"{_pct(a.arm.rate.value)} ({_pct(a.arm.rate.lower)} to {_pct(a.arm.rate.upper)})",
                difference=difference_text(a.difference),
                p_value=p_value_text(a.p_value),
                words=VERDICT_WORDS[a.verdict],
                note="counts from a secondary source" if a.arm.secondary else "",
            )
            for a in c.arms
        )
        views.append(
            CentreView(
                id=f"centre-{index}",
                title=f"{option.clinician}: {family.label}",
                definition=f"{family.definition} Time frame: {family.timeframe}.",
                counts=f"{c.entry.events} of {c.entry.total} procedures",
                rate=f"{_pct(c.rate.value)} (95% CI {_pct(c.rate.lower)} to {_pct(c.rate.upper)})",
                text=c.text,
                few=c.few,
                arms=arms,
                patient=_patient(c),
                print_line=f"Our centre: {c.entry.events} of {c.entry.total} procedures"
                f" ({_pct(c.rate.value)})",
                figures=_print_text(c, arms),
                funnel=funnel_view(c, f"centre-{index}"),
            )
        )
    return tuple(views)
