"""The loader: the shipped evidence loads, and each kind of problem is reported exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.evidence.loader import load_evidence
from app.evidence.model import EvidenceError, Printed
from tests.minimal_study import MANIFEST, SOURCE_TEXT, STUDY, write_evidence


def problems_for(
    tmp_path: Path, *edits: tuple[str, str], study: str = STUDY, source: str = SOURCE_TEXT
) -> list[str]:
    """Apply text edits to the minimal study and return the loader's problems (must fail)."""
    for old, new in edits:
        assert old in study, f"test edit target not found: {old!r}"
        study = study.replace(old, new, 1)
    with pytest.raises(EvidenceError) as raised:
        load_evidence(write_evidence(tmp_path, study, source=source))
    return list(raised.value.problems)


def test_minimal_study_loads(tmp_path: Path) -> None:
    evidence = load_evidence(write_evidence(tmp_path))
    (study,) = evidence.studies
    assert study.id == "mini"
    assert study.outcomes[0].arms["stent"].events == 3
    assert evidence.version.startswith("2026-01-01+")


def test_unknown_key_is_an_error(tmp_path: Path) -> None:
    problems = problems_for(
        tmp_path, ('n = 10\nsource = "abstract"', 'n = 10\nsize = 3\nsource = "abstract"')
    )
    assert problems == ["studies/mini.toml: arms.stent.size: unknown key"]


def test_wrong_type(tmp_path: Path) -> None:
    problems = problems_for(tmp_path, ("events = 3", 'events = "3"'))
    assert problems == [
        "studies/mini.toml: outcomes[0].arms.stent.events: must be an integer, got str '3'"
    ]


def test_boolean_is_not_a_count(tmp_path: Path) -> None:
    problems = problems_for(tmp_path, ("n = 10", "n = true"))
    assert problems == ["studies/mini.toml: arms.stent.n: must be an integer, got bool True"]


def test_unknown_treatment_code(tmp_path: Path) -> None:
    problems = problems_for(tmp_path, ('"balloon_stent"', '"stent"'))
    assert problems == [
        "studies/mini.toml: arms.stent.treatment: 'stent' is not one of: medical, angioplasty,"
        " balloon_stent, self_expanding_stent, stent_unspecified"
    ]


def test_events_above_total(tmp_path: Path) -> None:
    problems = problems_for(
        tmp_path, ('events = 3\ntotal = 10\npercent = "30"', "events = 11\ntotal = 10")
    )
    assert problems == [
        "studies/mini.toml: outcomes[0].arms.stent.events: 11 events exceed the total of 10"
    ]


def test_total_above_arm_size(tmp_path: Path) -> None:
    problems = problems_for(tmp_path, ('label = "Stent"\nn = 10', 'label = "Stent"\nn = 8'))
    assert problems == [
        "studies/mini.toml: outcomes[0].arms.stent.total: 10 exceeds the arm size of 8",
        "studies/mini.toml: arms.stent.n: 8 is not in its quote; quote the sentence that prints"
        " it, or say how it was worked out in `derived`",
    ]


def test_percent_must_match_counts(tmp_path: Path) -> None:
    problems = problems_for(tmp_path, ('percent = "30"', 'percent = "31"'))
    assert problems == [
        "studies/mini.toml: outcomes[0].arms.stent.percent: printed 31% does not match 3/10 = 30.00%"
        " at the printed precision; correct it, or record the source's error in `discrepancy`"
    ]


def test_acknowledged_discrepancy_loads(tmp_path: Path) -> None:
    # A source that misprints 3/10 as 31%: the file keeps the printed figure and says so.
    study = STUDY.replace(
        'percent = "30"', 'percent = "31"\ndiscrepancy = "The source prints 31%."'
    ).replace("3/10 (30%) with stenting", "3/10 (31%) with stenting")
    source = SOURCE_TEXT.replace("3/10 (30%)", "3/10 (31%)")
    evidence = load_evidence(write_evidence(tmp_path, study, source=source))
    assert evidence.studies[0].outcomes[0].arms["stent"].discrepancy == "The source prints 31%."


def test_stale_discrepancy_is_an_error(tmp_path: Path) -> None:
    problems = problems_for(tmp_path, ('percent = "30"', 'percent = "30"\ndiscrepancy = "Wrong."'))
    assert problems == [
        "studies/mini.toml: outcomes[0].arms.stent.discrepancy: given, but 30% agrees with the counts"
    ]


def test_percent_precision_is_the_printed_one(tmp_path: Path) -> None:
    # 1/10 is 10%; a printed "10.0" agrees, a printed "10.4" does not, "10.5" is out by more than 0.05.
    problems = problems_for(tmp_path, ('percent = "10"', 'percent = "10.4"'))
    assert problems == [
        "studies/mini.toml: outcomes[0].arms.medical.percent: printed 10.4% does not match 1/10 = 10.000%"
        " at the printed precision; correct it, or record the source's error in `discrepancy`"
    ]


def test_quote_must_be_verbatim(tmp_path: Path) -> None:
    problems = problems_for(tmp_path, ('quote = "(P = .58)"', 'quote = "(P = .05)"'))
    assert problems == [
        "studies/mini.toml: outcomes[0].test.quote: not found verbatim in source 'abstract'",
        "studies/mini.toml: outcomes[0].test.p: printed .58 is not in its quote as written; quote"
        " the sentence that prints it",
    ]


def test_unknown_source(tmp_path: Path) -> None:
    problems = problems_for(
        tmp_path, ('source = "abstract"\nquote = "(P = .58)"', 'source = "x"\nquote = "(P = .58)"')
    )
    assert problems == [
        "studies/mini.toml: outcomes[0].test.source: unknown source 'x'; declare it under [sources]"
    ]


def test_duplicate_outcome_id(tmp_path: Path) -> None:
    second = STUDY[STUDY.index("[[outcomes]]") :]
    problems = problems_for(tmp_path, study=STUDY + second)
    assert problems == ["studies/mini.toml: outcomes[1].id: duplicate outcome id 'stroke_30d'"]


def test_missing_criterion_must_be_declared(tmp_path: Path) -> None:
    block = '[criteria.age]\nreported = false\nnote = "Not stated."\nsource = "abstract"\nquote = "We randomized 20 patients"\n'
    problems = problems_for(tmp_path, (block, ""))
    assert problems == [
        "studies/mini.toml: criteria.age: missing; write reported = false if the source does not report it"
    ]


def test_unknown_arm_in_outcome(tmp_path: Path) -> None:
    problems = problems_for(tmp_path, ("[outcomes.arms.medical]", "[outcomes.arms.aspirin]"))
    assert problems == [
        "studies/mini.toml: outcomes[0].arms.aspirin: unknown arm 'aspirin'; arms are: stent, medical",
        "studies/mini.toml: outcomes[0].arms: missing the compared arm 'medical'",
    ]


def test_invalid_printed_number(tmp_path: Path) -> None:
    problems = problems_for(tmp_path, ('p = ".58"', 'p = "0,58"'))
    assert problems == [
        'studies/mini.toml: outcomes[0].test.p: must be a number as printed, e.g. "24.1" or ".05",'
        " got '0,58'"
    ]


def test_every_problem_is_collected(tmp_path: Path) -> None:
    problems = problems_for(
        tmp_path,
        ('"balloon_stent"', '"stent"'),
        ('percent = "30"', 'percent = "31"'),
        ('p = ".58"', 'p = "2"'),
        ('kind = "binary"', 'kind = "binary"\ncolour = "red"'),
    )
    # Four edits, four problems: one per key (the quote check does not repeat the percent and P).
    assert len(problems) == 4
    assert all(p.startswith("studies/mini.toml: ") for p in problems)


def test_toml_syntax_error_names_the_file(tmp_path: Path) -> None:
    problems = problems_for(tmp_path, ("[comparison]", "[comparison"))
    assert len(problems) == 1
    assert problems[0].startswith("studies/mini.toml: not valid TOML: ")


def test_schema_version_is_checked(tmp_path: Path) -> None:
    problems = problems_for(tmp_path, ("schema_version = 1", "schema_version = 2"))
    assert problems == ["studies/mini.toml: schema_version: must be 1, got 2"]


def test_unlisted_study_file_is_an_error(tmp_path: Path) -> None:
    root = write_evidence(tmp_path)
    (root / "studies" / "extra.toml").write_text(STUDY, encoding="utf-8")
    with pytest.raises(EvidenceError) as raised:
        load_evidence(root)
    assert raised.value.problems == (
        "manifest.toml: studies: studies/extra.toml exists but is not listed",
    )


def test_duplicate_study_id(tmp_path: Path) -> None:
    root = write_evidence(tmp_path)
    (root / "studies" / "copy.toml").write_text(STUDY, encoding="utf-8")
    (root / "manifest.toml").write_text(
        MANIFEST.replace('"studies/mini.toml"]', '"studies/mini.toml", "studies/copy.toml"]'),
        encoding="utf-8",
    )
    with pytest.raises(EvidenceError) as raised:
        load_evidence(root)
    assert raised.value.problems == (
        "studies/copy.toml: study.id: duplicate study id 'mini' (also in studies/mini.toml)",
    )


def test_missing_listed_file(tmp_path: Path) -> None:
    root = write_evidence(tmp_path)
    (root / "studies" / "mini.toml").unlink()
    with pytest.raises(EvidenceError) as raised:
        load_evidence(root)
    assert raised.value.problems == ("studies/mini.toml: file not found",)


@pytest.mark.parametrize(
    ("kind", "estimate", "ci", "sentence", "problem"),
    [
        (
            "risk_ratio",
            "5.0",
            ("0.5", "3.0"),
            "The risk ratio was 5.0 (95% CI, 0.5-3.0)",
            "studies/mini.toml: outcomes[0].effects[0].estimate: 5.0 lies outside its CI 0.5-3.0",
        ),
        (
            "risk_difference",
            "90",
            ("70", "120"),
            "The difference was 90% (95% CI, 70% to 120%)",
            "studies/mini.toml: outcomes[0].effects[0].ci: a difference in percentage points lies"
            " within -100 to 100",
        ),
    ],
    ids=["estimate_outside_its_interval", "difference_beyond_100_points"],
)
def test_a_printed_effect_is_checked(
    tmp_path: Path, kind: str, estimate: str, ci: tuple[str, str], sentence: str, problem: str
) -> None:
    effect = (
        f'\n[[outcomes.effects]]\ntype = "{kind}"\nestimate = "{estimate}"\n'
        f'ci = ["{ci[0]}", "{ci[1]}"]\nadjustment = "not stated"\n'
        f'direction = "intervention_vs_comparator"\nsource = "abstract"\nquote = "{sentence}"\n'
    )
    with pytest.raises(EvidenceError) as raised:
        load_evidence(write_evidence(tmp_path, STUDY + effect, source=f"{SOURCE_TEXT} {sentence}."))
    assert list(raised.value.problems) == [problem]


def test_printed_agreement_rules() -> None:
    assert Printed("24.1").agrees(24.138)
    assert not Printed("24.1").agrees(24.16)
    assert Printed("15").agrees(14.74)
    assert Printed("<0.001").agrees(0.0004)
    assert not Printed("<0.001").agrees(0.002)
    assert Printed(".05").decimals == 2


def test_missing_source_file_is_reported_once(tmp_path: Path) -> None:
    root = write_evidence(tmp_path)
    (root / "sources" / "mini.txt").unlink()
    with pytest.raises(EvidenceError) as raised:
        load_evidence(root)
    assert raised.value.problems == (
        "studies/mini.toml: sources.abstract.file: no such file: sources/mini.txt",
    )


def test_evidence_dir_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app import create_app

    root = write_evidence(tmp_path)
    monkeypatch.setenv("ICAS_EVIDENCE_DIR", str(root))
    app = create_app({"TESTING": True})
    assert [a.study.id for a in app.extensions["evidence_base"].studies] == ["mini"]


def test_the_more_invasive_arm_must_be_the_intervention(tmp_path: Path) -> None:
    problems = problems_for(
        tmp_path,
        (
            'intervention = "stent"\ncomparator = "medical"',
            'intervention = "medical"\ncomparator = "stent"',
        ),
    )
    assert problems == [
        "studies/mini.toml: comparison.intervention: must be the more invasive arm: 'stent'"
        " (balloon_stent) is more invasive than 'medical' (medical); swap intervention and"
        " comparator"
    ]
