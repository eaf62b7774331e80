"""Personal absolute risks on the shipped evidence: SES vs medical therapy, symptomatic setting.

The 30-day stroke-or-death family holds SAMMPRIS (33/224 vs 13/227) and CASSISS (9/176 vs 4/181,
secondary-source counts); their Mantel-Haenszel risk ratio is 2.512 (1.459-4.323) with I² 0%, so
it is the relative effect, and a 10% baseline gives 25.1% (14.6% to 43.2%) with the stent.
"""

from __future__ import annotations

import html
import re

import pytest
import textstat
from flask import Flask

from app.analysis import pooling

pytestmark = pytest.mark.shipped_evidence

SES_VS_MEDICAL = {
    "setting": "symptomatic_icas",
    "options": ["medical", "self_expanding_stent"],
    "stenosis_percent": 80,
    "symptomatic": True,
    "days_since_event": 10,
    "age": 64,
}
FORM = {
    "setting": "symptomatic_icas",
    "options": ["medical", "self_expanding_stent"],
    "stenosis_percent": "80",
    "symptomatic": "yes",
    "days_since_event": "10",
    "age": "64",
}
POOLED = pooling.pool(
    [
        pooling.TwoArm("SAMMPRIS", 33, 224, 13, 227),
        pooling.TwoArm("CASSISS", 9, 176, 4, 181),
    ],
    measure="risk_ratio",
    model="fixed",
)


def _risks(app: Flask, **extra: object) -> list[dict]:
    answer = app.test_client().post("/api/v1/assess", json={**SES_VS_MEDICAL, **extra}).get_json()
    sammpris = next(c for c in answer["comparisons"] if c["study"]["id"] == "sammpris")
    return sammpris["personal_risks"]


def test_a_10_percent_baseline_gives_10_times_the_pooled_risk_ratio(app: Flask) -> None:
    (risk,) = [
        r
        for r in _risks(app, baseline_risks={"stroke_death_30d": 10})
        if r["family"] == "stroke_death_30d"
    ]
    effect = risk["relative_effect"]
    assert effect["source"] == "pooled" and effect["measure"] == "risk_ratio"
    assert sorted(effect["studies"]) == ["CASSISS", "SAMMPRIS"] and effect["i2"] == 0.0
    assert abs(effect["value"] - POOLED.estimate) < 1e-12
    assert abs(risk["with_intervention"]["percent"] - 10 * POOLED.estimate) < 1e-9
    assert abs(risk["with_intervention"]["ci"][0] - 10 * POOLED.ci[0]) < 1e-9
    assert abs(risk["with_intervention"]["ci"][1] - 10 * POOLED.ci[1]) < 1e-9
    assert round(risk["with_intervention"]["percent"], 1) == 25.1
    assert risk["difference"]["points"] == pytest.approx(15.1197, abs=1e-4)
    # The difference's CI (4.6 to 33.2 points) excludes 0 over a fixed 30 days: NNTH 6.6.
    assert risk["nnt"]["kind"] == "NNTH" and risk["nnt"]["value"] == pytest.approx(6.614, abs=1e-3)
    assert risk["baseline"]["source"] == "entered"


def test_without_a_baseline_each_comparator_arm_is_a_preset_applicable_first(app: Flask) -> None:
    risks = [r for r in _risks(app) if r["family"] == "stroke_death_30d"]
    # Day 10: SAMMPRIS (within 30 days) applies; CASSISS (at least 3 weeks) is outside.
    assert [(r["baseline"]["study"], r["baseline"]["applicability"]) for r in risks] == [
        ("SAMMPRIS", "applies"),
        ("CASSISS", "outside"),
    ]
    assert [r["baseline"]["counts"] for r in risks] == [[13, 227], [4, 181]]
    assert risks[0]["baseline"]["percent"] == pytest.approx(100 * 13 / 227)
    # At day 40 the order turns: CASSISS applies, SAMMPRIS is outside.
    late = [r for r in _risks(app, days_since_event=40) if r["family"] == "stroke_death_30d"]
    assert [r["baseline"]["study"] for r in late] == ["CASSISS", "SAMMPRIS"]


def test_the_three_pages_show_the_same_figures(app: Flask) -> None:
    client = app.test_client()
    form = {**FORM, "baseline_risks.stroke_death_30d": "10"}
    expected = (
        f"{10 * POOLED.estimate:.1f}% (95% CI {10 * POOLED.ci[0]:.1f}% to {10 * POOLED.ci[1]:.1f}%)"
    )
    assert expected == "25.1% (95% CI 14.6% to 43.2%)"
    clinician = client.post("/", data=form).get_data(as_text=True)
    assert expected in clinician
    for view in ("patient", "print"):
        page = client.post("/", data={**form, "view": view}).get_data(as_text=True)
        assert "figure 25.1%" in page and "as low as 15 or as high as 43 in 100" in page, view
        assert "about 10 in 100 people like you" in page, view
        assert page.count('class="icon-array"') >= 2


def test_the_timeline_shows_both_options_at_each_published_horizon(app: Flask) -> None:
    page = (
        app.test_client()
        .post("/", data={**FORM, "baseline_risks.stroke_death_30d": "10"})
        .get_data(as_text=True)
    )
    start = page.index('<section class="timeline"')
    section = page[start : page.index("</section>", start)]
    svg = section[section.index("<svg") : section.index("</svg>")]
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</th>", section)
    # 30 days (both trials, pooled), 1 year (CASSISS), the final follow-up (SAMMPRIS).
    assert rows == ["30 days", "1 year", "median follow-up 32·4 months"]
    assert svg.count("<circle") == 3  # the baseline (medical therapy) at each horizon
    assert svg.count("h8v8h-8Z") == 3  # the stent, with its interval, at each horizon
    assert "25.1% (95% CI 14.6% to 43.2%)" in section


def test_every_forest_row_says_whether_the_patient_fits(app: Flask) -> None:
    page = app.test_client().post("/", data=FORM).get_data(as_text=True)
    start = page.index('class="forest-table"')
    table = page[start : page.index("</table>", start)]
    assert "SAMMPRIS</a></th><td>33/224 vs 13/227" in table
    study_rows = re.findall(r'<tr><th scope="row"><a [^>]*>(\w+)</a>.*?</tr>', table)
    assert study_rows == ["SAMMPRIS", "CASSISS"]
    assert '<span class="status-applies">Applies</span>' in table
    assert '<span class="status-outside">Outside</span>' in table
    # The pooled risk difference (+6.3 points fixed) comes with its own I² (74%), Q, P and τ²,
    # and the random-effects estimate; the risk ratio's I² (0%) is printed for the ratio.
    assert "+6.3 pp (+2.8 to +9.9)" in table
    assert "Heterogeneity of the risk difference: I² 74%" in table
    assert "Heterogeneity of the risk ratio: I² 0%" in table
    assert "Pooled risk difference (DerSimonian-Laird random effects" in table


def test_the_patient_words_for_the_estimated_risk_read_at_grade_8(app: Flask) -> None:
    page = app.test_client().post(
        "/", data={**FORM, "baseline_risks.stroke_death_30d": "10", "view": "patient"}
    )
    html_text = page.get_data(as_text=True)
    start = html_text.index('<section class="personal"')
    section = re.sub(r"<svg.*?</svg>", " ", html_text[start:], flags=re.S)
    section = section[: section.index('<section class="timeline"')]
    blocks = [
        " ".join(html.unescape(re.sub(r"<[^>]+>", " ", b)).split())
        for b in re.findall(r"<(?:p|li|h3)\b[^>]*>(.*?)</(?:p|li|h3)>", section, re.S)
    ]
    assert len(blocks) >= 5
    for block in blocks:
        assert textstat.flesch_kincaid_grade(block) <= 8.0, block
    assert textstat.flesch_kincaid_grade(" ".join(blocks)) <= 8.0
