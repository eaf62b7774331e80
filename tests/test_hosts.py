"""The Host header is never reflected: redirects and links come from ICAS_PUBLIC_URL or a trusted host.

`Host: evil.example` on `/static//evil.com` (a routing redirect, whose Location Werkzeug builds from
the Host) and on `/api/v1/assess/fhir` (whose links are absolute) gets 400 from the `make run`
server bound to loopback, and, with ICAS_PUBLIC_URL set, a Location and links on the public URL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from app import create_app
from app.http.hosts import UNTRUSTED, host_name
from tests import server as make_run
from tests.scenarios import VISSIT_LIKE
from tests.test_raw_http import exchange, parse

EVIL = "evil.example"
BODY = json.dumps(VISSIT_LIKE)


def get(path: str, host: str | None) -> bytes:
    head = f"GET {path} HTTP/1.1\r\n" + (f"Host: {host}\r\n" if host is not None else "")
    return head.encode() + b"\r\n"


def fhir(host: str) -> bytes:
    head = f"POST /api/v1/assess/fhir HTTP/1.1\r\nHost: {host}\r\n"
    head += f"Content-Type: application/json\r\nContent-Length: {len(BODY)}\r\n\r\n"
    return head.encode() + BODY.encode()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[make_run.Server]:
    with make_run.running(tmp_path_factory.mktemp("hosts") / "server.log") as running:
        yield running


@pytest.fixture(scope="module")
def public(tmp_path_factory: pytest.TempPathFactory) -> Iterator[make_run.Server]:
    env = {"ICAS_PUBLIC_URL": "https://icas.example.org"}
    with make_run.running(tmp_path_factory.mktemp("public") / "server.log", env=env) as running:
        yield running


@pytest.mark.parametrize("request_bytes", [get("/static//evil.com", EVIL), fhir(EVIL)])
def test_an_untrusted_host_gets_400_and_is_never_reflected(
    server: make_run.Server, request_bytes: bytes
) -> None:
    answer = exchange(server.port, request_bytes)
    status, headers, body = parse(answer)
    assert status == 400
    assert "location" not in headers
    assert EVIL.encode() not in answer
    assert UNTRUSTED.encode() in body


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "LOCALHOST.", None])
def test_the_bound_loopback_address_and_its_names_are_trusted(
    server: make_run.Server, host: str | None
) -> None:
    name = f"{host}:{server.port}" if host else None
    answer = exchange(server.port, get("/static//evil.com", name))
    status, headers, _ = parse(answer)
    assert status == 308
    assert headers["location"].endswith("/static/evil.com")
    assert EVIL not in headers["location"]
    status, _, body = parse(exchange(server.port, fhir(f"127.0.0.1:{server.port}")))
    assert status == 200
    assert f"http://127.0.0.1:{server.port}/evidence/".encode() in body


def test_with_a_public_url_redirects_and_links_use_it_whatever_the_host(
    public: make_run.Server,
) -> None:
    status, headers, _ = parse(exchange(public.port, get("/static//evil.com", EVIL)))
    assert (status, headers["location"]) == (308, "https://icas.example.org/static/evil.com")
    answer = exchange(public.port, fhir(EVIL))
    status, _, body = parse(answer)
    assert status == 200
    assert EVIL.encode() not in answer
    resources = [e["resource"] for e in json.loads(body)["entry"]]
    links = [r["url"] for r in resources] + [
        a["document"]["url"]
        for r in resources
        for a in r.get("relatedArtifact", [])
        if "url" in a.get("document", {})
    ]
    # Every link the app builds (canonical URLs and evidence pages) is under the public URL.
    ours = [url for url in links if "icas.example.org" in url or "evil" in url]
    assert ours and all(url.startswith("https://icas.example.org/") for url in ours)
    assert any(url.startswith("https://icas.example.org/evidence/") for url in ours)


def test_trusted_hosts_replace_the_default() -> None:
    app = create_app({"TESTING": True, "ICAS_TRUSTED_HOSTS": "icas.example.org, 10.0.0.5"})
    client = app.test_client()
    for host, status in [
        ("icas.example.org", 200),
        ("ICAS.example.org:8443", 200),
        ("10.0.0.5:5000", 200),
        ("localhost", 400),
        (EVIL, 400),
    ]:
        response = client.get("/healthz", headers={"Host": host})
        assert response.status_code == status, host
    refused = client.post("/api/v1/assess", json=VISSIT_LIKE, headers={"Host": EVIL})
    assert refused.get_json() == {"error": "bad_request", "message": UNTRUSTED}


def test_trusted_hosts_are_checked_beside_a_public_url() -> None:
    app = create_app(
        {"TESTING": True, "PUBLIC_URL": "https://icas.test", "ICAS_TRUSTED_HOSTS": "icas.test"}
    )
    client = app.test_client()
    assert client.get("/healthz", headers={"Host": "icas.test"}).status_code == 200
    assert client.get("/healthz", headers={"Host": EVIL}).status_code == 400


@pytest.mark.parametrize("bad", ["https://icas.example.org", "icas.example.org/path", "a b/c"])
def test_a_bad_trusted_host_stops_the_app(bad: str) -> None:
    with pytest.raises(ValueError, match="ICAS_TRUSTED_HOSTS: not a host name"):
        create_app({"ICAS_TRUSTED_HOSTS": bad})


@pytest.mark.parametrize(
    ("header", "name"),
    [("Example.ORG:80", "example.org"), ("[::1]:5000", "::1"), ("::1", "::1"), ("a.b.", "a.b")],
)
def test_host_name(header: str, name: str) -> None:
    assert host_name(header) == name
