"""The scenario form: WTForms reads the fields, the scenario parser is the single source of validation.

The form only turns entered text into the scenario contract (whole numbers, tri-state answers, blank
as not given); every rule about ranges and required fields lives in `app.scenario.parse_scenario`,
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
    ARTERIES,
    FIELD_NAMES,
    OPTIONS,
    RANGES,
    SETTINGS,
    Scenario,
    ScenarioError,
)
from app.contract.scenario import parse_scenario as parse_contract
from app.web.formatting import FIELD_LABELS
from app.web.results import IgnoredInput, ignored_fields

TRI_STATE_LABELS = {"yes": "Yes", "no": "No", "unknown": "Not known"}
TRI_STATE_VALUES = {"yes": True, "no": False, "unknown": None}
WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,9}")
HINTS = {
    "setting": "Required. Evidence from one setting is never used for the other.",
    "options": "Required: choose one or more. With two or more, only studies comparing two of them"
    " directly are shown.",
    "stenosis_percent": "Whole number from 0 to 100. Required for symptomatic intracranial stenosis.",
    "symptomatic": "Not used in the acute LVO setting (the occlusion is the qualifying event).",
    "days_since_event": "Whole number from 0 to 3650. Not used in the acute LVO setting.",
    "artery": "",
    "age": "Whole number from 18 to 120.",
    "prestent_angioplasty": "Used only in the acute LVO setting when a self-expanding stent is among"
    " the options.",
}
# What the scenario parser's bare "Required." means for each field, in a clinician's words.
REQUIRED_MESSAGES = {
    "setting": "Choose the clinical setting.",
    "options": "Choose at least one treatment option.",
}
GROUPS = ("setting", "options", "symptomatic", "prestent_angioplasty")


class WholeNumberField(IntegerField):
    """A whole number typed as text (numeric keypad on phones); blank means not given."""

    widget = TextInput()

    def __init__(self, label: str, *, limits: tuple[int, int], example: int, **kwargs: Any) -> None:
        low, high = limits
        self.message = f"Enter a whole number from {low} to {high}, e.g. {example}."
        super().__init__(label, validators=[Optional()], **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        text = valuelist[0].strip() if valuelist and isinstance(valuelist[0], str) else ""
        if not text:
            return
        if not WHOLE_NUMBER.fullmatch(text):
            raise ValueError(self.message)
        self.data = int(text)


def _whole(name: str, example: int) -> WholeNumberField:
    return WholeNumberField(FIELD_LABELS[name], limits=RANGES[name], example=example)


@dataclass(frozen=True, slots=True)
class Choice:
    """One radio button, checkbox or select option, ready for the template to write out."""

    id: str
    value: str
    label: str
    checked: bool


@dataclass(frozen=True, slots=True)
class Control:
    """A field's input(s), prepared for plain template markup.

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


class ScenarioForm(Form):
    setting = RadioField(FIELD_LABELS["setting"], choices=_choices(SETTINGS), validate_choice=False)
    options = SelectMultipleField(
        FIELD_LABELS["options"],
        choices=_choices(OPTIONS),
        validate_choice=False,
        option_widget=CheckboxInput(),
    )
    stenosis_percent = _whole("stenosis_percent", 80)
    symptomatic = RadioField(
        FIELD_LABELS["symptomatic"], choices=_choices(TRI_STATE_LABELS), validate_choice=False
    )
    days_since_event = _whole("days_since_event", 10)
    artery = SelectField(
        FIELD_LABELS["artery"],
        choices=_choices({"": "Not known", **ARTERIES}),
        validate_choice=False,
    )
    age = _whole("age", 64)
    prestent_angioplasty = RadioField(
        FIELD_LABELS["prestent_angioplasty"],
        choices=_choices(TRI_STATE_LABELS),
        validate_choice=False,
    )

    # --- helpers the templates call (prepared values, no logic in templates) ---------------------

    def hint(self, name: str) -> str:
        return HINTS[name]

    def hint_id(self, name: str) -> str:
        return f"{name}-hint" if HINTS[name] else ""

    def error_id(self, name: str) -> str:
        return f"{name}-error" if self[name].errors else ""

    def describedby(self, name: str) -> str:
        return " ".join(i for i in (self.hint_id(name), self.error_id(name)) if i)

    def control(self, name: str) -> Control:
        """Everything the template needs to write a field's input(s)."""
        field = self[name]
        grouped = name in GROUPS
        choices: tuple[Choice, ...] = ()
        if hasattr(field, "iter_choices"):
            choices = tuple(
                Choice(f"{name}-{index}" if grouped else "", str(value), str(label), bool(checked))
                for index, (value, label, checked, _attrs) in enumerate(field.iter_choices())
            )
        return Control(
            id=self.input_id(name),
            name=name,
            type="checkbox" if name == "options" else "radio" if grouped else "",
            value="" if grouped or choices else field._value(),
            describedby=self.describedby(name),
            invalid=bool(field.errors),
            choices=choices,
        )

    def input_id(self, name: str) -> str:
        """The id of the first input of a field: what a label or an error link points at."""
        return f"{name}-0" if name in GROUPS else name

    def carried(self) -> tuple[tuple[str, str], ...]:
        """Every entered value as (name, value) pairs, for hidden inputs that re-post the scenario.

        The patient and print views carry the scenario in their own POST form, never in a URL or a
        cookie, so that switching views submits exactly what was entered.
        """
        return tuple(
            (name, value)
            for name in FIELD_NAMES
            for value in (self[name].raw_data or ())
            if isinstance(value, str) and value.strip()
        )

    @property
    def has_errors(self) -> bool:
        return any(self[name].errors for name in FIELD_NAMES)

    def error_summary(self) -> tuple[FieldError, ...]:
        return tuple(
            FieldError(name, FIELD_LABELS[name], message, f"#{self.input_id(name)}")
            for name in FIELD_NAMES
            for message in self[name].errors
        )

    # --- turning the form into the scenario contract ---------------------------------------------

    def ignored(self) -> dict[str, str]:
        setting = self.setting.data if self.setting.data in SETTINGS else None
        return ignored_fields(setting, self.options.data or [])

    def _entered(self, name: str) -> str:
        """What was typed or chosen in a field, as the clinician would read it ('' when nothing)."""
        field = self[name]
        if isinstance(field, WholeNumberField):
            return field.raw_data[0].strip() if field.raw_data else ""
        if name in ("symptomatic", "prestent_angioplasty") and field.data in ("yes", "no"):
            return TRI_STATE_LABELS[field.data]
        return ""

    def ignored_inputs(self) -> tuple[IgnoredInput, ...]:
        """The entered values the chosen setting does not use, each with its reason."""
        return tuple(
            IgnoredInput(name, FIELD_LABELS[name], entered, reason)
            for name, reason in self.ignored().items()
            if (entered := self._entered(name))
        )

    def _contract_value(self, name: str) -> Any:
        field = self[name]
        if name in ("symptomatic", "prestent_angioplasty"):
            if field.data is not None and field.data not in TRI_STATE_VALUES:
                field.errors.append("Choose Yes, No or Not known.")
                return None
            return TRI_STATE_VALUES.get(field.data) if field.data else None
        if name == "options":
            return list(field.data) if field.data else None
        if name in ("setting", "artery"):
            return field.data or None
        return field.data

    def scenario(self) -> Scenario | None:
        """Validate through the scenario parser; return the scenario, or None with field errors set."""
        self.validate()
        ignored = self.ignored()
        data: dict[str, Any] = {}
        for name in FIELD_NAMES:
            if name in ignored:
                self[name].errors = []  # not used in this setting: reported, never validated
                continue
            value = self._contract_value(name)
            if value is not None and not self[name].errors:
                data[name] = value
        try:
            scenario = parse_contract(data)
        except ScenarioError as error:
            for name, messages in error.fields.items():
                # A field whose text could not be read already says so; do not add "Required".
                if name in FIELD_NAMES and not self[name].errors:
                    self[name].errors = [
                        REQUIRED_MESSAGES.get(name, m) if m == "Required." else m for m in messages
                    ]
            return None
        return None if self.has_errors else scenario
