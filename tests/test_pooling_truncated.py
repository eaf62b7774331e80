"""The truncated (modified) Hartung-Knapp interval reproduces metafor's test="adhoc", and is never
narrower than DerSimonian-Laird's; the untruncated one warns through the API when it is.

Reference values printed by R 4.2.2 with metafor 3.8-1 (Debian r-base-core, r-cran-metafor) from:

    suppressMessages(library(metafor))
    sets <- list(
      two = data.frame(ai = c(18, 7), n1i = c(150, 90), ci = c(9, 8), n2i = c(148, 95)),
      het = data.frame(ai = c(30, 4, 22, 10, 45, 2), n1i = c(100, 120, 80, 200, 150, 60),
                       ci = c(10, 12, 20, 30, 20, 9), n2i = c(100, 118, 85, 195, 148, 62)),
      same = data.frame(ai = c(10, 12, 11), n1i = c(100, 100, 100), ci = c(5, 6, 5),
                        n2i = c(100, 100, 100))
    )
    for (name in names(sets)) for (m in c("RR", "OR", "RD")) {
      d <- sets[[name]]
      dl <- rma(ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = d, measure = m, method = "DL")
      ad <- rma(ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = d, measure = m, method = "DL",
                test = "adhoc")
      kh <- rma(ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = d, measure = m, method = "DL",
                test = "knha")
      cat(sprintf('"%s-%s": {"dl": [%.12g, %.12g], "adhoc": [%.12g, %.12g, %.12g, %.12g],
                  "knha": [%.12g, %.12g]},\\n', name, m, dl$ci.lb, dl$ci.ub, ad$b, ad$ci.lb,
                  ad$ci.ub, ad$pval, kh$ci.lb, kh$ci.ub))
    }

Ratios are on the log scale there (metafor's analysis scale); "adhoc" is estimate, lower, upper, P.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st

from app.analysis.pooling import PoolingError, TwoArm, pool

SETS = {
    "two": [(18, 150, 9, 148), (7, 90, 8, 95)],
    "het": [
        (30, 100, 10, 100),
        (4, 120, 12, 118),
        (22, 80, 20, 85),
        (10, 200, 30, 195),
        (45, 150, 20, 148),
        (2, 60, 9, 62),
    ],
    "same": [(10, 100, 5, 100), (12, 100, 6, 100), (11, 100, 5, 100)],
}
# fmt: off
METAFOR: dict[str, dict[str, list[float]]] = {
    "two-RR": {"dl": [-0.372882731719, 1.09561097892], "adhoc": [0.361364123602, -4.39866766484, 5.12139591204, 0.511467206544], "knha": [-4.39866766484, 5.12139591204]},
    "two-OR": {"dl": [-0.408944016804, 1.19958028222], "adhoc": [0.39531813271, -4.81861417109, 5.60925043651, 0.511872857794], "knha": [-4.81861417109, 5.60925043651]},
    "two-RD": {"dl": [-0.0335081317507, 0.0941714500689], "adhoc": [0.0303316591591, -0.383533830213, 0.444197148532, 0.522663131315], "knha": [-0.383533830213, 0.444197148532]},
    "het-RR": {"dl": [-0.954251476764, 0.634842716418], "adhoc": [-0.159704380173, -1.29773321252, 0.978324452171, 0.733033176011], "knha": [-1.29773321252, 0.978324452171]},
    "het-OR": {"dl": [-1.11583016698, 0.817887131817], "adhoc": [-0.14897151758, -1.46601283526, 1.1680698001, 0.782909065753], "knha": [-1.46601283526, 1.1680698001]},
    "het-RD": {"dl": [-0.0896080464084, 0.121731459643], "adhoc": [0.0160617066173, -0.128377515052, 0.160500928287, 0.786457303866], "knha": [-0.128377515052, 0.160500928287]},
    "same-RR": {"dl": [0.148244417878, 1.29865287958], "adhoc": [0.723448648729, -0.539280704236, 1.98617800169, 0.13260506797], "knha": [0.588415960789, 0.858481336669]},
    "same-OR": {"dl": [0.165406182771, 1.40600268194], "adhoc": [0.785704432353, -0.576018526781, 2.14742739149, 0.131091999469], "knha": [0.642908218575, 0.928500646131]},
    "same-RD": {"dl": [0.012945151247, 0.0998977606537], "adhoc": [0.0564214559503, -0.0390208290034, 0.151863740904, 0.126007892417], "knha": [0.0418369663526, 0.0710059455481]},
}
# fmt: on
MEASURES = {"RR": "risk_ratio", "OR": "odds_ratio", "RD": "risk_difference"}


def _tables(name: str) -> list[TwoArm]:
    return [TwoArm(f"S{i}", *cells) for i, cells in enumerate(SETS[name])]


def _scale(value: float, code: str) -> float:
    return value if code == "RD" else math.log(value)


def close(value: float) -> Any:
    return pytest.approx(value, rel=1e-7, abs=1e-10)


@pytest.mark.parametrize("case", sorted(METAFOR))
def test_truncated_hartung_knapp_matches_metafor_adhoc(case: str) -> None:
    name, code = case.split("-")
    result = pool(
        _tables(name),
        measure=MEASURES[code],  # type: ignore[arg-type]
        model="random",
        adjustment="hartung-knapp-truncated",
    )
    estimate, lower, upper, p = METAFOR[case]["adhoc"]
    assert _scale(result.estimate, code) == close(estimate)
    assert [_scale(v, code) for v in result.ci] == [close(lower), close(upper)]
    assert result.p_value == close(p)
    assert 'test="adhoc"' in result.method and "Truncated (modified)" in result.method
    low, high = METAFOR[case]["dl"]
    assert upper - lower >= high - low  # never narrower than DerSimonian-Laird


@pytest.mark.parametrize("code", ["RR", "OR", "RD"])
def test_untruncated_hartung_knapp_is_narrower_for_near_identical_studies(code: str) -> None:
    # With three near-identical studies metafor's knha interval is narrower than DL's: the case
    # the truncation exists for.
    result = pool(
        _tables("same"),
        measure=MEASURES[code],  # type: ignore[arg-type]
        model="random",
        adjustment="hartung-knapp",
    )
    lower, upper = METAFOR[f"same-{code}"]["knha"]
    assert [_scale(v, code) for v in result.ci] == [close(lower), close(upper)]
    low, high = METAFOR[f"same-{code}"]["dl"]
    assert upper - lower < high - low


def test_truncated_hartung_knapp_accepts_identical_studies() -> None:
    # The untruncated form refuses these (its variance estimate is 0); the truncated one has a
    # scale factor of 1, so its interval is DL's with t quantiles.
    studies = [TwoArm("A", 10, 100, 5, 100), TwoArm("B", 10, 100, 5, 100)]
    truncated = pool(
        studies, measure="risk_ratio", model="random", adjustment="hartung-knapp-truncated"
    )
    plain = pool(studies, measure="risk_ratio", model="random")
    assert math.isclose(truncated.estimate, 2.0)
    assert truncated.se == pytest.approx(plain.se, rel=1e-12)
    assert truncated.ci[0] < plain.ci[0] and truncated.ci[1] > plain.ci[1]


def _body(name: str, adjustment: str, measure: str = "risk_ratio") -> dict[str, Any]:
    return {
        "studies": [
            {
                "label": f"S{i}",
                "intervention": {"events": a, "total": n1},
                "comparator": {"events": c, "total": n2},
            }
            for i, (a, n1, c, n2) in enumerate(SETS[name])
        ],
        "measure": measure,
        "model": "random",
        "adjustment": adjustment,
    }


def test_the_api_warns_when_hartung_knapp_is_narrower(client: FlaskClient) -> None:
    answer = client.post("/api/v1/pool", json=_body("same", "hartung-knapp")).get_json()
    assert [w["code"] for w in answer["warnings"]] == ["narrower_than_dersimonian_laird"]
    assert "hartung-knapp-truncated" in answer["warnings"][0]["text"]
    # Wider than DL: no warning.
    wide = client.post("/api/v1/pool", json=_body("het", "hartung-knapp")).get_json()
    assert wide["warnings"] == []
    truncated = client.post("/api/v1/pool", json=_body("same", "hartung-knapp-truncated"))
    assert truncated.status_code == 200 and truncated.get_json()["warnings"] == []
    lower, upper = METAFOR["same-RR"]["adhoc"][1:3]
    assert [math.log(v) for v in truncated.get_json()["ci"]] == [close(lower), close(upper)]


ARM = st.integers(1, 80).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))


@settings(max_examples=60, deadline=None)
@given(
    tables=st.lists(st.tuples(ARM, ARM), min_size=2, max_size=6),
    measure=st.sampled_from(["risk_ratio", "odds_ratio", "risk_difference"]),
)
def test_the_truncated_interval_is_never_narrower_than_dersimonian_laird(
    tables: list[tuple[tuple[int, int], tuple[int, int]]], measure: str
) -> None:
    studies = [TwoArm(f"S{i}", a, n1, c, n2) for i, ((a, n1), (c, n2)) in enumerate(tables)]
    try:
        plain = pool(studies, measure=measure, model="random")  # type: ignore[arg-type]
    except PoolingError:  # tables from which nothing can be pooled
        return
    truncated = pool(
        studies,
        measure=measure,  # type: ignore[arg-type]
        model="random",
        adjustment="hartung-knapp-truncated",
    )
    scale = (lambda v: v) if measure == "risk_difference" else math.log
    width = scale(truncated.ci[1]) - scale(truncated.ci[0])
    assert width >= scale(plain.ci[1]) - scale(plain.ci[0]) - 1e-12
