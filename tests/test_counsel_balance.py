"""The balance rule (app/web/counsel_outcomes.py) branch by branch, on a small fixture study."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import textstat

from app.analysis.base import EvidenceBase, analyse
from app.contract.scenario import parse_scenario
from app.engine.assess import assess
from app.evidence.loader import load_evidence
from app.evidence.model import EvidenceError
from app.web import counsel
from app.web.counsel_glance import glance, prepare_glances
from app.web.counsel_outcomes import OtherOutcome, shared_findings
from tests.engine_tables import tables
from tests.minimal_study import STUDY, write_evidence

SCENARIO = {
    "setting": "symptomatic_icas",
    "options": ["medical", "balloon_stent"],
    "stenosis_percent": 80,
}
STENT = 'source = "abstract"\nquote = "3/10 (30%) with stenting"'
MEDICAL = 'source = "abstract"\nquote = "1/10 (10%) with medical therapy"'


def outcome(
    outcome_id: str, *, kind: str, role: str, timeframe: str = "30 days", body: str = ""
) -> str:
    statement = 'statement = "Said in words."\n' if kind == "narrative" else ""
    return f"""
[[outcomes]]
id = "{outcome_id}"
kind = "{kind}"
role = "{role}"
label = "Stroke ({outcome_id})"
plain_label = "a stroke"
event = "harmful"
timeframe = "{timeframe}"
{statement}
[outcomes.definition]
source = "abstract"
quote = "Stroke within 30 days"
{body}"""


COUNTS = f"""
[outcomes.arms.stent]
events = 3
total = 10
{STENT}

[outcomes.arms.medical]
events = 1
total = 10
{MEDICAL}
"""
ASSUMED = f"""
[outcomes.arms.stent]
events = 3
total = 10
percent = "30"
derived = {{ events = "Back-calculated from 30%.", total = "Not printed." }}
{STENT}

[outcomes.arms.medical]
events = 1
total = 10
percent = "10"
derived = {{ events = "Back-calculated from 10%.", total = "Not printed." }}
{MEDICAL}
"""
FOUND = """
[outcomes.finding]
result = "{result}"
source = "abstract"
quote = "Stroke within 30 days occurred in 3/10"
"""
EXTRA = "".join(
    (
        outcome("sub", kind="binary", role="subgroup", body=COUNTS),
        outcome("words", kind="narrative", role="secondary"),
        outcome(
            "found",
            kind="narrative",
            role="secondary",
            body=FOUND.format(result="more_with_comparator"),
        ),
        outcome(
            "main_words",
            kind="narrative",
            role="primary safety",
            body=FOUND.format(result="no_difference"),
        ),
        outcome("assumed", kind="binary", role="safety", body=ASSUMED),
        outcome("untimed", kind="binary", role="safety", timeframe="not reported", body=COUNTS),
        outcome("counted", kind="binary", role="secondary", body=COUNTS),
    )
)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> EvidenceBase:
    return analyse(load_evidence(write_evidence(tmp_path_factory.mktemp("ev"), STUDY + EXTRA)))


def mini(base: EvidenceBase) -> counsel.CounselComparison:
    page = counsel.counsel_view(
        assess(parse_scenario(SCENARIO), tables(base)), today=dt.date(2025, 3, 7)
    )
    (comparison,) = page.comparisons
    return comparison


def test_pictured_told_and_left_out(base: EvidenceBase) -> None:
    comparison = mini(base)
    # Pictured: the main outcome with printed counts over a stated time.
    assert [o.id for o in comparison.outcomes] == ["stroke_30d"]
    # Told: main outcomes first (study order), then the counted and the quoted ones. Left out: the
    # subgroup and the secondary outcome that has neither numbers nor a quoted finding.
    assert [o.id for o in comparison.others] == [
        "main_words",
        "assumed",
        "untimed",
        "found",
        "counted",
    ]


def test_each_told_outcome_says_what_it_can(base: EvidenceBase) -> None:
    others = {o.id: o for o in mini(base).others}
    assert others["main_words"].lines == ()
    assert others["main_words"].finding == (
        "No numbers were given for each group. The study found no clear difference between the"
        " groups."
    )
    assert others["main_words"].quote == "Stroke within 30 days occurred in 3/10"
    assert others["found"].finding.endswith("this happened more often with medicines only.")
    # Back-calculated counts: the printed percentages, no picture, and why.
    assert others["assumed"].lines == (
        "Medicines only: about 10 of 100 people had it. The study gave 10%.",
        "Balloon stent: about 30 of 100 people had it. The study gave 30%.",
    )
    assert others["assumed"].notes[0].startswith("The study gave these as percentages.")
    # Printed counts over a time not stated: the counts, told, with the time said to be unstated.
    assert others["untimed"].lines == (
        "Medicines only: about 10 of 100 people had it. In the study, 1 of 10.",
        "Balloon stent: about 30 of 100 people had it. In the study, 3 of 10.",
    )
    assert others["untimed"].time_line == "Time: over a time not stated in the study."
    assert others["counted"].finding == ""
    for other in others.values():
        for paragraph in other.paragraphs:
            assert textstat.flesch_kincaid_grade(paragraph) <= 8.0, paragraph


def test_the_glance_lists_every_main_outcome(base: EvidenceBase) -> None:
    assessment = assess(parse_scenario(SCENARIO), tables(base))
    (comparison,) = glance(assessment, prepare_glances(base.studies)).comparisons
    found = {o.href.rsplit("-", 1)[-1]: o for o in comparison.outcomes}
    assert set(found) == {"stroke_30d", "main_words", "assumed", "untimed"}
    assert found["assumed"].intervention == "Balloon-mounted stent: 30% (printed)"
    assert found["assumed"].tags == ("printed percentages; counts not stated",)
    assert found["untimed"].tags == ("time frame not stated",)
    assert found["main_words"].text == "no per-group figures; the study reports no difference"


def test_a_missing_finding_stops_start_up(tmp_path: Path) -> None:
    study = STUDY + outcome("main_words", kind="narrative", role="primary")
    with pytest.raises(EvidenceError, match="finding: required for a primary or safety outcome"):
        load_evidence(write_evidence(tmp_path, study))


def test_only_neighbours_without_numbers_saying_the_same_share_a_finding_cell() -> None:
    def told(outcome_id: str, *, cells: tuple[str, ...] = (), quote: str = "") -> OtherOutcome:
        return OtherOutcome(
            id=outcome_id,
            title=outcome_id,
            time_line="",
            lines=(),
            cells=cells,
            finding="" if cells else "The study found no clear difference between the groups.",
            quote=quote,
            quote_source="",
            notes=(),
        )

    same, other = "No difference in either.", "No difference in this one."
    rows = shared_findings(
        (
            told("a", quote=same),
            told("b", quote=same),
            told("c", quote=same),
            told("counted", cells=("About 1 of 100", "About 2 of 100")),
            told("d", quote=same),
            told("e", quote=other),
        )
    )
    assert [o.finding_rows for o in rows] == [3, 0, 0, 1, 1, 1]
    assert shared_findings(()) == ()
