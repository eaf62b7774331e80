"""The rules engine against a table of scenarios: comparisons, statuses, reasons, warnings."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from app.analysis.base import EvidenceBase, analyse
from app.api.encode import assessment_json
from app.contract.scenario import field_values, parse_scenario
from app.engine.assess import Assessment, assess
from app.engine.criteria import reason
from app.engine.plans import match_comparison
from app.evidence.loader import load_evidence
from tests.engine_tables import tables
from tests.evidence_dirs import FIXTURE_DIR

VISSIT_FIT = {
    "stenosis_percent": 80,
    "symptomatic": True,
    "days_since_event": 10,
    "artery": "mca",
    "age": 64,
}


@pytest.fixture(scope="module")
def base() -> EvidenceBase:
    return analyse(load_evidence(FIXTURE_DIR))


@dataclass(frozen=True)
class Case:
    name: str
    scenario: dict[str, Any]
    # (study id, applicability status) in the expected order.
    expected: list[tuple[str, str]]
    # Warning codes that must appear on each listed study's comparison.
    warnings: dict[str, set[str]] = field(default_factory=dict)
    # Warning codes that must not appear on a study's comparison.
    absent: dict[str, set[str]] = field(default_factory=dict)
    # Exact reason texts that must appear for a study.
    reasons: dict[str, set[str]] = field(default_factory=dict)
    # Top-level warning codes, exactly.
    top: set[str] = field(default_factory=set)


def sym(options: list[str], **extra: Any) -> dict[str, Any]:
    return {"setting": "symptomatic_icas", "options": options, **extra}


def lvo(options: list[str], **extra: Any) -> dict[str, Any]:
    return {"setting": "lvo_icas", "options": options, **extra}


CASES = [
    Case(
        "VISSIT matched from its options, patient fits",
        sym(["medical", "balloon_stent"], **VISSIT_FIT),
        [("vissit", "applies")],
        warnings={
            "vissit": {
                "stopped_early",
                "small_numbers",
                "derived_counts",
                "published_figure_not_reproduced",
            }
        },
        absent={
            "vissit": {
                "observational",
                "outside_population",
                "unit_is_procedure",
                "stent_type_not_reported",
            }
        },
        reasons={
            "vissit": {
                "VISSIT enrolled 70-99% stenosis; this patient has 80%. (Criterion from a secondary source.)",
                "VISSIT: age limits not reported. No age limits were found in the trial report's abstract or the secondary source.",
            }
        },
    ),
    Case(
        "options given in the other order match the same comparison",
        sym(["balloon_stent", "medical"], **VISSIT_FIT),
        [("vissit", "applies")],
    ),
    Case(
        "retrospective study matched from angioplasty and a balloon-mounted stent",
        sym(["angioplasty", "balloon_stent"], stenosis_percent=80, symptomatic=True),
        [("angioplasty-vs-stent-retro", "unknown")],
        warnings={
            "angioplasty-vs-stent-retro": {
                "observational",
                "unit_is_procedure",
                "stent_type_not_reported",
                "published_figure_not_reproduced",
                "adjusted_estimate_only",
            }
        },
        reasons={
            "angioplasty-vs-stent-retro": {
                "Retrospective angioplasty vs stent (3 centres): degree of stenosis not reported. The abstract gives no stenosis threshold for treatment."
            }
        },
    ),
    Case(
        "unspecified stent also stands for a self-expanding stent",
        sym(["angioplasty", "self_expanding_stent"], stenosis_percent=80, symptomatic=True),
        [("angioplasty-vs-stent-retro", "unknown")],
        warnings={"angioplasty-vs-stent-retro": {"stent_type_not_reported"}},
    ),
    Case(
        "RESCUE-ICAS matched in the acute setting",
        lvo(["self_expanding_stent", "balloon_stent"]),
        [("rescue-icas-ses-bms", "unknown")],
        warnings={
            "rescue-icas-ses-bms": {
                "observational",
                "derived_counts",
                "adjusted_estimate_only",
                "small_numbers",
            }
        },
        absent={"rescue-icas-ses-bms": {"subgroup_note", "stopped_early"}},
    ),
    Case(
        "stenosis below VISSIT's range",
        sym(["medical", "balloon_stent"], **{**VISSIT_FIT, "stenosis_percent": 60}),
        [("vissit", "outside")],
        warnings={"vissit": {"outside_population"}},
        reasons={
            "vissit": {
                "VISSIT enrolled 70-99% stenosis; this patient has 60%. (Criterion from a secondary source.)"
            }
        },
    ),
    Case(
        "stenosis above VISSIT's range (occlusion)",
        sym(["medical", "balloon_stent"], **{**VISSIT_FIT, "stenosis_percent": 100}),
        [("vissit", "outside")],
        reasons={
            "vissit": {
                "VISSIT enrolled 70-99% stenosis; this patient has 100%. (Criterion from a secondary source.)"
            }
        },
    ),
    Case(
        "stenosis of 0 is valid and outside",
        sym(["medical", "balloon_stent"], **{**VISSIT_FIT, "stenosis_percent": 0}),
        [("vissit", "outside")],
    ),
    Case(
        "asymptomatic stenosis",
        sym(["medical", "balloon_stent"], **{**VISSIT_FIT, "symptomatic": False}),
        [("vissit", "outside")],
        reasons={
            "vissit": {
                "VISSIT enrolled only symptomatic stenosis; this patient's stenosis is asymptomatic."
            }
        },
    ),
    Case(
        "asymptomatic stenosis is also outside the retrospective study",
        sym(["angioplasty", "balloon_stent"], stenosis_percent=80, symptomatic=False),
        [("angioplasty-vs-stent-retro", "outside")],
        warnings={"angioplasty-vs-stent-retro": {"outside_population"}},
    ),
    Case(
        "qualifying event too long ago",
        sym(["medical", "balloon_stent"], **{**VISSIT_FIT, "days_since_event": 45}),
        [("vissit", "outside")],
        reasons={
            "vissit": {
                "VISSIT enrolled patients up to 30 days after the qualifying TIA or stroke; this patient's event was 45 days ago. (Criterion from a secondary source.)"
            }
        },
    ),
    Case(
        "artery not among those treated",
        sym(["medical", "balloon_stent"], **{**VISSIT_FIT, "artery": "other"}),
        [("vissit", "outside")],
    ),
    Case(
        "fewer than half of the criteria checked: cannot be checked",
        sym(["medical", "balloon_stent"], stenosis_percent=80),
        [("vissit", "unknown")],
        warnings={"vissit": {"population_unchecked"}},
        absent={"vissit": {"outside_population"}},
        reasons={
            "vissit": {
                # The elective setting says the stenosis is symptomatic: no need to ask.
                "VISSIT enrolled only symptomatic stenosis; this patient's stenosis is symptomatic"
                " (the setting is symptomatic stenosis).",
                "VISSIT treated the intracranial internal carotid artery, middle cerebral artery, intracranial vertebral artery or basilar artery; this patient's artery was not given. (Criterion from a secondary source.)",
            }
        },
    ),
    Case(
        "half or more checked and all met, one unknown: applies, with a warning",
        sym(
            ["medical", "self_expanding_stent"],
            stenosis_percent=80,
            symptomatic=True,
            days_since_event=9,
            artery="mca",
            age=64,
        ),
        # SAMMPRIS: five met, the Rankin score unknown, perforator infarcts not reported.
        [("sammpris", "applies"), ("cassiss", "outside")],
        warnings={"sammpris": {"population_partly_unknown"}},
    ),
    Case(
        "three of seven criteria checked is under half: cannot be checked",
        sym(
            ["medical", "balloon_stent"], stenosis_percent=80, symptomatic=True, days_since_event=9
        ),
        [("vissit", "unknown")],
    ),
    Case(
        "a criterion not met outranks unknown ones",
        sym(["medical", "balloon_stent"], stenosis_percent=50),
        [("vissit", "outside")],
    ),
    Case(
        "age is not reported by any study, so an old patient is not outside",
        sym(["medical", "balloon_stent"], **{**VISSIT_FIT, "age": 95}),
        [("vissit", "applies")],
    ),
    Case(
        "single option: medical",
        sym(["medical"], **VISSIT_FIT),
        [
            ("vissit", "applies"),
            ("sammpris", "applies"),
            ("basis", "applies"),
            ("cassiss", "outside"),
        ],
    ),
    Case(
        "single option: angioplasty",
        sym(["angioplasty"], stenosis_percent=80, symptomatic=True),
        [("basis", "unknown"), ("angioplasty-vs-stent-retro", "unknown")],
    ),
    Case(
        "single option: balloon stent lists the trial before the retrospective study",
        sym(["balloon_stent"], **VISSIT_FIT),
        [("vissit", "applies"), ("angioplasty-vs-stent-retro", "unknown")],
    ),
    Case(
        "single option: self-expanding stent, elective",
        sym(["self_expanding_stent"], stenosis_percent=80, symptomatic=True),
        # Randomized trials before the retrospective study within the same status.
        [
            ("sammpris", "unknown"),
            ("cassiss", "unknown"),
            ("angioplasty-vs-stent-retro", "unknown"),
        ],
    ),
    Case(
        "single option: self-expanding stent, acute",
        lvo(["self_expanding_stent"]),
        [("rescue-icas-ses-bms", "unknown"), ("rescue-stenting-meta-2023", "unknown")],
    ),
    Case(
        "outside comparisons come after the others",
        sym(
            ["medical", "angioplasty", "balloon_stent"],
            stenosis_percent=60,
            symptomatic=True,
            days_since_event=5,
            artery="mca",
        ),
        # BASIS, too, enrolled 70-99% stenosis.
        [("angioplasty-vs-stent-retro", "unknown"), ("vissit", "outside"), ("basis", "outside")],
    ),
    Case(
        "all four options, elective",
        sym(["medical", "angioplasty", "balloon_stent", "self_expanding_stent"], **VISSIT_FIT),
        [
            ("vissit", "applies"),
            ("sammpris", "applies"),
            ("basis", "applies"),
            ("angioplasty-vs-stent-retro", "unknown"),
            ("cassiss", "outside"),
        ],
    ),
    Case(
        "BASIS compares angioplasty with medical therapy",
        sym(["medical", "angioplasty"], stenosis_percent=80),
        [("basis", "unknown")],
        warnings={"basis": {"population_unchecked"}},
        absent={"basis": {"observational", "derived_counts"}},
    ),
    Case(
        "no direct comparison: two stent types in the elective setting (RESCUE-ICAS is acute)",
        sym(["balloon_stent", "self_expanding_stent"], stenosis_percent=80),
        [],
        top={"no_direct_comparison"},
    ),
    Case(
        "the meta-analysis answers medical vs a stent in the acute setting",
        lvo(["medical", "balloon_stent"]),
        [("rescue-stenting-meta-2023", "unknown")],
        warnings={
            "rescue-stenting-meta-2023": {
                "observational",
                "stent_type_not_reported",
                "results_not_shown",
            }
        },
    ),
    Case(
        "no direct comparison in the acute setting: medical vs angioplasty",
        lvo(["medical", "angioplasty"]),
        [],
        top={"no_direct_comparison"},
    ),
    Case(
        "no direct comparison in the acute setting: single option",
        lvo(["angioplasty"]),
        [],
        top={"no_direct_comparison"},
    ),
    Case(
        "acute setting never shows the elective trial",
        lvo(["medical", "balloon_stent", "self_expanding_stent"]),
        [("rescue-icas-ses-bms", "unknown"), ("rescue-stenting-meta-2023", "unknown")],
    ),
    Case(
        "pre-stent angioplasty not planned before a self-expanding stent",
        lvo(["self_expanding_stent", "balloon_stent"], prestent_angioplasty=False),
        [("rescue-icas-ses-bms", "unknown")],
        warnings={"rescue-icas-ses-bms": {"subgroup_note"}},
    ),
    Case(
        "pre-stent angioplasty planned",
        lvo(["self_expanding_stent", "balloon_stent"], prestent_angioplasty=True),
        [("rescue-icas-ses-bms", "unknown")],
        warnings={"rescue-icas-ses-bms": {"subgroup_note"}},
    ),
    Case(
        "pre-stent angioplasty flag is ignored when no self-expanding stent is weighed",
        lvo(["balloon_stent"], prestent_angioplasty=False),
        [("rescue-icas-ses-bms", "unknown"), ("rescue-stenting-meta-2023", "unknown")],
        absent={"rescue-icas-ses-bms": {"subgroup_note"}},
    ),
]


def run(base: EvidenceBase, case: Case) -> Assessment:
    return assess(parse_scenario(case.scenario), tables(base))


def test_table_has_at_least_twenty_scenarios() -> None:
    assert len(CASES) >= 20


def test_stent_unspecified_records_the_matched_option(base: EvidenceBase) -> None:
    result = assess(
        parse_scenario(sym(["angioplasty", "self_expanding_stent"], stenosis_percent=80)),
        tables(base),
    )
    (comparison,) = result.comparisons
    # The stent is the more invasive arm, so it is the intervention.
    assert comparison.match.intervention_option == "self_expanding_stent"
    assert comparison.match.comparator_option == "angioplasty"
    assert comparison.match.unspecified_stent


def test_subgroup_note_text_quotes_the_source(base: EvidenceBase) -> None:
    result = assess(
        parse_scenario(lvo(["self_expanding_stent", "balloon_stent"], prestent_angioplasty=False)),
        tables(base),
    )
    (note,) = [w for w in result.comparisons[0].warnings if w.code == "subgroup_note"]
    assert "(14% vs 1%)" in note.text


def test_outcome_signals_give_reasons(base: EvidenceBase) -> None:
    result = assess(parse_scenario(lvo(["self_expanding_stent", "balloon_stent"])), tables(base))
    outcomes = {o.stats.outcome.id: o for o in result.comparisons[0].outcomes}
    mrs = {s.code: s.text for s in outcomes["mrs_0_2_90d"].signals}
    assert mrs["adjusted_estimate_only"] == (
        "Only an adjusted effect is published (adjusted for: inverse probability weighting); no counts per group."
    )
    stroke = {s.code: s.text for s in outcomes["recurrent_stroke"].signals}
    assert stroke["small_numbers"].startswith("Few events (15 and 1)")
    assert "derived_counts" in stroke
    # No difference is computed from assumed counts, so no signal is read from one.
    assert not {"ci_excludes_no_difference", "ci_includes_no_difference"} & set(stroke)
    assert outcomes["recurrent_stroke"].not_computed_reason is not None


def _plain(value: Any) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return value is None or type(value) in (str, int, float, bool)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_assessment_serializes_to_plain_json(base: EvidenceBase, case: Case) -> None:
    payload = assessment_json(run(base, case))
    assert _plain(payload)
    text = json.dumps(payload, allow_nan=False)
    assert json.loads(text) == payload
    assert payload["scenario"] == parse_scenario(case.scenario).to_json()


def test_reason_table_holds_the_evaluators_own_reasons(base: EvidenceBase) -> None:
    # Reasons are written at start-up for every value the contract allows; each must be what
    # comparing that value gives, and a lookup must not confuse true with 1.
    for study, table in zip(base.evidence.studies, tables(base).reasons, strict=True):
        assert set(table) == set(study.criteria)
        for name, by_value in table.items():
            assert set(by_value) == {(type(v), v) for v in field_values(name)}
            for (_, value), found in by_value.items():
                assert found == reason(study, name, value)


def test_plans_match_every_choice_of_options(base: EvidenceBase) -> None:
    # 4 single options, 12 ordered pairs, 24 ordered triples and 24 orders of all four.
    plans = tables(base).plans
    assert len(plans) == 2 * 64
    for (_setting, options), plan in plans.items():
        assert len(set(options)) == len(options)
        for index, match in plan.candidates:
            assert match == match_comparison(base.studies[index].study, options)
    # every study compares some choice of options
    assert {i for p in plans.values() for i, _ in p.candidates} == set(range(len(base.studies)))


def test_serialized_vissit_numbers(base: EvidenceBase) -> None:
    payload = assessment_json(
        assess(parse_scenario(sym(["medical", "balloon_stent"], **VISSIT_FIT)), tables(base))
    )
    comparison = payload["comparisons"][0]
    assert comparison["intervention"]["treatment"] == "balloon_stent"
    assert comparison["comparator"]["n"] == 53
    safety = comparison["outcomes"][0]
    assert safety["intervention"]["events"] == 14 and safety["intervention"]["total"] == 58
    assert round(safety["intervention"]["rate"], 3) == 0.241
    assert [round(100 * x, 1) for x in safety["intervention"]["ci"]] == [13.9, 37.2]
    assert round(safety["risk_difference"]["value"], 4) == round(14 / 58 - 5 / 53, 4)
    assert safety["risk_difference"]["method"] == "newcombe-hybrid-score"
    assert safety["nnt"]["kind"] == "NNTH"
    assert round(safety["p_value"]["value"], 2) == 0.05
    assert safety["published"]["intervention"]["percent"] == "24.1"
    ich = next(o for o in comparison["outcomes"] if o["id"] == "ich_30d")
    assert ich["risk_ratio"] is None
    assert ich["risk_ratio_undefined"]
