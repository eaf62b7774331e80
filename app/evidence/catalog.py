"""Read the evidence base's two catalogues: outcome families and the register of known trials."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from app.evidence.bias import read_differences
from app.evidence.model import (
    DESIGNS,
    SCHEMA_VERSION,
    SETTINGS,
    TREATMENTS,
    Citation,
    Family,
    KnownTrial,
    Study,
)
from app.evidence.reader import Problems, Table, read_quote
from app.evidence.schema import read_sources

# A register entry may also be a pooled analysis of trials, which no study file can be.
REGISTER_DESIGNS = (*DESIGNS, "pooled_individual_patient_data")


def _version(root: Table) -> None:
    version = root.whole("schema_version")
    if version is not None and version != SCHEMA_VERSION:
        root.error("schema_version", f"must be {SCHEMA_VERSION}, got {version}")


def read_families(data: Mapping[str, Any], problems: Problems) -> Mapping[str, Family]:
    """Read families.toml: each family's id, label, definition, time frame and why it is comparable."""
    root = Table(data, "", problems)
    _version(root)
    families: dict[str, Family] = {}
    for table in root.tables("families", required=True):
        family = Family(
            id=table.text("id"),
            label=table.text("label"),
            definition=table.text("definition"),
            timeframe=table.text("timeframe"),
            comparable=table.text("comparable"),
            differences=read_differences(table),
        )
        table.done()
        if family.id in families:
            table.error("id", f"duplicate family id {family.id!r}")
        families[family.id] = family
    root.done()
    return MappingProxyType(families)


# A hazard ratio is not a risk ratio: an adjusted effect joins a family only with one of these.
FAMILY_RATIOS = frozenset({"risk_ratio", "odds_ratio"})


def check_members(
    studies: tuple[Study, ...], families: Mapping[str, Family], problems: list[str]
) -> None:
    """Every outcome's family exists; a member is binary (or prints an adjusted risk or odds ratio)
    and has the family's time frame."""
    for study in studies:
        for index, outcome in enumerate(study.outcomes):
            if not outcome.family:
                continue
            at = f"{study.file}: outcomes[{index}].family"
            family = families.get(outcome.family)
            if family is None:
                known = ", ".join(families) or "none"
                problems.append(f"{at}: unknown family {outcome.family!r}; families are: {known}")
                continue
            ratios = {e.type for e in outcome.effects} & FAMILY_RATIOS
            if outcome.kind != "binary" and not (outcome.kind == "adjusted_effect" and ratios):
                problems.append(
                    f"{at}: only a binary outcome, or an adjusted effect printing a risk or odds"
                    f" ratio, can join a family, not {outcome.kind}"
                )
            if outcome.timeframe != family.timeframe:
                problems.append(
                    f"{at}: timeframe {outcome.timeframe!r} differs from the family's"
                    f" {family.timeframe!r}; a family never mixes time frames"
                )


def _codes(table: Table, key: str) -> tuple[str, ...]:
    return table.str_list(key, tuple(TREATMENTS))


def read_register(
    data: Mapping[str, Any], evidence_dir: Path, problems: Problems
) -> tuple[tuple[KnownTrial, ...], dict[str, str]]:
    """Read register.toml; return its trials and, per source id, the file each source names."""
    root = Table(data, "", problems)
    _version(root)
    sources, texts = read_sources(root, evidence_dir)
    trials: list[KnownTrial] = []
    seen: set[str] = set()
    for table in root.tables("trials", required=True):
        trial_id = table.text("id")
        if trial_id and not re.fullmatch(r"[a-z0-9][a-z0-9-]*", trial_id):
            table.error("id", "use lower-case letters, digits and hyphens")
        if trial_id in seen:
            table.error("id", f"duplicate trial id {trial_id!r}")
        seen.add(trial_id)
        cite = table.table("citation") or Table({}, table.at("citation"), problems)
        citation = Citation(
            text=cite.text("text"),
            note=cite.text("note", required=False),
            doi=cite.text("doi", required=False),
            pmid=cite.text("pmid", required=False),
            registration=cite.text("registration", required=False),
            quote=read_quote(cite, texts),
            short=cite.text("short", required=False),
        )
        cite.done()
        why = table.table("why") or Table({}, table.at("why"), problems)
        reason_quote = read_quote(why, texts)
        why.done()
        trials.append(
            KnownTrial(
                id=trial_id,
                short_name=table.text("short_name"),
                title=table.text("title"),
                setting=table.choice("setting", SETTINGS),
                design=table.choice("design", REGISTER_DESIGNS),
                intervention=_codes(table, "intervention"),
                comparator=_codes(table, "comparator"),
                comparator_label=table.text("comparator_label"),
                citation=citation,
                reason=table.text("reason"),
                reason_quote=reason_quote,
                sources=MappingProxyType(sources),
                comparator_plain=table.text("comparator_plain", required=False),
            )
        )
        table.done()
    root.done()
    return tuple(trials), {name: s.file for name, s in sources.items() if s.file}
