import uuid
from datetime import timedelta

import pytest

from tests.helpers import digitalent_headers, journal_entry

PATH = "/api/public/pelatihan/akademi"


@pytest.fixture
def dts(client_for):
    return client_for("digitalent")


@pytest.fixture
def admin(client_for):
    return client_for("admin")


def signed(dts, sandbox=None, **kwargs):
    at = sandbox.services.clock.now() if sandbox else None
    headers = digitalent_headers("GET", PATH, **({"at": at} if at else {}), **kwargs)
    return dts.get(PATH, headers=headers)


# -- faults ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "message"),
    [(500, "Internal Server Error"), (503, "Service Unavailable"), (504, "Gateway Timeout")],
)
def test_status_fault_answers_in_the_providers_shape(dts, admin, sandbox, status, message):
    rule = admin.post("/__admin/faults", json={"provider": "digitalent", "status": status}).json()
    response = signed(dts)
    assert response.status_code == status
    assert response.json() == {
        "success": False,
        "message": message,
        "detail": f"injected by fault rule {rule['id']}",
    }
    entry = journal_entry(sandbox, response)
    assert entry["rule"] == "fault"
    assert entry["diagnosis"]["faults"] == [rule["id"]]


def test_429_fault_carries_retry_after(dts, admin):
    admin.post("/__admin/faults", json={"provider": "digitalent", "status": 429, "retry_after": 7})
    response = signed(dts)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"
    admin.delete("/__admin/faults")
    admin.post("/__admin/faults", json={"provider": "digitalent", "status": 429})
    assert signed(dts).headers["retry-after"] == "1"


def test_fault_with_a_custom_body(dts, admin):
    admin.post(
        "/__admin/faults",
        json={"provider": "digitalent", "status": 503, "body": {"maintenance": True}},
    )
    assert signed(dts).json() == {"maintenance": True}


def test_fault_for_the_next_n_requests_only(dts, admin):
    rule = admin.post(
        "/__admin/faults", json={"provider": "digitalent", "status": 500, "times": 2}
    ).json()
    assert [signed(dts).status_code for _ in range(3)] == [500, 500, 200]
    listed = admin.get("/__admin/faults").json()
    assert [(r["id"], r["remaining"]) for r in listed] == [(rule["id"], 0)]


def test_fault_matches_method_and_path_pattern(dts, admin):
    rule = {"provider": "digitalent", "method": "POST", "status": 503}
    admin.post("/__admin/faults", json=rule | {"path": "/api/public/pelatihan/*"})
    assert signed(dts).status_code == 200  # GET: not matched
    body = '{"id":1}'
    response = dts.post(PATH, content=body, headers=digitalent_headers("POST", PATH, body))
    assert response.status_code == 503
    other = "/api/public/other"
    assert dts.post(other, headers=digitalent_headers("POST", other)).status_code == 404


def test_fault_with_a_probability(dts, admin, sandbox):
    admin.post(
        "/__admin/faults", json={"provider": "digitalent", "status": 500, "probability": 0.5}
    )
    sandbox.services.faults._random.seed(4)
    statuses = [signed(dts).status_code for _ in range(40)]
    assert 5 < statuses.count(500) < 35
    assert statuses.count(200) == 40 - statuses.count(500)


def test_latency_fault_delays_then_answers(dts, admin, sandbox):
    import time

    admin.post(
        "/__admin/faults", json={"provider": "digitalent", "action": "latency", "latency_ms": 300}
    )
    started = time.perf_counter()
    response = signed(dts)
    assert response.status_code == 200
    assert time.perf_counter() - started >= 0.3
    assert journal_entry(sandbox, response)["duration_ms"] >= 300


def test_faults_apply_before_auth(dts, admin):
    admin.post("/__admin/faults", json={"provider": "digitalent", "status": 503})
    assert dts.get(PATH).status_code == 503  # unsigned, and still the outage answers


def test_faults_are_listed_and_deleted(admin):
    first = admin.post("/__admin/faults", json={"provider": "digitalent", "status": 500}).json()
    admin.post("/__admin/faults", json={"provider": "digitalent", "status": 503})
    assert len(admin.get("/__admin/faults").json()) == 2
    assert admin.delete(f"/__admin/faults/{first['id']}").json() == {"deleted": 1}
    assert admin.delete(f"/__admin/faults/{first['id']}").status_code == 404
    assert admin.delete("/__admin/faults").json() == {"deleted": 1}


@pytest.mark.parametrize(
    "body",
    [
        {"provider": "nope", "status": 500},
        {"provider": "digitalent"},
        {"provider": "digitalent", "status": 418},
        {"provider": "digitalent", "action": "latency"},
        {"provider": "digitalent", "status": 500, "probability": 0},
        {"provider": "digitalent", "status": 500, "times": 0},
    ],
)
def test_bad_fault_rules_are_refused(admin, body):
    assert admin.post("/__admin/faults", json=body).status_code in (404, 422)


# -- lenient mode ---------------------------------------------------------------------------------
def test_lenient_mode_serves_and_says_what_would_have_failed(dts, admin, sandbox):
    admin.post("/__admin/providers/digitalent/control", json={"auth_mode": "lenient"})
    response = signed(dts, secret="wrong", skew=timedelta(hours=7))
    assert response.status_code == 200
    header = response.headers["x-mock-would-have-failed"]
    assert "timestamp_window" in header
    assert "signature" in header
    entry = journal_entry(sandbox, response)
    assert entry["outcome"] == "accepted"
    assert [w.split(":")[0] for w in entry["would_have_failed"]] == [
        "timestamp_window",
        "signature",
    ]
    assert "string_to_sign" in entry["diagnosis"]["signature"]
    count = admin.get("/__admin/requests/count", params={"would_have_failed": True}).json()
    assert count == {"count": 1}


def test_lenient_mode_runs_every_check_it_can(dts, admin):
    admin.post("/__admin/providers/digitalent/control", json={"auth_mode": "lenient"})
    request_id = str(uuid.uuid4())
    signed(dts, request_id=request_id)
    again = signed(dts, request_id=request_id, secret="wrong")
    assert again.status_code == 200
    assert [w.split(":")[0] for w in again.headers["x-mock-would-have-failed"].split("; ")] == [
        "signature",
        "replay",
    ]
    assert dts.get(PATH).headers["x-mock-would-have-failed"].startswith("missing_headers")


def test_lenient_mode_leaves_good_requests_unmarked(dts, admin):
    admin.post("/__admin/providers/digitalent/control", json={"auth_mode": "lenient"})
    response = signed(dts)
    assert response.status_code == 200
    assert "x-mock-would-have-failed" not in response.headers
    assert admin.get("/__admin/requests/count", params={"would_have_failed": True}).json() == {
        "count": 0
    }


def test_strict_is_the_default_and_can_be_restored(dts, admin):
    assert admin.get("/__admin/providers/digitalent/control").json()["auth_mode"] == "strict"
    admin.post("/__admin/providers/digitalent/control", json={"auth_mode": "lenient"})
    admin.post("/__admin/providers/digitalent/control", json={"auth_mode": "strict"})
    assert signed(dts, secret="wrong").status_code == 401


def test_lenient_from_settings(make_sandbox, client_for):
    from mock_server.providers.digitalent.config import DigitalentSettings

    lenient = make_sandbox({"digitalent": DigitalentSettings(auth_mode="lenient")})
    assert signed(client_for("digitalent", lenient), secret="wrong").status_code == 200


# -- rate limit -----------------------------------------------------------------------------------
def test_rate_limit_answers_429_in_the_providers_shape_until_the_window_passes(dts, admin, sandbox):
    admin.post(
        "/__admin/providers/digitalent/control", json={"rate_limit": 2, "rate_limit_window": 60}
    )
    assert [signed(dts).status_code for _ in range(2)] == [200, 200]
    limited = signed(dts)
    assert limited.status_code == 429
    assert limited.json()["message"] == "Too Many Requests"
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    sandbox.services.clock.advance(60)
    assert signed(dts, sandbox).status_code == 200


def test_rate_limit_is_per_client(dts, admin):
    admin.post("/__admin/providers/digitalent/control", json={"rate_limit": 1})
    assert signed(dts).status_code == 200
    created = admin.post(
        "/__admin/providers/digitalent/clients", json={"client_id": "other"}
    ).json()
    assert signed(dts, client_id="other", secret=created["client_secret"]).status_code == 200
    assert signed(dts).status_code == 429


def test_rate_limit_is_off_by_default(dts):
    assert {signed(dts).status_code for _ in range(30)} == {200}


# -- credentials and reset ------------------------------------------------------------------------
def test_clients_are_listed_without_secrets(admin):
    clients = admin.get("/__admin/providers/digitalent/clients").json()
    assert [c["client_id"] for c in clients] == ["dts-demo-client", "dts-inactive-client"]
    assert "dts-demo-secret" not in str(clients)
    assert clients[0]["secret_fingerprint"].startswith("sha256:")


def test_create_rotate_deactivate(dts, admin):
    created = admin.post(
        "/__admin/providers/digitalent/clients", json={"client_id": "partner-x", "name": "X"}
    ).json()
    assert signed(dts, client_id="partner-x", secret=created["client_secret"]).status_code == 200
    rotated = admin.post("/__admin/providers/digitalent/clients/partner-x/rotate").json()
    assert rotated["client_secret"] != created["client_secret"]
    assert signed(dts, client_id="partner-x", secret=created["client_secret"]).status_code == 401
    assert signed(dts, client_id="partner-x", secret=rotated["client_secret"]).status_code == 200
    admin.post("/__admin/providers/digitalent/clients/partner-x/active", json={"active": False})
    assert signed(dts, client_id="partner-x", secret=rotated["client_secret"]).status_code == 403


def test_client_errors(admin):
    url = "/__admin/providers/digitalent/clients"
    assert admin.post(url, json={"client_id": "dts-demo-client"}).status_code == 409
    assert admin.post(f"{url}/nobody/rotate").status_code == 404
    assert admin.post(f"{url}/nobody/active", json={"active": True}).status_code == 404
    assert admin.get("/__admin/providers/nope/clients").status_code == 404


def test_reset_one_provider_restores_its_seed(dts, admin):
    admin.post(
        "/__admin/providers/digitalent/clients/dts-demo-client/active", json={"active": False}
    )
    assert signed(dts).status_code == 403
    assert admin.post("/__admin/providers/digitalent/reset").json()["reset"] == ["digitalent"]
    assert signed(dts).status_code == 200


def test_reset_all_clears_journal_faults_and_controls(dts, admin):
    signed(dts)
    admin.post("/__admin/faults", json={"provider": "digitalent", "status": 500})
    admin.post("/__admin/providers/digitalent/control", json={"auth_mode": "lenient"})
    admin.post("/__admin/reset")
    assert admin.get("/__admin/requests/count").json() == {"count": 0}
    assert admin.get("/__admin/faults").json() == []
    assert signed(dts, secret="wrong").status_code == 401


# -- found in review ------------------------------------------------------------------------------
def test_lenient_serves_a_request_missing_its_timestamp_and_id(dts, admin):
    admin.post("/__admin/providers/digitalent/control", json={"auth_mode": "lenient"})
    body = '{"id":1}'
    headers = digitalent_headers("POST", PATH, body, secret="wrong")
    del headers["Request-Timestamp"], headers["Request-Id"]
    response = dts.post(PATH, content=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["x-mock-would-have-failed"].startswith("missing_headers")


def test_a_rate_limited_request_keeps_its_request_id(dts, admin, sandbox):
    admin.post("/__admin/providers/digitalent/control", json={"rate_limit": 1})
    assert signed(dts).status_code == 200
    request_id = str(uuid.uuid4())
    assert signed(dts, request_id=request_id).status_code == 429
    sandbox.services.clock.advance(60)
    assert signed(dts, sandbox, request_id=request_id).status_code == 200


def test_reset_clears_rate_limit_counts(dts, admin):
    admin.post("/__admin/providers/digitalent/control", json={"rate_limit": 1})
    signed(dts)
    assert signed(dts).status_code == 429
    admin.post("/__admin/reset")
    admin.post("/__admin/providers/digitalent/control", json={"rate_limit": 1})
    assert signed(dts).status_code == 200


def test_an_earlier_fault_does_not_spend_a_later_one(dts, admin):
    admin.post("/__admin/faults", json={"provider": "digitalent", "status": 503, "times": 1})
    admin.post("/__admin/faults", json={"provider": "digitalent", "status": 500, "times": 1})
    assert [signed(dts).status_code for _ in range(3)] == [503, 500, 200]


def test_a_drop_fault_in_process_fails_the_call_like_a_dropped_connection(sandbox):
    from starlette.testclient import TestClient

    from mock_server.core.pipeline import DroppedConnection

    sandbox.services.faults.add(provider="digitalent", action="drop")
    with TestClient(sandbox.apps["digitalent"]) as client, pytest.raises(DroppedConnection):
        client.get(PATH)


@pytest.mark.parametrize(
    "body",
    [
        {"freeze": "9999-12-31T23:00:00-01:00"},
        {"freeze": "1969-12-31T00:00:00Z"},
        {"advance_seconds": 1e308},
        {"advance_seconds": -1e12},
        {"resume": False},
    ],
)
def test_clock_changes_out_of_range_are_refused_and_harmless(dts, admin, body):
    assert admin.post("/__admin/clock", json=body).status_code in (400, 422)
    signed(dts)
    assert admin.get("/__admin/requests").status_code == 200
