"""Sales Order on the control plane: lenient mode, clients through the generic admin endpoints,
the sign hook, and the time-window diagnosis."""

import dataclasses
from datetime import timedelta

import pytest

from mock_server.core.provider import SignInput
from mock_server.providers.sales_order import provider
from mock_server.providers.sales_order.config import SalesOrderSettings
from tests.helpers import FROZEN, journal_entry
from tests.providers.sales_order.signing import (
    DEMO_CLIENT,
    mint_token,
    new_key,
    public_pem,
    sign,
)

PATH = "/api/v1/sales-orders"
NOW = int(FROZEN.timestamp())
CONTROL = "/__admin/providers/sales_order/control"
CLIENTS = "/__admin/providers/sales_order/clients"
ORDER = {
    "customer_code": "CUST-001",
    "site_code": "SITE-001",
    "sales_name": "John Doe",
    "address": "Jl. Sudirman No. 1, Jakarta",
    "products": [{"product_code": "PRD-001", "quantity": 2}],
}


@pytest.fixture
def admin(client_for):
    return client_for("admin")


@pytest.fixture
def lenient(admin):
    assert admin.post(CONTROL, json={"auth_mode": "lenient"}).status_code == 200


def rules(sandbox, response) -> list[str]:
    """The rules that would have failed, from the journal; the header names each of them too
    (it cannot be split on "; " since details contain that separator)."""
    names = [w.split(":")[0] for w in journal_entry(sandbox, response)["would_have_failed"]]
    header = response.headers["x-mock-would-have-failed"]
    assert all(f"{name}: " in header for name in names)
    assert header.startswith(f"{names[0]}: ")
    return names


# -- lenient mode -------------------------------------------------------------------------------
def test_lenient_serves_a_bad_signature_and_names_the_rule(so, signed, sandbox, lenient):
    headers = signed() | {"X-SIGNATURE": sign(new_key(), f"{DEMO_CLIENT}|{NOW}")}
    response = so.get(PATH, headers=headers)
    assert response.status_code == 200
    assert rules(sandbox, response) == ["signature"]
    entry = journal_entry(sandbox, response)
    assert entry["outcome"] == "accepted"
    assert entry["client_id"] == DEMO_CLIENT
    assert [w.split(":")[0] for w in entry["would_have_failed"]] == ["signature"]
    assert entry["diagnosis"]["signature"]["string_to_sign"] == f"{DEMO_CLIENT}|{NOW}"


def test_lenient_serves_a_timestamp_outside_the_window(so, signed, sandbox, lenient):
    response = so.get(PATH, headers=signed(timestamp=str(NOW - 3600)))
    assert response.status_code == 200
    assert rules(sandbox, response) == ["timestamp_window"]
    entry = journal_entry(sandbox, response)
    assert entry["diagnosis"]["timestamp_window"]["skew_seconds"] == pytest.approx(-3600, abs=1)


def test_lenient_serves_a_client_mismatch_as_x_client_id(so, signed, sandbox, lenient):
    # A token of partner-client-002, with partner-client-001's headers and demo-key signature.
    token = mint_token("partner-client-002", iat=NOW - 60)
    created = so.post(PATH, json=ORDER, headers=signed(token=token))
    assert created.status_code == 201, created.text
    assert rules(sandbox, created) == ["client_mismatch"]
    assert journal_entry(sandbox, created)["client_id"] == DEMO_CLIENT
    # The order belongs to X-CLIENT-ID: it shows in a correct request of that client.
    listed = so.get(PATH, headers=signed()).json()["data"]
    assert [o["order_no"] for o in listed] == [created.json()["data"]["order_no"]]


def test_lenient_runs_every_check_it_can(so, signed, sandbox, lenient):
    headers = signed(timestamp=str(NOW + 3600), token=mint_token("partner-client-002", iat=0))
    headers["X-SIGNATURE"] = "not base64!"
    response = so.get(PATH, headers=headers)
    assert response.status_code == 200
    assert rules(sandbox, response) == [
        "token_expired",
        "client_mismatch",
        "timestamp_window",
        "signature",
    ]


def test_lenient_with_a_forged_token_and_no_x_client_id(so, signed, sandbox, lenient):
    headers = signed()
    del headers["X-CLIENT-ID"]
    headers["Authorization"] = f"Bearer {mint_token(DEMO_CLIENT, iat=NOW, secret='x' * 32)}"
    response = so.get(PATH, headers=headers)
    assert response.status_code == 200
    assert rules(sandbox, response) == ["missing_headers", "token"]
    # The token's (unverified) client_id names the caller; the signature over it verifies.
    assert journal_entry(sandbox, response)["client_id"] == DEMO_CLIENT


def test_lenient_with_no_headers_at_all_is_served_as_nobody(so, sandbox, lenient):
    response = so.get(PATH)
    assert response.status_code == 200
    assert response.json()["data"] == []
    assert rules(sandbox, response) == ["missing_headers"]
    assert journal_entry(sandbox, response)["client_id"] is None


def test_lenient_refuses_an_order_without_an_existing_owner(so, signed, lenient):
    response = so.post(PATH, json=ORDER, headers=signed(client_id="nobody"))
    assert response.status_code == 403
    assert "lenient" in response.json()["detail"]
    assert so.get(PATH, headers=signed(client_id="nobody")).status_code == 200


def test_lenient_leaves_good_requests_unmarked(so, signed, admin, lenient):
    response = so.get(PATH, headers=signed())
    assert response.status_code == 200
    assert "x-mock-would-have-failed" not in response.headers
    count = admin.get("/__admin/requests/count", params={"would_have_failed": True}).json()
    assert count == {"count": 0}


def test_login_keeps_its_own_answers_in_lenient_mode(so, lenient):
    response = so.post(
        "/api/v1/auth/login", json={"client_id": DEMO_CLIENT, "client_secret": "wrong"}
    )
    assert response.status_code == 401
    assert "x-mock-would-have-failed" not in response.headers


def test_back_to_strict_rejects_again(so, signed, admin, lenient):
    assert so.get(PATH, headers=signed(timestamp=str(NOW - 3600))).status_code == 200
    admin.post(CONTROL, json={"auth_mode": "strict"})
    response = so.get(PATH, headers=signed(timestamp=str(NOW - 3600)))
    assert response.status_code == 401
    assert response.json()["message"] == "Request timestamp out of range"


# -- clients through the generic admin endpoints -------------------------------------------------
def test_clients_are_listed_without_secrets(admin):
    clients = admin.get(CLIENTS).json()
    assert [c["client_id"] for c in clients] == [
        "partner-client-001",
        "partner-client-002",
        "partner-client-inactive",
    ]
    assert "secret-key-123" not in str(clients)
    assert clients[0]["secret_fingerprint"].startswith("sha256:")
    assert [c["public_key_registered"] for c in clients] == [True, False, True]
    assert clients[0]["public_key_fingerprint"].startswith("sha256:")


def login(so, client_id: str, secret: str) -> int:
    body = {"client_id": client_id, "client_secret": secret}
    return so.post("/api/v1/auth/login", json=body).status_code


def test_create_register_rotate_deactivate(so, signed, admin):
    created = admin.post(CLIENTS, json={"client_id": "partner-x", "name": "X"})
    assert created.status_code == 201
    first = created.json()["client_secret"]
    assert created.json()["public_key_registered"] is False
    assert login(so, "partner-x", first) == 200

    key = new_key()
    admin.put("/__admin/sales-order/clients/partner-x/public-key", content=public_pem(key))
    listed = {c["client_id"]: c for c in admin.get(CLIENTS).json()}
    assert listed["partner-x"]["public_key_registered"] is True
    headers = signed(client_id="partner-x", key=key)
    assert so.get(PATH, headers=headers).status_code == 200

    rotated = admin.post(f"{CLIENTS}/partner-x/rotate").json()
    assert rotated["client_secret"] != first
    assert rotated["secret_fingerprint"] != created.json()["secret_fingerprint"]
    assert login(so, "partner-x", first) == 401
    assert login(so, "partner-x", rotated["client_secret"]) == 200

    off = admin.post(f"{CLIENTS}/partner-x/active", json={"active": False}).json()
    assert off["active"] is False
    assert so.get(PATH, headers=headers).status_code == 403
    assert login(so, "partner-x", rotated["client_secret"]) == 403


def test_a_created_client_without_an_id_gets_one(admin):
    created = admin.post(CLIENTS, json={}).json()
    assert created["client_id"].startswith("partner-")
    assert created["client_secret"]


def test_client_errors(admin):
    assert admin.post(CLIENTS, json={"client_id": DEMO_CLIENT}).status_code == 409
    assert admin.post(f"{CLIENTS}/nobody/rotate").status_code == 404
    assert admin.post(f"{CLIENTS}/nobody/active", json={"active": True}).status_code == 404


# -- the sign hook -------------------------------------------------------------------------------
def sign_input(sandbox, **changes) -> SignInput:
    base = SignInput(
        method="POST",
        path=PATH,
        body=b"{}",
        client_id=None,
        secret=None,
        key_file=None,
        now=sandbox.services.clock.now(),
        base_url="http://testserver",
        settings=SalesOrderSettings(),
    )
    return dataclasses.replace(base, **changes)


def test_sign_headers_are_accepted(so, sandbox):
    assert provider.sign is not None
    headers = provider.sign(sign_input(sandbox))
    assert set(headers) == {
        "Authorization",
        "X-CLIENT-ID",
        "X-TIMESTAMP",
        "X-SIGNATURE",
        "Content-Type",
    }
    assert headers["X-TIMESTAMP"] == str(NOW)
    response = so.post(PATH, json=ORDER, headers=headers)
    assert response.status_code == 201, response.text
    assert "x-mock-would-have-failed" not in response.headers


def test_sign_with_a_key_file_and_the_sandbox_time(so, sandbox, admin, tmp_path):
    from cryptography.hazmat.primitives import serialization

    key = new_key()
    admin.put("/__admin/sales-order/clients/partner-client-002/public-key", content=public_pem(key))
    key_file = tmp_path / "private.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    sandbox.services.clock.advance(86_400)  # the token and X-TIMESTAMP follow the sandbox clock
    headers = provider.sign(
        sign_input(
            sandbox,
            client_id="partner-client-002",
            key_file=str(key_file),
            now=sandbox.services.clock.now(),
        )
    )
    assert headers["X-TIMESTAMP"] == str(NOW + 86_400)
    assert so.get(PATH, headers=headers).status_code == 200


# -- explain: the time window ----------------------------------------------------------------------
def test_a_13_digit_timestamp_gets_the_seconds_vs_milliseconds_hint(so, signed, sandbox):
    response = so.get(PATH, headers=signed(timestamp=str(NOW * 1000 + 123)))
    assert response.status_code == 401
    diagnosis = journal_entry(sandbox, response)["diagnosis"]
    assert diagnosis["window_seconds"] == 300
    assert diagnosis["server_time"] == NOW
    assert any("seconds vs milliseconds" in h for h in diagnosis["hints"])


def test_a_local_time_timestamp_gets_the_core_hint(so, signed, sandbox):
    ts = str(int((FROZEN + timedelta(hours=7)).timestamp()))
    response = so.get(PATH, headers=signed(timestamp=ts))
    assert response.status_code == 401
    hints = journal_entry(sandbox, response)["diagnosis"]["hints"]
    assert len(hints) == 1
    assert "WIB" in hints[0]


def test_an_unrelated_skew_has_no_hint(so, signed, sandbox):
    response = so.get(PATH, headers=signed(timestamp=str(NOW - 1200)))
    diagnosis = journal_entry(sandbox, response)["diagnosis"]
    assert diagnosis["skew_seconds"] == pytest.approx(-1200, abs=1)
    assert "hints" not in diagnosis
