"""The register of known trials and the outcome families: loaded, validated and failing closed."""

from __future__ import annotations

from pathlib import Path

import pytest
import textstat

from app.analysis.base import analyse
from app.contract.scenario import parse_scenario
from app.engine.assess import assess
from app.evidence.loader import load_evidence
from app.evidence.model import EvidenceError
from app.web.forest import forest_views, prepare_plots
from app.web.known import known_trial_view
from tests.engine_tables import tables
from tests.minimal_study import MANIFEST, SOURCE_TEXT
from tests.same_pair import write_same_pair

REGISTER = """
schema_version = 1

[sources.abstract]
kind = "primary"
title = "Abstract"
file = "sources/mini.txt"
origin = "tests"

[[trials]]
id = "other-trial"
short_name = "Other"
title = "Angioplasty alone vs medical therapy"
setting = "symptomatic_icas"
design = "randomized_trial"
intervention = ["angioplasty"]
comparator = ["medical"]
comparator_label = "medical therapy alone"
reason = "Its results were not found on a primary page."

[trials.citation]
text = "Doe J. Another trial. 2021."
source = "abstract"
quote = "We randomized 20 patients"

[trials.why]
source = "abstract"
quote = "We randomized 20 patients"
"""

FAMILIES = """
schema_version = 1

[[families]]
id = "stroke_30d"
label = "Stroke within 30 days"
definition = "Any stroke in the first 30 days."
timeframe = "30 days"
comparable = "Both count any stroke in the first 30 days, in patients."
"""


def with_register(root: Path, register: str = REGISTER, manifest: str = MANIFEST) -> Path:
    (root / "register.toml").write_text(register, encoding="utf-8")
    manifest_text = (root / "manifest.toml").read_text(encoding="utf-8")
    (root / "manifest.toml").write_text(
        manifest_text.replace("[sha256]", 'register = "register.toml"\n\n[sha256]'),
        encoding="utf-8",
    )
    return root


def with_families(root: Path, families: str = FAMILIES, family: str = "stroke_30d") -> Path:
    (root / "families.toml").write_text(families, encoding="utf-8")
    manifest_text = (root / "manifest.toml").read_text(encoding="utf-8")
    (root / "manifest.toml").write_text(
        manifest_text.replace("[sha256]", 'families = "families.toml"\n\n[sha256]'),
        encoding="utf-8",
    )
    for study in (root / "studies").glob("*.toml"):
        text = study.read_text(encoding="utf-8")
        study.write_text(
            text.replace(
                'timeframe = "30 days"\n', f'timeframe = "30 days"\nfamily = "{family}"\n'
            ),
            encoding="utf-8",
        )
    return root


def problems(root: Path) -> list[str]:
    with pytest.raises(EvidenceError) as raised:
        load_evidence(root)
    return list(raised.value.problems)


def test_a_registered_trial_is_named_with_its_citation_never_a_number(tmp_path: Path) -> None:
    root = write_same_pair(tmp_path)
    with_register(root)
    base = analyse(load_evidence(root))
    (trial,) = base.evidence.register
    assert (trial.intervention, trial.comparator) == (("angioplasty",), ("medical",))
    scenario = {"setting": "symptomatic_icas", "stenosis_percent": 80}
    found = assess(
        parse_scenario({**scenario, "options": ["medical", "angioplasty"]}), tables(base)
    )
    assert [t.id for t in found.known_trials] == ["other-trial"]
    # A pair that an included study compares names no registered trial.
    found = assess(
        parse_scenario({**scenario, "options": ["medical", "balloon_stent"]}), tables(base)
    )
    assert found.known_trials == ()
    # A trial of the other setting is never named.
    acute = assess(
        parse_scenario({"setting": "lvo_icas", "options": ["medical", "angioplasty"]}), tables(base)
    )
    assert acute.known_trials == ()


def test_a_bad_register_fails_closed_listing_every_problem(tmp_path: Path) -> None:
    bad = (
        REGISTER.replace('setting = "symptomatic_icas"', 'setting = "elsewhere"')
        .replace('intervention = ["angioplasty"]', 'intervention = ["laser"]')
        .replace(
            'text = "Doe J. Another trial. 2021."\nsource = "abstract"\nquote = "We randomized 20 patients"',
            'text = "Doe J. Another trial. 2021."\nsource = "abstract"\nquote = "not in the abstract"',
        )
        .replace('reason = "Its results', 'colour = "red"\nreason = "Its results')
    )
    root = with_register(write_same_pair(tmp_path), bad)
    assert problems(root) == [
        "register.toml: trials[0].citation.quote: not found verbatim in source 'abstract'",
        "register.toml: trials[0].setting: 'elsewhere' is not one of: symptomatic_icas, lvo_icas",
        "register.toml: trials[0].intervention: 'laser' is not one of: medical, angioplasty,"
        " balloon_stent, self_expanding_stent, stent_unspecified",
        "register.toml: trials[0].colour: unknown key",
    ]


def test_a_missing_register_file_fails_closed(tmp_path: Path) -> None:
    root = with_register(write_same_pair(tmp_path))
    (root / "register.toml").unlink()
    assert problems(root) == ["register.toml: file not found"]


def test_a_register_source_needs_its_sha256(tmp_path: Path) -> None:
    root = with_register(write_same_pair(tmp_path))
    (root / "sources" / "other.txt").write_text(SOURCE_TEXT + " More.", encoding="utf-8")
    register = REGISTER.replace('file = "sources/mini.txt"', 'file = "sources/other.txt"')
    (root / "register.toml").write_text(register, encoding="utf-8")
    (found,) = problems(root)
    assert found.startswith(
        "manifest.toml: sha256.sources/other.txt: missing for a source text that register.toml uses"
    )


def test_family_members_are_grouped_pooled_and_plotted(tmp_path: Path) -> None:
    root = with_families(write_same_pair(tmp_path))
    base = analyse(load_evidence(root))
    (group,) = base.families
    assert [m.study.id for m in group.members] == ["mini", "mini-two"]
    assert group.treatments == ("balloon_stent", "medical")
    # Two identical tables 3/10 vs 1/10: the Mantel-Haenszel RR is 3 and the RD 0.2.
    assert group.risk_ratio is not None and group.risk_ratio.estimate == pytest.approx(3.0)
    assert group.risk_difference is not None
    assert group.risk_difference.estimate == pytest.approx(0.2)
    assert group.notes == ()
    scenario = {
        "setting": "symptomatic_icas",
        "options": ["medical", "balloon_stent"],
        "stenosis_percent": 80,
    }
    (view,) = forest_views(
        assess(parse_scenario(scenario), tables(base)), prepare_plots(base.families)
    )
    assert [r.label for r in view.rows] == [
        "Mini",
        "Mini Two",
        "Pooled risk ratio (Mantel-Haenszel fixed effect)",
        "Pooled risk ratio (DerSimonian-Laird random effects, truncated Hartung-Knapp interval)",
        "Pooled risk difference (Mantel-Haenszel fixed effect)",
        "Pooled risk difference (DerSimonian-Laird random effects, truncated Hartung-Knapp interval)",
    ]
    assert view.rows[0].counts == "3/10 vs 1/10" and view.rows[0].weight == "50.0%"
    # Only ratios in the ratio rows, only differences in the difference rows, each with the
    # heterogeneity of its own measure; no summed totals row.
    assert view.rows[2].difference == "" and view.rows[4].ratio == ""
    assert view.rows[2].source_note.startswith("Heterogeneity of the risk ratio: I² 0%")
    assert view.rows[4].source_note.startswith("Heterogeneity of the risk difference: I² 0%")
    assert all(not r.counts for r in view.rows[2:])
    # Greenland-Robins variance of log RR_MH: sum(n1 n2 (a + c) - a c N) / N^2 over
    # sum(a n2 / N) sum(c n1 / N) = 2 * (400 - 60) / 400 / (3 * 1) = 0.5667; 3 exp(±1.96 * 0.7528).
    assert view.rows[2].ratio == "RR 3.00 (0.69–13.12)"
    # null line, two studies, fixed and random diamonds, axis
    assert view.difference_svg.count("<path") == 6
    assert 'role="img"' in view.ratio_svg and "dashed line at 1: no difference" in view.ratio_svg


def test_no_pooled_estimate_without_two_randomized_studies(tmp_path: Path) -> None:
    root = write_same_pair(tmp_path)
    second = root / "studies" / "mini-two.toml"
    second.write_text(
        second.read_text(encoding="utf-8").replace(
            'value = "randomized_trial"', 'value = "retrospective_cohort"'
        ),
        encoding="utf-8",
    )
    (group,) = analyse(load_evidence(with_families(root))).families
    assert len(group.members) == 2
    assert (group.risk_ratio, group.risk_difference) == (None, None)
    assert group.notes[0].startswith("No pooled estimate: it needs at least two randomized studies")


def test_a_family_never_mixes_time_frames_and_its_id_must_exist(tmp_path: Path) -> None:
    root = with_families(write_same_pair(tmp_path), family="stroke_1y")
    assert problems(root) == [
        "studies/mini.toml: outcomes[0].family: unknown family 'stroke_1y'; families are: stroke_30d",
        "studies/mini-two.toml: outcomes[0].family: unknown family 'stroke_1y'; families are:"
        " stroke_30d",
    ]
    root = with_families(
        write_same_pair(tmp_path / "frames"), FAMILIES.replace('"30 days"', '"1 year"')
    )
    assert problems(root)[0] == (
        "studies/mini.toml: outcomes[0].family: timeframe '30 days' differs from the family's"
        " '1 year'; a family never mixes time frames"
    )


def test_known_trial_words_for_patients_stay_at_grade_8(tmp_path: Path) -> None:
    root = with_register(write_same_pair(tmp_path))
    (trial,) = load_evidence(root).register
    view = known_trial_view(trial)
    assert view.patient_text == (
        "This study looked at balloon widening only and medicines only. It is not in this tool yet,"
        " so its results are not shown here."
    )
    assert textstat.flesch_kincaid_grade(view.patient_text) <= 8
    assert view.text == (
        "A randomized trial of angioplasty alone vs medical therapy alone. It is not in this"
        " evidence base, and none of its numbers are shown. Its results were not found on a primary"
        " page."
    )
    assert view.citation == "Doe J. Another trial. 2021."
