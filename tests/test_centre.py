"""The centre's own results: the contract, the statistics, the funnel limits, the pages, the logs.

Statistics and pages on fixture evidence (two randomized trials with a balloon-stent arm of 3/10
each, in one family); the contract's answers and the logs through the app.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from scipy.stats import binom

from app.analysis import funnel, stats
from app.analysis.base import EvidenceBase, analyse
from app.contract.scenario import ScenarioError, parse_scenario
from app.engine.assess import assess
from app.engine.centre import early_risk, families
from app.evidence.loader import load_evidence
from app.web.centre import centre_views
from tests.engine_tables import tables
from tests.same_pair import write_same_pair
from tests.test_register_families import with_families

STENT = {"option": "balloon_stent", "family": "stroke_30d", "events": 2, "total": 60}
SCENARIO: dict[str, Any] = {
    "setting": "symptomatic_icas",
    "options": ["medical", "balloon_stent"],
    "stenosis_percent": 80,
}
FAMILIES = {("symptomatic_icas", "stroke_30d"): ("balloon_stent",)}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> EvidenceBase:
    root = with_families(write_same_pair(tmp_path_factory.mktemp("centre")))
    return analyse(load_evidence(root))


def errors(
    entries: Any, options: tuple[str, ...] = ("medical", "balloon_stent")
) -> dict[str, list[str]]:
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(
            {**SCENARIO, "options": list(options), "centre_results": entries}, families=FAMILIES
        )
    return raised.value.fields


# --- the contract ----------------------------------------------------------------------------------


def test_a_valid_entry_is_kept_and_round_trips() -> None:
    scenario = parse_scenario({**SCENARIO, "centre_results": [STENT]}, families=FAMILIES)
    assert scenario.to_json()["centre_results"] == [STENT]
    assert parse_scenario(SCENARIO).to_json()["centre_results"] is None


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"events": 61},
            "centre_results[0].events",
            "Must not exceed centre_results[0].total (60); got 61.",
        ),
        ({"total": 0}, "centre_results[0].total", "Must be from 1 to 100,000; got 0."),
        ({"total": 100_001}, "centre_results[0].total", "Must be from 1 to 100,000; got 100001."),
        ({"events": -1}, "centre_results[0].events", "Must be from 0 to 100,000; got -1."),
        (
            {"events": "2"},
            "centre_results[0].events",
            "Must be a whole number from 0 to 100,000; got the text '2'.",
        ),
        (
            {"events": 2.0},
            "centre_results[0].events",
            "Must be a whole number from 0 to 100,000; got a decimal number.",
        ),
        (
            {"events": True},
            "centre_results[0].events",
            "Must be a whole number from 0 to 100,000; got true/false.",
        ),
        (
            {"option": "angioplasty"},
            "centre_results[0].option",
            "Must be one of the options chosen (medical, balloon_stent); got the text 'angioplasty'.",
        ),
        (
            {"family": "stroke_1y"},
            "centre_results[0].family",
            "No outcome family 'stroke_1y' with a balloon_stent arm in this setting; families with one: stroke_30d.",
        ),
        (
            {"option": "medical"},
            "centre_results[0].family",
            "No outcome family 'stroke_30d' with a medical arm in this setting; families with one: none.",
        ),
        (
            {"colour": "red"},
            "centre_results[0].colour",
            "Unknown field; fields are: option, family, events, total.",
        ),
    ],
)
def test_each_bad_entry_is_named(change: dict[str, Any], field: str, message: str) -> None:
    assert errors([{**STENT, **change}]) == {field: [message]}


def test_every_bad_entry_is_named_at_once() -> None:
    found = errors([{**STENT, "events": 70}, "2 of 60", {**STENT, "total": None}, STENT])
    assert found == {
        "centre_results[0].events": ["Must not exceed centre_results[0].total (60); got 70."],
        "centre_results[1]": [
            "Must be an object with option, family, events, total; got the text '2 of 60'."
        ],
        "centre_results[2].total": ["Required."],
    }
    assert errors([STENT, STENT]) == {
        "centre_results[1]": ["This option and family are already given; give each once."]
    }
    assert errors({"events": 2}) == {
        "centre_results": [
            "Must be a list of objects with option, family, events, total; got an object with 1 key."
        ]
    }


# --- the funnel limits -----------------------------------------------------------------------------


def spiegelhalter(q: float, n: int, p: float) -> float:
    """The limit from scipy.stats.binom: quantile, then Spiegelhalter's interpolation."""
    r = binom.ppf(q, n, p)
    at, below = binom.cdf(r, n, p), binom.cdf(r - 1, n, p)
    return max(0.0, (r - (at - q) / (at - below)) / n)


@pytest.mark.parametrize("p", [0.3, 0.105, 0.02, 0.5])
def test_funnel_limits_are_exact_binomial_quantiles_at_every_plotted_n(p: float) -> None:
    for n in funnel.plotted_ns(1100):
        for q in funnel.QUANTILES:
            assert funnel.binomial_quantile(q, n, p) == binom.ppf(q, n, p), (q, n)
            assert funnel.control_limit(q, n, p) == pytest.approx(spiegelhalter(q, n, p), abs=1e-12)
        limits = funnel.limits(n, p)
        assert limits.lower_998 <= limits.lower_95 <= p <= limits.upper_95 <= limits.upper_998


# --- the comparisons, on fixture evidence ----------------------------------------------------------


def test_the_centre_is_set_beside_each_trial_arm(base: EvidenceBase, client: FlaskClient) -> None:
    t = tables(base)
    assert families(t.centre) == FAMILIES
    scenario = parse_scenario({**SCENARIO, "centre_results": [STENT]}, families=families(t.centre))
    (found,) = assess(scenario, t).centre
    assert found.rate == stats.proportion(events=2, total=60)
    assert [a.arm.study.short_name for a in found.arms] == ["Mini", "Mini Two"]
    assert found.benchmark is not None and (found.benchmark.events, found.benchmark.total) == (
        6,
        20,
    )
    for arm in found.arms:
        table = {
            "intervention": {"events": 2, "total": 60},
            "comparator": {"events": 3, "total": 10},
        }
        answer = client.post("/api/v1/two-by-two", json=table).get_json()
        assert arm.difference.value == pytest.approx(answer["risk_difference"]["value"], abs=1e-9)
        assert [arm.difference.lower, arm.difference.upper] == pytest.approx(
            answer["risk_difference"]["ci"], abs=1e-9
        )
        assert arm.p_value.value == pytest.approx(answer["p_value"]["value"], abs=1e-9)
        assert answer["intervention"]["ci"] == pytest.approx(
            [found.rate.lower, found.rate.upper], abs=1e-9
        )
        # 3.3% against 30%: the difference's CI excludes 0, so the words may say lower.
        assert arm.verdict == "lower" and arm.difference.upper < 0
    # 60 procedures: the centre's CI (0.4% to 11.5%) is narrower than the 30% benchmark.
    assert not found.few
    assert found.text.startswith(
        "Your centre's 2 of 60 (3.3%; 95% CI 0.4% to 11.5%) is lower than Mini's balloon-mounted"
    )
    assert early_risk(scenario, t.centre, "balloon_stent", "stroke_30d") == found.rate
    assert early_risk(scenario, t.centre, "balloon_stent", "other") is None


def test_few_procedures_are_told_so_whatever_the_point_estimate(base: EvidenceBase) -> None:
    t = tables(base)
    few = {**STENT, "events": 1, "total": 4}  # 25%: close to the trials' 30%, but 4 procedures
    scenario = parse_scenario({**SCENARIO, "centre_results": [few]}, families=families(t.centre))
    (found,) = assess(scenario, t).centre
    assert found.few and found.rate.upper - found.rate.lower >= 0.3
    assert all(a.verdict == "unclear" for a in found.arms)
    assert "cannot be told apart from Mini's" in found.text
    assert "too few procedures for a precise rate" in found.text
    (view,) = centre_views((found,))
    assert view.patient[-1] == "4 procedures is a small number. So our true rate is not known well."
    # Even a centre with no events at all is not called lower from a handful of procedures.
    none = {**STENT, "events": 0, "total": 3}
    scenario = parse_scenario({**SCENARIO, "centre_results": [none]}, families=families(t.centre))
    (found,) = assess(scenario, t).centre
    assert found.few and all(a.verdict == "unclear" for a in found.arms)


def test_the_funnel_is_drawn_with_its_table(base: EvidenceBase) -> None:
    t = tables(base)
    scenario = parse_scenario({**SCENARIO, "centre_results": [STENT]}, families=families(t.centre))
    (found,) = assess(scenario, t).centre
    (view,) = centre_views((found,))
    assert view.funnel is not None
    svg = view.funnel.svg
    assert 'role="img"' in svg and "dashed: 95% limits; dotted: 99.8% limits" in svg
    assert svg.count('fill="currentColor"/>') == 3  # two squares and the diamond
    assert [r.label for r in view.funnel.rows] == ["Mini", "Mini Two", "Your centre"]
    centre_row = view.funnel.rows[-1]
    assert centre_row.counts == "2 of 60" and centre_row.rate == "3.3%"
    limits = funnel.limits(60, 0.3)
    assert centre_row.limits_95 == f"{100 * limits.lower_95:.1f}% to {100 * limits.upper_95:.1f}%"
    assert centre_row.where == "below the 99.8% limits"
    assert view.funnel.benchmark == (
        "Benchmark: the pooled rate of the randomized trials' arms of this option (Mini, Mini Two),"
        " 6 of 20 (30.0%)."
    )
    assert view.print_line == "Our centre: 2 of 60 procedures (3.3%)"


# --- the API and the form answer 422 naming the entry; nothing reaches the logs ---------------------

FORM = {
    "setting": "symptomatic_icas",
    "options": ["medical", "self_expanding_stent"],
    "stenosis_percent": "80",
    "symptomatic": "yes",
}


def centre_row(client: FlaskClient) -> int:
    """The form row of the self-expanding stent in the 30-day family, found by its exact definition."""
    page = client.get("/").get_data(as_text=True)
    found = re.search(
        r'<p class="hint" id="centre-(\d+)-hint">Count as the trials did: Any stroke or death in'
        r" the first 30 days, in patients\.",
        page,
    )
    assert found, "the form offers a row for the self-expanding stent in the 30-day family"
    return int(found.group(1))


@pytest.mark.parametrize(
    ("events", "total", "options", "field", "message"),
    [
        ("61", "60", None, "events", "Must not exceed centre_results[0].total (60); got 61."),
        ("0", "0", None, "total", "Must be from 1 to 100,000; got 0."),
        ("-2", "60", None, "events", "Must be from 0 to 100,000; got -2."),
        ("two", "60", None, "events", "Enter a whole number from 0 to 100,000, e.g. 2."),
        ("2", "60", ["medical"], "total", "Must be one of the options chosen (medical)"),
    ],
)
def test_the_form_names_the_bad_entry(
    client: FlaskClient,
    events: str,
    total: str,
    options: list[str] | None,
    field: str,
    message: str,
) -> None:
    index = centre_row(client)
    data = {**FORM, f"centre-{index}-events": events, f"centre-{index}-total": total}
    if options:
        data["options"] = options
    response = client.post("/", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    summary = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    assert summary and f'href="#centre-{index}-{field}"' in summary.group(0)
    assert message in summary.group(0).replace("&#39;", "'")
    assert (
        f'id="centre-{index}-{field}-error"' in page
        and '<details class="centre-form" open>' in page
    )


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ({"events": 61, "total": 60}, "centre_results[0].events"),
        ({"total": 0}, "centre_results[0].total"),
        ({"events": -3}, "centre_results[0].events"),
        ({"events": "two"}, "centre_results[0].events"),
        ({"option": "angioplasty"}, "centre_results[0].option"),
        ({"family": "no_such_family"}, "centre_results[0].family"),
    ],
)
def test_the_api_names_the_bad_entry(
    client: FlaskClient, entry: dict[str, Any], field: str
) -> None:
    good = {"option": "self_expanding_stent", "family": "any", "events": 2, "total": 60}
    body = {
        **SCENARIO,
        "options": ["medical", "self_expanding_stent"],
        "centre_results": [{**good, **entry}],
    }
    response = client.post("/api/v1/assess", json=body)
    assert response.status_code == 422
    assert field in response.get_json()["fields"]


def test_the_centre_figures_never_reach_the_logs(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    index = centre_row(client)
    entry = {"option": "self_expanding_stent", "family": "x", "events": 4567, "total": 8912}
    body = {**SCENARIO, "options": ["medical", "self_expanding_stent"], "centre_results": [entry]}
    assert client.post("/api/v1/assess", json=body).status_code == 422
    form = {**FORM, f"centre-{index}-events": "4567", f"centre-{index}-total": "8912"}
    for view in ("clinician", "patient", "print"):
        assert client.post("/", data={**form, "view": view}).status_code in (200, 422)
    assert client.post("/", data={**form, f"centre-{index}-events": "9999"}).status_code == 422
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records)
    for value in ("4567", "8912", "9999"):
        assert value not in logged


@pytest.mark.parametrize("route", ["/api/v1/assess/fhir", "/api/v1/assess/note"])
def test_the_other_assess_routes_check_the_family_too(client: FlaskClient, route: str) -> None:
    entry = {"option": "self_expanding_stent", "family": "no_such_family", "events": 2, "total": 60}
    body = {**SCENARIO, "options": ["medical", "self_expanding_stent"], "centre_results": [entry]}
    response = client.post(route, json=body)
    assert response.status_code == 422
    assert response.get_json() == client.post("/api/v1/assess", json=body).get_json()
    assert list(response.get_json()["fields"]) == ["centre_results[0].family"]


def test_counts_entered_for_another_setting_are_listed_as_not_used(client: FlaskClient) -> None:
    index = centre_row(client)
    data = {
        "setting": "lvo_icas",
        "options": ["medical", "self_expanding_stent"],
        f"centre-{index}-events": "2",
        f"centre-{index}-total": "60",
    }
    response = client.post("/", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True).replace("&#39;", "'")
    assert "Your centre's results, Self-expanding stent: Stroke or death within 30 days" in page
    assert (
        "(entered: 2 of 60) was not used: its outcome comes from studies in symptomatic ICAS."
        in page
    )
