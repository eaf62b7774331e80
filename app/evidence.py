"""Load the evidence base from TOML into frozen dataclasses, failing closed on any problem."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import MappingProxyType
from typing import Any

SCHEMA_VERSION = 1
TREATMENTS = (
    "medical",
    "angioplasty",
    "balloon_stent",
    "self_expanding_stent",
    "stent_unspecified",
)
DESIGNS = ("randomized_trial", "prospective_registry", "retrospective_cohort")
SETTINGS = ("symptomatic_icas", "lvo_icas")
UNITS = ("patients", "procedures")
SOURCE_KINDS = ("primary", "secondary", "project_note")
OUTCOME_KINDS = ("binary", "kaplan_meier", "adjusted_effect", "narrative")
EVENT_TYPES = ("harmful", "beneficial")
EFFECT_TYPES = ("risk_ratio", "odds_ratio", "hazard_ratio")
DIRECTIONS = ("intervention_vs_comparator", "comparator_vs_intervention", "not_stated")
ARTERIES = ("intracranial_ica", "mca", "vertebral", "basilar", "other")
CRITERIA = ("stenosis_percent", "symptomatic", "days_since_event", "artery", "age")
SCENARIO_NOTE_FIELDS = ("prestent_angioplasty", "symptomatic")
OPTIONS = ("medical", "angioplasty", "balloon_stent", "self_expanding_stent")

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "evidence"


class EvidenceError(Exception):
    """Every problem found in the evidence base, each as `file: key.path: message`."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(f"{len(problems)} evidence problem(s):\n" + "\n".join(problems))


@dataclass(frozen=True, slots=True)
class Printed:
    """A figure exactly as the source prints it, keeping its precision."""

    text: str

    @property
    def value(self) -> float:
        return float(Decimal(self.text.lstrip("<>")))

    @property
    def decimals(self) -> int:
        exponent = Decimal(self.text.lstrip("<>")).as_tuple().exponent
        return max(0, -int(exponent))

    @property
    def bound(self) -> str:
        """Return '<' or '>' for a printed inequality such as '<0.001', else ''."""
        return self.text[0] if self.text[0] in "<>" else ""

    @property
    def half_unit(self) -> float:
        """Half of the last printed digit: how far the true value may lie from the printed one."""
        return 0.5 * 10.0**-self.decimals

    def agrees(self, computed: float) -> bool:
        """Say whether `computed` rounds to this figure (either rounding convention at a tie)."""
        if self.bound == "<":
            return computed < self.value
        if self.bound == ">":
            return computed > self.value
        return abs(computed - self.value) <= self.half_unit + 1e-9


@dataclass(frozen=True, slots=True)
class Quote:
    """The sentence a value comes from, and which source holds it."""

    source: str
    text: str


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    kind: str
    title: str
    file: str
    origin: str


@dataclass(frozen=True, slots=True)
class Citation:
    text: str
    note: str
    doi: str
    pmid: str
    registration: str
    quote: Quote


@dataclass(frozen=True, slots=True)
class Attribute:
    """A coded study attribute (design, setting, unit) with its source."""

    value: str
    quote: Quote


@dataclass(frozen=True, slots=True)
class Criterion:
    """One population criterion; `reported` False means the source does not report it."""

    field: str
    reported: bool
    quote: Quote
    note: str = ""
    min: int | None = None
    max: int | None = None
    required: bool | None = None
    allowed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Arm:
    id: str
    treatment: str
    label: str
    n: int
    quote: Quote
    derived: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Fact:
    label: str
    value: str
    quote: Quote
    events: int | None = None
    total: int | None = None
    percent: Printed | None = None


@dataclass(frozen=True, slots=True)
class Caveat:
    code: str
    text: str
    quote: Quote


@dataclass(frozen=True, slots=True)
class ScenarioNote:
    """A note shown when a scenario field has a given value and an option is weighed."""

    field: str
    equals: bool
    option: str
    text: str
    quote: Quote


@dataclass(frozen=True, slots=True)
class ArmResult:
    """One arm's (or the pooled) figures for one outcome."""

    arm: str
    quote: Quote
    events: int | None = None
    total: int | None = None
    percent: Printed | None = None
    ci: tuple[Printed, Printed] | None = None
    survival: Printed | None = None
    se: Printed | None = None
    derived: Mapping[str, str] = field(default_factory=dict)
    discrepancy: str = ""
    subset: str = ""

    @property
    def has_counts(self) -> bool:
        return self.events is not None and self.total is not None


@dataclass(frozen=True, slots=True)
class Effect:
    type: str
    estimate: Printed
    ci: tuple[Printed, Printed]
    p: Printed | None
    adjustment: str
    direction: str
    quote: Quote


@dataclass(frozen=True, slots=True)
class Test:
    p: Printed
    quote: Quote


@dataclass(frozen=True, slots=True)
class Outcome:
    id: str
    kind: str
    role: str
    label: str
    plain_label: str
    event: str
    timeframe: str
    definition: Quote
    note: str = ""
    statement: str = ""
    arms: Mapping[str, ArmResult] = field(default_factory=dict)
    overall: ArmResult | None = None
    test: Test | None = None
    effects: tuple[Effect, ...] = ()


@dataclass(frozen=True, slots=True)
class Study:
    id: str
    file: str
    short_name: str
    title: str
    citation: Citation
    design: Attribute
    setting: Attribute
    unit: Attribute
    sources: Mapping[str, Source]
    criteria: Mapping[str, Criterion]
    arms: Mapping[str, Arm]
    intervention: str
    comparator: str
    facts: tuple[Fact, ...]
    caveats: tuple[Caveat, ...]
    scenario_notes: tuple[ScenarioNote, ...]
    outcomes: tuple[Outcome, ...]

    def outcome(self, outcome_id: str) -> Outcome:
        return next(o for o in self.outcomes if o.id == outcome_id)


@dataclass(frozen=True, slots=True)
class Evidence:
    studies: tuple[Study, ...]
    revision: dt.date
    version: str

    def study(self, study_id: str) -> Study | None:
        return next((s for s in self.studies if s.id == study_id), None)


# --- reading with collected errors -------------------------------------------------------------

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

    def str(self, key: str, *, required: bool = True, default: str = "") -> str:
        value = self._typed(key, str, "a string", required, default)
        if required and value == "" and key in self.data:
            self.error(key, "must not be empty")
        return value

    def choice(self, key: str, choices: tuple[str, ...], *, required: bool = True) -> str:
        value = self.str(key, required=required)
        if value and value not in choices:
            self.error(key, f"{value!r} is not one of: {', '.join(choices)}")
        return value

    def int(self, key: str, *, required: bool = True, minimum: int | None = None) -> int | None:
        value = self._typed(key, int, "an integer", required, None)
        if value is not None and minimum is not None and value < minimum:
            self.error(key, f"must be at least {minimum}, got {value}")
            return None
        return value

    def bool(self, key: str, *, required: bool = True) -> bool | None:
        return self._typed(key, bool, "true or false", required, None)

    def date(self, key: str) -> dt.date | None:
        value = self._typed(key, dt.date, "a date (YYYY-MM-DD)", True, None)
        if isinstance(value, dt.datetime):
            self.error(key, "must be a date without a time")
            return None
        return value

    def printed(self, key: str, *, required: bool = False) -> Printed | None:
        value = self.str(key, required=required)
        return self._parse_printed(key, value) if value else None

    def _parse_printed(self, key: str, text: str) -> Printed | None:
        if not re.fullmatch(r"[<>]?(\d+(\.\d*)?|\.\d+)", text):
            self.error(key, f'must be a number as printed, e.g. "24.1" or ".05", got {text!r}')
            return None
        try:
            Decimal(text.lstrip("<>"))
        except InvalidOperation:  # pragma: no cover - the pattern above already excludes this
            self.error(key, f"not a number: {text!r}")
            return None
        return Printed(text)

    def printed_pair(self, key: str, *, required: bool = False) -> tuple[Printed, Printed] | None:
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
        lower, upper = (self._parse_printed(key, v) for v in value)
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
                    f"{key}.{name}", f"not a derivable value here; use one of: {', '.join(allowed)}"
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


def _quote(table: Table, sources: Texts) -> Quote:
    """Read `source` and `quote`, and check the quote stands verbatim in that source's text."""
    source = table.str("source")
    text = table.str("quote")
    if source and source not in sources:
        table.error("source", f"unknown source {source!r}; declare it under [sources]")
    # A declared source whose file cannot be read is reported once, at its `file` key.
    elif source and text and (body := sources[source]) is not None and _normalise(text) not in body:
        table.error("quote", f"not found verbatim in source {source!r}")
    return Quote(source, text)


def _normalise(text: str) -> str:
    return " ".join(text.split())


def _check_percent(table: Table, result: ArmResult) -> None:
    """A printed percent must match events/total at its printed precision, or say why not."""
    if result.percent is None or not result.has_counts or not result.total:
        if result.discrepancy:
            table.error("discrepancy", "given, but there is no percent with events/total to check")
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


# --- the schema --------------------------------------------------------------------------------


def _arm_result(
    table: Table, arm: str, kind: str, sources: Texts, arm_size: int | None
) -> ArmResult:
    if kind == "kaplan_meier":
        result = ArmResult(
            arm=arm,
            survival=table.printed("survival", required=True),
            se=table.printed("se"),
            quote=_quote(table, sources),
        )
        for value, key in ((result.survival, "survival"), (result.se, "se")):
            if value is not None and value.value > 100:
                table.error(key, f"a percentage must be at most 100, got {value.text}")
        table.done()
        return result
    result = ArmResult(
        arm=arm,
        events=table.int("events", required=False, minimum=0),
        total=table.int("total", required=False, minimum=1),
        percent=table.printed("percent"),
        ci=table.printed_pair("ci"),
        derived=table.str_map("derived", ("events", "total")),
        discrepancy=table.str("discrepancy", required=False),
        subset=table.str("subset", required=False),
        quote=_quote(table, sources),
    )
    if result.subset and (result.total is None or arm_size is None or result.total >= arm_size):
        table.error("subset", "explains a total below the arm size, but the total is not below it")
    given = [key for key in ("events", "total") if key in table.data]
    if len(given) == 1:
        missing = "total" if given == ["events"] else "events"
        table.error(missing, f"required with {given[0]}: events and total go together")
    if not given and "percent" not in table.data:
        table.error("", "needs events and total, or at least a printed percent")
    if result.has_counts and result.events > result.total:  # type: ignore[operator]
        table.error("events", f"{result.events} events exceed the total of {result.total}")
    if result.total is not None and arm_size is not None and result.total > arm_size:
        table.error("total", f"{result.total} exceeds the arm size of {arm_size}")
    if result.percent is not None and result.percent.value > 100:
        table.error("percent", f"must be at most 100, got {result.percent.text}")
    for name in result.derived:
        if getattr(result, name) is None:
            table.error(f"derived.{name}", f"explains {name}, but {name} is not given")
    _check_percent(table, result)
    table.done()
    return result


def _effect(table: Table, sources: Texts) -> Effect | None:
    effect = Effect(
        type=table.choice("type", EFFECT_TYPES),
        estimate=table.printed("estimate", required=True),  # type: ignore[arg-type]
        ci=table.printed_pair("ci", required=True),  # type: ignore[arg-type]
        p=table.printed("p"),
        adjustment=table.str("adjustment"),
        direction=table.choice("direction", DIRECTIONS),
        quote=_quote(table, sources),
    )
    table.done()
    if effect.estimate is None or effect.ci is None:
        return None
    lower, upper = effect.ci
    if lower.value <= 0:
        table.error("ci", "a ratio's lower limit must be above 0")
    elif not lower.value <= effect.estimate.value <= upper.value:
        table.error(
            "estimate", f"{effect.estimate.text} lies outside its CI {lower.text}-{upper.text}"
        )
    return effect


def _outcome(
    table: Table, study_arms: Mapping[str, Arm], pair: tuple[str, str], sources: Texts
) -> Outcome:
    kind = table.choice("kind", OUTCOME_KINDS)
    outcome_id = table.str("id")
    definition = table.table("definition")
    definition_quote = Quote("", "")
    if definition is not None:
        definition_quote = _quote(definition, sources)
        definition.done()
    arms: dict[str, ArmResult] = {}
    for name, arm_table in table.keyed_tables("arms", required=kind in ("binary", "kaplan_meier")):
        if kind in ("adjusted_effect", "narrative"):
            arm_table.error("", f"a {kind} outcome has no per-arm figures")
            continue
        if name not in study_arms:
            arm_table.error("", f"unknown arm {name!r}; arms are: {', '.join(study_arms)}")
            continue
        arms[name] = _arm_result(arm_table, name, kind, sources, study_arms[name].n or None)
    if kind in ("binary", "kaplan_meier") and arms:
        for arm in pair:
            if arm not in arms:
                table.error("arms", f"missing the compared arm {arm!r}")
    overall = None
    overall_table = table.table("overall", required=False)
    if overall_table is not None:
        if kind != "binary":
            overall_table.error("", "only a binary outcome has pooled figures")
        overall = _arm_result(overall_table, "overall", "binary", sources, None)
    test = None
    test_table = table.table("test", required=False)
    if test_table is not None:
        p = test_table.printed("p", required=True)
        test_quote = _quote(test_table, sources)
        test = Test(p=p, quote=test_quote) if p else None
        if p is not None and p.value > 1:
            test_table.error("p", f"a P value must be at most 1, got {p.text}")
        test_table.done()
    effects = tuple(e for t in table.tables("effects") if (e := _effect(t, sources)) is not None)
    if kind == "adjusted_effect" and not effects:
        table.error("effects", "an adjusted_effect outcome needs at least one [[outcomes.effects]]")
    outcome = Outcome(
        id=outcome_id,
        kind=kind,
        role=table.str("role"),
        label=table.str("label"),
        plain_label=table.str("plain_label"),
        event=table.choice("event", EVENT_TYPES),
        timeframe=table.str("timeframe"),
        definition=definition_quote,
        note=table.str("note", required=False),
        statement=table.str("statement", required=kind == "narrative"),
        arms=MappingProxyType(arms),
        overall=overall,
        test=test,
        effects=effects,
    )
    if kind != "narrative" and outcome.statement:
        table.error("statement", "only a narrative outcome has a statement")
    table.done()
    return outcome


def _criterion(name: str, table: Table, sources: Texts) -> Criterion:
    reported = table.bool("reported", required=False)
    quote = _quote(table, sources)
    note = table.str("note", required=reported is False)
    if reported is False:
        table.done()
        return Criterion(field=name, reported=False, quote=quote, note=note)
    if reported is True:
        table.error("reported", "omit it for a reported criterion; write it only as false")
    criterion = Criterion(field=name, reported=True, quote=quote, note=note)
    if name in ("stenosis_percent", "age", "days_since_event"):
        bounds = {"stenosis_percent": (0, 100), "age": (0, 130), "days_since_event": (0, 3650)}[
            name
        ]
        low = table.int("min", required=False, minimum=bounds[0])
        high = table.int("max", required=False, minimum=bounds[0])
        if low is None and high is None:
            table.error("", "needs min, max or both (or reported = false)")
        for key, value in (("min", low), ("max", high)):
            if value is not None and value > bounds[1]:
                table.error(key, f"must be at most {bounds[1]}, got {value}")
        if low is not None and high is not None and low > high:
            table.error("min", f"{low} is above max {high}")
        criterion = Criterion(field=name, reported=True, quote=quote, note=note, min=low, max=high)
    elif name == "symptomatic":
        criterion = Criterion(
            field=name, reported=True, quote=quote, note=note, required=table.bool("required")
        )
    elif name == "artery":
        criterion = Criterion(
            field=name,
            reported=True,
            quote=quote,
            note=note,
            allowed=table.str_list("allowed", ARTERIES),
        )
    table.done()
    return criterion


def _attribute(table: Table, key: str, choices: tuple[str, ...], sources: Texts) -> Attribute:
    sub = table.table(key)
    if sub is None:
        return Attribute("", Quote("", ""))
    attribute = Attribute(sub.choice("value", choices), _quote(sub, sources))
    sub.done()
    return attribute


def _sources(root: Table, evidence_dir: Path) -> tuple[dict[str, Source], dict[str, str | None]]:
    sources: dict[str, Source] = {}
    texts: dict[str, str | None] = {}
    for name, table in root.keyed_tables("sources"):
        source = Source(
            id=name,
            kind=table.choice("kind", SOURCE_KINDS),
            title=table.str("title"),
            file=table.str("file"),
            origin=table.str("origin"),
        )
        table.done()
        sources[name] = source
        texts[name] = None
        path = (evidence_dir / source.file).resolve()
        if source.file and not path.is_relative_to(evidence_dir.resolve()):
            table.error("file", "must lie inside the evidence folder")
        elif source.file and not path.is_file():
            table.error("file", f"no such file: {source.file}")
        elif source.file:
            texts[name] = _normalise(path.read_text(encoding="utf-8"))
    return sources, texts


def _study(data: Mapping[str, Any], file: str, evidence_dir: Path, problems: Problems) -> Study:
    root = Table(data, "", problems)
    version = root.int("schema_version")
    if version is not None and version != SCHEMA_VERSION:
        root.error("schema_version", f"must be {SCHEMA_VERSION}, got {version}")
    sources, texts = _sources(root, evidence_dir)

    head = root.table("study") or Table({}, "study", problems)
    citation_table = head.table("citation") or Table({}, "study.citation", problems)
    citation = Citation(
        text=citation_table.str("text", required=False),
        note=citation_table.str("note", required=False),
        doi=citation_table.str("doi", required=False),
        pmid=citation_table.str("pmid", required=False),
        registration=citation_table.str("registration", required=False),
        quote=_quote(citation_table, texts),
    )
    if not citation.text and not citation.note:
        citation_table.error("", "give the citation text, or a note saying why there is none")
    citation_table.done()
    study_id = head.str("id")
    if study_id and not re.fullmatch(r"[a-z0-9][a-z0-9-]*", study_id):
        head.error("id", "use lower-case letters, digits and hyphens (it appears in URLs)")
    short_name = head.str("short_name")
    title = head.str("title")
    design = _attribute(head, "design", DESIGNS, texts)
    setting = _attribute(head, "setting", SETTINGS, texts)
    unit = _attribute(head, "unit", UNITS, texts)
    head.done()

    criteria: dict[str, Criterion] = {}
    for name, table in root.keyed_tables("criteria"):
        if name not in CRITERIA:
            table.error("", f"unknown criterion; criteria are: {', '.join(CRITERIA)}")
            continue
        criteria[name] = _criterion(name, table, texts)
    for name in CRITERIA:
        if "criteria" in data and name not in criteria and isinstance(data["criteria"], dict):
            problems.add(
                f"criteria.{name}",
                "missing; write reported = false if the source does not report it",
            )

    arms: dict[str, Arm] = {}
    for name, table in root.keyed_tables("arms"):
        arms[name] = Arm(
            id=name,
            treatment=table.choice("treatment", TREATMENTS),
            label=table.str("label"),
            n=table.int("n", minimum=1) or 0,
            derived=table.str_map("derived", ("n",)),
            quote=_quote(table, texts),
        )
        table.done()

    comparison = root.table("comparison") or Table({}, "comparison", problems)
    pair = (comparison.str("intervention"), comparison.str("comparator"))
    for key, arm in zip(("intervention", "comparator"), pair, strict=True):
        if arm and arm not in arms:
            comparison.error(key, f"unknown arm {arm!r}; arms are: {', '.join(arms)}")
    if pair[0] and pair[0] == pair[1]:
        comparison.error("comparator", "must differ from the intervention arm")
    comparison.done()

    facts = []
    for table in root.tables("facts"):
        fact = Fact(
            label=table.str("label"),
            value=table.str("value"),
            events=table.int("events", required=False, minimum=0),
            total=table.int("total", required=False, minimum=1),
            percent=table.printed("percent"),
            quote=_quote(table, texts),
        )
        if fact.percent is not None:
            _check_percent(
                table, ArmResult("fact", fact.quote, fact.events, fact.total, fact.percent)
            )
        if fact.events is not None and fact.total is not None and fact.events > fact.total:
            table.error("events", f"{fact.events} events exceed the total of {fact.total}")
        table.done()
        facts.append(fact)

    caveats = []
    for table in root.tables("caveats"):
        caveats.append(Caveat(table.str("code"), table.str("text"), _quote(table, texts)))
        table.done()

    notes = []
    for table in root.tables("scenario_notes"):
        notes.append(
            ScenarioNote(
                field=table.choice("field", SCENARIO_NOTE_FIELDS),
                equals=bool(table.bool("equals")),
                option=table.choice("option", OPTIONS),
                text=table.str("text"),
                quote=_quote(table, texts),
            )
        )
        table.done()

    outcomes = [_outcome(t, arms, pair, texts) for t in root.tables("outcomes", required=True)]
    seen: set[str] = set()
    for index, outcome in enumerate(outcomes):
        if outcome.id in seen:
            problems.add(f"outcomes[{index}].id", f"duplicate outcome id {outcome.id!r}")
        seen.add(outcome.id)
    root.done()
    return Study(
        id=study_id,
        file=file,
        short_name=short_name,
        title=title,
        citation=citation,
        design=design,
        setting=setting,
        unit=unit,
        sources=MappingProxyType(sources),
        criteria=MappingProxyType(criteria),
        arms=MappingProxyType(arms),
        intervention=pair[0],
        comparator=pair[1],
        facts=tuple(facts),
        caveats=tuple(caveats),
        scenario_notes=tuple(notes),
        outcomes=tuple(outcomes),
    )


def _parse_toml(path: Path, name: str, problems: list[str]) -> dict[str, Any] | None:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(f"{name}: file not found")
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        problems.append(f"{name}: not valid TOML: {exc}")
    return None


def load_evidence(evidence_dir: Path = DEFAULT_DIR) -> Evidence:
    """Parse and validate the whole evidence base; raise EvidenceError listing every problem."""
    problems: list[str] = []
    manifest_data = _parse_toml(evidence_dir / "manifest.toml", "manifest.toml", problems)
    if manifest_data is None:
        raise EvidenceError(problems)
    manifest_problems = Problems("manifest.toml")
    manifest = Table(manifest_data, "", manifest_problems)
    if (version := manifest.int("schema_version")) is not None and version != SCHEMA_VERSION:
        manifest.error("schema_version", f"must be {SCHEMA_VERSION}, got {version}")
    revision = manifest.date("revision")
    listed = manifest.str_list("studies", tuple(manifest_data.get("studies", ()) or ()))
    manifest.done()
    problems.extend(manifest_problems.items)
    on_disk = {p.relative_to(evidence_dir).as_posix() for p in evidence_dir.glob("studies/*.toml")}
    for name in sorted(on_disk - set(listed)):
        problems.append(f"manifest.toml: studies: {name} exists but is not listed")

    digest = hashlib.sha256(b"schema %d\n" % SCHEMA_VERSION)
    studies: list[Study] = []
    for name in listed:
        path = evidence_dir / name
        data = _parse_toml(path, name, problems)
        if data is None:
            continue
        digest.update(name.encode() + b"\0" + path.read_bytes())
        study_problems = Problems(name)
        study = _study(data, name, evidence_dir, study_problems)
        problems.extend(study_problems.items)
        for source in study.sources.values():
            source_path = evidence_dir / source.file
            if source_path.is_file():
                digest.update(source.file.encode() + b"\0" + source_path.read_bytes())
        studies.append(study)
    seen: dict[str, str] = {}
    for study in studies:
        if study.id in seen:
            problems.append(
                f"{study.file}: study.id: duplicate study id {study.id!r} (also in {seen[study.id]})"
            )
        seen.setdefault(study.id, study.file)
    if problems:
        raise EvidenceError(problems)
    assert revision is not None
    return Evidence(
        studies=tuple(studies),
        revision=revision,
        version=f"{revision.isoformat()}+{digest.hexdigest()[:12]}",
    )


__all__ = [
    "Arm",
    "ArmResult",
    "Attribute",
    "Caveat",
    "Citation",
    "Criterion",
    "Effect",
    "Evidence",
    "EvidenceError",
    "Fact",
    "Outcome",
    "Printed",
    "Quote",
    "ScenarioNote",
    "Source",
    "Study",
    "Test",
    "load_evidence",
]
