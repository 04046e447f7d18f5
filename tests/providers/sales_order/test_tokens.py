"""Login and refresh: the documented bodies, 12 h by the sandbox clock, the refresh window, and
every way a token is refused."""

import base64
import json

import jwt
import pytest

from mock_server.providers.sales_order.config import SalesOrderSettings
from tests.helpers import FROZEN, journal_entry
from tests.providers.sales_order.signing import DEMO_CLIENT, DEMO_SECRET, JWT_SECRET, mint_token

LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
PROTECTED = "/api/v1/customers"


def login(so, client_id=DEMO_CLIENT, secret=DEMO_SECRET):
    return so.post(LOGIN, json={"client_id": client_id, "client_secret": secret})


def test_login_returns_a_12_hour_jwt_carrying_the_client_id(so):
    response = login(so)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expired_at"}
    assert body["expired_at"] == int(FROZEN.timestamp()) + 12 * 3600
    claims = jwt.decode(
        body["token"], JWT_SECRET, algorithms=["HS256"], options={"verify_exp": False}
    )
    assert claims["client_id"] == DEMO_CLIENT
    assert claims["exp"] == body["expired_at"]


def test_the_login_token_opens_signed_endpoints_until_the_clock_passes_12_hours(
    so, sandbox, signed
):
    token = login(so).json()["token"]
    assert so.get(PROTECTED, headers=signed(token=token)).status_code == 200
    sandbox.services.clock.advance(12 * 3600 - 1)
    assert so.get(PROTECTED, headers=signed(token=token)).status_code == 200
    sandbox.services.clock.advance(1)
    expired = so.get(PROTECTED, headers=signed(token=token))
    assert expired.status_code == 401
    assert expired.json()["message"] == "Token expired"
    assert "/api/v1/auth/refresh" in expired.json()["detail"]


@pytest.mark.parametrize(
    ("client_id", "secret", "status", "message"),
    [
        (DEMO_CLIENT, "wrong", 401, "Invalid client credentials"),
        ("nobody", DEMO_SECRET, 401, "Invalid client credentials"),
        ("partner-client-inactive", "secret-key-789", 403, "Client is deactivated"),
    ],
)
def test_login_refusals(so, client_id, secret, status, message):
    response = login(so, client_id, secret)
    assert response.status_code == status
    assert response.json()["message"] == message
    assert "token" not in response.json()


def test_login_validation_names_each_field(so):
    response = so.post(LOGIN, json={"client_id": 7})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"client_id", "client_secret"}
    assert so.post(LOGIN, content=b"{oops").status_code == 400


def test_the_token_lifetime_is_configurable(make_sandbox, client_for):
    sandbox = make_sandbox({"sales_order": SalesOrderSettings(token_lifetime=60)})
    body = login(client_for("sales_order", sandbox)).json()
    assert body["expired_at"] == int(FROZEN.timestamp()) + 60


def test_the_secret_and_token_never_reach_the_journal(so, sandbox, signed):
    response = login(so)
    token = response.json()["token"]
    used = so.get(PROTECTED, headers=signed(token=token))
    refreshed = so.post(REFRESH, json={"token": token})
    everything = json.dumps([journal_entry(sandbox, r) for r in (response, used, refreshed)])
    assert DEMO_SECRET not in everything
    assert token not in everything
    assert token.split(".")[2] not in everything
    assert "Bearer <redacted sha256:" in everything


# -- refresh ----------------------------------------------------------------------------------
def test_refreshing_a_fresh_token_gives_a_new_one(so, sandbox):
    old = login(so).json()
    sandbox.services.clock.advance(600)
    response = so.post(REFRESH, json={"token": old["token"]})
    assert response.status_code == 200
    new = response.json()
    assert new["token"] != old["token"]
    assert new["expired_at"] == old["expired_at"] + 600


def test_an_expired_token_refreshes_within_the_window(so, sandbox, signed):
    old = login(so).json()["token"]
    # Expired three days ago; the window is 7.
    sandbox.services.clock.advance(12 * 3600 + 3 * 86_400)
    assert so.get(PROTECTED, headers=signed(token=old)).status_code == 401
    response = so.post(REFRESH, json={"token": old})
    assert response.status_code == 200
    assert so.get(PROTECTED, headers=signed(token=response.json()["token"])).status_code == 200


def test_an_expired_token_beyond_the_window_is_refused(so, sandbox):
    old = login(so).json()["token"]
    sandbox.services.clock.advance(12 * 3600 + 7 * 86_400 + 1)
    response = so.post(REFRESH, json={"token": old})
    assert response.status_code == 401
    assert response.json()["message"] == "Token expired beyond refresh window"
    assert "/api/v1/auth/login" in response.json()["detail"]


def test_the_refresh_window_is_configurable(make_sandbox, client_for):
    sandbox = make_sandbox({"sales_order": SalesOrderSettings(refresh_window=0)})
    so = client_for("sales_order", sandbox)
    token = login(so).json()["token"]
    sandbox.services.clock.advance(12 * 3600 + 1)
    assert so.post(REFRESH, json={"token": token}).status_code == 401


def tamper(token: str) -> str:
    header, payload, sig = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["client_id"] = "partner-client-002"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{sig}"


def alg_none(client_id: str = DEMO_CLIENT) -> str:
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    payload = json.dumps({"client_id": client_id, "exp": int(FROZEN.timestamp()) + 3600})
    body = base64.urlsafe_b64encode(payload.encode()).rstrip(b"=").decode()
    return f"{header}.{body}."


@pytest.mark.parametrize(
    ("make", "detail"),
    [
        (lambda t: tamper(t), "does not verify"),
        (lambda t: alg_none(), "alg none"),
        (
            lambda t: jwt.encode(
                {"client_id": DEMO_CLIENT, "exp": int(FROZEN.timestamp()) + 60},
                JWT_SECRET + "-longer-for-hs512-key-length-xxxxxxxxxxxxxxx",
                algorithm="HS512",
            ),
            "HS512",
        ),
        (
            lambda t: mint_token(
                iat=FROZEN.timestamp(), secret="another-sandbox-secret-32-bytes!!"
            ),
            "does not verify",
        ),
        (lambda t: "not-a-jwt", "not a JWT"),
    ],
    ids=["tampered", "alg-none", "other-alg", "other-key", "garbage"],
)
def test_refresh_rejects_forged_tokens(so, make, detail):
    token = make(login(so).json()["token"])
    response = so.post(REFRESH, json={"token": token})
    assert response.status_code == 401
    assert response.json()["message"] == "Invalid token"
    assert detail in response.json()["detail"]


@pytest.mark.parametrize("forged", ["tampered", "alg-none"])
def test_signed_endpoints_reject_forged_tokens(so, signed, forged):
    token = login(so).json()["token"]
    bad = tamper(token) if forged == "tampered" else alg_none()
    response = so.get(PROTECTED, headers=signed(token=bad))
    assert response.status_code == 401
    assert response.json()["message"] == "Invalid token"


def test_a_deactivated_clients_tokens_stop_working(so, sandbox, signed, client_for):
    token = login(so).json()["token"]
    admin = client_for("admin")
    assert admin.post(f"/__admin/sales-order/clients/{DEMO_CLIENT}/deactivate").status_code == 200
    assert so.get(PROTECTED, headers=signed(token=token)).status_code == 403
    assert so.post(REFRESH, json={"token": token}).status_code == 403
    assert login(so).status_code == 403
    assert admin.post(f"/__admin/sales-order/clients/{DEMO_CLIENT}/activate").status_code == 200
    assert so.get(PROTECTED, headers=signed(token=token)).status_code == 200


def test_the_reference_signer_logs_in_and_renews_by_the_sandbox_clock(sandbox):
    from starlette.testclient import TestClient

    from mock_server.clients import SalesOrderAuth

    auth = SalesOrderAuth(now=sandbox.services.clock.timestamp)
    with TestClient(sandbox.apps["sales_order"]) as client:
        client.auth = auth
        assert client.get(PROTECTED).status_code == 200
        first = auth.token
        sandbox.services.clock.advance(13 * 3600)
        assert client.get(PROTECTED).status_code == 200
        assert auth.token != first
        # A token the server considers expired while the client does not: renewed on the 401.
        auth.expired_at = float("inf")
        second = auth.token
        sandbox.services.clock.advance(13 * 3600)
        assert client.get(PROTECTED).status_code == 200
        assert auth.token != second
