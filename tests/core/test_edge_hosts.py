"""How the edge reads a Host header, and where handed-out URLs point, without a server."""

import pytest

from mock_server.core.edge import EDGE_KEY, bare_host, public_origin


@pytest.mark.parametrize(
    ("sent", "bare"),
    [
        ("sandbox.joss.kemnaker.go.id", "sandbox.joss.kemnaker.go.id"),
        ("Sandbox.JOSS.kemnaker.go.id:7443", "sandbox.joss.kemnaker.go.id"),
        ("joss.kemnaker.go.id.:443", "joss.kemnaker.go.id"),
        ("[::1]:7443", "::1"),
        ("::1", "::1"),
        ("127.0.0.1:7101", "127.0.0.1"),
    ],
)
def test_bare_host(sent, bare):
    assert bare_host(sent) == bare


def scope(**extra):
    return {
        "scheme": "http",
        "server": ("127.0.0.1", 7103),
        "client": ("127.0.0.1", 50000),
        "headers": [(b"host", b"api-satusehat-stg.dto.kemkes.go.id")],
    } | extra


def test_on_a_provider_port_the_origin_is_the_port_itself():
    assert public_origin(scope(), frozenset()) == "http://127.0.0.1:7103"
    assert public_origin(scope(server=("::1", 7103)), frozenset()) == "http://[::1]:7103"
    assert public_origin(scope(scheme="https", server=("10.0.0.5", 443)), frozenset()) == (
        "https://10.0.0.5"
    )


def test_through_the_edge_the_origin_is_the_host_it_served():
    edged = scope(**{EDGE_KEY: "api-satusehat-stg.dto.kemkes.go.id:7443"})
    assert public_origin(edged, frozenset()) == "https://api-satusehat-stg.dto.kemkes.go.id:7443"


def test_forwarded_headers_count_only_from_a_trusted_proxy():
    forwarded = scope(
        headers=[(b"x-forwarded-proto", b"https"), (b"x-forwarded-host", b"kyc.example, inner")]
    )
    assert public_origin(forwarded, frozenset()) == "http://127.0.0.1:7103"
    assert public_origin(forwarded, frozenset({"127.0.0.1"})) == "https://kyc.example"
