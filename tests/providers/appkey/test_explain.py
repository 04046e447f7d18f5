"""Every x-app-key rejection explains itself on the control plane (`GET /__admin/requests/{id}`,
what `mock-server explain` prints): the rule, and a diagnosis that says why, never a secret."""

import json
from typing import Any

import pytest

from mock_server.core.redact import fingerprint
from mock_server.providers.appkey.tokens import mint
from tests.providers.appkey.conftest import conventions, login, tokens_of

PROVINCES = "/api/v1/provinces"
ME = "/api/v1/users/me"


@pytest.fixture
def admin(client_for):
    return client_for("admin")


def explain(admin: Any, response: Any, rule: str) -> dict[str, Any]:
    """The journal entry the response's X-Mock-Journal-Id names, as a user fetches it."""
    assert response.status_code >= 400, response.text
    entry = admin.get(f"/__admin/requests/{response.headers['x-mock-journal-id']}").json()
    assert entry["rule"] == rule
    assert entry["diagnosis"], f"{rule} has no diagnosis"
    return entry["diagnosis"]


def test_a_missing_or_unknown_or_inactive_app_key(ak, admin):
    assert explain(admin, ak.get(PROVINCES, headers=conventions(app_key=None)), "app_key_missing")
    unknown = explain(
        admin, ak.get(PROVINCES, headers=conventions(app_key="nobody")), "app_key_unknown"
    )
    assert unknown == {"app_key": "nobody", "registered": False}
    inactive = explain(admin, login(ak, app_key="appkey-inactive-public"), "app_key_inactive")
    assert inactive == {"app_key": "appkey-inactive-public", "registered": True, "active": False}


def test_a_missing_or_overlong_request_id(ak, admin):
    headers = conventions("x")
    del headers["x-request-id"]
    assert explain(admin, ak.get(PROVINCES, headers=headers), "request_id_missing") == {
        "header": "x-request-id"
    }
    long = explain(
        admin,
        ak.get(PROVINCES, headers=conventions("x", request_id="r" * 129)),
        "request_id_format",
    )
    assert long == {"header": "x-request-id", "length": 129, "max": 128}


def test_a_missing_authorization_names_the_kind_the_operation_takes(ak, admin):
    diagnosis = explain(
        admin, ak.post("/api/v1/auth/access-token", headers=conventions()), "authorization_missing"
    )
    assert diagnosis == {"operation": "POST /api/v1/auth/access-token", "expected_kind": "refresh"}


def test_a_wrong_scheme_never_shows_a_token_sent_without_bearer(ak, admin, tokens):
    token = tokens["access_token"]
    headers = conventions() | {"Authorization": token}
    diagnosis = explain(admin, ak.get(PROVINCES, headers=headers), "authorization_scheme")
    assert diagnosis["scheme"] is None
    assert diagnosis["expected_kind"] == "access"
    basic = conventions() | {"Authorization": "Basic abc"}
    assert explain(admin, ak.get(PROVINCES, headers=basic), "authorization_scheme")["scheme"] == (
        "Basic"
    )


def test_a_wrong_private_key_shows_both_fingerprints(ak, admin):
    diagnosis = explain(admin, login(ak, private_key="guess"), "private_key")
    assert diagnosis["presented_fingerprint"] == fingerprint("guess")
    assert diagnosis["expected_fingerprint"] == fingerprint("appkey-demo-private")


def test_a_wrong_kind_names_presented_and_expected(ak, admin, tokens):
    response = ak.get(
        ME, headers=conventions(tokens["user_token"], user_token=tokens["user_token"])
    )
    diagnosis = explain(admin, response, "token_kind")
    assert diagnosis == {
        "header": "Authorization",
        "expected_kind": "access",
        "presented_kind": "user",
        "operation": "GET /api/v1/users/me",
    }


def test_tampered_and_unknown_tokens(ak, admin, tokens):
    tampered = explain(
        admin,
        ak.get(PROVINCES, headers=conventions(tokens["access_token"] + "x")),
        "token_tampered",
    )
    assert tampered["token_fingerprint"] == fingerprint(tokens["access_token"] + "x")
    unknown = explain(
        admin, ak.get(PROVINCES, headers=conventions(mint("access"))), "token_unknown"
    )
    assert unknown["presented_kind"] == "access"


def test_expired_says_when_by_the_sandbox_clock(ak, admin, tokens, sandbox):
    sandbox.services.clock.advance(960)
    response = ak.get(PROVINCES, headers=conventions(tokens["access_token"]))
    diagnosis = explain(admin, response, "token_expired")
    assert diagnosis["presented_kind"] == "access"
    assert diagnosis["expired_at"] == "2025-10-31T06:15:12.120Z"
    assert diagnosis["sandbox_now"] == "2025-10-31T06:16:12.120Z"
    assert diagnosis["expired_seconds_ago"] == 60


def test_revoked_says_by_what(ak, admin, tokens):
    ak.post("/api/v1/auth/refresh-token", headers=conventions(tokens["user_token"]))
    rotated = ak.post("/api/v1/auth/access-token", headers=conventions(tokens["refresh_token"]))
    diagnosis = explain(admin, rotated, "token_revoked")
    assert diagnosis["reason"] == "rotated"
    assert diagnosis["revoked_by"].startswith("POST /api/v1/auth/refresh-token")
    ak.post(
        "/api/v1/auth/logout",
        headers=conventions(tokens["access_token"], user_token=tokens["user_token"]),
    )
    logged_out = ak.get(PROVINCES, headers=conventions(tokens["access_token"]))
    diagnosis = explain(admin, logged_out, "token_revoked")
    assert diagnosis["reason"] == "logout"
    assert diagnosis["revoked_by"].startswith("POST /api/v1/auth/logout")
    assert diagnosis["revoked_at"]


def test_another_apps_token_names_both_apps(ak, admin, tokens):
    response = ak.get(
        PROVINCES, headers=conventions(tokens["access_token"], app_key="appkey-other-public")
    )
    diagnosis = explain(admin, response, "token_other_app")
    assert diagnosis["issued_to"] == "appkey-demo-public"
    assert diagnosis["presented_with"] == "appkey-other-public"


def test_user_token_missing_and_mismatch(ak, admin, tokens):
    missing = explain(
        admin, ak.get(ME, headers=conventions(tokens["access_token"])), "user_token_missing"
    )
    assert missing["operation"] == "GET /api/v1/users/me"
    other = tokens_of(login(ak, "other@example.com", "other-password"))
    response = ak.get(
        ME, headers=conventions(tokens["access_token"], user_token=other["user_token"])
    )
    mismatch = explain(admin, response, "user_token_mismatch")
    assert mismatch["access_token_session"] != mismatch["user_token_session"]


def test_a_replay_names_the_id(ak, admin, tokens):
    headers = conventions(tokens["access_token"], request_id="order-7")
    ak.get(PROVINCES, headers=headers)
    diagnosis = explain(admin, ak.get(PROVINCES, headers=headers), "replay")
    assert diagnosis == {"request_id": "order-7", "app_key": "appkey-demo-public"}


def test_no_diagnosis_holds_a_secret(ak, admin, tokens, sandbox):
    sandbox.services.clock.advance(900)
    login(ak, private_key="appkey-demo-privatX")
    ak.get(ME, headers=conventions(tokens["access_token"], user_token=tokens["user_token"]))
    ak.get(PROVINCES, headers=conventions() | {"Authorization": tokens["access_token"]})
    dump = json.dumps(admin.get("/__admin/requests").json())
    for secret in (tokens["access_token"], tokens["user_token"], "appkey-demo-private"):
        assert secret not in dump
