"""Bad input never gives a 5xx: property-based fuzzing of the JSON API and the HTML form.

Every request goes through the Flask test client (no server). What is checked for each answer:

- never a 5xx, and only the statuses the contract lists (200, 400, 413, 415, 422 for the API; 200,
  400, 413, 422 for the form; 400 is a body that is not UTF-8);
- JSON answers parse as strict JSON (NaN and Infinity fail the test) and follow the error contract;
  every 422 names fields, each a known field, "body", or a key the request itself sent;
- a 422 form page shows each message in an element whose id a form control (or its fieldset) names
  in aria-describedby, and the error summary links to the field.

A default run is quick (FUZZ_EXAMPLES examples per test, 60 unless set). For a deep run:
``FUZZ_EXAMPLES=2000 .venv/bin/python -m pytest tests/test_fuzz.py -q``.
"""

from __future__ import annotations

import json
import math
import os
import re
import urllib.parse
from typing import Any

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

from app.api.encode import assessment_json
from app.api.twobytwo import ARM_FIELDS, ARMS, EVENTS, MAX_NAME
from app.api.twobytwo import FIELDS as TWO_BY_TWO_FIELDS
from app.contract.centre import KEYS as CENTRE_KEYS
from app.contract.scenario import (
    ARTERIES,
    FIELD_NAMES,
    MAX_STRING,
    OPTIONS,
    SETTINGS,
    parse_scenario,
)
from app.engine.assess import assess

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    database=None,  # no example database in the shared working tree
    deadline=None,  # scipy's first calls and a noisy machine make timings meaningless here
    max_examples=EXAMPLES,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
ASSESS = "/api/v1/assess"
TWO_BY_TWO = "/api/v1/two-by-two"
FORM = "application/x-www-form-urlencoded"
API_STATUSES = {200, 400, 413, 415, 422}
FORM_STATUSES = {200, 400, 413, 422}

# --------------------------------------------------------------------------- values


class Raw:
    """A literal written into the body text as is: NaN, Infinity, 1e400, a 5,000-digit integer."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"Raw({self.text[:40]!r})"


def encode(value: Any) -> str:
    """JSON text of `value`, writing Raw literals verbatim (so the body may not be valid JSON)."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{encode(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(encode(v) for v in value) + "]"
    return json.dumps(value)


RAW_NUMBERS = st.one_of(
    st.sampled_from(["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1e-400", "-0", "0.0"]),
    st.sampled_from(["3.0", "80.0", "1E2", "18.000000000000001", "1e18", "-1e18"]),
    st.integers(1, 6000).map(lambda n: "9" * n),  # past Python's 4,300-digit int limit too
    st.integers(15, 30).map(lambda n: "-1" + "0" * n),
).map(Raw)
# Lone surrogates, escaped control characters and non-characters are valid JSON text.
RAW_STRINGS = st.sampled_from(['"\\ud800"', '"\\udfff x"', '"\\u0000"', '"\\uffff"']).map(Raw)
NUMBERS = st.one_of(
    st.integers(),
    st.integers(-(10**40), 10**40),
    st.integers(-5, 4000),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.5, 0.95, 0.999, 0.9990000001, 1.0, -0.0, 1e308, 5e-324]),
)
TEXT = st.one_of(
    st.text(max_size=30),
    st.text(st.characters(codec="utf-8"), min_size=50, max_size=400),
    st.integers(1000, 20_000).map(lambda n: "é" * n),  # long enough, at times, to pass 16 KB
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, TEXT, RAW_NUMBERS, RAW_STRINGS)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=15,
)
# One to four distinct options, in any order (drawn without rejection sampling).
DISTINCT_OPTIONS = st.permutations(list(OPTIONS)).flatmap(
    lambda order: st.integers(1, len(order)).map(lambda k: list(order[:k]))
)
WORDS = sorted({*SETTINGS, *OPTIONS, *ARTERIES, *EVENTS, "x", "", "MEDICAL", " medical"})
OPTION_LISTS = (
    st.lists(st.sampled_from([*OPTIONS, "x", "", "Medical"]), max_size=9) | DISTINCT_OPTIONS
)
FIELD_VALUES = st.one_of(
    st.sampled_from(WORDS), OPTION_LISTS, st.integers(-5, 4000), st.booleans(), JSON_VALUES
)
CONTENT_TYPES = st.one_of(
    st.sampled_from(
        [
            "application/json",
            "application/json; charset=utf-8",
            "application/json; charset=latin-1",
            "application/problem+json",
            "application/vnd.api+json",
            "APPLICATION/JSON",
            "text/json",
            "application/jsonx",
            "text/plain",
            FORM,
            "multipart/form-data; boundary=x",
            "application/octet-stream",
            "",
        ]
    ),
    # Anything a server could pass on as a header value (no line breaks).
    st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=40),
)


def mostly(good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`good` nine times in ten, else `bad` (one_of would weigh every branch of `bad` equally)."""
    return st.integers(0, 9).flatmap(lambda i: bad if i == 0 else good)


def scenario_bodies() -> st.SearchStrategy[Any]:
    """Scenario-shaped objects (known and unknown keys, good and bad values) and anything else."""
    keys = st.sampled_from([*FIELD_NAMES, "colour", "Setting", "", "options "]) | st.text(
        max_size=80
    )
    options = DISTINCT_OPTIONS
    valid = st.fixed_dictionaries(
        {
            "setting": mostly(st.sampled_from(list(SETTINGS)), FIELD_VALUES),
            "options": mostly(options, OPTION_LISTS | FIELD_VALUES),
        },
        optional={
            "stenosis_percent": mostly(st.integers(-1, 101), FIELD_VALUES),
            "symptomatic": mostly(st.none() | st.booleans(), FIELD_VALUES),
            "days_since_event": mostly(st.integers(-1, 3651), FIELD_VALUES),
            "artery": mostly(st.none() | st.sampled_from(list(ARTERIES)), FIELD_VALUES),
            "age": mostly(st.integers(17, 121), FIELD_VALUES),
            "prestent_angioplasty": mostly(st.none() | st.booleans(), FIELD_VALUES),
        },
    )
    junk = st.one_of(
        st.dictionaries(keys, FIELD_VALUES, max_size=10),
        st.tuples(valid, st.dictionaries(keys, FIELD_VALUES, min_size=1, max_size=3)).map(
            lambda pair: {**pair[0], **pair[1]}
        ),
        JSON_VALUES,
    )
    return st.integers(0, 2).flatmap(lambda i: junk if i == 0 else valid)


def counts() -> st.SearchStrategy[Any]:
    total = st.integers(1, 2000) | st.integers(1, 1_000_000) | st.sampled_from([1_000_000])
    good = total.flatmap(
        lambda n: st.fixed_dictionaries({"events": st.integers(0, n), "total": st.just(n)})
    )
    bad = st.one_of(
        st.fixed_dictionaries(
            {"events": st.integers(-3, 1200) | FIELD_VALUES, "total": st.integers(-3, 1200)},
            optional={"rate": FIELD_VALUES},
        ),
        st.fixed_dictionaries({"events": st.integers(0, 10), "total": st.just(1_000_001)}),
        st.dictionaries(st.sampled_from([*ARM_FIELDS, "n"]), FIELD_VALUES),
        FIELD_VALUES,
    )
    return mostly(good, bad)


def two_by_two_bodies() -> st.SearchStrategy[Any]:
    valid = st.fixed_dictionaries(
        {"intervention": counts(), "comparator": counts()},
        optional={
            "confidence": mostly(
                st.none() | st.floats(0.5, 0.999, exclude_min=True),
                st.floats(0.4, 1.1) | NUMBERS | FIELD_VALUES,
            ),
            "event": mostly(st.sampled_from([*EVENTS, None]), FIELD_VALUES),
            "alpha": FIELD_VALUES,
        },
    )
    keys = st.sampled_from([*TWO_BY_TWO_FIELDS, "centre"]) | st.text(max_size=80)
    junk = st.dictionaries(keys, counts(), max_size=6) | JSON_VALUES
    return st.integers(0, 2).flatmap(lambda i: junk if i == 0 else valid)


# --------------------------------------------------------------------------- checks


def _refuse(name: str) -> None:
    raise AssertionError(f"{name} in a response")


def strict_json(response: TestResponse) -> Any:
    assert response.mimetype == "application/json", response.mimetype
    return json.loads(response.get_data(as_text=True), parse_constant=_refuse)


def _loads(text: str | bytes) -> Any:
    """What the request body reads as, for working out which names a 422 may blame."""
    try:
        # Only the keys matter here; integers of thousands of digits would not convert.
        return json.loads(text, parse_constant=lambda _name: None, parse_int=lambda _text: 0)
    except (ValueError, RecursionError):
        return None


def blamable(path: str, sent: Any) -> set[str]:
    """Every field name a 422 for this body may name: known fields, "body", and sent keys."""
    if path == ASSESS:
        names = {*FIELD_NAMES, "body"}
        if isinstance(sent, dict):
            names |= {str(key)[:MAX_STRING] for key in sent}
            entries = sent.get("centre_results")
            for index, entry in enumerate(entries if isinstance(entries, list) else []):
                names.add(f"centre_results[{index}]")
                keys = entry if isinstance(entry, dict) else {}
                names |= {
                    f"centre_results[{index}].{str(key)[:64]}" for key in [*CENTRE_KEYS, *keys]
                }
        return names
    names = {*TWO_BY_TWO_FIELDS, "body", *(f"{a}.{f}" for a in ARMS for f in ARM_FIELDS)}
    if isinstance(sent, dict):
        names |= {str(key)[:MAX_NAME] for key in sent}
        for arm in ARMS:
            if isinstance(sent.get(arm), dict):
                names |= {f"{arm}.{str(key)[:MAX_NAME]}" for key in sent[arm]}
    return names


def check_api_answer(response: TestResponse, path: str, sent: Any) -> Any:
    status = response.status_code
    assert status < 500, response.get_data(as_text=True)[:300]
    assert status in API_STATUSES, status
    body = strict_json(response)
    if status == 422:
        assert body["error"] == "validation_failed"
        fields = body["fields"]
        assert isinstance(fields, dict) and fields
        assert set(fields) <= blamable(path, sent), (set(fields), sent)
        for messages in fields.values():
            assert messages and all(isinstance(m, str) and m for m in messages)
    elif status != 200:
        assert set(body) == {"error", "message"}
        assert (
            body["error"]
            == {
                400: "bad_request",
                413: "payload_too_large",
                415: "unsupported_media_type",
            }[status]
        )
    return body


def _finite_numbers(value: Any) -> None:
    """No non-finite float anywhere in a parsed answer (strict parsing already refuses NaN)."""
    if isinstance(value, float):
        assert math.isfinite(value)
    elif isinstance(value, dict):
        for item in value.values():
            _finite_numbers(item)
    elif isinstance(value, list):
        for item in value:
            _finite_numbers(item)


def post_json(app: Flask, path: str, body: Any) -> TestResponse:
    text = encode(body)
    return app.test_client().post(path, data=text.encode(), content_type="application/json")


# --------------------------------------------------------------------------- the JSON API


@FUZZ
@given(body=scenario_bodies())
def test_assess_never_fails_on_any_json_body(app: Flask, body: Any) -> None:
    response = post_json(app, ASSESS, body)
    answer = check_api_answer(response, ASSESS, _loads(encode(body)))
    if response.status_code == 200:
        assert list(answer) == [
            "scenario",
            "comparisons",
            "warnings",
            "pairs_without_evidence",
            "scope",
            "known_trials",
            "outcome_families",
            "available_comparisons",
            "centre_comparisons",
            "evidence_version",
        ]
        assert answer["scenario"]["setting"] in SETTINGS
        for comparison in answer["comparisons"]:
            assert all(o["certainty"]["rating"] for o in comparison["outcomes"])
        assert answer["comparisons"] or answer["warnings"]
        _finite_numbers(answer)


@FUZZ
@given(body=two_by_two_bodies())
def test_two_by_two_never_fails_on_any_json_body(app: Flask, body: Any) -> None:
    response = post_json(app, TWO_BY_TWO, body)
    answer = check_api_answer(response, TWO_BY_TWO, _loads(encode(body)))
    if response.status_code == 200:
        _finite_numbers(answer)
        for arm in ARMS:
            assert 0 <= answer[arm]["events"] <= answer[arm]["total"] <= 1_000_000
            low, high = answer[arm]["ci"]
            assert 0 <= low <= answer[arm]["rate"] <= high <= 1


VALID_SCENARIOS = st.fixed_dictionaries(
    {
        "setting": st.sampled_from(list(SETTINGS)),
        "options": DISTINCT_OPTIONS,
        "stenosis_percent": st.integers(0, 100),
    },
    optional={
        "symptomatic": st.none() | st.booleans(),
        "days_since_event": st.none() | st.integers(0, 3650),
        "artery": st.none() | st.sampled_from(list(ARTERIES)),
        "age": st.none() | st.integers(18, 120),
        "prestent_angioplasty": st.none() | st.booleans(),
    },
)


@FUZZ
@given(body=VALID_SCENARIOS)
def test_assess_answer_is_exactly_what_the_plain_builder_gives(
    app: Flask, body: dict[str, Any]
) -> None:
    # The API embeds JSON encoded once at start-up (app/api/encode.py prepare_studies); the answer
    # must hold exactly what the plain builder gives for the whole assessment, keys in its order
    # (json.dumps keeps the order, so equal text means equal content and order).
    response = post_json(app, ASSESS, body)
    assert response.status_code == 200
    expected = assessment_json(assess(parse_scenario(body), app.extensions["engine_tables"]))
    answer = json.loads(response.get_data())
    assert json.dumps(answer, allow_nan=False) == json.dumps(expected, allow_nan=False)


RAW_BODIES = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(str.encode),
    st.sampled_from(["{", "[", '{"a":', "nul", "[1,]", "{}", "[]", "null", "0", '""']).map(
        str.encode
    ),
    st.integers(1, 3000).map(lambda n: ("[" * n + "]" * n).encode()),
    st.integers(16 * 1024 - 5, 16 * 1024 + 5).map(lambda n: b" " * (n - 2) + b"{}"),
)


@FUZZ
@given(
    path=st.sampled_from([ASSESS, TWO_BY_TWO]),
    data=RAW_BODIES | (scenario_bodies() | two_by_two_bodies()).map(lambda b: encode(b).encode()),
    content_type=CONTENT_TYPES,
)
def test_api_never_fails_on_any_raw_body_or_content_type(
    app: Flask, path: str, data: bytes, content_type: str
) -> None:
    response = app.test_client().post(path, data=data, content_type=content_type)
    check_api_answer(response, path, _loads(data))


def test_raw_non_finite_literals_are_refused_as_not_json(app: Flask) -> None:
    for literal in ("NaN", "Infinity", "-Infinity"):
        body = {"setting": "lvo_icas", "options": ["medical"], "age": Raw(literal)}
        response = post_json(app, ASSESS, body)
        assert response.status_code == 415
        assert (
            "NaN, Infinity and -Infinity are not JSON numbers" in strict_json(response)["message"]
        )


# --------------------------------------------------------------------------- the HTML form

FORM_WORDS = [*SETTINGS, *OPTIONS, *ARTERIES, "yes", "no", "unknown", "", "maybe", "YES"]
NUMBER_TEXTS = st.one_of(
    st.integers(-(10**12), 10**12).map(str),
    st.integers(-5, 4000).map(str),
    st.sampled_from(["80", " 80 ", "+80", "-0", "080", "8e1", "80.0", "1e400", "NaN", "inf"]),
    st.sampled_from(["٨٠", "８０", "80\u200b", "\x00", "1_000", "0x50", "999999999999999999999"]),
)
FORM_VALUES = st.one_of(st.sampled_from(FORM_WORDS), NUMBER_TEXTS, TEXT)
FORM_NAMES = st.sampled_from([*FIELD_NAMES, "colour", "csrf_token", "options[]"]) | st.text(
    max_size=20
)
FORM_PAIRS = st.lists(
    st.tuples(st.sampled_from(FIELD_NAMES), FORM_VALUES) | st.tuples(FORM_NAMES, FORM_VALUES),
    max_size=14,
)
ANSWERS = st.sampled_from(["yes", "no", "unknown", ""])
VALID_FORMS = st.fixed_dictionaries(
    {
        "setting": mostly(st.sampled_from(list(SETTINGS)), FORM_VALUES),
        # Duplicates too: a browser never sends them, a script may.
        "options": mostly(
            DISTINCT_OPTIONS,
            st.lists(st.sampled_from(list(OPTIONS)), min_size=2, max_size=6),
        ),
        "stenosis_percent": mostly(st.integers(0, 100).map(str), NUMBER_TEXTS),
    },
    optional={
        "symptomatic": mostly(ANSWERS, FORM_VALUES),
        "days_since_event": mostly(st.integers(0, 3650).map(str), NUMBER_TEXTS),
        "artery": mostly(st.sampled_from(["", *ARTERIES]), FORM_VALUES),
        "age": mostly(st.integers(18, 120).map(str), NUMBER_TEXTS),
        "prestent_angioplasty": mostly(ANSWERS, FORM_VALUES),
    },
).map(
    lambda form: [
        (name, item)
        for name, value in form.items()
        for item in (value if isinstance(value, list) else [value])
    ]
)
# The element holding a field's messages has the id "<field>-error" (app/forms.py, error_id).
ERROR_ID = re.compile(r'\bid="([a-z_]+)-error"')


def check_form_page(response: TestResponse) -> None:
    status = response.status_code
    assert status < 500
    assert status in FORM_STATUSES, status
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    if status == 200:
        assert 'id="results"' in page
        assert not ERROR_ID.search(page)
    if status != 422:
        return
    fields = ERROR_ID.findall(page)
    assert fields, "a 422 page names no field"
    assert set(fields) <= set(FIELD_NAMES)
    described = re.findall(r'aria-describedby="([^"]+)"', page)
    for name in fields:
        # Each message is tied to its control (or fieldset) through aria-describedby...
        assert any(f"{name}-error" in value.split() for value in described), name
        # ...and the summary at the top links to the field.
        assert re.search(rf'<a href="#{name}(-0)?">', page), name


def post_form(app: Flask, pairs: list[tuple[str, str]], encoding: str) -> TestResponse:
    client = app.test_client()
    if encoding == "multipart":
        return client.post("/", data=MultiDict(pairs), content_type="multipart/form-data")
    # Surrogates cannot be sent in a form; they become replacement characters, as a browser does.
    text = urllib.parse.urlencode(pairs, errors="replace")
    return client.post("/", data=text, content_type=FORM if encoding == "form" else encoding)


@FUZZ
@given(
    pairs=st.integers(0, 2).flatmap(lambda i: FORM_PAIRS if i == 0 else VALID_FORMS),
    extra=mostly(st.just([]), FORM_PAIRS),
    encoding=mostly(
        st.sampled_from(["form", "multipart"]),
        st.sampled_from(["text/plain", "application/json", "multipart/mixed"]),
    ),
)
def test_form_never_fails_and_ties_errors_to_fields(
    app: Flask, pairs: list[tuple[str, str]], extra: list[tuple[str, str]], encoding: str
) -> None:
    check_form_page(post_form(app, pairs + extra[:2], encoding))


@FUZZ
@given(data=st.binary(max_size=400), content_type=CONTENT_TYPES)
def test_form_never_fails_on_any_raw_body(app: Flask, data: bytes, content_type: str) -> None:
    check_form_page(app.test_client().post("/", data=data, content_type=content_type))
