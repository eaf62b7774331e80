"""Outcome kinds: every kind has an entry in every per-kind table, and each entry does its kind's work."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from app.analysis import kinds as analysis_kinds
from app.analysis.base import EvidenceBase, analyse
from app.analysis.outcomes import OutcomeStats
from app.evidence import kinds as evidence_kinds
from app.evidence.loader import load_evidence
from app.evidence.model import OUTCOME_KINDS, EvidenceError
from app.web import findings, formatting, results
from app.web.counsel import is_key
from tests.minimal_study import STUDY, write_evidence

# Every table keyed by outcome kind; adding a kind means adding one entry to each (docs/development.md lists them).
PER_KIND_TABLES = {
    "app.evidence.kinds.READING": evidence_kinds.READING,
    "app.analysis.kinds.KINDS": analysis_kinds.KINDS,
    "app.web.findings.ROWS": findings.ROWS,
    "app.web.formatting.KIND_WORDS": formatting.KIND_WORDS,
}

DEFINITION = """
[outcomes.definition]
source = "abstract"
quote = "Stroke within 30 days"
"""
KAPLAN_MEIER = (
    """
[[outcomes]]
id = "free_1y"
kind = "kaplan_meier"
role = "secondary"
label = "Stroke-free survival at 1 year"
plain_label = "staying free of stroke"
event = "beneficial"
timeframe = "1 year"
"""
    + DEFINITION
    + """
[outcomes.arms.stent]
survival = "70.0"
se = "5.0"
source = "abstract"
quote = "70.0% (SE 5.0) with stenting"

[outcomes.arms.medical]
survival = "90.0"
se = "3.0"
source = "abstract"
quote = "90.0% (SE 3.0) with medical therapy"
"""
)
ADJUSTED = (
    """
[[outcomes]]
id = "stroke_adjusted"
kind = "adjusted_effect"
role = "secondary"
label = "Stroke, adjusted"
plain_label = "a stroke"
event = "harmful"
timeframe = "30 days"
"""
    + DEFINITION
    + """
[[outcomes.effects]]
type = "odds_ratio"
estimate = "2.0"
ci = ["1.1", "3.6"]
adjustment = "age"
direction = "intervention_vs_comparator"
source = "abstract"
quote = "The odds ratio of stroke adjusted for age was 2.0 (95% CI, 1.1-3.6)"
"""
)
NARRATIVE = (
    """
[[outcomes]]
id = "stroke_words"
kind = "narrative"
role = "secondary"
label = "Stroke, in words"
plain_label = "a stroke"
event = "harmful"
timeframe = "30 days"
statement = "Strokes were rare in both groups."
"""
    + DEFINITION
)
ALL_KINDS = STUDY + KAPLAN_MEIER + ADJUSTED + NARRATIVE


def problems_for(tmp_path: Path, study: str) -> list[str]:
    """Load `study` as the only study and return the loader's problems (it must fail)."""
    with pytest.raises(EvidenceError) as raised:
        load_evidence(write_evidence(tmp_path, study))
    return list(raised.value.problems)


def edited(study: str, old: str, new: str) -> str:
    assert old in study, f"test edit target not found: {old!r}"
    return study.replace(old, new, 1)


@pytest.mark.parametrize("name", sorted(PER_KIND_TABLES))
def test_every_kind_has_an_entry_in_every_per_kind_table(name: str) -> None:
    # Same keys in the same order: study warnings follow this order, so it must not drift.
    assert tuple(PER_KIND_TABLES[name]) == OUTCOME_KINDS


# --- reading (app/evidence/kinds.py) ----------------------------------------------------------------


def test_kinds_with_names_the_kinds_a_rule_allows() -> None:
    assert evidence_kinds.kinds_with("pooled") == "binary"
    assert evidence_kinds.kinds_with("statement") == "narrative"
    assert evidence_kinds.kinds_with("arms_required") == "binary or kaplan_meier"


def test_narrative_outcome_has_no_arm_figures_and_needs_a_statement(tmp_path: Path) -> None:
    study = edited(STUDY, 'kind = "binary"', 'kind = "narrative"')
    assert problems_for(tmp_path, study) == [
        "studies/mini.toml: outcomes[0].arms.stent: a narrative outcome has no per-arm figures",
        "studies/mini.toml: outcomes[0].arms.medical: a narrative outcome has no per-arm figures",
        "studies/mini.toml: outcomes[0].statement: required key is missing",
    ]


def test_adjusted_effect_outcome_needs_an_effect(tmp_path: Path) -> None:
    study = edited(STUDY, 'kind = "binary"', 'kind = "adjusted_effect"')
    assert problems_for(tmp_path, study) == [
        "studies/mini.toml: outcomes[0].arms.stent: a adjusted_effect outcome has no per-arm figures",
        "studies/mini.toml: outcomes[0].arms.medical: a adjusted_effect outcome has no per-arm figures",
        "studies/mini.toml: outcomes[0].effects: an adjusted_effect outcome needs at least one"
        " [[outcomes.effects]]",
    ]


def test_only_a_narrative_outcome_has_a_statement(tmp_path: Path) -> None:
    study = edited(STUDY, 'kind = "binary"', 'kind = "binary"\nstatement = "No difference."')
    assert problems_for(tmp_path, study) == [
        "studies/mini.toml: outcomes[0].statement: only a narrative outcome has a statement"
    ]


def test_only_a_binary_outcome_has_pooled_figures(tmp_path: Path) -> None:
    pooled = (
        '\n[outcomes.overall]\nevents = 4\ntotal = 20\nderived = { events = "3 + 1" }\n'
        'source = "abstract"\nquote = "We randomized 20 patients"\n'
    )
    assert load_evidence(write_evidence(tmp_path / "binary", STUDY + pooled)).studies
    assert problems_for(tmp_path / "km", STUDY + KAPLAN_MEIER + pooled) == [
        "studies/mini.toml: outcomes[1].overall: only a binary outcome has pooled figures"
    ]


def test_kaplan_meier_arms_need_a_survival_estimate(tmp_path: Path) -> None:
    study = edited(STUDY + KAPLAN_MEIER, 'survival = "90.0"\nse = "3.0"\n', "")
    assert problems_for(tmp_path, study) == [
        "studies/mini.toml: outcomes[1].arms.medical: needs survival or event_rate (the"
        " cumulative probability of the event), not both"
    ]


def test_kaplan_meier_needs_both_compared_arms(tmp_path: Path) -> None:
    arm = KAPLAN_MEIER[KAPLAN_MEIER.index("[outcomes.arms.medical]") :]
    assert problems_for(tmp_path, STUDY + KAPLAN_MEIER.replace(arm, "")) == [
        "studies/mini.toml: outcomes[1].arms: missing the compared arm 'medical'"
    ]


def test_an_unknown_kind_is_reported_and_the_rest_still_checked(tmp_path: Path) -> None:
    study = edited(STUDY, 'kind = "binary"', 'kind = "ordinal"\nstatement = "No difference."')
    assert problems_for(tmp_path, study) == [
        "studies/mini.toml: outcomes[0].kind: 'ordinal' is not one of: binary, kaplan_meier,"
        " adjusted_effect, narrative",
        "studies/mini.toml: outcomes[0].statement: only a narrative outcome has a statement",
    ]


# --- analysis (app/analysis/kinds.py) and rows (app/web/findings.py) --------------------------------


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> EvidenceBase:
    return analyse(load_evidence(write_evidence(tmp_path_factory.mktemp("kinds"), ALL_KINDS)))


def entry(base: EvidenceBase, outcome_id: str) -> OutcomeStats:
    return next(o for o in base.by_id["mini"].outcomes if o.outcome.id == outcome_id)


def signal_codes(base: EvidenceBase, outcome_id: str) -> list[str]:
    result = next(
        r for r in base.by_id["mini"].appraisal.outcomes if r.stats.outcome.id == outcome_id
    )
    return [s.code for s in result.signals]


def row(base: EvidenceBase, outcome_id: str) -> results.OutcomeRow:
    analysis = base.by_id["mini"]
    result = next(r for r in analysis.appraisal.outcomes if r.stats.outcome.id == outcome_id)
    return results.outcome_row(result, analysis.study)


def test_fixture_holds_one_outcome_of_every_kind(base: EvidenceBase) -> None:
    kinds = [o.outcome.kind for o in base.by_id["mini"].outcomes]
    assert kinds == ["binary", "kaplan_meier", "adjusted_effect", "narrative"]


def test_kaplan_meier_difference_from_printed_survival_and_se(base: EvidenceBase) -> None:
    km = entry(base, "free_1y")
    assert km.survival_difference is not None and km.survival_p is not None
    # 0.70 - 0.90 = -0.20; SE = sqrt(0.05^2 + 0.03^2) = 0.0583; z 1.96 gives -0.314 to -0.086.
    se = math.sqrt(0.05**2 + 0.03**2)
    assert km.survival_difference.value == pytest.approx(-0.20)
    assert km.survival_difference.lower == pytest.approx(-0.20 - 1.959964 * se, abs=1e-6)
    assert km.survival_difference.upper == pytest.approx(-0.20 + 1.959964 * se, abs=1e-6)
    assert km.survival_p.value == pytest.approx(0.000604, abs=1e-6)
    assert km.risk_difference is None and km.intervention is None


def test_only_kaplan_meier_gets_a_survival_difference(base: EvidenceBase) -> None:
    others = ("stroke_30d", "stroke_adjusted", "stroke_words")
    assert [entry(base, o).survival_difference for o in others] == [None, None, None]


def test_each_kind_adds_its_own_signals(base: EvidenceBase) -> None:
    assert signal_codes(base, "stroke_30d") == [
        "design",
        "small_numbers",
        "ci_includes_no_difference",
    ]
    assert signal_codes(base, "free_1y") == ["design"]
    assert signal_codes(base, "stroke_adjusted") == [
        "design",
        "ci_excludes_no_difference",
        "adjusted_estimate_only",
    ]
    assert signal_codes(base, "stroke_words") == ["design", "no_numbers"]


def test_adjusted_effect_signal_names_the_adjustment(base: EvidenceBase) -> None:
    result = next(
        r
        for r in base.by_id["mini"].appraisal.outcomes
        if r.stats.outcome.kind == "adjusted_effect"
    )
    assert result.signals[-1].text == (
        "Only an adjusted effect is published (adjusted for: age); no counts per group."
    )


def test_binary_percent_only_gets_the_no_counts_signal(tmp_path: Path) -> None:
    study = edited(STUDY, "events = 3\ntotal = 10\n", "")
    analysed = analyse(load_evidence(write_evidence(tmp_path, study)))
    (result,) = analysed.by_id["mini"].appraisal.outcomes
    assert [s.code for s in result.signals] == ["design", "no_counts"]
    cells = row(analysed, "stroke_30d")
    assert cells.intervention.text == "30% (printed) · group size not given"
    assert cells.difference.text == "not estimable: group sizes not given"
    assert cells.participants.text == "group sizes not given (1 randomized trial)"


def test_a_kind_warning_is_given_once_per_study(base: EvidenceBase) -> None:
    codes = [w.code for w in base.by_id["mini"].appraisal.data_warnings]
    assert codes.count("adjusted_estimate_only") == 1


def test_rows_of_each_kind(base: EvidenceBase) -> None:
    binary, km = row(base, "stroke_30d"), row(base, "free_1y")
    adjusted, narrative = row(base, "stroke_adjusted"), row(base, "stroke_words")
    assert binary.intervention.text == "30.0% (6.7–65.2) · 3/10"
    assert binary.participants.text == "20 patients (1 randomized trial)"
    assert km.intervention.text == "Survival 70.0% ± 5.0 (SE)"
    assert km.difference.text == "−20.0 pp (−31.4 to −8.6) in survival"
    assert km.relative.text == "not estimable: only Kaplan-Meier estimates are printed"
    enrolled = "20 patients in the study; number analysed not stated (1 randomized trial)"
    assert km.participants.text == enrolled
    assert adjusted.relative.text == "adjusted OR (age) 2.0 (1.1–3.6)"
    assert adjusted.relative.href == "/evidence/mini#o-stroke_adjusted-effect-1"
    assert adjusted.intervention.text == "not given (adjusted effect only)"
    assert narrative.statement is not None
    assert narrative.statement.text == "Strokes were rare in both groups."
    assert narrative.participants.text == enrolled
    assert [r.statement is None for r in (binary, km, adjusted)] == [True, True, True]


def test_published_effects_are_notes_unless_the_row_shows_them(tmp_path: Path) -> None:
    effect = ADJUSTED[ADJUSTED.index("[[outcomes.effects]]") :]
    # The same published effect on the binary outcome, which has cells of its own for it.
    study = STUDY + effect + KAPLAN_MEIER + ADJUSTED + NARRATIVE
    analysed = analyse(load_evidence(write_evidence(tmp_path, study)))
    published = {
        outcome_id: [n.text for n in row(analysed, outcome_id).notes if n.kind == "published"]
        for outcome_id in ("stroke_30d", "stroke_adjusted")
    }
    # The binary row leads with the published estimate, so it is its relative cell, not a note.
    assert published == {"stroke_30d": ["P = .58"], "stroke_adjusted": []}
    binary = row(analysed, "stroke_30d")
    assert binary.relative.text == "Published adjusted OR (age) 2.0 (1.1–3.6)"
    recomputed = [n.text for n in binary.notes if n.kind == "recomputed"]
    assert recomputed == [
        "RR 3.00 (0.37–24.17), Stent vs Medical therapy (Katz 95% CI); the published estimate"
        " above leads."
    ]


def test_only_binary_counts_are_key_outcomes_for_counselling(base: EvidenceBase) -> None:
    outcomes = base.by_id["mini"].appraisal.outcomes
    assert [is_key(r) for r in outcomes] == [True, False, False, False]
