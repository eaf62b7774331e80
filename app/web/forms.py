"""The scenario form: WTForms reads the fields, the scenario parser is the single source of validation.

The form only turns entered text into the scenario contract (whole numbers, tri-state answers, blank
as not given); every rule about ranges and required fields lives in `app.contract.scenario`,
whose messages are attached to the matching fields. Fields the chosen setting does not use are left out
of the contract and reported back, never silently defaulted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from wtforms import (
    Form,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
)
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, TextInput

from app.contract.scenario import (
    FIELD,
    FIELDS,
    REQUIRED,
    Field,
    Scenario,
    ScenarioError,
    ignored_fields,
    missing_fields,
)
from app.contract.scenario import parse_scenario as parse_contract
from app.contract.vocabulary import NOT_KNOWN, SETTINGS, TRI_STATE
from app.engine import centre as centre_engine
from app.http.context import engine_tables
from app.web import centre
from app.web.results import IgnoredInput
from app.web.risks_field import RisksField

TRI_STATE_VALUES = {"yes": True, "no": False, "unknown": None}
TRI_STATE_LABELS = {text: TRI_STATE[value] for text, value in TRI_STATE_VALUES.items()}
WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,9}")
# A whole number followed by a unit word: "80%", "64 y", "2 weeks".
NUMBER_AND_UNIT = re.compile(r"([+-]?[0-9]{1,9})\s*([a-z%/ ]+?)\.?")
# Units each field may be written in, with the factor to the field's own unit. Only units that
# convert exactly are read; others (months, hours) keep the message and say why.
UNITS: dict[str, dict[str, int]] = {
    "stenosis_percent": {"%": 1, "percent": 1},
    "age": {u: 1 for u in ("y", "yr", "yrs", "year", "years", "y/o", "years old", "yo")},
    "days_since_event": {
        **{u: 1 for u in ("d", "day", "days")},
        **{u: 7 for u in ("w", "wk", "wks", "week", "weeks")},
    },
}
# Units read but refused, with what to write instead.
INEXACT = {
    "days_since_event": (
        ("months", "month", "mo", "hours", "hour", "h", "hrs", "years", "year"),
        "days or weeks",
    ),
    "age": (("months", "month", "mo"), "years"),
}
GROUPS = tuple(f.name for f in FIELDS if f.widget in ("radio", "checkbox"))
# The list field (centre_results) has rows of its own (app/web/centre.py), not one form field.
FORM_FIELDS = tuple(f for f in FIELDS if f.kind != "entries")
FORM_NAMES = tuple(f.name for f in FORM_FIELDS)
CENTRE_LABEL = FIELD["centre_results"].label
# Yes/no choices written as one checkbox in the centre section, not in the form's columns.
TICKS = tuple(f.name for f in FORM_FIELDS if f.widget == "tick")
TICKED = "yes"


class WholeNumberField(IntegerField):
    """A whole number typed as text (numeric keypad on phones); blank means not given."""

    widget = TextInput()

    def __init__(
        self,
        label: str,
        *,
        limits: tuple[int, int],
        example: int,
        units: dict[str, int] | None = None,
        inexact: tuple[tuple[str, ...], str] = ((), ""),
        **kwargs: Any,
    ) -> None:
        low, high = limits
        self.message = f"Enter a whole number from {low} to {high}, e.g. {example}."
        self.units = units or {}
        self.inexact = inexact
        super().__init__(label, validators=[Optional()], **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        text = valuelist[0].strip() if valuelist and isinstance(valuelist[0], str) else ""
        if not text:
            return
        if WHOLE_NUMBER.fullmatch(text):
            self.data = int(text)
            return
        found = NUMBER_AND_UNIT.fullmatch(text.lower())
        unit = " ".join(found.group(2).split()) if found else ""
        if found and unit in self.units:
            self.data = int(found.group(1)) * self.units[unit]
            return
        refused, instead = self.inexact
        if found and unit in refused:
            raise ValueError(
                f"{self.message} \u201c{text}\u201d cannot be converted exactly: use {instead}."
            )
        raise ValueError(self.message)


@dataclass(frozen=True, slots=True)
class Choice:
    """One radio button, checkbox or select option, ready for the template to write out."""

    id: str
    value: str
    label: str
    checked: bool


@dataclass(frozen=True, slots=True)
class Control:
    """A checkbox of the centre section (a tick), prepared for plain template markup.

    WTForms' widget rendering escapes and orders attributes in Python for every input, which was
    the largest cost of rendering the results page; the template writes the same markup directly.
    """

    id: str
    name: str
    type: str
    value: str
    describedby: str
    invalid: bool
    choices: tuple[Choice, ...]


@dataclass(frozen=True, slots=True)
class FieldError:
    """One entry of the error summary: the field's label, its message and the input to focus."""

    name: str
    label: str
    message: str
    href: str


def _choices(labels: dict[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


def _form_field(field: Field) -> Any:
    """The WTForms field for one contract field (unbound: the form class binds it)."""
    labels = {code: term.clinician for code, term in field.choices.items()}
    if field.kind == "risks":
        return RisksField(field.label)
    if field.widget == "tick":
        return RadioField(
            field.label, choices=[SelectChoice(TICKED, field.label)], validate_choice=False
        )
    if field.kind == "whole":
        return WholeNumberField(
            field.label,
            limits=field.limits,
            example=field.example,
            units=UNITS.get(field.name),
            inexact=INEXACT.get(field.name, ((), "")),
        )
    if field.kind == "options":
        return SelectMultipleField(
            field.label,
            choices=_choices(labels),
            validate_choice=False,
            option_widget=CheckboxInput(),
        )
    if field.kind == "flag":
        return RadioField(field.label, choices=_choices(TRI_STATE_LABELS), validate_choice=False)
    if field.widget == "select":
        return SelectField(
            field.label,
            choices=_choices({"": NOT_KNOWN, **labels}),
            validate_choice=False,
        )
    return RadioField(field.label, choices=_choices(labels), validate_choice=False)


class ScenarioForm(Form):
    """The scenario form; its fields are made from the contract's declaration below the class."""

    missing: tuple[str, ...] = ()
    unreadable: tuple[str, ...] = ()
    centre_field = FIELD["centre_results"]  # its label and hint head the form's centre section
    ticks = TICKS

    def __init__(self, formdata: Any = None, **kwargs: Any) -> None:
        super().__init__(formdata, **kwargs)
        self._formdata = formdata
        self._centre_rows: list[centre.CentreRow] | None = None

    @property
    def centre_rows(self) -> list[centre.CentreRow]:
        """The centre-results rows the evidence offers, with what was typed (read when first asked)."""
        if self._centre_rows is None:
            self._centre_rows = centre.centre_rows(engine_tables().centre, self._formdata)
        return self._centre_rows

    # --- helpers the templates call (prepared values, no logic in templates) ---------------------

    def hint(self, name: str) -> str:
        return FIELD[name].hint

    def hint_id(self, name: str) -> str:
        return f"{name}-hint" if FIELD[name].hint else ""

    def error_id(self, name: str) -> str:
        return f"{name}-error" if self[name].errors else ""

    def describedby(self, name: str) -> str:
        return " ".join(i for i in (self.hint_id(name), self.error_id(name)) if i)

    def input_id(self, name: str) -> str:
        """The id of the first input of a field: what a label or an error link points at."""
        return f"{name}-0" if name in GROUPS else name

    def carried(self) -> tuple[tuple[str, str], ...]:
        """Every entered value as (name, value) pairs, for hidden inputs that re-post the scenario.

        The patient and print views carry the scenario in their own POST form, never in a URL or a
        cookie, so that switching views submits exactly what was entered.
        """
        carried = [
            (name, value)
            for name in FORM_NAMES
            for value in (self[name].raw_data or ())
            if isinstance(value, str) and value.strip()
        ]
        for name in FORM_NAMES:
            if isinstance(self[name], RisksField):
                carried += self[name].pairs()
        return tuple(carried) + centre.carried(self.centre_rows)

    @property
    def has_errors(self) -> bool:
        fields = any(self[name].errors for name in FORM_NAMES)
        return fields or any(row.errors for row in self.centre_rows)

    def error_summary(self) -> tuple[FieldError, ...]:
        found = []
        for name in FORM_NAMES:
            field = self[name]
            if isinstance(field, RisksField):
                found += [
                    FieldError(f"{name}.{key}", f"Baseline risk ({key})", m, f"#{name}-{key}")
                    for key, messages in field.keyed_errors.items()
                    for m in messages
                ]
                continue
            found += [
                FieldError(name, FIELD[name].label, m, f"#{self.input_id(name)}")
                for m in field.errors
            ]
        return tuple(found) + tuple(
            FieldError(
                f"centre_results-{row.index}-{key}",
                f"{CENTRE_LABEL}, {row.title}, {centre.COUNT_LABELS[key].lower()}",
                message,
                f"#{row.input_id(key)}",
            )
            for row in self.centre_rows
            for key, messages in row.errors.items()
            for message in messages
        )

    @property
    def centre_open(self) -> bool:
        """Open the collapsed centre section when something was entered in it."""
        return any(row.given or row.errors for row in self.centre_rows) or self.centre_ticked

    @property
    def centre_ticked(self) -> bool:
        """A tick of the centre section was sent (ticked, or refused)."""
        return any(self[name].raw_data or self[name].errors for name in TICKS)

    def offer_ticks(self) -> bool:
        """Show the centre section's tick: on the blank form, or once the section holds counts.

        A results page without the centre's counts leaves it out: the all-four-options page is at
        its weight budget (docs/performance.md), and the choice needs counts to act on.
        """
        return self._formdata is None or self.centre_open

    def tick(self, name: str) -> Control:
        """One checkbox's markup values (checked when its value was sent)."""
        field = self[name]
        sent = bool(field.raw_data) and field.raw_data[0] == TICKED
        return Control(
            id=name,
            name=name,
            type="checkbox",
            value=TICKED,
            describedby=self.describedby(name),
            invalid=bool(field.errors),
            choices=(Choice(name, TICKED, FIELD[name].label, sent),),
        )

    def apply_errors(self, error: ScenarioError) -> None:
        """Attach the contract's messages to their fields ("baseline_risks.<id>" to its input)."""
        for name, messages in error.fields.items():
            head, _, key = name.partition(".")
            if key and head in FORM_NAMES and isinstance(self[head], RisksField):
                for message in messages:
                    self[head].add(key, message)
                self[head].errors = list(self[head].process_errors)
            elif name in FORM_NAMES and not self[name].errors:
                # A field whose text could not be read already says so; do not add "Required".
                self[name].errors = [
                    FIELD[name].required_message if m == REQUIRED else m for m in messages
                ]

    # --- turning the form into the scenario contract ---------------------------------------------

    def ignored(self) -> dict[str, str]:
        setting = self["setting"].data
        return ignored_fields(setting if setting in SETTINGS else None, self["options"].data or [])

    def _entered(self, name: str) -> str:
        """What was typed or chosen in a field, as the clinician would read it ('' when nothing)."""
        field = self[name]
        if isinstance(field, WholeNumberField):
            return field.raw_data[0].strip() if field.raw_data else ""
        if FIELD[name].kind == "flag" and field.data in ("yes", "no"):
            return TRI_STATE_LABELS[field.data]
        return ""

    def ignored_inputs(self) -> tuple[IgnoredInput, ...]:
        """The entered values the chosen setting does not use, each with its reason."""
        fields = tuple(
            IgnoredInput(name, FIELD[name].label, entered, reason)
            for name, reason in self.ignored().items()
            if (entered := self._entered(name))
        )
        setting = self["setting"].data
        return fields + tuple(
            IgnoredInput(
                f"centre-{row.index}",
                f"{CENTRE_LABEL}, {row.title}",
                f"{row.raw['events'] or '?'} of {row.raw['total'] or '?'}",
                f"its outcome comes from studies in {SETTINGS[row.setting].short}.",
            )
            for row in self.centre_rows
            if row.given and setting in SETTINGS and row.setting != setting
        )

    def _contract_value(self, name: str) -> Any:
        field = self[name]
        kind = FIELD[name].kind
        if kind == "flag" and name in TICKS:
            if field.data not in (None, "", TICKED):
                field.errors.append("Tick the box, or leave it empty.")
                return None
            return True if field.data == TICKED else None
        if kind == "flag":
            if field.data is not None and field.data not in TRI_STATE_VALUES:
                field.errors.append("Choose Yes, No or Not known.")
                return None
            return TRI_STATE_VALUES.get(field.data) if field.data else None
        if kind == "options":
            return list(field.data) if field.data else None
        if kind == "choice":
            return field.data or None
        if kind == "risks":
            return dict(field.data) if field.data else None
        return field.data

    def scenario(self) -> Scenario | None:
        """Validate through the scenario parser; return the scenario, or None with field errors set."""
        self.validate()
        ignored = self.ignored()
        data: dict[str, Any] = {}
        for name in FORM_NAMES:
            if name in ignored:
                self[name].errors = []  # not used in this setting: reported, never validated
                continue
            value = self._contract_value(name)
            if value is not None and not self[name].errors:
                data[name] = value
        # What the live summary asks for before it shows any message from the contract.
        self.missing = tuple(
            name for name in missing_fields(data, data.get("setting")) if not self[name].errors
        )
        self.unreadable = tuple(
            name
            for name in FORM_NAMES
            if FIELD[name].kind == "whole" and self[name].errors and self[name].process_errors
        )
        entries, behind = centre.contract_entries(self.centre_rows, data.get("setting"))
        if entries:
            data["centre_results"] = entries
        try:
            tables = engine_tables()
            scenario = parse_contract(data, families=centre_engine.families(tables.centre))
        except ScenarioError as error:
            centre.attach_errors(error.fields, behind)
            self.apply_errors(error)
            return None
        return None if self.has_errors else scenario


for _field in FORM_FIELDS:
    # FormMeta notices fields set on the class, so these bind like fields written in its body.
    setattr(ScenarioForm, _field.name, _form_field(_field))
