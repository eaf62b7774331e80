"""The quote rules' matching (app/evidence/quotes.py): figures as written, counts in digits or words."""

from __future__ import annotations

import pytest

from app.evidence.quotes import count_occurs, number_words, occurs, printed_number, quote_problem


@pytest.mark.parametrize(
    ("number", "text", "found"),
    [
        ("14", "(14/58; 24.1%)", True),
        ("4", "(14/58; 24.1%)", False),  # not inside 14
        ("24", "(14/58; 24.1%)", False),  # not the integer part of 24.1
        ("24.1", "(14/58; 24.1%)", True),
        ("1", "24.1%", False),  # not a decimal digit
        (".05", "(P = .05)", True),
        (".05", "(P = 0.05)", False),  # as written: ".05" is not how this source prints it
        ("0.001", "P < 0.001", True),
        ("14·7", "33 (14·7%) of 224", True),
        ("7", "33 (14·7%) of 224", False),
        ("5.0", "difference, 0.4% (−5.0% to 5.9%)", True),
    ],
)
def test_a_figure_occurs_as_a_whole_number(number: str, text: str, found: bool) -> None:
    assert occurs(number, text) is found


@pytest.mark.parametrize(
    ("value", "text", "found"),
    [
        (14, "Fourteen procedures in the angioplasty (15%)", True),
        (4, "Fourteen procedures in the angioplasty (15%)", False),
        (48, "Forty-eight procedures (36.1%)", True),
        (1234, "1,234 patients", True),
        (58, "(14/58; 24.1%)", True),
        (59, "(14/58; 24.1%)", False),
    ],
)
def test_a_count_occurs_in_digits_or_words(value: int, text: str, found: bool) -> None:
    assert count_occurs(value, text) is found


def test_number_words() -> None:
    assert number_words(0) == ("zero",)
    assert number_words(19) == ("nineteen",)
    assert number_words(40) == ("forty",)
    assert number_words(48) == ("forty-eight", "forty eight")
    assert number_words(100) == ()


def test_printed_number_drops_comparator_and_sign() -> None:
    assert [printed_number(t) for t in ("<0.001", ">99", "−5.0", "-5.0", "24.1")] == [
        "0.001",
        "99",
        "5.0",
        "5.0",
        "24.1",
    ]


def test_quote_rule() -> None:
    body = "The stent group fared worse. The medical group did not. Stroke in the stent group."
    assert quote_problem("The stent group fared worse", body) is None
    assert quote_problem("fared", body) == (
        "too short to identify its sentence (1 word); quote at least 2 words of the sentence,"
        " with the figures it backs"
    )
    assert quote_problem("stent group", body) == (
        "stands 2 times in its source, so it does not identify one sentence; quote more of the"
        " sentence"
    )
    assert quote_problem("not in the text", body) is None  # the verbatim check reports it
