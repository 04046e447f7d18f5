import socket
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from pydantic import SecretStr

from mock_server.admin.local import LocalAdmin
from mock_server.admin.protocol import AdminError
from mock_server.app import Sandbox
from mock_server.registry import PROVIDERS
from tests.helpers import FROZEN, digitalent_headers

PATH = "/api/public/pelatihan/akademi"


@pytest.fixture
def dts(client_for):
    return client_for("digitalent")


@pytest.fixture
def admin(client_for):
    return client_for("admin")


def signed(dts, secret="dts-demo-secret", method="GET", path=PATH, body=""):
    headers = digitalent_headers(method, path, body, secret=secret)
    return dts.request(method, path, content=body, headers=headers)


def test_health_is_503_until_the_server_listens(admin):
    """In-process there is no listening socket: health must not claim otherwise."""
    response = admin.get("/__admin/health")
    assert response.status_code == 503
    assert response.json()["providers"]["digitalent"]["listening"] is False


def test_a_journal_id_from_a_response_can_be_looked_up(dts, admin):
    rejected = signed(dts, secret="wrong")
    entry = admin.get(f"/__admin/requests/{rejected.headers['x-mock-journal-id']}").json()
    assert entry["status"] == 401
    assert entry["rule"] == "signature"
    assert entry["diagnosis"]["string_to_sign"].startswith("GET:/api/public/pelatihan/akademi::")
    assert "dts-demo-secret" not in str(entry)


def test_unknown_journal_id_is_404(admin):
    assert admin.get("/__admin/requests/nope").status_code == 404


def test_requests_newest_first_and_paginated(dts, admin):
    ids = [signed(dts).headers["x-mock-journal-id"] for _ in range(5)]
    page = admin.get("/__admin/requests", params={"per_page": 2, "page": 2}).json()
    assert [e["id"] for e in page["data"]] == [ids[2], ids[1]]
    assert page["meta"] == {"page": 2, "per_page": 2, "total": 5}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"provider": "digitalent"}, 4),
        ({"provider": "joss"}, 0),
        ({"client_id": "dts-demo-client"}, 3),
        ({"method": "post"}, 1),
        ({"path": "/api/public/pelatihan/akademi"}, 3),
        ({"path": "/api/public/pelatihan*"}, 4),
        ({"status": 401}, 1),
        ({"outcome": "accepted"}, 2),
        ({"outcome": "rejected"}, 2),
        ({"rule": "missing_headers"}, 1),
    ],
)
def test_journal_filters(dts, admin, params, expected):
    signed(dts)  # accepted GET
    signed(dts, method="POST", body='{"id":1}')  # accepted POST
    signed(dts, secret="wrong")  # 401
    dts.get("/api/public/pelatihan")  # 400 missing headers, no client
    listed = admin.get("/__admin/requests", params=params).json()
    assert listed["meta"]["total"] == expected
    assert admin.get("/__admin/requests/count", params=params).json() == {"count": expected}


@pytest.mark.parametrize("route", ["/__admin/requests", "/__admin/requests/count"])
def test_an_unknown_filter_key_is_400_naming_the_valid_ones(dts, admin, route):
    signed(dts)
    response = admin.get(route, params={"provder": "joss"})
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "unknown journal filter provder" in detail
    assert "provider" in detail.split("known:")[1]
    assert "outcome" in detail.split("known:")[1]


@pytest.mark.parametrize("route", ["/__admin/requests", "/__admin/requests/count"])
def test_an_unknown_provider_name_is_400_not_zero_matches(dts, admin, route):
    signed(dts)
    response = admin.get(route, params={"provider": "jos"})
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "unknown provider 'jos'; known: " + ", ".join(p.name for p in PROVIDERS)
    )


def test_the_in_process_journal_refuses_unknown_filters_too(dts, sandbox):
    admin = LocalAdmin(sandbox.services, ports=dict, openapi={})
    signed(dts)
    with pytest.raises(AdminError, match="unknown journal filter provder"):
        admin.count(provder="joss")
    with pytest.raises(AdminError, match="unknown provider 'jos'"):
        admin.count(provider="jos")
    assert admin.count(provider="digitalent") == 1


def test_time_range_filter_uses_the_sandbox_clock(dts, admin, sandbox):
    signed(dts)
    sandbox.services.clock.advance(3600)
    headers = digitalent_headers("GET", PATH, at=sandbox.services.clock.now())
    dts.get(PATH, headers=headers)
    since = (FROZEN + timedelta(minutes=30)).isoformat()
    assert admin.get("/__admin/requests/count", params={"since": since}).json()["count"] == 1
    until = FROZEN.timestamp() + 1
    assert admin.get("/__admin/requests/count", params={"until": until}).json()["count"] == 1
    assert admin.get("/__admin/requests", params={"since": "yesterday"}).status_code == 400


def test_count_answers_exactly_one_accepted_post(dts, admin):
    signed(dts, method="POST", body='{"id":1}')
    signed(dts, method="POST", body='{"id":1}', secret="wrong")
    params = {"method": "POST", "path": PATH, "outcome": "accepted"}
    assert admin.get("/__admin/requests/count", params=params).json() == {"count": 1}


def test_delete_clears_the_journal(dts, admin):
    signed(dts)
    signed(dts)
    assert admin.delete("/__admin/requests").json() == {"deleted": 2}
    assert admin.get("/__admin/requests/count").json() == {"count": 0}


def test_clock_read_freeze_advance_resume(admin, sandbox):
    assert admin.get("/__admin/clock").json()["frozen"] is True
    frozen = admin.post("/__admin/clock", json={"freeze": "2030-01-01T00:00:00Z"}).json()
    assert frozen["now"].startswith("2030-01-01T00:00:00")
    advanced = admin.post("/__admin/clock", json={"advance_seconds": 43200}).json()
    assert advanced["now"].startswith("2030-01-01T12:00:00")
    resumed = admin.post("/__admin/clock", json={"resume": True}).json()
    assert resumed["frozen"] is False
    assert abs((sandbox.services.clock.now() - datetime.now(UTC)).total_seconds()) < 2
    assert admin.post("/__admin/clock", json={"freeze": "now"}).json()["frozen"] is True


@pytest.mark.parametrize(
    "body",
    [{}, {"freeze": "soon"}, {"advance_seconds": 1, "resume": True}, {"advance_seconds": "x"}],
)
def test_bad_clock_changes_are_4xx(admin, body):
    assert admin.post("/__admin/clock", json=body).status_code in (400, 422)


def test_the_clock_drives_digitalent_windows(dts, admin):
    headers = digitalent_headers("GET", PATH)
    admin.post("/__admin/clock", json={"advance_seconds": 301})
    assert dts.get(PATH, headers=headers).status_code == 408


def test_provider_list_and_openapi(admin):
    providers = admin.get("/__admin/providers").json()
    ports = {p["name"]: p["port"] for p in providers}
    assert ports == {p.name: p.settings_cls().port for p in PROVIDERS}
    assert ports["digitalent"] == 7105
    spec = admin.get("/__admin/providers/digitalent/openapi.json").json()
    assert "/api/public/pelatihan/akademi" in spec["paths"]
    spec = admin.get("/__admin/providers/appkey/openapi.json").json()
    assert "/api/v1/auth/login" in spec["paths"]
    assert admin.get("/__admin/providers/nope/openapi.json").status_code == 404


# -- the token rule ------------------------------------------------------------------------------
def test_loopback_control_plane_is_open(admin):
    assert admin.get("/__admin/clock").status_code == 200


def test_beyond_loopback_every_endpoint_but_health_needs_the_token(make_sandbox, client_for):
    exposed = make_sandbox(host="0.0.0.0", admin_token=SecretStr("s3cret-admin"))
    admin = client_for("admin", exposed)
    assert admin.get("/__admin/clock").status_code == 401
    assert admin.get("/__admin/requests").status_code == 401
    assert admin.get("/__admin/clock", headers={"Authorization": "Bearer wrong"}).status_code == 401
    ok = admin.get("/__admin/clock", headers={"Authorization": "Bearer s3cret-admin"})
    assert ok.status_code == 200
    assert admin.get("/__admin/health").status_code == 503  # no token needed, not listening


def test_serving_beyond_loopback_without_a_token_is_refused():
    from mock_server.cli import ConfigError
    from mock_server.core.config import Settings
    from mock_server.serve import serve

    with pytest.raises(ConfigError, match="MOCK_ADMIN_TOKEN"):
        serve(Settings(host="0.0.0.0", memory=True), {})


def test_a_closed_listening_handle_counts_as_not_listening(sandbox: Sandbox) -> None:
    """uvloop's Server.sockets holds None for a handle it closed: the health check must not
    fail on it (it answered 500 once, replicas started together on one PostgreSQL)."""
    bound = socket.socket()
    bound.bind(("127.0.0.1", 0))
    try:
        serving = SimpleNamespace(sockets=[None, bound], is_serving=lambda: True)
        sandbox.server = SimpleNamespace(started=True, servers=[serving])
        assert sandbox.listening() == {bound.getsockname()[1]: True}
    finally:
        sandbox.server = None
        bound.close()
