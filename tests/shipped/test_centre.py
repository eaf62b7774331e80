"""A centre's 2 of 60 with a self-expanding stent beside SAMMPRIS's and CASSISS's stent arms.

The figures of the shipped evidence: the JSON, the three pages and the funnel plot agree with each
other, with ``POST /api/v1/two-by-two`` and with scipy.stats.binom.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
import textstat
from flask import Flask
from flask.testing import FlaskClient
from scipy.stats import binom

from app.analysis import significance, stats
from app.analysis.base import analyse
from app.evidence.loader import load_evidence
from app.web.formatting import difference_text, p_value_text
from tests.engine_tables import tables
from tests.evidence_dirs import SHIPPED_DIR
from tests.perf.page_weight import COMPRESSED_LIMIT, LIMIT, fetch_with, form_body, page_weight
from tests.scenarios import ALL_OPTIONS

pytestmark = pytest.mark.shipped_evidence

ENTRY = {"option": "self_expanding_stent", "family": "stroke_death_30d", "events": 2, "total": 60}
SCENARIO: dict[str, Any] = {
    "setting": "symptomatic_icas",
    "options": ["medical", "self_expanding_stent"],
    "stenosis_percent": 80,
    "symptomatic": True,
    "centre_results": [ENTRY],
}
ARMS = {"SAMMPRIS": (33, 224), "CASSISS": (9, 176)}


def row() -> int:
    """The form row of the self-expanding stent in the 30-day family (rows follow the evidence)."""
    found = tables(analyse(load_evidence(SHIPPED_DIR))).centre
    return sorted(found).index(("symptomatic_icas", ENTRY["family"], ENTRY["option"]))


def form(view: str) -> dict[str, Any]:
    index = row()
    return {
        "setting": "symptomatic_icas",
        "options": ["medical", "self_expanding_stent"],
        "stenosis_percent": "80",
        "symptomatic": "yes",
        f"centre-{index}-events": "2",
        f"centre-{index}-total": "60",
        "view": view,
    }


def two_by_two(client: FlaskClient, events: int, total: int) -> dict[str, Any]:
    table = {
        "intervention": {"events": 2, "total": 60},
        "comparator": {"events": events, "total": total},
    }
    response = client.post("/api/v1/two-by-two", json=table)
    assert response.status_code == 200
    return response.get_json()


def test_the_json_sets_the_centre_beside_each_stent_arm(client: FlaskClient) -> None:
    response = client.post("/api/v1/assess", json=SCENARIO)
    assert response.status_code == 200
    body = response.get_json()
    assert body["scenario"]["centre_results"] == [ENTRY]
    (found,) = body["centre_comparisons"]
    rate = stats.proportion(events=2, total=60)
    assert found["rate"] == {
        "value": rate.value,
        "ci": [rate.lower, rate.upper],
        "confidence": 0.95,
        "method": "clopper-pearson",
    }
    assert (round(100 * rate.lower, 1), round(100 * rate.upper, 1)) == (0.4, 11.5)
    assert [a["study"] for a in found["trial_arms"]] == list(ARMS)
    for arm in found["trial_arms"]:
        events, total = ARMS[arm["study"]]
        assert (arm["events"], arm["total"]) == (events, total)
        answer = two_by_two(client, events, total)
        assert arm["difference"]["value"] == pytest.approx(
            answer["risk_difference"]["value"], abs=1e-9
        )
        assert arm["difference"]["ci"] == pytest.approx(answer["risk_difference"]["ci"], abs=1e-9)
        assert arm["difference"]["method"] == answer["risk_difference"]["method"]
        assert arm["p_value"]["value"] == pytest.approx(answer["p_value"]["value"], abs=1e-9)
        assert answer["intervention"]["ci"] == pytest.approx(found["rate"]["ci"], abs=1e-9)
    assert [a["verdict"] for a in found["trial_arms"]] == ["lower", "unclear"]
    assert found["trial_arms"][1]["secondary"] is True  # CASSISS's counts: a secondary source
    assert found["text"] == (
        "Your centre's 2 of 60 (3.3%; 95% CI 0.4% to 11.5%) is lower than SAMMPRIS's"
        " self-expanding stent arm, 33 of 224 (14.7%); it cannot be told apart from CASSISS's"
        " self-expanding stent arm, 9 of 176 (5.1%, counts from a secondary source) (the"
        " difference's 95% CI includes 0). With 60 procedures the centre's 95% CI is as wide as"
        " the trials' pooled rate (10.5%) or wider: too few procedures for a precise rate; read"
        " the interval, not the point estimate."
    )
    assert found["benchmark"] == {
        "events": 42,
        "total": 400,
        "rate": 0.105,
        "studies": ["SAMMPRIS", "CASSISS"],
    }


def test_the_funnel_limits_are_exact_binomial_limits_at_every_plotted_n(
    client: FlaskClient,
) -> None:
    (found,) = client.post("/api/v1/assess", json=SCENARIO).get_json()["centre_comparisons"]
    p = found["benchmark"]["rate"]
    plotted = found["funnel"]["limits"] + [point["limits"] for point in found["funnel"]["points"]]
    assert len(plotted) > 40 and max(lim["n"] for lim in plotted) >= 224
    for lim in plotted:
        n = lim["n"]
        for key, q in (
            ("lower_998", 0.001),
            ("lower_95", 0.025),
            ("upper_95", 0.975),
            ("upper_998", 0.999),
        ):
            r = binom.ppf(q, n, p)
            at, below = binom.cdf(r, n, p), binom.cdf(r - 1, n, p)
            assert lim[key] == pytest.approx(max(0.0, (r - (at - q) / (at - below)) / n), abs=1e-12)
    where = {pt["label"]: (pt["within_95"], pt["within_998"]) for pt in found["funnel"]["points"]}
    assert where == {
        "SAMMPRIS": (False, True),
        "CASSISS": (False, True),
        "Your centre": (True, True),
    }


@pytest.mark.parametrize("view", ["clinician", "patient", "print"])
def test_every_page_shows_the_rate_its_interval_and_each_arm(
    client: FlaskClient, view: str
) -> None:
    response = client.post("/", data=form(view))
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    if view == "print":  # one short paragraph fits the three pages
        assert "The true rate here could be from 0.4% to 11.5% (95% CI)." in page
    else:
        assert "3.3% (95% CI 0.4% to 11.5%)" in page
    for events, total in ARMS.values():
        table = {
            "intervention_events": 2,
            "intervention_total": 60,
            "comparator_events": events,
            "comparator_total": total,
        }
        assert difference_text(stats.risk_difference(**table)) in page
        assert p_value_text(significance.fisher_exact(**table)) in page
    if view == "clinician":
        assert 'class="funnel-plot" role="img"' in page and "funnel-table" in page
        assert "is lower than SAMMPRIS's self-expanding stent arm" in page
    else:
        assert "Our centre: 2 of 60 procedures (3.3%)" in page
        # Carried in hidden inputs, as every other value, never in a URL.
        assert f'<input type="hidden" name="centre-{row()}-events" value="2">' in page


def test_the_patient_words_read_at_grade_8(client: FlaskClient) -> None:
    page = client.post("/", data=form("patient")).get_data(as_text=True)
    section = re.search(r'<section class="centre-patient".*?</section>', page, re.S)
    assert section
    blocks = [
        " ".join(html.unescape(re.sub(r"<[^>]+>", " ", b)).split())
        for b in re.findall(r"<p\b[^>]*>(.*?)</p>", section.group(0), re.S)
    ]
    assert len(blocks) == 5
    assert "we cannot tell if our rate is different" in blocks[3]
    for block in blocks:
        assert textstat.flesch_kincaid_grade(block) <= 8, block
    assert textstat.flesch_kincaid_grade(" ".join(blocks)) <= 8


def test_the_results_page_with_a_centre_keeps_its_budgets(app: Flask) -> None:
    # The budgets are the all-four-options page's (tests/shipped/test_weight.py); a centre's
    # results, entered by choice, add their own section and funnel plot, held to 10 KB raw and
    # 3 KB compressed (docs/performance.md).
    plain = page_weight(fetch_with(app), "all four options", ALL_OPTIONS)
    scenario = {**ALL_OPTIONS, f"centre-{row()}-events": "2", f"centre-{row()}-total": "60"}
    weight = page_weight(fetch_with(app), "all four options and a centre", scenario)
    assert weight.status == 200
    assert plain.total <= LIMIT and plain.compressed <= COMPRESSED_LIMIT, plain.as_dict()
    assert 0 < weight.total - plain.total <= 10_000, weight.as_dict()
    assert 0 < weight.compressed - plain.compressed <= 3_000, weight.as_dict()
    # Its early risk in the personal timeline (a checkbox, a sentence and a timeline row) too.
    early = {**scenario, "use_centre_early_risk": "yes"}
    weight = page_weight(fetch_with(app), "all four options and a centre's early risk", early)
    assert weight.status == 200
    assert "Your centre's early risk" in html.unescape(
        fetch_with(app)("POST", "/", form_body(early))[2].decode()
    )
    assert 0 < weight.total - plain.total <= 10_000, weight.as_dict()
    assert 0 < weight.compressed - plain.compressed <= 3_000, weight.as_dict()
