"""The evidence model: frozen dataclasses for studies, outcomes and the sentences they quote."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from app.contract import scenario, vocabulary

SCHEMA_VERSION = 1
TREATMENTS = tuple(vocabulary.TREATMENTS)
DESIGNS = tuple(vocabulary.DESIGNS)
SETTINGS = tuple(vocabulary.SETTINGS)
UNITS = ("patients", "procedures")
SOURCE_KINDS = ("primary", "secondary", "project_note")
OUTCOME_KINDS = ("binary", "kaplan_meier", "adjusted_effect", "narrative")
EVENT_TYPES = ("harmful", "beneficial")
EFFECT_TYPES = ("risk_ratio", "odds_ratio", "hazard_ratio", "risk_difference")
RATIO_TYPES = ("risk_ratio", "odds_ratio", "hazard_ratio")
DIRECTIONS = ("intervention_vs_comparator", "comparator_vs_intervention", "not_stated")
ARTERIES = tuple(vocabulary.ARTERIES)
CRITERIA = scenario.CRITERIA
# Whole-number criteria take the scenario's own limits: a study limit outside them could never bind.
CRITERION_RANGES = {name: scenario.RANGES[name] for name in CRITERIA if name in scenario.RANGES}
SCENARIO_NOTE_FIELDS = ("prestent_angioplasty", "symptomatic")
OPTIONS = tuple(vocabulary.OPTIONS)
# What a study found for an outcome, in a word the patient view turns into plain words.
FINDING_RESULTS = ("no_difference", "more_with_intervention", "more_with_comparator")
# An outcome whose role names one of these is one of the study's main outcomes.
MAIN_ROLES = ("primary", "safety")

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "evidence"


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
    def number(self) -> Decimal:
        # A printed minus may be the typographic one (U+2212), kept as printed in `text`.
        # and the decimal mark may be the Lancet's middle dot (U+00B7).
        return Decimal(self.text.lstrip("<>").replace("\u2212", "-").replace("\u00b7", "."))

    @property
    def value(self) -> float:
        return float(self.number)

    @property
    def decimals(self) -> int:
        exponent = self.number.as_tuple().exponent
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
    short: str = ""  # register only: journal, year, volume and pages, for the print view


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
    required: bool | None = None  # "required" criteria (app/contract/scenario.py Eligibility)
    allowed: tuple[str, ...] = ()  # "allowed" criteria
    excluded: bool | None = None  # "exclusion" criteria
    # Where the upper limit has a source of its own (e.g. only a secondary source gives it).
    upper_quote: Quote | None = None


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
    effects: tuple[
        Effect, ...
    ] = ()  # a published effect the fact prints, audited like an outcome's


@dataclass(frozen=True, slots=True)
class Caveat:
    code: str
    text: str
    quote: Quote


@dataclass(frozen=True, slots=True)
class BiasJudgement:
    """One risk-of-bias domain judged for a study: low, some_concerns or high, with its reason."""

    domain: str
    judgement: str
    reason: str  # one sentence
    quote: Quote


@dataclass(frozen=True, slots=True)
class Difference:
    """How the members of an outcome family differ (device, timing, population)."""

    aspect: str
    text: str  # one sentence
    serious: bool  # whether it makes the pooled estimate indirect for the question (rates down)


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
    event_rate: Printed | None = None  # Kaplan-Meier cumulative probability of the event
    derived: Mapping[str, str] = field(default_factory=dict)
    discrepancy: str = ""
    subset: str = ""
    # How the printed percent was estimated: "product_limit" (Kaplan-Meier) is not events/total.
    percent_method: str = "proportion"

    @property
    def has_counts(self) -> bool:
        return self.events is not None and self.total is not None

    @property
    def printed_rate(self) -> Printed | None:
        """The percentage printed for this arm: its percent, survival or Kaplan-Meier event rate."""
        return self.percent or self.survival or self.event_rate


@dataclass(frozen=True, slots=True)
class Effect:
    type: str
    estimate: Printed
    ci: tuple[Printed, Printed]
    p: Printed | None
    adjustment: str
    direction: str
    quote: Quote
    # A pooled estimate's printed heterogeneity (I², in percent), shown beside it.
    i2: Printed | None = None


@dataclass(frozen=True, slots=True)
class Test:
    p: Printed
    quote: Quote


@dataclass(frozen=True, slots=True)
class Finding:
    """What the study itself concluded about an outcome, with the sentence that says so."""

    result: str
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
    family: str = ""  # an outcome family of families.toml: comparable across studies
    finding: Finding | None = None

    @property
    def is_main(self) -> bool:
        """Say whether the role names a primary or a safety outcome."""
        return any(word in self.role for word in MAIN_ROLES)


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
    # Recorded judgements ([[risk_of_bias]]); none recorded is rated down (app/analysis/certainty.py).
    risk_of_bias: tuple[BiasJudgement, ...] = ()

    def outcome(self, outcome_id: str) -> Outcome:
        return next(o for o in self.outcomes if o.id == outcome_id)


@dataclass(frozen=True, slots=True)
class Family:
    """Outcomes that the evidence declares comparable across studies (families.toml)."""

    id: str
    label: str
    definition: str
    timeframe: str
    comparable: str  # why its members may be shown side by side
    differences: tuple[Difference, ...] = ()  # how its members differ (indirectness)


@dataclass(frozen=True, slots=True)
class KnownTrial:
    """A trial known but not (yet) in the evidence base (register.toml): never a number from it."""

    id: str
    short_name: str
    title: str
    setting: str
    design: str
    intervention: tuple[str, ...]  # treatment codes the trial's intervention arm stands for
    comparator: tuple[str, ...]
    comparator_label: str
    citation: Citation
    reason: str  # why its numbers are not shown
    reason_quote: Quote
    sources: Mapping[str, Source]
    # The comparator in a patient's words when the treatment code's own words would misname it
    # (ANGEL-REBOOT's standard therapy after failed thrombectomy is not "medicines only").
    comparator_plain: str = ""


@dataclass(frozen=True, slots=True)
class Evidence:
    studies: tuple[Study, ...]
    revision: dt.date
    version: str
    families: Mapping[str, Family] = field(default_factory=dict)
    register: tuple[KnownTrial, ...] = ()

    def study(self, study_id: str) -> Study | None:
        return next((s for s in self.studies if s.id == study_id), None)
