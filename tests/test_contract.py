"""The scenario contract's single declaration: every derived form agrees with it, rule for rule."""

from __future__ import annotations

from dataclasses import fields, replace
from pathlib import Path

import pytest

from app.api import schemas
from app.api import twobytwo as api_twobytwo
from app.contract import scenario, twobytwo, vocabulary
from app.contract.scenario import FIELD, FIELD_NAMES, FIELDS, Scenario, ignored_fields
from app.evidence import model
from app.web import counsel, formatting, results
from app.web.forms import ScenarioForm
from tests.minimal_study import STUDY
from tests.test_evidence import problems_for


def test_the_dataclass_and_the_declaration_name_the_same_fields_in_order() -> None:
    assert tuple(f.name for f in fields(Scenario)) == FIELD_NAMES
    # The published fields keep their order; a new field comes after them.
    assert FIELD_NAMES[:12] == (
        "setting",
        "options",
        "stenosis_percent",
        "symptomatic",
        "days_since_event",
        "artery",
        "age",
        "mrs",
        "perforator_infarct",
        "prestent_angioplasty",
        "baseline_risks",
        "centre_results",
    )


def test_prestent_angioplasty_is_used_only_in_lvo_with_a_self_expanding_stent() -> None:
    with_ses = ignored_fields("lvo_icas", ["medical", "self_expanding_stent"])
    assert with_ses == {
        "symptomatic": "in the acute LVO setting the occlusion is the qualifying event.",
        "days_since_event": "in the acute LVO setting the occlusion is the qualifying event.",
        "perforator_infarct": "in the acute LVO setting the occlusion is the qualifying event.",
    }
    assert ignored_fields("lvo_icas", ["balloon_stent"])["prestent_angioplasty"] == (
        "it is used only when a self-expanding stent is among the options."
    )
    assert ignored_fields("symptomatic_icas", ["self_expanding_stent"]) == {
        "prestent_angioplasty": "it is used only in the acute LVO setting."
    }
    assert ignored_fields("not_a_setting", ["medical"]) == {}


def test_the_form_takes_labels_hints_and_choices_from_the_declaration() -> None:
    form = ScenarioForm()
    for field in FIELDS:
        if field.kind == "entries":  # rows of its own, headed by the field's label and hint
            assert form.centre_field is field
            continue
        assert form[field.name].label.text == field.label
        assert form.hint(field.name) == field.hint
    assert [value for value, *_ in form["artery"].iter_choices()] == ["", *vocabulary.ARTERIES]
    assert [label for _, label, *_ in form["options"].iter_choices()] == [
        "Medical therapy",
        "Angioplasty alone",
        "Balloon-mounted (balloon-expandable) stent",
        "Self-expanding stent",
    ]
    assert form["age"].message == "Enter a whole number from 18 to 120, e.g. 64."


def test_the_request_schema_takes_ranges_choices_and_requirements_from_the_declaration() -> None:
    properties = schemas.SCENARIO["properties"]
    assert list(properties) == list(FIELD_NAMES)
    assert (properties["age"]["minimum"], properties["age"]["maximum"]) == (18, 120)
    assert properties["artery"]["enum"] == [*vocabulary.ARTERIES, None]
    assert schemas.SCENARIO["required"] == ["setting", "options"]
    assert schemas.SCENARIO["then"]["required"] == ["stenosis_percent"]
    assert schemas.SCENARIO["if"]["properties"]["setting"] == {"const": "symptomatic_icas"}


def test_scenario_rows_write_each_kind_of_value_for_both_audiences() -> None:
    chosen = scenario.parse_scenario(
        {
            "setting": "symptomatic_icas",
            "options": ["medical", "balloon_stent"],
            "stenosis_percent": 80,
            "artery": "mca",
        }
    )
    clinician = results.scenario_rows(chosen, ignored_fields(chosen.setting, chosen.options))
    # Every field has a row (the centre's results have a section of their own; the choice to use
    # the centre's early risk is listed only when ticked); a field added to the contract later adds
    # its own after these.
    assert [r.label for r in clinician] == [
        f.label for f in FIELDS if f.kind != "entries" and not f.listed_when_true
    ]
    ticked = replace(chosen, use_centre_early_risk=True)
    rows = results.scenario_rows(ticked, ignored_fields(chosen.setting, chosen.options))
    assert (rows[-1].label, rows[-1].value) == (FIELD["use_centre_early_risk"].label, "Yes")
    assert [(r.label, r.value) for r in clinician][:11] == [
        ("Clinical setting", "Symptomatic intracranial stenosis (elective decision)"),
        (
            "Treatment options being weighed",
            "Medical therapy; Balloon-mounted (balloon-expandable) stent",
        ),
        ("Degree of stenosis (%)", "80%"),
        # Left unanswered, the setting answers it, as the applicability check reads it.
        ("Is the stenosis symptomatic?", "Yes (the setting is symptomatic stenosis)"),
        ("Days since the qualifying TIA or stroke", "Not known"),
        ("Artery with the stenosis", "Middle cerebral artery"),
        ("Age (years)", "Not known"),
        ("Baseline modified Rankin score (0-5)", "Not known"),
        ("Qualifying stroke a perforator (brainstem or basal ganglia) infarct", "Not known"),
        ("Angioplasty planned before a self-expanding stent", "Not used in this setting"),
        ("Baseline risks (your own estimate, optional)", "None entered"),
    ]
    entered = replace(chosen, baseline_risks=(("stroke_death_30d", 12.5),))
    rows = results.scenario_rows(entered, ignored_fields(chosen.setting, chosen.options))
    (baseline,) = [r for r in rows if r.label == FIELD["baseline_risks"].label]
    assert baseline.value == "stroke_death_30d: 12.5%"
    patient = counsel.scenario_rows(chosen)
    # Fields listed for patients only when given (the Rankin score, perforator infarct) are left out.
    assert [r.label for r in patient] == [
        f.patient_label for f in FIELDS if f.patient_label and not f.patient_when_given
    ]
    given = counsel.scenario_rows(replace(chosen, mrs=1, perforator_infarct=False))
    rows = {r.label: r.value for r in given}
    assert rows["Help needed in daily life before treatment"] == (
        "Some symptoms, but does all usual activities (Rankin score 1)"
    )
    assert rows["Stroke deep in the brain, from a tiny side branch"] == "No"
    assert patient[0].value.startswith("A narrowed artery inside the head")
    assert patient[-1].value == "Not used here"
    assert rows["Narrowing has caused a stroke or mini-stroke"] == "Yes (the problem above says so)"
    # An answer given is shown as given (an asymptomatic stenosis is outside the tool's scope).
    stated = counsel.scenario_rows(replace(chosen, symptomatic=False))
    assert {r.label: r.value for r in stated}[
        "Narrowing has caused a stroke or mini-stroke"
    ] == "No"
    lvo = scenario.parse_scenario({"setting": "lvo_icas", "options": ["medical", "balloon_stent"]})
    lvo_rows = results.scenario_rows(lvo, ignored_fields(lvo.setting, lvo.options))
    assert {r.label: r.value for r in lvo_rows}["Is the stenosis symptomatic?"] == (
        "Not used in this setting"
    )


def test_evidence_constants_come_from_the_contract() -> None:
    assert (*scenario.OPTIONS, "stent_unspecified") == model.TREATMENTS
    assert tuple(scenario.SETTINGS) == model.SETTINGS
    assert model.CRITERIA == scenario.CRITERIA
    assert model.CRITERIA[:7] == (
        "stenosis_percent",
        "symptomatic",
        "days_since_event",
        "artery",
        "age",
        "mrs",
        "perforator_infarct",
    )
    assert model.CRITERION_RANGES["mrs"] == FIELD["mrs"].limits == (0, 5)
    assert model.CRITERION_RANGES["age"] == FIELD["age"].limits == (18, 120)
    assert formatting.STATUS_WORDS["unchecked"] == "Cannot be checked"


@pytest.mark.parametrize(("low", "message"), [(16, "must be at least 18"), (0, "at least 18")])
def test_a_study_age_limit_below_the_contracts_range_is_refused(
    tmp_path: Path, low: int, message: str
) -> None:
    age = '[criteria.age]\nreported = false\nnote = "Not stated."\n'
    assert age in STUDY
    problems = problems_for(tmp_path, (age, f"[criteria.age]\nmin = {low}\n"))
    assert any("criteria.age.min" in p and message in p for p in problems), problems


def test_two_by_two_contract_reports_every_bad_field_and_feeds_the_schema() -> None:
    with pytest.raises(twobytwo.TwoByTwoError) as raised:
        twobytwo.parse_two_by_two(
            {"intervention": {"events": 5, "total": 0}, "comparator": None, "confidence": 2}
        )
    assert raised.value.fields == {
        "intervention.total": ["Must be at least 1; got 0."],
        "comparator": ["Required."],
        "confidence": ["Must be a number greater than 0.5 and at most 0.999; got 2."],
    }
    counts = schemas.COUNTS["properties"]
    assert (counts["events"]["minimum"], counts["total"]["minimum"]) == (0, 1)
    assert counts["total"]["maximum"] == twobytwo.MAX_TOTAL == 1_000_000
    assert schemas.TWO_BY_TWO_REQUEST["required"] == ["intervention", "comparator"]
    # The API module serves the same contract objects, not copies.
    assert api_twobytwo.parse_two_by_two is twobytwo.parse_two_by_two


def test_each_criterion_kind_reads_a_field_of_its_own_kind() -> None:
    # A range limits a whole number, a yes/no criterion a flag, an allowed set a choice.
    from app.contract.scenario import ELIGIBILITY, FIELD, KIND_OF_FIELD

    assert ELIGIBILITY
    for name, words in ELIGIBILITY.items():
        assert FIELD[name].kind == KIND_OF_FIELD[words.kind], name
        if words.kind == "range":
            assert "{range}" in words.enrolled and "{value}" in words.this, name
        if words.kind in ("required", "exclusion"):
            assert words.this and words.no and words.this != words.no, name
