"""The bedside glance at the top of the results, on the shipped studies."""

from __future__ import annotations

import pytest

from app.analysis.base import EvidenceBase
from app.contract.scenario import parse_scenario
from app.engine.assess import assess
from app.web.counsel_glance import Glance, glance, prepare_glances
from tests.engine_tables import tables
from tests.scenarios import ALL_OPTIONS
from tests.test_counsel import LVO

pytestmark = pytest.mark.shipped_evidence


def glanced(base: EvidenceBase, scenario: dict[str, object]) -> Glance:
    return glance(assess(parse_scenario(scenario), tables(base)), prepare_glances(base.studies))


def test_main_outcomes_with_the_more_invasive_option_first(base: EvidenceBase) -> None:
    named = {c.name: c for c in glanced(base, ALL_OPTIONS).comparisons}
    vissit, retro = named["VISSIT"], named["Retrospective angioplasty vs stent (3 centres)"]
    assert vissit.status_text == "Applies (4 of 7 criteria checked)"
    first = vissit.outcomes[0]
    assert first.intervention == "Balloon-mounted stent: 24.1% (13.9–37.2) · 14/58"
    assert first.comparator == "Medical therapy: 9.4% (3.1–20.7) · 5/53"
    assert first.href == "#c-vissit-primary_safety_30d"
    assert [o.label for o in vissit.outcomes][1].startswith("Stroke in the same territory")
    # The stent is the more invasive option, so it comes first although the file lists it second.
    assert retro.status_text == "Cannot be checked (1 of 7 criteria checked)"
    death = retro.outcomes[0]
    assert death.intervention == "Stent of unstated type: 2.0% (0.2–7.2) · 2/98"
    assert death.comparator == "Angioplasty alone: 1.1% (0.0–5.7) · 1/95"
    # Its printed overall 1.5% is 1.6% recomputed: the row's audit note says so.
    assert death.tags == ("time frame not stated", "derived counts", "audit note")


def test_main_outcomes_without_counts_give_the_estimate_or_the_finding(base: EvidenceBase) -> None:
    (rescue,) = glanced(base, LVO).comparisons
    mrs, sich = rescue.outcomes
    assert (mrs.intervention, mrs.comparator) == ("", "")
    assert mrs.text == "adjusted OR (inverse probability weighting) 1.10 (0.62–1.96); P = 0.75"
    assert sich.text == "no per-group figures; the study reports no difference"
    assert sich.tags == ("time frame not stated",)


def test_kaplan_meier_rates_are_given_as_printed(base: EvidenceBase) -> None:
    scenario = {
        "setting": "symptomatic_icas",
        "options": ["medical", "self_expanding_stent"],
        "stenosis_percent": 80,
        "days_since_event": 10,
        "artery": "mca",
        "age": 64,
    }
    named = {c.name: c for c in glanced(base, scenario).comparisons}
    (km,) = [o for o in named["SAMMPRIS"].outcomes if o.href.endswith("-primary_1y_km")]
    # SAMMPRIS prints 1-year rates of 20.0% and 12.2% (NEJM 2011), with no counts behind them.
    assert (km.intervention, km.comparator) == (
        "Self-expanding stent: 20.0% (Kaplan-Meier, printed)",
        "Medical therapy: 12.2% (Kaplan-Meier, printed)",
    )
    assert km.tags == ("printed percentages; counts not stated",)


def test_an_outcome_whose_published_figure_disagrees_is_tagged(base: EvidenceBase) -> None:
    scenario = {
        "setting": "symptomatic_icas",
        "options": ["medical", "self_expanding_stent"],
        "stenosis_percent": 80,
    }
    named = {c.name: c for c in glanced(base, scenario).comparisons}
    # 13/227 is 5.7%; the Lancet prints 5·8%, a product-limit estimate: a method difference,
    # listed in the audit but never tagged on the glance.
    early = next(o for o in named["SAMMPRIS"].outcomes if o.href.endswith("-stroke_death_30d"))
    assert early.comparator == "Medical therapy: 5.7% (3.1–9.6) · 13/227"
    assert early.tags == ()
    final = next(o for o in named["SAMMPRIS"].outcomes if o.href.endswith("-primary_final"))
    assert final.tags == ()
    primary, longterm = named["CASSISS"].outcomes
    assert primary.href.endswith("-primary_1y") and primary.tags == ("audit note",)
    # The long-term report prints percentages and a hazard ratio, no counts; its printed Cox P
    # (0.97) differs from a Wald test on the printed CI in method only: no audit note.
    assert longterm.href.endswith("-primary_longterm")
    assert longterm.tags == ("printed percentages; counts not stated",)
