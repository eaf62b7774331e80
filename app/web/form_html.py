"""The scenario form's fields as HTML: what no patient changes written once, the entered values per page.

Rendered through Jinja macros (three calls a field, and an escape for every label, hint, id, name
and value), the form's ten fields in their columns cost about 0.35 ms of every results page
(tests/perf/README.md); here each field's label, hint, ids and choices are escaped and joined once,
at import (they come from the scenario contract alone), and a page adds only what was entered: the
values, the ticked choices and the error messages.
The markup is the one the macros wrote, attribute for attribute.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from app.contract.scenario import FIELD, Field
from app.web.centre import COUNT_LABELS, CentreRow
from app.web.forms import FORM_FIELDS, ScenarioForm
from app.web.personal import FormFamily


@dataclass(frozen=True, slots=True)
class _Choice:
    """One radio button, checkbox or select option, its markup split where ticked is written."""

    value: str
    before: str  # '<div class="choice"><input' or '<option'
    after: str  # the rest, from the first attribute after checked/selected


@dataclass(frozen=True, slots=True)
class _Markup:
    """A field's markup without what was entered: its opening lines and its choices."""

    name: str
    widget: str
    slot: str  # '<div class="field-slot" ...>', which hides the field in settings that ignore it
    label: str  # the label, or for a group its legend (written after the fieldset's attributes)
    hint: str  # '<p class="hint" ...>' or ''
    hint_id: str
    choices: tuple[_Choice, ...]


def _prepare(field: Field, blank: ScenarioForm) -> _Markup:
    name = escape(field.name)
    hint_id = f"{field.name}-hint" if field.hint else ""
    offered = blank[field.name].iter_choices() if field.widget != "text" else ()
    labels = {str(value): str(label) for value, label, _checked, _attrs in offered}
    if field.widget == "select":
        choices = tuple(
            _Choice(value, "<option", f' value="{escape(value)}">{escape(label)}</option>\n')
            for value, label in labels.items()
        )
    else:
        kind = "checkbox" if field.name == "options" else "radio"
        choices = tuple(
            _Choice(
                value,
                '<div class="choice"><input',
                f' id="{name}-{index}" name="{name}" type="{kind}" value="{escape(value)}">'
                f'<label for="{name}-{index}">{escape(label)}</label></div>',
            )
            for index, (value, label) in enumerate(labels.items())
        )
    needs = f' data-needs-option="{escape(field.needs_option)}"' if field.needs_option else ""
    return _Markup(
        name=field.name,
        widget=field.widget,
        slot=f'<div class="field-slot" data-used-in="{escape(" ".join(field.used_in))}"{needs}>',
        label=str(escape(field.label)),
        hint=f'<p class="hint" id="{hint_id}">{escape(field.hint)}</p>' if field.hint else "",
        hint_id=hint_id,
        choices=choices,
    )


# The fields written in the form's columns: the baseline risks and the centre's tick have their own
# collapsed sections, the centre's counts rows of their own (app/web/centre.py).
_FIELDS = {
    f.name: _prepare(f, ScenarioForm())
    for f in FORM_FIELDS
    if f.kind != "risks" and f.widget != "tick"
}
_COLUMNS: dict[str, list[str]] = {}
for _name in _FIELDS:
    _COLUMNS.setdefault(FIELD[_name].section, []).append(_name)
COLUMNS = tuple((title, tuple(names)) for title, names in _COLUMNS.items())


_INVALID = ' aria-invalid="true"'
_RISKS_HINT = escape(FIELD["baseline_risks"].hint)
_CENTRE_LABEL = escape(FIELD["centre_results"].label)
_CENTRE_HINT = escape(FIELD["centre_results"].hint)
_COUNT_LABELS = {key: escape(label) for key, label in COUNT_LABELS.items()}


def sections() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The form's columns: each title with its fields' names, in the contract's order."""
    return COLUMNS


def _errors(name: str, messages: Sequence[str]) -> str:
    if not messages:
        return ""
    spans = "".join(f'<span class="visually-hidden">Error:</span> {escape(m)} ' for m in messages)
    return f'<p class="error-message" id="{name}-error">{spans}</p>'


def field_html(form: ScenarioForm, name: str) -> Markup:
    """One field of the form as entered: its value or ticked choices, and its errors if any."""
    return Markup(_field(form, name))


def _field(form: ScenarioForm, name: str) -> str:
    m = _FIELDS[name]
    field = form[name]
    errors = field.errors
    error_id = f"{name}-error" if errors else ""
    describedby = " ".join(i for i in (m.hint_id, error_id) if i)
    described = f' aria-describedby="{describedby}"' if describedby else ""
    head = f'<div class="field{" has-error" if errors else ""}">'
    notes = m.hint + _errors(name, errors)
    if m.widget == "text":
        invalid = ' aria-invalid="true"' if errors else ""
        return (
            f'{head}\n<label class="label" for="{name}">{m.label}</label>\n{notes}\n'
            f'<input{described}{invalid} class="control" id="{name}" inputmode="numeric"'
            f' name="{name}" type="text" value="{escape(field._value())}"></div>'
        )
    ticked = [checked for _value, _label, checked, _attrs in field.iter_choices()]
    if m.widget == "select":
        invalid = ' aria-invalid="true"' if errors else ""
        options = "".join(
            c.before + (" selected" if on else "") + c.after
            for c, on in zip(m.choices, ticked, strict=True)
        )
        return (
            f'{head}\n<label class="label" for="{name}">{m.label}</label>\n{notes}\n'
            f'<select{described}{invalid} class="control" id="{name}" name="{name}">\n'
            f"{options}</select></div>"
        )
    inputs = "".join(
        c.before + (" checked" if on else "") + c.after
        for c, on in zip(m.choices, ticked, strict=True)
    )
    return (
        f'{head}<fieldset{described}><legend class="label">{m.label}</legend>\n{notes}\n'
        f'<div class="choices">\n{inputs}</div></fieldset></div>'
    )


def columns_html(form: ScenarioForm) -> Markup:
    """The form's columns, each field in the slot that hides it where the setting ignores it."""
    return Markup(
        "".join(
            f'<div class="form-column"><h2>{escape(title)}</h2>\n'
            + "".join(_FIELDS[n].slot + _field(form, n) + "</div>" for n in names)
            + "</div>"
            for title, names in COLUMNS
        )
    )


@dataclass(frozen=True, slots=True)
class _RiskSlot:
    """One family's baseline-risk input around its error state and value."""

    key: str
    id: str
    slot: str  # '<div class="field-slot" data-used-in="..."><div class="field'
    label: str  # '">', the label, up to the error message
    input: str  # from the attributes after aria-invalid up to the value


def _risk_slot(family: FormFamily) -> _RiskSlot:
    id_ = escape(f"baseline_risks-{family.id}")
    return _RiskSlot(
        key=family.id,
        id=str(id_),
        slot=f'<div class="field-slot" data-used-in="{escape(family.settings)}"><div class="field',
        label=f'">\n<label class="label" for="{id_}">{escape(family.label)}'
        f" ({escape(family.timeframe)}; {escape(family.pairs)}), %</label>\n",
        input=f' class="control" id="{id_}" inputmode="decimal"'
        f' name="{escape(f"baseline_risks.{family.id}")}" type="text" value="',
    )


class Sections:
    """The baseline-risks and centre sections, their markup that only the evidence decides written
    once at start-up (app/web/views.py `_prepare`); a page adds what was entered and its errors.
    """

    def __init__(self, families: tuple[FormFamily, ...], rows: list[CentreRow]) -> None:
        self.risks = tuple(_risk_slot(f) for f in families)
        # Each centre row's fieldset after its class attribute, to the start of its counts.
        self.centre = tuple(
            f'" data-used-in="{escape(row.setting)}" data-option="{escape(row.option)}">'
            f'<legend class="label">{escape(row.title)}</legend>'
            f'<p class="hint" id="centre-{row.index}-hint">Count as the trials did:'
            f' {escape(row.definition)}</p><div class="centre-counts">\n'
            for row in rows
        )

    def risks_html(self, form: ScenarioForm) -> Markup:
        """The collapsed baseline-risks section: one optional percent per outcome family."""
        field = form["baseline_risks"]
        rows = []
        for r in self.risks:
            errors = field.keyed_errors.get(r.key, ())
            described = f"baseline_risks-hint {r.id}-error" if errors else "baseline_risks-hint"
            rows.append(
                f"{r.slot}{' has-error' if errors else ''}{r.label}{_errors(r.id, errors)}"
                f'<input aria-describedby="{described}"{_INVALID if errors else ""}{r.input}'
                f'{escape(field.entered.get(r.key, ""))}"></div></div>'
            )
        opened = " open" if field.entered or field.errors else ""
        return Markup(
            f'<details class="baseline-risks"{opened}><summary>Baseline risks: your own estimate'
            f' (optional)</summary><p class="hint" id="baseline_risks-hint">{_RISKS_HINT}</p>\n'
            f"{''.join(rows)}</details>"
        )

    def centre_html(self, form: ScenarioForm) -> Markup:
        """The collapsed section for the centre's own counts, and its tick when offered."""
        parts = []
        for row in form.centre_rows:
            parts.append(
                f'<fieldset class="centre-row field-slot{" has-error" if row.errors else ""}'
                f"{self.centre[row.index]}"
            )
            for key in ("total", "events"):
                id_ = row.input_id(key)
                errors = row.errors.get(key)
                parts.append(
                    f'<div class="field{" has-error" if errors else ""}">\n'
                    f'<label class="label" for="{id_}">{_COUNT_LABELS[key]}</label>\n'
                    f"{_errors(id_, errors or [])}"
                    f'<input aria-describedby="{row.describedby(key)}"{_INVALID if errors else ""}'
                    f' class="control" id="{id_}" inputmode="numeric" name="{id_}" type="text"'
                    f' value="{escape(row.raw[key])}"></div>'
                )
            parts.append("</div></fieldset>")
        if form.offer_ticks():
            for name in form.ticks:
                c = form.tick(name)
                (choice,) = c.choices
                parts.append(
                    f'<div class="field{" has-error" if c.invalid else ""}">\n'
                    f"{_errors(name, form[name].errors if c.invalid else [])}"
                    f'<div class="choice"><input aria-describedby="{c.describedby}"'
                    f"{_INVALID if c.invalid else ''}{' checked' if choice.checked else ''}"
                    f' id="{c.id}" name="{c.name}" type="checkbox" value="{escape(c.value)}">'
                    f'<label for="{c.id}">{escape(choice.label)}</label></div>'
                    f'<p class="hint" id="{name}-hint">{escape(form.hint(name))}</p></div>'
                )
        opened = " open" if form.centre_open else ""
        return Markup(
            f'<details class="centre-form"{opened}><summary>{_CENTRE_LABEL} (optional)</summary>'
            f'<p class="hint">{_CENTRE_HINT}</p>\n{"".join(parts)}</details>'
        )
