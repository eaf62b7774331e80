"""Format extensions for the landmark trials: signed differences, KM event rates, bounds, new criteria."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.analysis.audit import audit_outcome, audit_study
from app.engine.criteria import reason
from app.evidence.loader import load_evidence
from app.evidence.model import Printed, Study
from tests.minimal_study import SOURCE_TEXT, STUDY, write_evidence
from tests.test_evidence import problems_for

# Sentences printing the figures these tests add: every printed figure must stand in its quote.
SOURCE = SOURCE_TEXT + (
    " The risk difference was 20 points (−16 to 51). A risk difference of 10 points (−16 to 51) was"
    " also reported. The hazard ratio was 1.5 (−0.5 to 3). One-year event rates were 20.0% with"
    " stenting and 12.2% with medical therapy. Death occurred in 9.1%, hazard ratio 1.22 (0.58-2.58),"
    " P = 0.60."
)


def loaded(tmp_path: Path, study: str) -> Study:
    (found,) = load_evidence(write_evidence(tmp_path, study, source=SOURCE)).studies
    return found


def effect(kind: str, estimate: str, ci: tuple[str, str], quote: str) -> str:
    return (
        f'\n[[outcomes.effects]]\ntype = "{kind}"\nestimate = "{estimate}"\nci = ["{ci[0]}", "{ci[1]}"]\n'
        'adjustment = "not stated"\ndirection = "intervention_vs_comparator"\n'
        f'source = "abstract"\nquote = "{quote}"\n'
    )


def test_a_printed_difference_may_be_negative_and_is_set_beside_the_crude_one(
    tmp_path: Path,
) -> None:
    # 3/10 - 1/10 = 20 points. Newcombe (method 10) by hand, from the Wilson limits 0.1078-0.6032
    # and 0.0179-0.4042: 0.2 - sqrt(0.1922² + 0.3042²) = -0.160, 0.2 + sqrt(0.3032² + 0.0821²) = 0.514.
    study = loaded(
        tmp_path / "ok",
        STUDY
        + effect(
            "risk_difference", "20", ("−16", "51"), "The risk difference was 20 points (−16 to 51)."
        ),
    )
    outcome = study.outcomes[0]
    assert outcome.effects[0].ci[0] == Printed("−16") and outcome.effects[0].ci[0].value == -16
    (item,) = [a for a in audit_outcome(outcome, study) if a.figure.startswith("Risk difference")]
    assert (item.published, item.recomputed, item.agrees) == (
        "20 (−16 to 51) points",
        "20 (-16 to 51) points",
        True,
    )
    study = loaded(
        tmp_path / "off",
        STUDY
        + effect(
            "risk_difference", "10", ("−16", "51"), "A risk difference of 10 points (−16 to 51)"
        ),
    )
    (item,) = [
        a for a in audit_outcome(study.outcomes[0], study) if a.figure.startswith("Risk difference")
    ]
    assert item.agrees is False
    assert "The printed difference of 10 points is not the crude 20.00 points" in item.note


def test_only_a_difference_may_be_negative(tmp_path: Path) -> None:
    found = problems_for(
        tmp_path,
        ('percent = "30"', 'percent = "-30"'),
        study=STUDY
        + effect("hazard_ratio", "1.5", ("−0.5", "3"), "The hazard ratio was 1.5 (−0.5 to 3)."),
        source=SOURCE,
    )
    assert found == [
        "studies/mini.toml: outcomes[0].arms.stent.percent: must not be negative here, got '-30'",
        "studies/mini.toml: outcomes[0].effects[0].ci: must not be negative here, got '−0.5'",
    ]


def test_a_middle_dot_decimal_mark_is_kept_as_printed() -> None:
    figure = Printed("14·7")
    assert (figure.value, figure.decimals, figure.text) == (14.7, 1, "14·7")
    assert figure.agrees(100 * 33 / 224) and not figure.agrees(100 * 13 / 227)


KM_EVENTS = """
[[outcomes]]
id = "primary_1y"
kind = "kaplan_meier"
role = "primary"
label = "Stroke at 1 year"
plain_label = "a stroke"
event = "harmful"
timeframe = "1 year"

[outcomes.definition]
source = "abstract"
quote = "Stroke within 30 days"

[outcomes.arms.stent]
event_rate = "20.0"
source = "abstract"
quote = "One-year event rates were 20.0% with stenting and 12.2% with medical therapy."

[outcomes.arms.medical]
event_rate = "12.2"
source = "abstract"
quote = "One-year event rates were 20.0% with stenting and 12.2% with medical therapy."
"""


def test_kaplan_meier_event_rates_are_printed_only(tmp_path: Path) -> None:
    study = loaded(tmp_path, STUDY + KM_EVENTS)
    outcome = study.outcomes[1]
    assert outcome.arms["stent"].event_rate == Printed("20.0")
    items = audit_outcome(outcome, study)
    assert [(a.figure, a.published, a.agrees) for a in items] == [
        ("Stent: Kaplan-Meier event rate", "20.0%", None),
        ("Medical therapy: Kaplan-Meier event rate", "12.2%", None),
    ]
    both = KM_EVENTS.replace('event_rate = "20.0"', 'event_rate = "20.0"\nsurvival = "20.0"')
    assert problems_for(tmp_path / "both", study=STUDY + both, source=SOURCE) == [
        "studies/mini.toml: outcomes[1].arms.stent: needs survival or event_rate (the cumulative"
        " probability of the event), not both"
    ]


SECONDARY = '\n[sources.review]\nkind = "secondary"\ntitle = "A review"\nfile = "sources/mini.txt"\norigin = "tests"\n'


def test_an_upper_limit_may_have_a_source_of_its_own(tmp_path: Path) -> None:
    days = STUDY.replace(
        '[criteria.days_since_event]\nmax = 30\nsource = "abstract"\nquote = "in the past 30 days"\n',
        '[criteria.days_since_event]\nmin = 21\nmax = 30\nsource = "abstract"\n'
        'quote = "a symptomatic event"\n\n[criteria.days_since_event.upper]\nsource = "review"\n'
        'quote = "in the past 30 days"\n',
    )
    study = loaded(tmp_path, days + SECONDARY)
    assert reason(study, "days_since_event", 10).status == "not_met"
    assert reason(study, "days_since_event", 25).text == (
        "Mini enrolled patients 21-30 days after the qualifying TIA or stroke; this patient's event"
        " was 25 days ago. (Upper limit from a secondary source.)"
    )


def test_rankin_and_perforator_criteria(tmp_path: Path) -> None:
    criteria = STUDY.replace(
        '[criteria.mrs]\nreported = false\nnote = "Not stated."\n', "[criteria.mrs]\nmax = 2\n"
    ).replace(
        '[criteria.perforator_infarct]\nreported = false\nnote = "Not stated."\n',
        "[criteria.perforator_infarct]\nexcluded = true\n",
    )
    study = loaded(tmp_path, criteria)
    assert [reason(study, "mrs", v).status for v in (None, 2, 3)] == ["unknown", "met", "not_met"]
    assert reason(study, "mrs", 3).text == (
        "Mini enrolled patients with a modified Rankin score of up to 2; this patient's score is 3."
    )
    assert [reason(study, "perforator_infarct", v).status for v in (None, False, True)] == [
        "unknown",
        "met",
        "not_met",
    ]
    assert reason(study, "perforator_infarct", True).text == (
        "Mini excluded patients whose qualifying stroke was a perforator (brainstem or basal"
        " ganglia) infarct; this patient's qualifying stroke was one."
    )
    found = problems_for(tmp_path / "bad", ("excluded = true", "excluded = false"), study=criteria)
    assert found == [
        "studies/mini.toml: criteria.perforator_infarct.excluded: write it only as true (the study"
        " excluded such patients); otherwise write reported = false with a note"
    ]


def test_a_facts_published_effect_is_audited(tmp_path: Path) -> None:
    fact = (
        '\n[[facts]]\nlabel = "Death"\nvalue = "9.1%"\npercent = "9.1"\nsource = "abstract"\n'
        'quote = "Death occurred in 9.1%"\n\n[[facts.effects]]\ntype = "hazard_ratio"\n'
        'estimate = "1.22"\nci = ["0.58", "2.58"]\np = "0.60"\nadjustment = "not stated"\n'
        'direction = "intervention_vs_comparator"\nsource = "abstract"\n'
        'quote = "Death occurred in 9.1%, hazard ratio 1.22 (0.58-2.58), P = 0.60."\n'
    )
    study = loaded(tmp_path, STUDY.replace("[[outcomes]]", fact + "\n[[outcomes]]", 1))
    items = audit_study(study)
    # ln 1.22 = 0.199, SE = (ln 2.58 - ln 0.58) / 3.92 = 0.381: z = 0.52, P = 0.60 (CASSISS, death).
    assert [(a.figure, a.recomputed, a.agrees) for a in items] == [
        ("Death: percent", "not recomputable", None),
        ("Death: P value implied by the hazard ratio's CI", "0.591–0.612", True),
    ]


@pytest.mark.parametrize("text", ["-5", "−5", "<−5"])
def test_a_p_value_is_never_negative(tmp_path: Path, text: str) -> None:
    found = problems_for(tmp_path, ('p = ".58"', f'p = "{text}"'))
    assert found == [
        f"studies/mini.toml: outcomes[0].test.p: must not be negative here, got {text!r}"
    ]
