"""The patient scenario: its public contract, validated field by field, nothing defaulted."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as attribute
from types import MappingProxyType
from typing import Any, Literal

from app.contract import vocabulary
from app.contract.centre import CentreResult, Families, parse_entries
from app.contract.describe import describe as _describe

# "risks": an object of percents keyed by family id (baseline_risks); "entries": a list of objects
# (centre_results), validated in app/contract/centre.py.
Kind = Literal["choice", "options", "whole", "flag", "risks", "entries"]
# "tick": one checkbox for a yes/no choice (ticked: true; left empty: not given).
Widget = Literal["radio", "checkbox", "select", "text", "risks", "entries", "tick"]
# How a study may limit its population on a field: a range of a whole number, only patients with a
# yes (required), no patients with a yes (exclusion), or a set of allowed choices.
CriterionKind = Literal["range", "required", "exclusion", "allowed"]
CRITERION_KINDS: tuple[CriterionKind, ...] = (
    "range",
    "required",
    "exclusion",
    "allowed",
)
# The value each kind of criterion reads from a study file, and the kind of field it needs.
KIND_OF_FIELD: dict[CriterionKind, Kind] = {
    "range": "whole",
    "required": "flag",
    "exclusion": "flag",
    "allowed": "choice",
}
ALL_SETTINGS = tuple(vocabulary.SETTINGS)
REQUIRED = "Required."


@dataclass(frozen=True, slots=True)
class Eligibility:
    """How studies may limit their population on one field, and the words each page uses for it.

    The sentences are assembled once per kind (app/engine/criteria.py for clinicians and the
    evidence page, app/web/counsel.py for patients); a field gives only its own nouns. `{range}`
    stands for the study's limits, `{value}` for this patient's value.
    """

    kind: CriterionKind
    topic: str  # what a study may limit, for clinicians: "degree of stenosis"
    check: str  # for patients, what could not be checked: "how narrow the artery is"
    limit: str  # for patients, what a study did not say it limited: "how narrow the artery was"
    enrolled: str  # who the study took (range: "{range} stenosis"; yes/no: who has the yes)
    this: str  # this patient's value, or for yes/no the patient's yes: "this patient has {value}."
    not_given: str  # "this patient's degree of stenosis was not given."
    patient: str  # for patients, who the study took: "people whose artery was {range} narrowed"
    patient_value: str = ""  # for patients, their own value: "Yours is {value}."
    no: str = ""  # yes/no: the patient's no: "this patient's stenosis is asymptomatic."
    quantity: tuple[str, str] = (
        "",
        "",
    )  # after a number, singular and plural: (" day", " days")


@dataclass(frozen=True, slots=True)
class Field:
    """One scenario field: everything a page, a form, the API or its schema says about it."""

    name: str
    kind: Kind
    widget: Widget
    label: str  # the clinician's label (form, results page, error summary)
    patient_label: str  # the patient and print views' label; "" when those views do not show it
    hint: str  # under the form input
    api: str  # the API description's own words; the schema adds the allowed values
    choices: Mapping[str, vocabulary.Term] = attribute(default_factory=dict)
    limits: tuple[int, int] = (0, 0)  # inclusive, for whole numbers
    example: int = 0  # shown in the form's message for unreadable text
    unit: str = ""  # written straight after a whole number ("80%")
    required: bool = False
    required_message: str = ""  # what "Required." means in a clinician's words (the form)
    required_in: tuple[tuple[str, str], ...] = ()  # (setting, message) where it becomes required
    used_in: tuple[str, ...] = ALL_SETTINGS
    unused_reason: str = ""  # why a setting outside used_in ignores it
    needs_option: str = ""  # used only when this option is among those weighed
    needs_option_reason: str = ""
    criterion: Eligibility | None = None  # set when studies may limit their population on it
    section: str = "Patient and lesion"  # the form's column
    patient_when_given: bool = False  # the patient and print views list it only when it was given
    listed_when_true: bool = False  # the results page's scenario table lists it only when true
    # For "risks": each percent must lie strictly between these.
    percent_above: float = 0.0
    percent_below: float = 100.0


SETTING_AND_OPTIONS = "Setting and options"
_LVO_EVENT = "in the acute LVO setting the occlusion is the qualifying event."
FIELDS: tuple[Field, ...] = (
    Field(
        "setting",
        "choice",
        "radio",
        "Clinical setting",
        "The problem",
        "Required. Evidence from one setting is never used for the other.",
        "",
        choices=vocabulary.SETTINGS,
        section=SETTING_AND_OPTIONS,
        required=True,
        required_message="Choose the clinical setting.",
    ),
    Field(
        "options",
        "options",
        "checkbox",
        "Treatment options being weighed",
        "",
        "Required: choose one or more. With two or more, only studies comparing two of them"
        " directly are shown.",
        "The treatments being weighed",
        choices=vocabulary.OPTIONS,
        section=SETTING_AND_OPTIONS,
        required=True,
        required_message="Choose at least one treatment option.",
    ),
    Field(
        "stenosis_percent",
        "whole",
        "text",
        "Degree of stenosis (%)",
        "How narrow the artery is",
        "Whole number from 0 to 100. Required for symptomatic intracranial stenosis.",
        "Degree of stenosis in percent; required for symptomatic_icas.",
        limits=(0, 100),
        example=80,
        unit="%",
        required_in=(("symptomatic_icas", "Required for symptomatic intracranial stenosis."),),
        criterion=Eligibility(
            "range",
            topic="degree of stenosis",
            check="how narrow the artery is",
            limit="how narrow the artery was",
            enrolled="{range} stenosis",
            this="this patient has {value}.",
            not_given="this patient's degree of stenosis was not given.",
            patient="people whose artery was {range} narrowed",
            patient_value="Yours is {value}.",
            quantity=("%", "%"),
        ),
    ),
    Field(
        "symptomatic",
        "flag",
        "radio",
        "Is the stenosis symptomatic?",
        "Narrowing has caused a stroke or mini-stroke",
        "Not used in the acute LVO setting (the occlusion is the qualifying event).",
        "Whether the stenosis is symptomatic",
        used_in=("symptomatic_icas",),
        unused_reason=_LVO_EVENT,
        criterion=Eligibility(
            "required",
            topic="whether the stenosis had to be symptomatic",
            check="whether it caused a stroke or mini-stroke",
            limit="symptoms",
            enrolled="symptomatic stenosis",
            this="this patient's stenosis is symptomatic.",
            no="this patient's stenosis is asymptomatic.",
            not_given="whether this patient's stenosis is symptomatic was not given.",
            patient="people whose narrowing had caused a stroke or mini-stroke",
        ),
    ),
    Field(
        "days_since_event",
        "whole",
        "text",
        "Days since the qualifying TIA or stroke",
        "Days since the last stroke or mini-stroke",
        "Whole number from 0 to 3650. Not used in the acute LVO setting.",
        "Days since the qualifying TIA or stroke.",
        limits=(0, 3650),
        example=10,
        used_in=("symptomatic_icas",),
        unused_reason=_LVO_EVENT,
        criterion=Eligibility(
            "range",
            topic="time since the qualifying event",
            check="the time since the stroke or mini-stroke",
            limit="timing",
            enrolled="patients {range} after the qualifying TIA or stroke",
            this="this patient's event was {value} ago.",
            not_given="the time since this patient's event was not given.",
            patient="people treated {range} after their stroke or mini-stroke",
            patient_value="For you it has been {value}.",
            quantity=(" day", " days"),
        ),
    ),
    Field(
        "artery",
        "choice",
        "select",
        "Artery with the stenosis",
        "Which artery",
        "",
        "",
        choices=vocabulary.ARTERIES,
        criterion=Eligibility(
            "allowed",
            topic="arteries treated",
            check="which artery",
            limit="which artery",
            enrolled="the {range}",
            this="this patient's artery is the {value}.",
            not_given="this patient's artery was not given.",
            patient="people with a narrowing in some large arteries in the head",
            patient_value="Yours is not one of them.",
        ),
    ),
    Field(
        "age",
        "whole",
        "text",
        "Age (years)",
        "Age",
        "Whole number from 18 to 120.",
        "Age in years.",
        limits=(18, 120),
        example=64,
        criterion=Eligibility(
            "range",
            topic="age limits",
            check="age",
            limit="age",
            enrolled="patients aged {range}",
            this="this patient is {value}.",
            not_given="this patient's age was not given.",
            patient="people aged {range}",
            patient_value="You are {value}.",
        ),
    ),
    Field(
        "mrs",
        "whole",
        "text",
        "Baseline modified Rankin score (0-5)",
        "Help needed in daily life before treatment",
        "Whole number from 0 (no symptoms) to 5 (severe disability). Optional.",
        "Baseline modified Rankin Scale score (0-5).",
        limits=(0, 5),
        example=1,
        criterion=Eligibility(
            "range",
            topic="baseline disability (modified Rankin score)",
            check="your daily care needs",
            limit="daily care needs",
            enrolled="patients with a modified Rankin score of {range}",
            this="this patient's score is {value}.",
            not_given="this patient's baseline score was not given.",
            patient="people who needed little help in daily life before it (a Rankin score of"
            " {range})",
            patient_value="Your score is {value}.",
        ),
        patient_when_given=True,
    ),
    Field(
        "perforator_infarct",
        "flag",
        "radio",
        "Qualifying stroke a perforator (brainstem or basal ganglia) infarct",
        "Stroke deep in the brain, from a tiny side branch",
        "Optional; leave not known if unsure. Not used in the acute LVO setting.",
        "Whether the qualifying stroke was a perforator (brainstem or basal ganglia) infarct.",
        used_in=("symptomatic_icas",),
        unused_reason=_LVO_EVENT,
        criterion=Eligibility(
            "exclusion",
            topic="perforator (brainstem or basal ganglia) infarcts",
            check="whether it was a small deep stroke",
            limit="small deep strokes",
            enrolled="patients whose qualifying stroke was a perforator (brainstem or basal"
            " ganglia) infarct",
            this="this patient's qualifying stroke was one.",
            no="this patient's qualifying stroke was not.",
            not_given="for this patient that was not given.",
            patient="people whose stroke was deep in the brain, from a tiny side branch",
        ),
        patient_when_given=True,
    ),
    Field(
        "prestent_angioplasty",
        "flag",
        "radio",
        "Angioplasty planned before a self-expanding stent",
        "Balloon widening planned before a self-expanding stent",
        "Used only in the acute LVO setting when a self-expanding stent is among the options.",
        "Whether angioplasty before stenting is planned",
        used_in=("lvo_icas",),
        unused_reason="it is used only in the acute LVO setting.",
        needs_option="self_expanding_stent",
        needs_option_reason="it is used only when a self-expanding stent is among the options.",
        section=SETTING_AND_OPTIONS,
    ),
    Field(
        "baseline_risks",
        "risks",
        "risks",
        "Baseline risks (your own estimate, optional)",
        "",
        "Optional. This patient's risk without the procedure (with the comparator option), in"
        " percent, for an outcome family at its own time frame; leave blank to see each study's"
        " comparator-arm risk instead.",
        "This patient's risk of each outcome family's event with the comparator option (the less"
        " invasive one), in percent at the family's own time frame, keyed by family id (see"
        " docs/api.md); each value above 0 and below 100, decimals allowed. An unknown family id"
        " is refused. Absent or null: the studies' comparator arms are used as presets.",
        section="Baseline risks",
    ),
    Field(
        "centre_results",
        "entries",
        "entries",
        "Your centre's results",
        "",
        "For each procedure being weighed: how many your centre did and how many of those patients"
        " had the outcome, counted as its definition says. Shown beside the trials' arms; never"
        " stored.",
        "The centre's own results, each compared with the trial arms of the same option and outcome"
        " family: a list of {option, family, events, total}; option among options, family one with"
        " an arm of that option in the setting (see centre_comparisons), whole numbers with"
        " 0 <= events <= total and 1 <= total <= 100000, each option and family once.",
        section="Your centre's results",
    ),
    Field(
        "use_centre_early_risk",
        "flag",
        "tick",
        "Use our centre's early risk in the personal timeline",
        "",
        "With counts above for a 30-day outcome: the centre's rate (exact 95% CI) instead of"
        " baseline \u00d7 relative effect for that procedure at 30 days; later times unchanged.",
        "Whether the personal risks use the centre's own rate (centre_results) as the risk with"
        " the procedure at the early horizon (a fixed time frame of 30 days or 1 month) instead"
        " of baseline x relative effect; later horizons are unchanged. True needs a centre result"
        " for such a family of a procedure compared here; false or null: not used.",
        section="Your centre's results",
        listed_when_true=True,
    ),
)
# Objects of percents, keyed by an outcome family id: {"stroke_death_30d": 10}.
FAMILY_KEY = re.compile(r"[a-z][a-z0-9_]{0,63}")
MAX_RISKS = 32
FIELD = MappingProxyType({f.name: f for f in FIELDS})
FIELD_NAMES = tuple(FIELD)
SETTINGS = vocabulary.clinician(vocabulary.SETTINGS)
OPTIONS = vocabulary.clinician(vocabulary.OPTIONS)
ARTERIES = vocabulary.clinician(vocabulary.ARTERIES)
# (minimum, maximum) for each whole-number field.
RANGES = {f.name: f.limits for f in FIELDS if f.kind == "whole"}
CRITERIA = tuple(f.name for f in FIELDS if f.criterion)
# Each criterion field's eligibility (its kind and words).
ELIGIBILITY = MappingProxyType({f.name: f.criterion for f in FIELDS if f.criterion})
# Fields that may be given as strings from the web form are converted by the form, not here.
MAX_STRING = 64


@dataclass(frozen=True, slots=True)
class Scenario:
    """A validated scenario; None means the clinician did not give that value (unknown)."""

    setting: str
    options: tuple[str, ...]
    stenosis_percent: int | None = None
    symptomatic: bool | None = None
    days_since_event: int | None = None
    artery: str | None = None
    age: int | None = None
    mrs: int | None = None
    perforator_infarct: bool | None = None
    prestent_angioplasty: bool | None = None
    # (family id, percent) pairs in the order given; a tuple keeps the scenario hashable.
    baseline_risks: tuple[tuple[str, float], ...] | None = None
    centre_results: tuple[CentreResult, ...] = ()
    use_centre_early_risk: bool | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the scenario as plain JSON values, every field named (null when not given)."""
        return {name: _plain(FIELD[name], getattr(self, name)) for name in FIELD_NAMES}

    def baseline(self, family: str) -> float | None:
        """The entered baseline risk (percent) of one family, or None."""
        return dict(self.baseline_risks or ()).get(family)


def _plain(field: Field, value: Any) -> Any:
    if field.kind == "risks" and value is not None:
        return dict(value)
    if field.kind == "entries":
        return [entry.to_json() for entry in value] or None
    return list(value) if isinstance(value, tuple) else value


class ScenarioError(ValueError):
    """A scenario that breaks the contract; `fields` maps each field name to its messages."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        self.fields = {name: list(messages) for name, messages in errors.items()}
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in self.fields.items()))


def _choice(value: Any, choices: Mapping[str, Any]) -> tuple[str | None, str | None]:
    if not isinstance(value, str) or value not in choices:
        return None, f"Must be one of: {', '.join(choices)}; got {_describe(value)}."
    return value, None


def _whole(name: str, value: Any) -> tuple[int | None, str | None]:
    low, high = RANGES[name]
    # bool is an int in Python; true is not 1 year of age.
    if isinstance(value, bool) or not isinstance(value, int):
        return (
            None,
            f"Must be a whole number from {low} to {high}; got {_describe(value)}.",
        )
    if not low <= value <= high:
        return None, f"Must be from {low} to {high}; got {value}."
    return value, None


def _flag(value: Any) -> tuple[bool | None, str | None]:
    if not isinstance(value, bool):
        return None, f"Must be true or false; got {_describe(value)}."
    return value, None


def _options(value: Any) -> tuple[tuple[str, ...] | None, str | None]:
    if not isinstance(value, list) or not value:
        return (
            None,
            f"Must be a non-empty list of: {', '.join(OPTIONS)}; got {_describe(value)}.",
        )
    bad = [v for v in value if not isinstance(v, str) or v not in OPTIONS]
    if bad:
        return (
            None,
            f"Unknown option {_describe(bad[0])}; options are: {', '.join(OPTIONS)}.",
        )
    if len(set(value)) != len(value):
        return None, "Each option may be listed once."
    return tuple(value), None


def _risks(field: Field, value: Any) -> tuple[Any, dict[str, list[str]]]:
    """Check an object of percents keyed by family id; errors are named `<field>.<key>`."""
    if not isinstance(value, Mapping):
        return None, {
            field.name: [
                f"Must be an object of percents keyed by outcome family id; got {_describe(value)}."
            ]
        }
    if len(value) > MAX_RISKS:
        return None, {field.name: [f"Must hold at most {MAX_RISKS} families; got {len(value)}."]}
    errors: dict[str, list[str]] = {}
    found: list[tuple[str, float]] = []
    low, high = field.percent_above, field.percent_below
    for key, raw in value.items():
        if not isinstance(key, str) or not FAMILY_KEY.fullmatch(key):
            name = f"{field.name}.{str(key)[:MAX_STRING]}"
            errors.setdefault(name, []).append(
                "Must be an outcome family id (lower-case letters, digits and _)."
            )
            continue
        name = f"{field.name}.{key}"
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
            errors.setdefault(name, []).append(
                f"Must be a percent above {low:g} and below {high:g}; got {_describe(raw)}."
            )
        elif not low < raw < high:
            errors.setdefault(name, []).append(
                f"Must be above {low:g} and below {high:g} (a percent); got {raw:g}."
            )
        else:
            found.append((key, float(raw)))
    return (None, errors) if errors else (tuple(found), {})


def field_values(name: str) -> tuple[Any, ...]:
    """Every value parse_scenario can give a single-valued field, None (not given) first."""
    field = FIELD[name]
    if field.kind == "whole":
        low, high = field.limits
        return (None, *range(low, high + 1))
    if field.kind == "choice":
        return (None, *field.choices)
    if field.kind == "flag":
        return (None, True, False)
    raise KeyError(f"{name!r} has no finite set of values")


def ignored_fields(setting: str | None, options: Sequence[str]) -> dict[str, str]:
    """Map each scenario field the setting does not use to the reason, in plain words."""
    ignored: dict[str, str] = {}
    if setting not in vocabulary.SETTINGS:
        return ignored
    for field in FIELDS:
        if setting not in field.used_in:
            ignored[field.name] = field.unused_reason
        elif field.needs_option and field.needs_option not in options:
            ignored[field.name] = field.needs_option_reason
    return ignored


def missing_fields(data: Mapping[str, Any], setting: str | None) -> dict[str, str]:
    """Map each required field that `data` leaves out (None) to its contract message."""
    missing = {f.name: REQUIRED for f in FIELDS if f.required and data.get(f.name) is None}
    for field in FIELDS:
        for needed_in, message in field.required_in:
            if setting == needed_in and data.get(field.name) is None:
                missing.setdefault(field.name, message)
    return missing


def _check(field: Field, raw: Any) -> tuple[Any, str | None]:
    if field.kind == "choice":
        return _choice(raw, field.choices)
    if field.kind == "options":
        return _options(raw)
    if field.kind == "whole":
        return _whole(field.name, raw)
    return _flag(raw)


def parse_scenario(data: Any, *, families: Families | None = None) -> Scenario:
    """Validate a scenario mapping (the JSON API's body); raise ScenarioError naming every bad field.

    `families` maps (setting, family id) to the options with an arm in that family (the evidence
    knows them: app/engine/centre.py); without it a centre result's family is checked only as text.
    """
    if not isinstance(data, Mapping):
        raise ScenarioError({"body": [f"Must be a JSON object; got {_describe(data)}."]})
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for key in data:
        if key not in FIELD_NAMES:
            name = str(key)[:MAX_STRING]
            errors.setdefault(name, []).append(
                f"Unknown field; fields are: {', '.join(FIELD_NAMES)}."
            )
    for name in FIELD_NAMES:
        raw = data.get(name)
        if raw is None or FIELD[name].kind == "entries":
            continue  # Absent and null both mean "not given"; requirements are checked below.
        if FIELD[name].kind == "risks":
            value, named = _risks(FIELD[name], raw)
            for key, messages in named.items():
                errors.setdefault(key, []).extend(messages)
            if not named:
                values[name] = value
            continue
        value, error = _check(FIELD[name], raw)
        if error:
            errors.setdefault(name, []).append(error)
        else:
            values[name] = value
    if data.get("centre_results") is not None:
        entries = parse_entries(
            data["centre_results"],
            chosen=values.get("options", ()),
            setting=values.get("setting"),
            families=families,
            errors=errors,
        )
        if entries is not None:
            values["centre_results"] = entries
    for name, message in missing_fields(data, values.get("setting")).items():
        errors.setdefault(name, []).append(message)
    if errors:
        raise ScenarioError(errors)
    return Scenario(**values)
