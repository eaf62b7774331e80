"""GRADE certainty: each domain's rule rated down not at all, once and (where it can) twice, on fixture evidence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.analysis import pooling
from app.analysis.base import EvidenceBase, analyse
from app.analysis.certainty import (
    Certainty,
    Domain,
    imprecision_from,
    inconsistency,
    publication_bias,
    start,
)
from app.analysis.families import Group
from app.analysis.statements import statement
from app.contract.scenario import CRITERIA, parse_scenario
from app.engine.assess import Comparison, assess
from app.evidence.loader import load_evidence
from app.evidence.model import EvidenceError, Family
from tests.engine_tables import tables
from tests.minimal_study import SOURCE_TEXT, STUDY, write_evidence

DOMAINS = ["risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias"]


def study_with(
    tmp_path: Path,
    counts: tuple[int, int, int, int] = (3, 10, 1, 10),
    *,
    bias: str = "",
    design: str = "randomized_trial",
    criteria: str = "",
) -> EvidenceBase:
    """The minimal study with other counts, risk-of-bias judgements, design or an age criterion."""
    a, n1, c, n2 = counts
    stent, medical = f"{a}/{n1} ({100 * a // n1}%) with stenting", f"{c}/{n2} ({100 * c // n2}%)"
    source = SOURCE_TEXT.replace("3/10 (30%) with stenting", stent).replace(
        "1/10 (10%) with medical therapy", f"{medical} with medical therapy"
    )
    source += " Outcome assessment was not blinded. Patients were lost to follow-up."
    study = (
        STUDY.replace("3/10 (30%) with stenting", stent)
        .replace("1/10 (10%) with medical therapy", f"{medical} with medical therapy")
        .replace(
            'n = 10\nsource = "abstract"\nquote = "' + stent,
            f'n = {n1}\nsource = "abstract"\nquote = "{stent}',
        )
        .replace(
            'n = 10\nsource = "abstract"\nquote = "' + medical,
            f'n = {n2}\nsource = "abstract"\nquote = "{medical}',
        )
        .replace(
            'events = 3\ntotal = 10\npercent = "30"',
            f'events = {a}\ntotal = {n1}\npercent = "{100 * a // n1}"',
        )
        .replace(
            'events = 1\ntotal = 10\npercent = "10"',
            f'events = {c}\ntotal = {n2}\npercent = "{100 * c // n2}"',
        )
        .replace('value = "randomized_trial"', f'value = "{design}"')
    )
    if criteria:
        study = study.replace(
            '[criteria.age]\nreported = false\nnote = "Not stated."', f"[criteria.age]\n{criteria}"
        )
    return analyse(load_evidence(write_evidence(tmp_path, study + bias, source=source)))


def judgement(domain: str, level: str, quote: str = "We randomized 20 patients") -> str:
    return (
        f'\n[[risk_of_bias]]\ndomain = "{domain}"\njudgement = "{level}"\n'
        f'reason = "Judged {level} for {domain}."\nsource = "abstract"\nquote = "{quote}"\n'
    )


def assessed(base: EvidenceBase, **changes: Any) -> Comparison:
    scenario = {
        "setting": "symptomatic_icas",
        "options": ["medical", "balloon_stent"],
        "stenosis_percent": 80,
        "symptomatic": True,
        "days_since_event": 10,
        "age": 64,
        **changes,
    }
    (comparison,) = assess(parse_scenario(scenario), tables(base)).comparisons
    return comparison


def domains(comparison: Comparison) -> dict[str, Domain]:
    certainty = comparison.certainty[0]
    assert certainty is not None
    return {d.name: d for d in certainty.domains}


# --- where it starts, and the rating -------------------------------------------------------------


def test_randomized_trials_start_high_every_other_design_low() -> None:
    assert start("randomized_trial") == "high"
    for design in ("prospective_registry", "retrospective_cohort", "meta_analysis_nonrandomized"):
        assert start(design) == "low"


def test_rating_is_the_start_less_every_level_never_below_very_low() -> None:
    def rated(start_: str, *levels: int) -> str:
        parts = tuple(Domain(name, lv, "x.") for name, lv in zip(DOMAINS, levels, strict=False))
        return Certainty(start_, parts).rating

    assert rated("high", 0, 0, 0, 0, 0) == "high"
    assert rated("high", 1, 0, 0, 0, 0) == "moderate"
    assert rated("high", 1, 0, 0, 2, 0) == "very_low"
    assert rated("high", 2, 2, 2, 2, 0) == "very_low"
    assert rated("low", 0, 0, 0, 0, 0) == "low"
    assert rated("low", 0, 0, 1, 0, 0) == "very_low"


def test_an_observational_fixture_study_starts_low(tmp_path: Path) -> None:
    base = study_with(tmp_path, (30, 100, 10, 100), design="retrospective_cohort")
    certainty = assessed(base, age=None).certainty[0]
    assert certainty is not None and certainty.start == "low"


# --- risk of bias ----------------------------------------------------------------------------------


def test_risk_of_bias_not_rated_down_for_some_concerns(tmp_path: Path) -> None:
    base = study_with(tmp_path, bias=judgement("blinding", "some_concerns"))
    found = domains(assessed(base))["risk_of_bias"]
    assert found.levels == 0
    assert found.reason == "Mini: blinding (some concerns); not rated down."


def test_risk_of_bias_rated_down_once_for_one_high_risk(tmp_path: Path) -> None:
    bias = judgement("outcome_assessment", "high", "Outcome assessment was not blinded")
    base = study_with(tmp_path, bias=bias + judgement("blinding", "low"))
    found = domains(assessed(base))["risk_of_bias"]
    assert (found.levels, found.reason) == (
        1,
        "Mini: outcome assessment (high risk); rated down one level.",
    )


def test_risk_of_bias_rated_down_twice_for_two_high_risks(tmp_path: Path) -> None:
    bias = judgement("outcome_assessment", "high", "Outcome assessment was not blinded")
    bias += judgement("attrition", "high", "Patients were lost to follow-up")
    base = study_with(tmp_path, bias=bias)
    assert domains(assessed(base))["risk_of_bias"].levels == 2


def test_risk_of_bias_without_a_recorded_judgement_is_rated_down_once(tmp_path: Path) -> None:
    found = domains(assessed(study_with(tmp_path)))["risk_of_bias"]
    assert found.levels == 1
    assert found.reason.startswith("No risk-of-bias judgement is recorded for Mini")


def test_the_loader_names_every_bad_judgement(tmp_path: Path) -> None:
    bad = (
        '\n[[risk_of_bias]]\ndomain = "vibes"\njudgement = "dreadful"\nreason = "No full stop"\n'
        'source = "abstract"\nquote = "not in the source at all"\n'
        + judgement("blinding", "low")
        + judgement("blinding", "high")
    )
    with pytest.raises(EvidenceError) as raised:
        study_with(tmp_path, bias=bad)
    text = str(raised.value)
    assert "risk_of_bias[0].domain: 'vibes' is not one of" in text
    assert "risk_of_bias[0].judgement: 'dreadful' is not one of" in text
    assert "risk_of_bias[0].reason: must be one sentence ending with a full stop" in text
    assert "risk_of_bias[0].quote" in text
    assert "risk_of_bias[2].domain: 'blinding' is judged twice" in text


# --- inconsistency ---------------------------------------------------------------------------------


def family_group(*tables_: tuple[int, int, int, int]) -> Group:
    pooled = pooling.pool(
        [pooling.TwoArm(f"S{i}", *t) for i, t in enumerate(tables_)],
        measure="risk_ratio",
        model="fixed",
    )
    family = Family("f", "Stroke", "Any stroke.", "30 days", "Comparable.")
    return Group(
        family, "symptomatic_icas", "patients", ("balloon_stent", "medical"), (), pooled, None, ()
    )


def test_a_single_study_is_not_rated_down_for_inconsistency(tmp_path: Path) -> None:
    found = domains(assessed(study_with(tmp_path)))["inconsistency"]
    assert (found.levels, found.assessable) == (0, False)
    assert (
        found.reason == "A single study: inconsistency cannot be assessed, so it is not rated down."
    )


def test_inconsistency_from_i2_and_overlapping_intervals() -> None:
    alike = inconsistency(family_group((20, 100, 10, 100), (22, 100, 11, 100)))
    assert (alike.levels, alike.reason) == (0, "I² = 0% and the intervals overlap; not rated down.")
    # I² 67%, intervals still overlapping: once.
    apart = inconsistency(family_group((30, 100, 10, 100), (12, 100, 10, 100)))
    assert (apart.levels, apart.reason) == (
        1,
        "I² = 67% and the intervals overlap; rated down one level.",
    )
    # I² 93% and intervals that do not overlap: twice.
    split = inconsistency(family_group((50, 100, 10, 100), (5, 100, 10, 100)))
    assert (split.levels, split.reason) == (
        2,
        "I² = 93% and some intervals do not overlap; rated down two levels.",
    )


# --- indirectness ----------------------------------------------------------------------------------


def test_indirectness_not_rated_down_when_the_study_applies(tmp_path: Path) -> None:
    base = study_with(tmp_path, criteria="min = 18\nmax = 90")
    found = domains(assessed(base))["indirectness"]
    assert (found.levels, found.reason) == (
        0,
        f"This patient meets every criterion of Mini checked (4 of {len(CRITERIA)}); not rated down.",
    )


def test_indirectness_rated_down_once_outside_on_one_criterion(tmp_path: Path) -> None:
    base = study_with(tmp_path, criteria="min = 18\nmax = 90")
    found = domains(assessed(base, days_since_event=40))["indirectness"]
    assert found.levels == 1
    assert found.reason.startswith("This patient is outside Mini's population on 1 criterion (days")


def test_indirectness_rated_down_once_when_too_few_criteria_can_be_checked(tmp_path: Path) -> None:
    found = domains(assessed(study_with(tmp_path)))["indirectness"]
    assert found.levels == 1
    assert found.reason.startswith(
        f"Only 3 of the {len(CRITERIA)} population criteria of Mini could be checked"
    )


def test_indirectness_rated_down_twice_outside_on_two_criteria(tmp_path: Path) -> None:
    base = study_with(tmp_path, criteria="min = 18\nmax = 90")
    found = domains(assessed(base, days_since_event=40, age=95))["indirectness"]
    assert found.levels == 2
    assert "on 2 criteria" in found.reason


# --- imprecision -----------------------------------------------------------------------------------


def test_imprecision_not_rated_down_with_a_narrow_interval_and_300_events(tmp_path: Path) -> None:
    base = study_with(tmp_path, (200, 1000, 100, 1000), criteria="min = 18\nmax = 90")
    found = domains(assessed(base))["imprecision"]
    assert found.levels == 0
    assert found.reason.endswith("300 events meet the optimal information size; not rated down.")


def test_imprecision_rated_down_once_under_300_events(tmp_path: Path) -> None:
    base = study_with(tmp_path, (30, 100, 10, 100))
    found = domains(assessed(base))["imprecision"]
    assert (found.levels, found.reason) == (
        1,
        "40 events in all, fewer than the optimal information size of about 300; rated down"
        " one level.",
    )


def test_imprecision_rated_down_twice_when_the_interval_spans_benefit_and_harm(
    tmp_path: Path,
) -> None:
    found = domains(assessed(study_with(tmp_path)))["imprecision"]
    assert found.levels == 2
    assert "includes both an appreciable reduction (below 0.75) and an appreciable increase" in (
        found.reason
    )


def test_imprecision_rated_down_once_for_no_effect_and_one_appreciable_effect() -> None:
    found = imprecision_from((0.9, 1.6), 500)
    assert found.levels == 1
    assert "includes no effect and an appreciable increase (above 1.25)" in found.reason


# --- publication bias ------------------------------------------------------------------------------


def test_publication_bias_is_not_assessable_under_10_studies_and_never_rated_down() -> None:
    one = publication_bias(1)
    assert (one.levels, one.assessable) == (0, False)
    assert one.reason == "Not assessable with one study (fewer than 10), so not rated down."
    assert publication_bias(12).levels == 0


# --- the statements --------------------------------------------------------------------------------


def test_informative_statements_follow_santesso() -> None:
    words = ("Stenting", "medical therapy", "stroke")
    assert statement("high", *words, "increase") == (
        "Stenting increases stroke compared with medical therapy."
    )
    assert statement("moderate", *words, "reduce") == (
        "Stenting probably reduces stroke compared with medical therapy."
    )
    assert statement("low", *words, "increase") == (
        "Stenting may increase stroke compared with medical therapy."
    )
    assert statement("high", *words, "none") == (
        "Stenting results in little or no difference in stroke compared with medical therapy."
    )
    assert statement("very_low", *words, "increase") == (
        "The evidence is very uncertain about the effect of stenting on stroke, compared with"
        " medical therapy."
    )


def test_little_or_no_difference_where_the_interval_excludes_appreciable_effects(
    tmp_path: Path,
) -> None:
    base = study_with(
        tmp_path,
        (150, 1000, 150, 1000),
        bias=judgement("blinding", "low"),
        criteria="min = 18\nmax = 90",
    )
    certainty = assessed(base).certainty[0]
    assert certainty is not None and certainty.rating == "high"
    assert certainty.statement == (
        "Balloon-mounted (balloon-expandable) stent results in little or no difference in stroke"
        " within 30 days compared with medical therapy."
    )
