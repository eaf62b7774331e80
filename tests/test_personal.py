"""Personal absolute risks on fixture evidence: the relative-effect rule, the arithmetic, bounds, 422s.

The studies are small files written by each test (tests/minimal_study.py), so the figures here
never depend on the shipped evidence.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from flask import Flask

from app import create_app
from app.analysis import pooling
from app.analysis.base import EvidenceBase, analyse
from app.analysis.relative import Ratio
from app.contract.scenario import ScenarioError, parse_scenario
from app.engine.assess import Assessment, assess
from app.engine.personal import Baseline, personal_risk
from app.evidence.loader import load_evidence
from app.web.personal import nnt_text
from tests.engine_tables import tables
from tests.minimal_study import MANIFEST, STUDY, write_evidence
from tests.test_register_families import FAMILIES, with_families

SCENARIO = {
    "setting": "symptomatic_icas",
    "options": ["balloon_stent", "medical"],
    "stenosis_percent": 80,
    "symptomatic": True,
    "days_since_event": 10,
}


def _second(counts: tuple[tuple[int, int], tuple[int, int]], days: int) -> tuple[str, str]:
    """A second trial of the same pair (its source text and study file), enrolling within `days`."""
    (a, n1), (c, n2) = counts
    pa, pc = round(100 * a / n1), round(100 * c / n2)
    source = (
        f"We randomized {n1 + n2} patients with stenosis of 70-99% and a symptomatic event in the previous"
        f" {days} days. Stroke within 30 days occurred in {a}/{n1} ({pa}%) with stenting vs"
        f" {c}/{n2} ({pc}%) with medical therapy (P = .07)."
    )
    study = (
        STUDY.replace('id = "mini"', 'id = "mini-two"')
        .replace('short_name = "Mini"', 'short_name = "Mini Two"')
        .replace('file = "sources/mini.txt"', 'file = "sources/two.txt"')
        .replace("n = 10\nsource", f"n = {n1}\nsource", 1)
        .replace("n = 10\nsource", f"n = {n2}\nsource", 1)
        .replace("3/10 (30%) with stenting", f"{a}/{n1} ({pa}%) with stenting")
        .replace("1/10 (10%) with medical therapy", f"{c}/{n2} ({pc}%) with medical therapy")
        .replace(
            'events = 3\ntotal = 10\npercent = "30"',
            f'events = {a}\ntotal = {n1}\npercent = "{pa}"',
        )
        .replace(
            'events = 1\ntotal = 10\npercent = "10"',
            f'events = {c}\ntotal = {n2}\npercent = "{pc}"',
        )
        .replace('p = ".58"', 'p = ".07"')
        .replace('quote = "(P = .58)"', 'quote = "(P = .07)"')
        .replace("We randomized 20 patients", f"We randomized {n1 + n2} patients")
        .replace("in the past 30 days", f"in the previous {days} days")
        .replace("max = 30\n", f"max = {days}\n")
    )
    return source, study


def write_pair(
    root: Path, counts: tuple[tuple[int, int], tuple[int, int]] = ((2, 20), (8, 20)), days: int = 30
) -> Path:
    """The mini trial and a second one (listed first) weighing the same pair, with a family."""
    source, study = _second(counts, days)
    digest = hashlib.sha256(source.encode()).hexdigest()
    manifest = MANIFEST.replace(
        'studies = ["studies/mini.toml"]',
        'studies = ["studies/mini-two.toml", "studies/mini.toml"]',
    ).replace("[sha256]", f'[sha256]\n"sources/two.txt" = "{digest}"')
    write_evidence(root, manifest=manifest)
    (root / "sources" / "two.txt").write_text(source, encoding="utf-8")
    (root / "studies" / "mini-two.toml").write_text(study, encoding="utf-8")
    return with_families(root)


def _assess(base: EvidenceBase, **extra: object) -> Assessment:
    return assess(parse_scenario({**SCENARIO, **extra}), tables(base))


def _family(assessment: Assessment):
    (found,) = assessment.personal
    return found


def test_one_study_uses_its_own_risk_ratio_from_counts(tmp_path: Path) -> None:
    base = analyse(load_evidence(with_families(write_evidence(tmp_path))))
    found = _family(_assess(base, baseline_risks={"stroke_30d": 2.5}))
    assert found.ratio is not None and found.ratio.source == "study"
    assert found.ratio.measure == "risk_ratio" and found.ratio.studies == ("Mini",)
    assert found.ratio.value == pytest.approx(3.0)  # 3/10 vs 1/10
    (risk,) = found.risks
    assert risk.baseline.source == "entered" and risk.baseline.percent == 2.5
    assert risk.with_intervention.value == pytest.approx(7.5, abs=1e-9)
    assert risk.with_intervention.lower == pytest.approx(2.5 * found.ratio.lower, abs=1e-9)
    assert risk.with_intervention.upper == pytest.approx(2.5 * found.ratio.upper, abs=1e-9)
    assert risk.difference.value == pytest.approx(5.0, abs=1e-9)
    # Katz's interval for 3/10 vs 1/10 includes 1: the difference's includes 0, so no NNT.
    assert risk.difference.lower < 0 < risk.difference.upper and risk.nnt is None
    assert "applies at your estimated risk" in risk.assumption


def test_two_homogeneous_trials_use_the_pooled_risk_ratio(tmp_path: Path) -> None:
    # Mini Two: 6/20 vs 2/20, the same risk ratio as Mini's 3/10 vs 1/10, so its I² is 0.
    base = analyse(load_evidence(write_pair(tmp_path, ((6, 20), (2, 20)))))
    found = _family(_assess(base, baseline_risks={"stroke_30d": 5}))
    expected = pooling.pool(
        [pooling.TwoArm("Mini Two", 6, 20, 2, 20), pooling.TwoArm("Mini", 3, 10, 1, 10)],
        measure="risk_ratio",
        model="fixed",
    )
    assert found.ratio.source == "pooled" and found.ratio.i2 == 0.0
    assert set(found.ratio.studies) == {"Mini", "Mini Two"}
    (risk,) = found.risks
    assert abs(risk.with_intervention.value - 5 * expected.estimate) < 1e-9
    assert abs(risk.with_intervention.lower - 5 * expected.ci[0]) < 1e-9
    assert abs(risk.with_intervention.upper - 5 * expected.ci[1]) < 1e-9
    assert "Pooled risk ratio" in found.why and "below 50%" in found.why


def test_heterogeneous_trials_use_the_most_applicable_trial(tmp_path: Path) -> None:
    # Mini: RR 3 (3/10 vs 1/10); Mini Two: RR 0.25 (2/20 vs 8/20), enrolling only within 5 days:
    # the risk ratio's I² is at or above 50%, so the trial this patient (day 10) fits is used.
    base = analyse(load_evidence(write_pair(tmp_path, days=5)))
    group = next(e for e in base.relative if e.family.id == "stroke_30d")
    assert group.pooled is None and "I²" in group.not_pooled
    found = _family(_assess(base))
    assert found.ratio.source == "study" and found.ratio.studies == ("Mini",)
    # Mini reports 3 of the 7 criteria: it cannot be checked, but nothing rules the patient out.
    assert "most applicable randomized study (cannot be checked for this patient)" in found.why
    assert "at or above 50%" in found.why
    # Without an entered baseline each comparator arm is a preset, the applicable study first,
    # though Mini Two is listed first in the manifest.
    assert [(r.baseline.study, r.baseline.applicability) for r in found.risks] == [
        ("Mini", "unknown"),
        ("Mini Two", "outside"),
    ]
    assert [r.baseline.percent for r in found.risks] == [10.0, 40.0]
    # At day 3 neither trial rules the patient out: ties go to the larger trial.
    early = _family(_assess(base, days_since_event=3))
    assert early.ratio.studies == ("Mini Two",)


def test_an_odds_ratio_is_converted_with_the_baseline(tmp_path: Path) -> None:
    adjusted = STUDY.replace('family = "stroke_30d"\n', "") + (
        '\n[[outcomes]]\nid = "stroke_adjusted"\nkind = "adjusted_effect"\nrole = "secondary"\n'
        'label = "Stroke, adjusted"\nplain_label = "a stroke"\nevent = "harmful"\n'
        'timeframe = "30 days"\n\n[outcomes.definition]\nsource = "abstract"\n'
        'quote = "Stroke within 30 days"\n\n[[outcomes.effects]]\ntype = "odds_ratio"\n'
        'estimate = "2.0"\nci = ["1.1", "3.6"]\nadjustment = "age"\n'
        'direction = "intervention_vs_comparator"\nsource = "abstract"\n'
        'quote = "The odds ratio of stroke adjusted for age was 2.0 (95% CI, 1.1-3.6)"\n'
    )
    root = write_evidence(tmp_path, adjusted)
    (root / "families.toml").write_text(FAMILIES, encoding="utf-8")
    manifest = (root / "manifest.toml").read_text(encoding="utf-8")
    (root / "manifest.toml").write_text(
        manifest.replace("[sha256]", 'families = "families.toml"\n\n[sha256]'), encoding="utf-8"
    )
    text = (root / "studies" / "mini.toml").read_text(encoding="utf-8")
    (root / "studies" / "mini.toml").write_text(
        text.replace(
            'kind = "adjusted_effect"\nrole = "secondary"\nlabel = "Stroke, adjusted"\nplain_label = "a stroke"\nevent = "harmful"\ntimeframe = "30 days"\n',
            'kind = "adjusted_effect"\nrole = "secondary"\nlabel = "Stroke, adjusted"\nplain_label = "a stroke"\nevent = "harmful"\ntimeframe = "30 days"\nfamily = "stroke_30d"\n',
        ),
        encoding="utf-8",
    )
    base = analyse(load_evidence(root))
    found = _family(_assess(base, baseline_risks={"stroke_30d": 20}))
    assert found.ratio.measure == "odds_ratio" and found.ratio.value == 2.0
    assert "printed adjusted odds ratio (age)" in found.why.lower()
    (risk,) = found.risks
    p0 = 0.2

    def convert(odds: float) -> float:
        return 100 * odds * p0 / (1 - p0 + odds * p0)

    assert risk.with_intervention.value == pytest.approx(convert(2.0), abs=1e-9)  # 33.33%
    assert risk.with_intervention.lower == pytest.approx(convert(1.1), abs=1e-9)
    assert risk.with_intervention.upper == pytest.approx(convert(3.6), abs=1e-9)
    # A very high baseline stays a risk below 100% under the odds-ratio conversion.
    high = _family(_assess(base, baseline_risks={"stroke_30d": 99.5})).risks[0]
    assert high.with_intervention is not None and high.with_intervention.upper < 100
    # No presets: the adjusted outcome prints no counts per group.
    assert _family(_assess(base)).risks == ()


def test_a_hazard_ratio_is_never_used_as_a_risk_ratio(tmp_path: Path) -> None:
    hazard = STUDY.replace(
        '[outcomes.test]\np = ".58"',
        '[[outcomes.effects]]\ntype = "hazard_ratio"\nestimate = "2.0"\nci = ["1.1", "3.6"]\n'
        'adjustment = "age"\ndirection = "intervention_vs_comparator"\nsource = "abstract"\n'
        'quote = "The odds ratio of stroke adjusted for age was 2.0 (95% CI, 1.1-3.6)"\n\n'
        '[outcomes.test]\np = ".58"',
    )
    base = analyse(load_evidence(with_families(write_evidence(tmp_path, hazard))))
    found = _family(_assess(base))
    # The counts' risk ratio is used, and the page says the hazard ratio is not.
    assert found.ratio.how == "risk ratio from the counts (Katz)"
    assert found.ratio.value == pytest.approx(3.0)
    assert "hazard ratio is not used as a risk ratio" in found.why


def test_a_product_above_100_percent_is_not_a_risk(tmp_path: Path) -> None:
    base = analyse(load_evidence(with_families(write_evidence(tmp_path))))
    (risk,) = _family(_assess(base, baseline_risks={"stroke_30d": 40})).risks
    # RR 3 at 40% would be 120%: nothing shown, and the note says why.
    assert risk.with_intervention is None and risk.difference is None and risk.nnt is None
    assert "cannot apply at a baseline of 40%" in risk.note
    assert "above 100%" in risk.note
    # At 20% the point (60%) is a risk, but the interval's upper end is cut at 100%, and said so.
    (risk,) = _family(_assess(base, baseline_risks={"stroke_30d": 20})).risks
    assert risk.with_intervention.value == pytest.approx(60.0, abs=1e-9)
    assert risk.with_intervention.upper == 100.0 and risk.difference.upper == 80.0
    assert "the interval is shown up to 100%" in risk.note


def test_a_vanishing_baseline_gives_no_infinite_nnt(tmp_path: Path) -> None:
    # The smallest positive float is a valid percent; 100 / (RR 3 x 5e-324 - 5e-324) is infinite.
    base = analyse(load_evidence(with_families(write_evidence(tmp_path))))
    effect = _family(_assess(base)).effect
    ratio = Ratio("risk_ratio", 3.0, 2.5, 3.5, "study", ("X",), None, "risk ratio", True)
    risk = personal_risk(effect, ratio, Baseline(5e-324, "entered"))
    assert risk.difference is not None and risk.difference.lower > 0
    assert risk.nnt is None
    assert nnt_text(risk) == "none: the difference is too small to invert"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "Must be above 0 and below 100 (a percent); got 0."),
        (100, "Must be above 0 and below 100 (a percent); got 100."),
        (-3.5, "Must be above 0 and below 100 (a percent); got -3.5."),
        ("10", "Must be a percent above 0 and below 100; got the text '10'."),
        (True, "Must be a percent above 0 and below 100; got true/false."),
    ],
)
def test_bad_baselines_are_refused_naming_the_family(value: object, message: str) -> None:
    with pytest.raises(ScenarioError) as raised:
        parse_scenario({**SCENARIO, "baseline_risks": {"stroke_30d": value}})
    assert raised.value.fields == {"baseline_risks.stroke_30d": [message]}


def test_the_baseline_field_must_be_an_object_of_family_ids() -> None:
    with pytest.raises(ScenarioError) as raised:
        parse_scenario({**SCENARIO, "baseline_risks": [10]})
    assert list(raised.value.fields) == ["baseline_risks"]
    with pytest.raises(ScenarioError) as raised:
        parse_scenario({**SCENARIO, "baseline_risks": {"Stroke 30d": 10}})
    assert list(raised.value.fields) == ["baseline_risks.Stroke 30d"]
    # Decimals are allowed and kept as given.
    scenario = parse_scenario({**SCENARIO, "baseline_risks": {"stroke_30d": 0.25}})
    assert scenario.to_json()["baseline_risks"] == {"stroke_30d": 0.25}


@pytest.fixture()
def fixture_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Flask:
    root = write_pair(tmp_path, days=5)
    monkeypatch.setenv("ICAS_EVIDENCE_DIR", str(root))
    return create_app({"TESTING": True})


def test_the_api_answers_personal_risks_and_422s_naming_the_family(fixture_app: Flask) -> None:
    client = fixture_app.test_client()
    answer = client.post(
        "/api/v1/assess", json={**SCENARIO, "baseline_risks": {"stroke_30d": 2}}
    ).get_json()
    mini = next(c for c in answer["comparisons"] if c["study"]["name"] == "Mini")
    (risk,) = mini["personal_risks"]
    assert risk["family"] == "stroke_30d" and risk["timeframe"] == "30 days"
    assert risk["baseline"] == {
        "percent": 2.0,
        "source": "entered",
        "study": None,
        "applicability": None,
        "counts": None,
    }
    effect = risk["relative_effect"]
    assert (effect["measure"], effect["source"], effect["studies"]) == (
        "risk_ratio",
        "study",
        ["Mini"],
    )
    assert risk["with_intervention"]["percent"] == pytest.approx(6.0, abs=1e-9)
    assert risk["with_intervention"]["ci"] == [
        pytest.approx(2 * effect["ci"][0], abs=1e-9),
        pytest.approx(2 * effect["ci"][1], abs=1e-9),
    ]
    assert risk["difference"]["points"] == pytest.approx(4.0, abs=1e-9)
    bad = client.post("/api/v1/assess", json={**SCENARIO, "baseline_risks": {"nope": 5}})
    assert bad.status_code == 422
    assert bad.get_json()["fields"] == {
        "baseline_risks.nope": ["Unknown outcome family; families are: stroke_30d."]
    }
    bad = client.post("/api/v1/assess", json={**SCENARIO, "baseline_risks": {"stroke_30d": 100}})
    assert bad.status_code == 422
    assert list(bad.get_json()["fields"]) == ["baseline_risks.stroke_30d"]


def test_the_form_carries_the_baseline_and_refuses_bad_text(fixture_app: Flask) -> None:
    client = fixture_app.test_client()
    form = {
        "setting": "symptomatic_icas",
        "options": ["balloon_stent", "medical"],
        "stenosis_percent": "80",
        "symptomatic": "yes",
        "days_since_event": "10",
        "baseline_risks.stroke_30d": "2",
    }
    page = client.post("/", data=form).get_data(as_text=True)
    assert '<details class="baseline-risks" open>' in page
    assert "6.0% (95% CI" in page  # 2% x RR 3
    patient = client.post("/", data={**form, "view": "patient"}).get_data(as_text=True)
    assert '<input type="hidden" name="baseline_risks.stroke_30d" value="2">' in patient
    assert "6.0%" in patient and "about 6 in 100" in patient.lower()
    bad = client.post("/", data={**form, "baseline_risks.stroke_30d": "lots"})
    assert bad.status_code == 422
    assert "Enter a percent above 0 and below 100" in bad.get_data(as_text=True)
    unknown = client.post("/", data={**form, "baseline_risks.nope": "5"})
    assert unknown.status_code == 422
    assert "Unknown outcome family" in unknown.get_data(as_text=True)
    # Blank inputs mean "not given": the section stays collapsed and presets are shown.
    blank = client.post("/", data={**form, "baseline_risks.stroke_30d": ""}).get_data(as_text=True)
    assert '<details class="baseline-risks">' in blank
    assert "Mini comparator arm, 1/10 (cannot be checked whether this patient fits" in blank


def test_forest_rows_say_whether_the_patient_fits_and_pool_differences_honestly(
    fixture_app: Flask,
) -> None:
    page = fixture_app.test_client().post(
        "/",
        data={
            "setting": "symptomatic_icas",
            "options": ["balloon_stent", "medical"],
            "stenosis_percent": "80",
            "symptomatic": "yes",
            "days_since_event": "10",
        },
    )
    html = page.get_data(as_text=True)
    table = html[html.index('class="forest-table"') :]
    table = table[: table.index("</table>")]
    assert '<span class="status-unknown">Cannot be checked</span>' in table  # Mini: 3 of 7
    assert '<span class="status-outside">Outside</span>' in table  # Mini Two, within 5 days
    assert "(totals)" not in table
    # The pooled difference comes with its own heterogeneity and the random-effects estimate.
    assert "Pooled risk difference (Mantel-Haenszel fixed effect)" in table
    assert (
        "Pooled risk difference (DerSimonian-Laird random effects, truncated Hartung-Knapp" in table
    )
    assert "Heterogeneity of the risk difference: I²" in table
    assert "Heterogeneity of the risk ratio: I²" in table
