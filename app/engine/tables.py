"""The engine's lookup tables, built at start-up over every value a request can bring.

The scenario contract bounds every criterion field (about 3,800 values in all) and the choices of
options (64 ordered choices of distinct options in each of 2 settings), so every reason a study
can give and every plan is written before any patient is seen; a request only looks them up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as attribute
from types import MappingProxyType

from app.analysis.base import EvidenceBase
from app.analysis.centre import Reference, references
from app.analysis.certainty import Rated
from app.contract.scenario import SETTINGS, field_values
from app.engine.criteria import ReasonTable, reason
from app.engine.indirectness import rated_families, rated_outcomes
from app.engine.personal import PresetRisks, preset_risks
from app.engine.plans import Plan, make_plan, option_choices
from app.evidence.model import Study


@dataclass(frozen=True, slots=True)
class Tables:
    """The evidence base with every patient-independent answer a request can need, written out."""

    base: EvidenceBase
    reasons: tuple[ReasonTable, ...]  # per study, in the base's order
    # Per study, each outcome's statement at every indirectness level (engine/indirectness.py).
    rated: tuple[tuple[Rated | None, ...], ...]
    plans: Mapping[tuple[str, tuple[str, ...]], Plan]  # (setting, options as chosen) -> plan
    # Each family effect's risks at its studies' baselines, in base.relative's order.
    presets: tuple[PresetRisks, ...]
    # The same key -> each of the plan's side-by-side families rated (engine/indirectness.py).
    families: Mapping[tuple[str, tuple[str, ...]], tuple[Rated, ...]]
    # (setting, family, option) -> the trial arms a centre's own result is set beside.
    centre: Mapping[tuple[str, str, str], Reference] = attribute(default_factory=dict)


def reason_table(study: Study) -> ReasonTable:
    """Write the study's reason for every value each criterion's field can hold."""
    table = {}
    for field, criterion in study.criteria.items():
        keys = [(type(value), value) for value in field_values(field)]
        if criterion.reported:
            reasons = {key: reason(study, field, key[1]) for key in keys}
        else:
            reasons = dict.fromkeys(keys, reason(study, field, None))
        table[field] = MappingProxyType(reasons)
    return MappingProxyType(table)


def plan_for(base: EvidenceBase, setting: str, options: tuple[str, ...]) -> Plan:
    """Work out what the evidence holds for one setting and choice of options."""
    return make_plan(
        setting,
        options,
        studies=tuple(a.study for a in base.studies),
        available=base.available.get(setting, ()),
        compared=base.compared,
        register=base.evidence.register,
        families=base.families,
    )


def build_tables(base: EvidenceBase) -> Tables:
    """Tabulate every study's reasons, outcome statements and every setting's plans; call once."""
    plans = {(s, o): plan_for(base, s, o) for s in SETTINGS for o in option_choices()}
    return Tables(
        base=base,
        reasons=tuple(reason_table(a.study) for a in base.studies),
        rated=tuple(rated_outcomes(a.study, a.appraisal.outcomes) for a in base.studies),
        plans=MappingProxyType(plans),
        presets=tuple(preset_risks(effect) for effect in base.relative),
        families=MappingProxyType({k: rated_families(p.side_by_side) for k, p in plans.items()}),
        centre=references((a.study for a in base.studies), base.evidence.families),
    )
