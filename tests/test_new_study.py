"""The fictional fourth study (tests/fixtures/new_study/) loads, and its patient words stay plain."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import textstat

from app.analysis.base import analyse
from app.contract.scenario import parse_scenario
from app.engine.assess import assess
from app.evidence.loader import load_evidence
from app.web import counsel
from tests.engine_tables import tables
from tests.new_study import write_new_study


def test_the_fixture_study_loads_with_every_criterion_reported(tmp_path: Path) -> None:
    (study,) = load_evidence(write_new_study(tmp_path)).studies
    assert study.id == "second-trial"
    assert (study.arms["stent"].treatment, study.arms["medical"].treatment) == (
        "balloon_stent",
        "medical",
    )
    # The fixture predates the Rankin and perforator fields, which it records as not reported.
    original = ("stenosis_percent", "symptomatic", "days_since_event", "artery", "age")
    assert all(study.criteria[name].reported for name in original)
    assert not any(study.criteria[n].reported for n in ("mrs", "perforator_infarct"))


def test_three_unknown_facts_stay_at_reading_grade_8(tmp_path: Path) -> None:
    # A study that reports all five criteria, and a patient who gives only the stenosis: three facts
    # cannot be checked (the elective setting says the stenosis is symptomatic), the longest list
    # the fit sentence can hold there.
    base = analyse(load_evidence(write_new_study(tmp_path)))
    scenario = {
        "setting": "symptomatic_icas",
        "options": ["medical", "balloon_stent"],
        "stenosis_percent": 75,
    }
    page = counsel.counsel_view(
        assess(parse_scenario(scenario), tables(base)), today=dt.date(2025, 3, 7)
    )
    (comparison,) = page.comparisons
    sentence = (
        "Some facts were not given. So they could not be checked: the time since the stroke or"
        " mini-stroke, which artery and age."
    )
    assert sentence in comparison.fit
    assert textstat.flesch_kincaid_grade(sentence) <= 8.0
