"""Every figure added for BASIS, the rescue-stenting meta-analysis, CASSISS's long-term report and
SAMMPRIS's 30-day components: its value, the sentence it stands in and the kind of page it is from.

BASIS's figures are printed only by secondary pages: each must stand, as written, in at least two of
the independent secondary pages stored for it (never one page's figure alone).
"""

from __future__ import annotations

from typing import Any

import pytest

from app.evidence.loader import load_evidence
from app.evidence.model import DEFAULT_DIR, ArmResult, Effect, Outcome, Study
from app.evidence.quotes import occurs, printed_number

pytestmark = pytest.mark.shipped_evidence

EVIDENCE = load_evidence()


def study(study_id: str) -> Study:
    found = EVIDENCE.study(study_id)
    assert found is not None
    return found


def kind(item: ArmResult | Effect, owner: Study) -> str:
    return owner.sources[item.quote.source].kind


def in_quote(figure: str, item: ArmResult | Effect) -> bool:
    return occurs(printed_number(figure), " ".join(item.quote.text.split()))


# (study, outcome, arm or "effect-<n>", field, printed figure, source kind)
FIGURES: list[tuple[str, str, str, str, str, str]] = [
    ("basis", "primary_12m", "angioplasty", "percent", "4.4", "secondary"),
    ("basis", "primary_12m", "medical", "percent", "13.5", "secondary"),
    ("basis", "primary_12m", "effect-1", "estimate", "0.32", "secondary"),
    ("basis", "primary_12m", "effect-1", "ci", "0.16", "secondary"),
    ("basis", "primary_12m", "effect-1", "ci", "0.63", "secondary"),
    ("basis", "primary_12m", "effect-1", "p", "<0.001", "secondary"),
    ("basis", "stroke_death_30d", "angioplasty", "percent", "3.2", "secondary"),
    ("basis", "stroke_death_30d", "medical", "percent", "1.6", "secondary"),
    ("basis", "sich", "angioplasty", "percent", "1.2", "secondary"),
    ("basis", "sich", "medical", "percent", "0.4", "secondary"),
    ("rescue-stenting-meta-2023", "mrs_0_2_90d", "rescue_stent", "percent", "41", "primary"),
    ("rescue-stenting-meta-2023", "mrs_0_2_90d", "medical", "percent", "21", "primary"),
    ("rescue-stenting-meta-2023", "mrs_0_2_90d", "effect-1", "estimate", "3.27", "primary"),
    ("rescue-stenting-meta-2023", "mrs_0_2_90d", "effect-1", "ci", "2.08", "primary"),
    ("rescue-stenting-meta-2023", "mrs_0_2_90d", "effect-1", "ci", "5.16", "primary"),
    ("rescue-stenting-meta-2023", "mrs_0_2_90d", "effect-1", "i2", "64", "primary"),
    ("rescue-stenting-meta-2023", "mortality_90d", "rescue_stent", "percent", "22.5", "primary"),
    ("rescue-stenting-meta-2023", "mortality_90d", "medical", "percent", "33.8", "primary"),
    ("cassiss", "primary_longterm", "stent", "percent", "14.8", "primary"),
    ("cassiss", "primary_longterm", "medical", "percent", "14.3", "primary"),
    ("cassiss", "primary_longterm", "effect-1", "estimate", "1.02", "primary"),
    ("cassiss", "primary_longterm", "effect-1", "ci", "0.58", "primary"),
    ("cassiss", "primary_longterm", "effect-1", "ci", "1.77", "primary"),
    ("cassiss", "disabling_stroke_death_longterm", "stent", "percent", "16.5", "primary"),
    ("cassiss", "disabling_stroke_death_longterm", "medical", "percent", "14.3", "primary"),
    ("cassiss", "disabling_stroke_death_longterm", "effect-1", "estimate", "1.12", "primary"),
    ("cassiss", "disabling_stroke_death_longterm", "effect-1", "ci", "0.66", "primary"),
    ("cassiss", "disabling_stroke_death_longterm", "effect-1", "ci", "1.91", "primary"),
    ("cassiss", "death_longterm", "stent", "percent", "9.1", "primary"),
    ("cassiss", "death_longterm", "medical", "percent", "7.1", "primary"),
    ("cassiss", "death_longterm", "effect-1", "estimate", "1.22", "primary"),
    ("cassiss", "death_longterm", "effect-1", "ci", "0.58", "primary"),
    ("cassiss", "death_longterm", "effect-1", "ci", "2.58", "primary"),
    ("sammpris", "nonfatal_stroke_30d", "stent", "percent", "12.5", "primary"),
    ("sammpris", "nonfatal_stroke_30d", "medical", "percent", "5.3", "primary"),
]


def figure_of(item: Any, field: str) -> list[str]:
    value = getattr(item, field)
    return [p.text for p in value] if isinstance(value, tuple) else [value.text]


@pytest.mark.parametrize("figure", FIGURES, ids=["/".join(f[:4]) + "=" + f[4] for f in FIGURES])
def test_each_new_figure_stands_in_its_quote(figure: tuple[str, str, str, str, str, str]) -> None:
    study_id, outcome_id, where, field, printed, source_kind = figure
    owner = study(study_id)
    outcome: Outcome = owner.outcome(outcome_id)
    item: ArmResult | Effect = (
        outcome.effects[int(where.split("-")[1]) - 1]
        if where.startswith("effect-")
        else outcome.arms[where]
    )
    assert printed in figure_of(item, field)
    assert in_quote(printed, item), (printed, item.quote.text)
    assert kind(item, owner) == source_kind
    # No counts are stored for printed or pooled percentages.
    if isinstance(item, ArmResult):
        assert item.events is None and item.total is None


def source_text(owner: Study, source_id: str) -> str:
    path = DEFAULT_DIR / owner.sources[source_id].file
    return " ".join(path.read_text(encoding="utf-8").split())


@pytest.mark.parametrize(
    "figures",
    [
        # Primary composite at 12 months and its hazard ratio.
        ("4.4", "13.5", "0.32", "0.16-0.63"),
        # Any stroke or death within 30 days.
        ("3.2", "1.6"),
        # Symptomatic intracranial haemorrhage.
        ("1.2", "0.4"),
        # Procedural complications and arterial dissection (angioplasty group only).
        ("17.4", "14.5"),
    ],
)
def test_every_basis_figure_is_printed_by_two_independent_secondary_pages(
    figures: tuple[str, ...],
) -> None:
    basis = study("basis")
    secondary = [s for s, source in basis.sources.items() if source.kind == "secondary"]
    printing = [s for s in secondary if all(f in source_text(basis, s) for f in figures)]
    assert len(printing) >= 2, (figures, printing)


def test_basis_arms_and_population_from_the_protocol() -> None:
    basis = study("basis")
    assert (basis.arms["angioplasty"].n, basis.arms["medical"].n) == (249, 252)
    assert basis.sources[basis.arms["angioplasty"].quote.source].kind == "primary"
    assert basis.sources[basis.arms["medical"].quote.source].kind == "secondary"
    criteria = basis.criteria
    assert (criteria["age"].min, criteria["age"].max) == (35, 80)
    assert (criteria["stenosis_percent"].min, criteria["stenosis_percent"].max) == (70, 99)
    assert criteria["days_since_event"].max == 90
    assert set(criteria["artery"].allowed) == {"intracranial_ica", "mca", "vertebral", "basilar"}
    for name in ("age", "stenosis_percent", "days_since_event", "artery"):
        assert basis.sources[criteria[name].quote.source].title.startswith("Published protocol")
    # The hazard ratio of the composite without revascularisation is printed by one page only.
    assert not any(e.estimate.text == "0.39" for o in basis.outcomes for e in o.effects)


def test_the_meta_analysis_is_non_randomized_and_pools_both_stent_types() -> None:
    meta = study("rescue-stenting-meta-2023")
    assert meta.design.value == "meta_analysis_nonrandomized"
    assert meta.setting.value == "lvo_icas"
    assert meta.arms["rescue_stent"].treatment == "stent_unspecified"
    assert (meta.arms["rescue_stent"].n, meta.arms["medical"].n) == (729, 1126)
    codes = {c.code for c in meta.caveats}
    assert {
        "observational",
        "failed_for_any_cause",
        "reviews_overlap",
        "results_not_shown",
    } <= codes
    # The mortality ratio's interval is cut off in the stored abstract: no ratio without it.
    assert meta.outcome("mortality_90d").effects == ()
