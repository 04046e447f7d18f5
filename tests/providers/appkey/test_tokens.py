"""The token trio: login, a new access token, a new refresh token with rotation; expiry by the
sandbox clock; wrong-kind, tampered, unknown, revoked and foreign tokens; storage and journal."""

import hashlib
import json

import pytest

from mock_server.providers.appkey.config import AppKeySettings
from mock_server.providers.appkey.models import AppKeyToken
from mock_server.providers.appkey.tokens import mint
from tests.helpers import journal_entry
from tests.providers.appkey.conftest import (
    OTHER_PASSWORD,
    OTHER_USERNAME,
    PASSWORD,
    PRIVATE_KEY,
    conventions,
    login,
    me,
    tokens_of,
)

ACCESS = "/api/v1/auth/access-token"
REFRESH = "/api/v1/auth/refresh-token"
LOGOUT = "/api/v1/auth/logout"
PROVINCES = "/api/v1/provinces"


def new_access(client, refresh_token, **kwargs):
    return client.post(ACCESS, headers=conventions(refresh_token, **kwargs))


def new_refresh(client, user_token, **kwargs):
    return client.post(REFRESH, headers=conventions(user_token, **kwargs))


def provinces(client, access_token, **kwargs):
    return client.get(PROVINCES, headers=conventions(access_token, **kwargs))


def error(response, status=401):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False
    return body


# -- login -------------------------------------------------------------------------------------
def test_login_gives_three_tokens_and_their_lifetimes(ak, sandbox):
    response = login(ak)
    data = tokens_of(response)
    settings = sandbox.services.provider_settings["appkey"]
    assert data["token_type"] == "Bearer"
    assert data["access_token_expires_in"] == settings.access_token_lifetime == 900
    assert data["refresh_token_expires_in"] == settings.refresh_token_lifetime
    assert data["user_token_expires_in"] == settings.user_token_lifetime
    # by the sandbox clock, frozen at tests.helpers.FROZEN (2025-10-31T06:00:12.120Z)
    assert data["access_token_expires_at"] == "2025-10-31T06:15:12.120Z"
    assert len({data["access_token"], data["refresh_token"], data["user_token"]}) == 3
    assert response.headers["x-user-token"] == data["user_token"]
    assert data["user"]["user_id"] == "usr_demo0001"


@pytest.mark.parametrize(
    ("username", "password"),
    [("demo@example.com", "wrong"), ("nobody@example.com", PASSWORD), ("", "x")],
)
def test_a_bad_login_is_refused(ak, username, password):
    response = login(ak, username, password, language="en")
    assert response.status_code in (400, 401)
    if username:
        assert error(response)["message"] == "Invalid username or password"
    id_response = login(ak, "demo@example.com", "wrong")
    assert error(id_response)["message"] == "Username atau password salah"


def test_login_usernames_ignore_case_and_spaces(ak):
    assert login(ak, " Demo@Example.com ").status_code == 200


def test_login_needs_this_apps_private_key(ak):
    wrong = login(ak, private_key="appkey-other-private", language="en")
    body = error(wrong)
    assert body["code"] == "PRIVATE_KEY"
    assert body["message"] == "Invalid app private key"
    assert login(ak, private_key=PRIVATE_KEY).status_code == 200


def test_login_with_a_token_names_the_private_key_as_expected(ak, tokens):
    body = error(login(ak, private_key=tokens["access_token"], language="en"))
    assert body["code"] == "TOKEN_KIND"
    assert body["message"] == "Wrong kind of token: this operation requires the app's private key"
    assert body["detail"] == (
        "Authorization carries access token; POST /api/v1/auth/login requires the app's private key"
    )


# -- wrong kinds -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "presented", "expected_id", "expected_en"),
    [
        (ACCESS, "access_token", "refresh token", "refresh token"),
        (ACCESS, "user_token", "refresh token", "refresh token"),
        (REFRESH, "refresh_token", "x-user-token", "x-user-token"),
        (REFRESH, "access_token", "x-user-token", "x-user-token"),
        (PROVINCES, "refresh_token", "access token", "access token"),
        (PROVINCES, "user_token", "access token", "access token"),
    ],
)
def test_a_token_of_the_wrong_kind_is_401_naming_the_expected_kind(
    ak, tokens, sandbox, path, presented, expected_id, expected_en
):
    method = ak.get if path == PROVINCES else ak.post
    body_id = error(method(path, headers=conventions(tokens[presented])))
    assert body_id["code"] == "TOKEN_KIND"
    assert body_id["message"] == f"Jenis token salah: operasi ini memerlukan {expected_id}"
    response = method(path, headers=conventions(tokens[presented], language="en"))
    assert error(response)["message"] == (
        f"Wrong kind of token: this operation requires {expected_en}"
    )
    diagnosis = journal_entry(sandbox, response)["diagnosis"]
    assert diagnosis["presented_kind"] == presented.removesuffix("_token")
    assert diagnosis["expected_kind"] in {"access", "refresh", "user"}


def test_the_private_key_on_a_data_endpoint_is_the_wrong_kind(ak):
    body = error(provinces(ak, PRIVATE_KEY, language="en"))
    assert body["code"] == "TOKEN_KIND"
    assert "carries the app's private key" in body["detail"]


def test_an_access_token_as_x_user_token_is_the_wrong_kind(ak, tokens):
    response = ak.get(
        "/api/v1/users/me",
        headers=conventions(tokens["access_token"], user_token=tokens["access_token"]),
    )
    body = error(response)
    assert body["code"] == "TOKEN_KIND"
    assert body["detail"].startswith("x-user-token berisi access token")


# -- new access token --------------------------------------------------------------------------
def test_a_refresh_token_buys_a_new_working_access_token(ak, tokens):
    response = new_access(ak, tokens["refresh_token"])
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["access_token"] != tokens["access_token"]
    assert data["access_token_expires_in"] == 900
    assert provinces(ak, data["access_token"]).status_code == 200
    # The earlier access token lives on until it expires (the mock's choice).
    assert provinces(ak, tokens["access_token"]).status_code == 200


# -- new refresh token, rotation ---------------------------------------------------------------
def test_a_user_token_buys_a_new_refresh_token_and_the_old_one_stops_working(ak, tokens, sandbox):
    response = new_refresh(ak, tokens["user_token"])
    assert response.status_code == 200
    rotated = response.json()["data"]["refresh_token"]
    assert rotated != tokens["refresh_token"]
    assert new_access(ak, rotated).status_code == 200
    old = new_access(ak, tokens["refresh_token"], language="en")
    body = error(old)
    assert body["code"] == "TOKEN_REVOKED"
    assert body["message"] == "The token has been revoked"
    assert "replaced by a newer one" in body["detail"]
    assert journal_entry(sandbox, old)["diagnosis"]["reason"] == "rotated"
    assert error(new_access(ak, tokens["refresh_token"]))["message"] == "Token telah dicabut"
    # rotating again retires the second one too
    again = new_refresh(ak, tokens["user_token"]).json()["data"]["refresh_token"]
    assert error(new_access(ak, rotated))["code"] == "TOKEN_REVOKED"
    assert new_access(ak, again).status_code == 200


def test_rotation_touches_only_this_login(ak, tokens):
    second = tokens_of(login(ak))
    assert new_refresh(ak, tokens["user_token"]).status_code == 200
    assert new_access(ak, second["refresh_token"]).status_code == 200


# -- expiry by the sandbox clock ---------------------------------------------------------------
def test_an_access_token_expires_by_the_sandbox_clock(ak, tokens, sandbox):
    sandbox.services.clock.advance(899)
    assert provinces(ak, tokens["access_token"]).status_code == 200
    sandbox.services.clock.advance(1)
    expired = provinces(ak, tokens["access_token"], language="en")
    body = error(expired)
    assert body["code"] == "TOKEN_EXPIRED"
    assert body["message"] == "The token has expired"
    assert "expired at 2025-10-31T06:15:12.120Z by the sandbox clock" in body["detail"]
    assert "POST /api/v1/auth/access-token" in body["detail"]
    diagnosis = journal_entry(sandbox, expired)["diagnosis"]
    assert diagnosis["expired_at"] == "2025-10-31T06:15:12.120Z"
    assert diagnosis["sandbox_now"] == "2025-10-31T06:15:12.120Z"
    assert error(provinces(ak, tokens["access_token"]))["message"] == "Token telah kedaluwarsa"
    renewed = new_access(ak, tokens["refresh_token"]).json()["data"]["access_token"]
    assert provinces(ak, renewed).status_code == 200


def test_refresh_and_user_tokens_expire_too(ak, tokens, sandbox):
    sandbox.services.clock.advance(86_400)
    body = error(new_access(ak, tokens["refresh_token"], language="en"))
    assert body["code"] == "TOKEN_EXPIRED"
    assert "POST /api/v1/auth/refresh-token" in body["detail"]
    fresh = new_refresh(ak, tokens["user_token"]).json()["data"]["refresh_token"]
    assert new_access(ak, fresh).status_code == 200
    sandbox.services.clock.advance(30 * 86_400)
    body = error(new_refresh(ak, tokens["user_token"], language="en"))
    assert body["code"] == "TOKEN_EXPIRED"
    assert "log in again" in body["detail"]


def test_lifetimes_are_settings(make_sandbox, client_for):
    short = make_sandbox(
        {"appkey": AppKeySettings(access_token_lifetime=5, refresh_token_lifetime=10)}
    )
    client = client_for("appkey", short)
    data = tokens_of(login(client))
    assert (data["access_token_expires_in"], data["refresh_token_expires_in"]) == (5, 10)
    short.services.clock.advance(5)
    assert error(provinces(client, data["access_token"]))["code"] == "TOKEN_EXPIRED"


def test_lifetime_settings_are_cli_flags_and_env_vars(monkeypatch):
    from mock_server.cli import build_parser, load_settings

    monkeypatch.setenv("MOCK_APPKEY_USER_TOKEN_LIFETIME", "600")
    ns = build_parser().parse_args(["serve", "--appkey-access-token-lifetime", "30"])
    _, providers = load_settings(ns)
    assert providers["appkey"].access_token_lifetime == 30
    assert providers["appkey"].user_token_lifetime == 600
    assert providers["appkey"].port == 7102


# -- tampered, unknown, foreign ----------------------------------------------------------------
@pytest.mark.parametrize("spoil", ["last", "kind", "garbage"])
def test_a_tampered_token_is_401(ak, tokens, sandbox, spoil):
    token = tokens["access_token"]
    spoiled = {
        "last": token[:-1] + ("A" if token[-1] != "A" else "B"),
        "kind": "rt" + token[2:],  # claims another kind: the tag covers the kind too
        "garbage": "not-a-token",
    }[spoil]
    response = provinces(ak, spoiled, language="en")
    body = error(response)
    assert body["code"] == "TOKEN_TAMPERED"
    assert body["message"] == "The token is invalid or has been tampered with"
    assert error(provinces(ak, spoiled))["message"] == "Token tidak valid atau telah diubah"


def test_a_tampered_x_user_token_is_401_naming_the_header(ak, tokens, sandbox):
    spoiled = tokens["user_token"] + "x"
    response = ak.get(
        "/api/v1/users/me",
        headers=conventions(tokens["access_token"], user_token=spoiled, language="en"),
    )
    body = error(response)
    assert body["code"] == "TOKEN_TAMPERED"
    assert body["detail"].startswith("the token in x-user-token is not one this API issued")
    assert journal_entry(sandbox, response)["diagnosis"]["header"] == "x-user-token"


def test_an_intact_token_not_on_record_is_unknown(ak):
    body = error(provinces(ak, mint("access"), language="en"))
    assert body["code"] == "TOKEN_UNKNOWN"
    assert "before the sandbox was reset" in body["detail"]


def test_a_token_from_before_a_reset_is_unknown(ak, tokens, sandbox):
    sandbox.services.reset()
    assert error(provinces(ak, tokens["access_token"]))["code"] == "TOKEN_UNKNOWN"


def test_a_token_of_another_app_is_refused(ak, tokens):
    response = provinces(ak, tokens["access_token"], app_key="appkey-other-public")
    body = error(response)
    assert body["code"] == "TOKEN_OTHER_APP"
    assert body["message"] == "Token diterbitkan untuk aplikasi lain"


def test_an_x_user_token_of_another_user_is_refused(ak, tokens):
    other = tokens_of(login(ak, OTHER_USERNAME, OTHER_PASSWORD))
    response = ak.get(
        "/api/v1/users/me",
        headers=conventions(tokens["access_token"], user_token=other["user_token"], language="en"),
    )
    body = error(response)
    assert body["code"] == "USER_TOKEN_MISMATCH"
    assert body["message"] == "The x-user-token and the access token belong to different users"


# -- logout ------------------------------------------------------------------------------------
def test_logout_revokes_every_token_of_the_login(ak, tokens, sandbox):
    other_login = tokens_of(login(ak))
    response = ak.post(
        LOGOUT,
        headers=conventions(tokens["access_token"], user_token=tokens["user_token"], language="en"),
    )
    assert response.status_code == 200
    assert response.json()["message"] == "Logged out"
    assert response.json()["data"] == {"revoked_tokens": 3}
    for rejected in (
        me(ak, tokens, language="en"),
        new_access(ak, tokens["refresh_token"], language="en"),
        new_refresh(ak, tokens["user_token"], language="en"),
    ):
        body = error(rejected)
        assert body["code"] == "TOKEN_REVOKED"
        assert "revoked by a logout" in body["detail"]
    assert me(ak, other_login).status_code == 200


# -- storage and the journal -------------------------------------------------------------------
def test_tokens_are_stored_only_as_hashes(ak, tokens, sandbox):
    rows = sandbox.services.db.connection().execute(AppKeyToken.select()).all()
    dump = json.dumps([list(map(str, row)) for row in rows])
    for kind in ("access_token", "refresh_token", "user_token"):
        assert tokens[kind] not in dump
        assert hashlib.sha256(tokens[kind].encode()).hexdigest() in dump


def test_no_secret_reaches_the_journal(ak, tokens, sandbox):
    me(ak, tokens)
    new_access(ak, tokens["refresh_token"])
    new_refresh(ak, tokens["user_token"])
    provinces(ak, tokens["access_token"] + "x")
    login(ak, password="wrong-" + PASSWORD)
    sandbox.services.journal.flush()
    dump = json.dumps(sandbox.services.journal.latest(limit=50))
    for secret in (PRIVATE_KEY, PASSWORD, *(tokens[k] for k in tokens if k.endswith("token"))):
        assert secret not in dump, secret
    assert "Bearer <redacted sha256:" in dump
    assert '"password":"<redacted>"' in dump.replace('\\"', '"')
