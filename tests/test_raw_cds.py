"""Raw HTTP against the CDS Hooks route of a real `make run` server: the body reader every route shares.

The server runs as `make run` runs it (tests/server.py) with the CDS Hooks service configured
(ICAS_PUBLIC_URL on its loopback address, ICAS_CDS_ISSUERS naming the stub EHR's JWKS), and every
request is written byte by byte over a socket, with a freshly signed token (each jti is used once):
malformed chunked bodies, with and without a valid token, never give a 5xx; a chunked body over 512
KB is 413 as one with a Content-Length is; a well-formed chunked call gets its card.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.http.body import ENDED_EARLY, MALFORMED_CHUNKS
from tests import server as make_run
from tests.ehr_stub import Stub, serve
from tests.test_cds import EC_KEY, ISSUER, hook_body, jwk, order, token
from tests.test_raw_http import (
    CHUNK_JUNK,
    ERROR_LINE,
    MALFORMED,
    RAW,
    check,
    chunks,
    exchange,
    mutate,
    parse,
)

PATH = "/cds-services/icas-evidence"
JSON_TYPE = "application/json"


@pytest.fixture(scope="module")
def stub() -> Iterator[Stub]:
    with serve() as running:
        running.jwks = {"keys": [jwk(EC_KEY, "ec-1", "ES384")]}
        yield running


@pytest.fixture(scope="module")
def server(stub: Stub, tmp_path_factory: pytest.TempPathFactory) -> Iterator[make_run.Server]:
    port = make_run.free_port()
    env = {
        "ICAS_PUBLIC_URL": f"http://{make_run.HOST}:{port}",
        "ICAS_CDS_ISSUERS": json.dumps({ISSUER: f"{stub.origin}/jwks.json"}),
    }
    log = tmp_path_factory.mktemp("raw-cds") / "server.log"
    with make_run.running(log, port=port, env=env) as running:
        yield running
        assert not ERROR_LINE.search(running.output()), running.output()


def signed(server: make_run.Server) -> str:
    return token(aud=f"{server.base}{PATH}")


def hook_request(
    server: make_run.Server,
    body: bytes,
    *,
    bearer: str | None = "valid",
    chunked: bool = True,
    length: int | None = None,
    coding: str = "chunked",
) -> bytes:
    head = f"POST {PATH} HTTP/1.1\r\nHost: {make_run.HOST}\r\nContent-Type: {JSON_TYPE}\r\n"
    if bearer is not None:
        head += f"Authorization: Bearer {signed(server) if bearer == 'valid' else bearer}\r\n"
    if chunked:
        head += f"Transfer-Encoding: {coding}\r\n"
    else:
        head += f"Content-Length: {len(body) if length is None else length}\r\n"
    return head.encode() + b"\r\n" + body


def answer_of(server: make_run.Server, data: bytes) -> tuple[int, dict[str, Any]]:
    answer = exchange(server.port, data)
    check(server, answer)
    status, headers, body = parse(answer)
    assert headers["content-type"].startswith(JSON_TYPE), answer[:500]
    return status, json.loads(body)


BODY = json.dumps(hook_body(order("61635"))).encode()


def test_a_chunked_hook_call_with_a_valid_token_gets_its_card(server: make_run.Server) -> None:
    status, answer = answer_of(server, hook_request(server, chunks(BODY, 100)))
    assert status == 200
    (card,) = answer["cards"]
    assert card["source"]["url"] == f"{server.base}/evidence/vissit"


@pytest.mark.parametrize("mutation", sorted(MALFORMED))
def test_malformed_chunked_encoding_with_a_valid_token_is_400_json(
    server: make_run.Server, mutation: str
) -> None:
    status, answer = answer_of(server, hook_request(server, MALFORMED[mutation](BODY)))
    assert (status, answer) == (400, {"error": "bad_request", "message": MALFORMED_CHUNKS})


@pytest.mark.parametrize("mutation", sorted(MALFORMED))
def test_malformed_chunked_encoding_without_a_valid_token_is_401(
    server: make_run.Server, mutation: str
) -> None:
    for bearer in (None, "not-a-jwt"):
        data = hook_request(server, MALFORMED[mutation](BODY), bearer=bearer)
        status, answer = answer_of(server, data)
        assert (status, answer["error"]) == (401, "unauthorized")


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "content-length"])
def test_a_body_over_512_kb_is_413_however_sent(server: make_run.Server, chunked: bool) -> None:
    big = hook_body(order("61635"))
    big["prefetch"] = {"padding": "x" * 530_000}
    body = json.dumps(big).encode()
    assert 512 * 1024 < len(body) < 600_000
    encoded = chunks(body, 65536) if chunked else body
    status, answer = answer_of(server, hook_request(server, encoded, chunked=chunked))
    assert (status, answer) == (
        413,
        {"error": "payload_too_large", "message": "The request body is larger than 512 KB."},
    )


def test_a_body_under_512_kb_sent_chunked_is_read_whole(server: make_run.Server) -> None:
    big = hook_body(order("61635"))
    big["prefetch"] = {"padding": "x" * 400_000}
    status, answer = answer_of(server, hook_request(server, chunks(json.dumps(big).encode(), 8192)))
    assert status == 200 and len(answer["cards"]) == 1


def test_a_body_shorter_than_its_content_length_is_400(server: make_run.Server) -> None:
    data = hook_request(server, BODY, chunked=False, length=len(BODY) + 40)
    assert answer_of(server, data) == (400, {"error": "bad_request", "message": ENDED_EARLY})


def test_a_body_that_is_not_json_is_415_as_on_the_api(server: make_run.Server) -> None:
    status, answer = answer_of(server, hook_request(server, chunks(b"{not json")))
    assert (status, answer["error"]) == (415, "unsupported_media_type")


def test_gzip_chunked_is_501(server: make_run.Server) -> None:
    answer = exchange(server.port, hook_request(server, chunks(BODY), coding="gzip, chunked"))
    status, headers, _ = parse(answer)
    assert status == 501
    assert headers["x-evidence-version"]


@RAW
@given(
    size=st.integers(1, 512),
    with_token=st.booleans(),
    mutations=st.lists(
        st.tuples(
            st.sampled_from(["insert", "replace", "truncate"]), st.integers(0, 10_000), CHUNK_JUNK
        ),
        max_size=3,
    ),
)
def test_chunked_mutations_on_the_cds_route_never_give_a_5xx(
    server: make_run.Server, size: int, with_token: bool, mutations: list[tuple[str, int, bytes]]
) -> None:
    encoded = chunks(BODY, size)
    for kind, position, junk in mutations:
        encoded = mutate(encoded, kind, position, junk)
    data = hook_request(server, encoded, bearer="valid" if with_token else None)
    status = check(server, exchange(server.port, data))
    assert status in (None, 200, 400, 401, 413, 415, 422)
    if not mutations:
        assert status == (200 if with_token else 401)


def test_the_log_has_the_calls(server: make_run.Server) -> None:
    assert f'"POST {PATH}"' in Path(server.log).read_text()
