from mock_server.registry import PROVIDERS
from tests.helpers import digitalent_headers


def test_health_is_503_until_the_server_listens(client_for):
    """In-process there is no listening socket: health must not claim otherwise."""
    response = client_for("admin").get("/__admin/health")
    assert response.status_code == 503
    assert response.json()["providers"]["digitalent"]["listening"] is False


def test_a_journal_id_from_a_response_can_be_looked_up(client_for):
    dts, admin = client_for("digitalent"), client_for("admin")
    path = "/api/public/pelatihan/akademi"
    rejected = dts.get(path, headers=digitalent_headers("GET", path, secret="wrong"))
    entry = admin.get(f"/__admin/requests/{rejected.headers['x-mock-journal-id']}").json()
    assert entry["status"] == 401
    assert entry["rule"] == "signature"
    assert entry["diagnosis"]["string_to_sign"].startswith("GET:/api/public/pelatihan/akademi::")
    assert "dts-demo-secret" not in str(entry)


def test_latest_requests_newest_first_and_filtered(client_for):
    dts, admin = client_for("digitalent"), client_for("admin")
    path = "/api/public/pelatihan/akademi"
    first = dts.get(path, headers=digitalent_headers("GET", path))
    second = dts.get(path)
    ids = [
        e["id"] for e in admin.get("/__admin/requests", params={"provider": "digitalent"}).json()
    ]
    assert ids[:2] == [second.headers["x-mock-journal-id"], first.headers["x-mock-journal-id"]]
    assert admin.get("/__admin/requests", params={"provider": "joss"}).json() == []


def test_unknown_journal_id_is_404(client_for):
    response = client_for("admin").get("/__admin/requests/nope")
    assert response.status_code == 404


def test_provider_list_and_openapi(client_for):
    admin = client_for("admin")
    providers = admin.get("/__admin/providers").json()
    assert [p["name"] for p in providers] == [p.name for p in PROVIDERS]
    assert providers[0]["port"] == 7105
    spec = admin.get("/__admin/providers/digitalent/openapi.json").json()
    assert "/api/public/pelatihan/akademi" in spec["paths"]
    assert admin.get("/__admin/providers/nope/openapi.json").status_code == 404
