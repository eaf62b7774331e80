"""The evidence file schema: one reader per table kind, each checking what it reads."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from app.contract.scenario import ELIGIBILITY, FIELD
from app.contract.vocabulary import INVASIVENESS_RANK
from app.evidence.bias import read_risk_of_bias
from app.evidence.kinds import READING, UNKNOWN, kinds_with, read_counts
from app.evidence.model import (
    CRITERIA,
    CRITERION_RANGES,
    DESIGNS,
    DIRECTIONS,
    EFFECT_TYPES,
    EVENT_TYPES,
    FINDING_RESULTS,
    OPTIONS,
    OUTCOME_KINDS,
    RATIO_TYPES,
    SCENARIO_NOTE_FIELDS,
    SCHEMA_VERSION,
    SETTINGS,
    SOURCE_KINDS,
    TREATMENTS,
    UNITS,
    Arm,
    ArmResult,
    Attribute,
    Caveat,
    Citation,
    Criterion,
    Effect,
    Fact,
    Finding,
    Outcome,
    Quote,
    ScenarioNote,
    Source,
    Study,
    Test,
)
from app.evidence.reader import (
    Problems,
    Table,
    Texts,
    check_percent,
    normalise,
    read_quote,
)


def _effect(table: Table, sources: Texts) -> Effect | None:
    kind = table.choice("type", EFFECT_TYPES)
    # A difference (in percentage points) may be negative; a ratio may not.
    signed = kind not in RATIO_TYPES
    estimate = table.printed("estimate", required=True, signed=signed)
    ci = table.printed_pair("ci", required=True, signed=signed)
    p = table.printed("p")
    adjustment = table.text("adjustment")
    direction = table.choice("direction", DIRECTIONS)
    quote = read_quote(table, sources)
    i2 = table.printed("i2")
    table.done()
    if i2 is not None and i2.value > 100:
        table.error("i2", f"I² is a percentage from 0 to 100, got {i2.text}")
    if estimate is None or ci is None:
        return None
    effect = Effect(kind, estimate, ci, p, adjustment, direction, quote, i2)
    lower, upper = effect.ci
    if signed:
        if not lower.value <= effect.estimate.value <= upper.value:
            table.error(
                "estimate",
                f"{effect.estimate.text} lies outside its CI {lower.text}-{upper.text}",
            )
        elif not -100 <= lower.value <= upper.value <= 100:
            # Percentage points: two risks differ by at most 100.
            table.error("ci", "a difference in percentage points lies within -100 to 100")
    elif lower.value <= 0:
        table.error("ci", "a ratio's lower limit must be above 0")
    elif not lower.value <= effect.estimate.value <= upper.value:
        table.error(
            "estimate",
            f"{effect.estimate.text} lies outside its CI {lower.text}-{upper.text}",
        )
    return effect


def _finding(table: Table, sources: Texts) -> Finding | None:
    """Read [outcomes.finding]: what the study concluded, as a coded result and its sentence."""
    sub = table.table("finding", required=False)
    if sub is None:
        return None
    finding = Finding(sub.choice("result", FINDING_RESULTS), read_quote(sub, sources))
    sub.done()
    return finding


def _outcome(
    table: Table, study_arms: Mapping[str, Arm], pair: tuple[str, str], sources: Texts
) -> Outcome:
    before = len(table.problems.items)
    kind = table.choice("kind", OUTCOME_KINDS)
    outcome_id = table.text("id")
    definition = table.table("definition")
    definition_quote = Quote("", "")
    if definition is not None:
        definition_quote = read_quote(definition, sources)
        definition.done()
    reading = READING.get(kind, UNKNOWN)
    arms: dict[str, ArmResult] = {}
    for name, arm_table in table.keyed_tables("arms", required=reading.arms_required):
        if reading.arm_figures is None:
            arm_table.error("", f"a {kind} outcome has no per-arm figures")
            continue
        if name not in study_arms:
            arm_table.error("", f"unknown arm {name!r}; arms are: {', '.join(study_arms)}")
            continue
        arms[name] = reading.arm_figures(arm_table, name, sources, study_arms[name].n or None)
    if reading.arms_required and arms:
        for arm in pair:
            if arm not in arms:
                table.error("arms", f"missing the compared arm {arm!r}")
    overall = None
    overall_table = table.table("overall", required=False)
    if overall_table is not None:
        if not reading.pooled:
            overall_table.error("", f"only a {kinds_with('pooled')} outcome has pooled figures")
        overall = read_counts(overall_table, "overall", sources, None)
    test = None
    test_table = table.table("test", required=False)
    if test_table is not None:
        p = test_table.printed("p", required=True)
        test_quote = read_quote(test_table, sources)
        test = Test(p=p, quote=test_quote) if p else None
        if p is not None and p.value > 1:
            test_table.error("p", f"a P value must be at most 1, got {p.text}")
        test_table.done()
    effects = tuple(e for t in table.tables("effects") if (e := _effect(t, sources)) is not None)
    if reading.effects_required and not effects:
        table.error("effects", f"an {kind} outcome needs at least one [[outcomes.effects]]")
    outcome = Outcome(
        id=outcome_id,
        kind=kind,
        role=table.text("role"),
        label=table.text("label"),
        plain_label=table.text("plain_label"),
        event=table.choice("event", EVENT_TYPES),
        timeframe=table.text("timeframe"),
        definition=definition_quote,
        note=table.text("note", required=False),
        statement=table.text("statement", required=reading.statement),
        arms=MappingProxyType(arms),
        overall=overall,
        test=test,
        effects=effects,
        finding=_finding(table, sources),
        family=table.text("family", required=False),
    )
    numbers = all(
        arm in arms and (arms[arm].has_counts or arms[arm].printed_rate is not None) for arm in pair
    )
    # Only for an outcome read without other problems: a mistyped count is reported once, as such.
    clean = len(table.problems.items) == before
    if clean and outcome.is_main and not numbers and outcome.finding is None:
        # The patient view states what the study found; without numbers it needs the sentence.
        table.error(
            "finding",
            "required for a primary or safety outcome without figures for both compared arms:"
            " quote what the study found",
        )
    if not reading.statement and outcome.statement:
        table.error("statement", f"only a {kinds_with('statement')} outcome has a statement")
    table.done()
    return outcome


def _criterion(name: str, table: Table, sources: Texts) -> Criterion:
    reported = table.flag("reported", required=False)
    quote = read_quote(table, sources)
    note = table.text("note", required=reported is False)
    if reported is False:
        table.done()
        return Criterion(field=name, reported=False, quote=quote, note=note)
    if reported is True:
        table.error("reported", "omit it for a reported criterion; write it only as false")
    kind = ELIGIBILITY[name].kind
    criterion = Criterion(field=name, reported=True, quote=quote, note=note)
    if kind == "range":
        criterion = _range(name, table, sources, criterion)
    elif kind == "allowed":
        choices = tuple(FIELD[name].choices)
        criterion = replace(criterion, allowed=table.str_list("allowed", choices))
    else:
        # A yes/no criterion is stated only as true: the study enrolled only patients with the yes
        # (`required`) or none with it (`excluded`); otherwise it is `reported = false` with a note.
        key = "required" if kind == "required" else "excluded"
        stated = table.flag(key)
        if stated is False:
            did = "enrolled only" if kind == "required" else "excluded"
            table.error(
                key,
                f"write it only as true (the study {did} such patients); otherwise write"
                " reported = false with a note",
            )
        if kind == "required":
            criterion = replace(criterion, required=stated)
        else:
            criterion = replace(criterion, excluded=stated)
    table.done()
    return criterion


def _range(name: str, table: Table, sources: Texts, criterion: Criterion) -> Criterion:
    """Read a range criterion's limits, within the scenario field's own (a wider one never binds)."""
    bounds = CRITERION_RANGES[name]
    low = table.whole("min", required=False, minimum=bounds[0])
    high = table.whole("max", required=False, minimum=bounds[0])
    if low is None and high is None:
        table.error("", "needs min, max or both (or reported = false)")
    for key, value in (("min", low), ("max", high)):
        if value is not None and value > bounds[1]:
            table.error(key, f"must be at most {bounds[1]}, got {value}")
    if low is not None and high is not None and low > high:
        table.error("min", f"{low} is above max {high}")
    upper_quote = None
    if (upper := table.table("upper", required=False)) is not None:
        upper_quote = read_quote(upper, sources)
        upper.done()
        if high is None:
            upper.error("", "names the source of max, but max is not given")
    return replace(criterion, min=low, max=high, upper_quote=upper_quote)


def _attribute(table: Table, key: str, choices: tuple[str, ...], sources: Texts) -> Attribute:
    sub = table.table(key)
    if sub is None:
        return Attribute("", Quote("", ""))
    attribute = Attribute(sub.choice("value", choices), read_quote(sub, sources))
    sub.done()
    return attribute


def read_sources(
    root: Table, evidence_dir: Path
) -> tuple[dict[str, Source], dict[str, str | None]]:
    sources: dict[str, Source] = {}
    texts: dict[str, str | None] = {}
    for name, table in root.keyed_tables("sources"):
        source = Source(
            id=name,
            kind=table.choice("kind", SOURCE_KINDS),
            title=table.text("title"),
            file=table.text("file"),
            origin=table.text("origin"),
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
            texts[name] = normalise(path.read_text(encoding="utf-8"))
    return sources, texts


def read_study(data: Mapping[str, Any], file: str, evidence_dir: Path, problems: Problems) -> Study:
    root = Table(data, "", problems)
    version = root.whole("schema_version")
    if version is not None and version != SCHEMA_VERSION:
        root.error("schema_version", f"must be {SCHEMA_VERSION}, got {version}")
    sources, texts = read_sources(root, evidence_dir)

    head = root.table("study") or Table({}, "study", problems)
    citation_table = head.table("citation") or Table({}, "study.citation", problems)
    citation = Citation(
        text=citation_table.text("text", required=False),
        note=citation_table.text("note", required=False),
        doi=citation_table.text("doi", required=False),
        pmid=citation_table.text("pmid", required=False),
        registration=citation_table.text("registration", required=False),
        quote=read_quote(citation_table, texts),
        short=citation_table.text("short", required=False),
    )
    if not citation.text and not citation.note:
        citation_table.error("", "give the citation text, or a note saying why there is none")
    citation_table.done()
    study_id = head.text("id")
    if study_id and not re.fullmatch(r"[a-z0-9][a-z0-9-]*", study_id):
        head.error("id", "use lower-case letters, digits and hyphens (it appears in URLs)")
    short_name = head.text("short_name")
    title = head.text("title")
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
            label=table.text("label"),
            n=table.whole("n", minimum=1) or 0,
            derived=table.str_map("derived", ("n",)),
            quote=read_quote(table, texts),
        )
        table.done()

    comparison = root.table("comparison") or Table({}, "comparison", problems)
    pair = (comparison.text("intervention"), comparison.text("comparator"))
    for key, arm in zip(("intervention", "comparator"), pair, strict=True):
        if arm and arm not in arms:
            comparison.error(key, f"unknown arm {arm!r}; arms are: {', '.join(arms)}")
    if pair[0] and pair[0] == pair[1]:
        comparison.error("comparator", "must differ from the intervention arm")
    elif pair[0] in arms and pair[1] in arms:
        first, second = arms[pair[0]].treatment, arms[pair[1]].treatment
        # The more invasive option is the intervention column in every table.
        ranks = (INVASIVENESS_RANK.get(first), INVASIVENESS_RANK.get(second))
        if ranks[0] is not None and ranks[1] is not None and ranks[0] > ranks[1]:
            comparison.error(
                "intervention",
                f"must be the more invasive arm: {pair[1]!r} ({second}) is more invasive than"
                f" {pair[0]!r} ({first}); swap intervention and comparator",
            )
    comparison.done()

    facts = []
    for table in root.tables("facts"):
        fact = Fact(
            label=table.text("label"),
            value=table.text("value"),
            events=table.whole("events", required=False, minimum=0),
            total=table.whole("total", required=False, minimum=1),
            percent=table.printed("percent"),
            quote=read_quote(table, texts),
            effects=tuple(e for t in table.tables("effects") if (e := _effect(t, texts))),
        )
        if fact.percent is not None:
            check_percent(
                table,
                ArmResult("fact", fact.quote, fact.events, fact.total, fact.percent),
            )
        if fact.events is not None and fact.total is not None and fact.events > fact.total:
            table.error("events", f"{fact.events} events exceed the total of {fact.total}")
        table.done()
        facts.append(fact)

    caveats = []
    for table in root.tables("caveats"):
        caveats.append(Caveat(table.text("code"), table.text("text"), read_quote(table, texts)))
        table.done()

    risk_of_bias = read_risk_of_bias(root, texts)

    notes = []
    for table in root.tables("scenario_notes"):
        notes.append(
            ScenarioNote(
                field=table.choice("field", SCENARIO_NOTE_FIELDS),
                equals=bool(table.flag("equals")),
                option=table.choice("option", OPTIONS),
                text=table.text("text"),
                quote=read_quote(table, texts),
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
        risk_of_bias=risk_of_bias,
    )
