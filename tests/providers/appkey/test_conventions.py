"""The conventions on every request: each rejected and accepted, in both languages."""

import pytest

from mock_server.providers.appkey.messages import LANGUAGES, MESSAGES, resolve_language
from tests.helpers import journal_entry
from tests.providers.appkey.conftest import conventions, login, me

PROVINCES = "/api/v1/provinces"


def get(client, path=PROVINCES, **kwargs):
    return client.get(path, headers=conventions(**kwargs))


def assert_error(response, status, code, message):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False
    assert body["code"] == code
    assert body["message"] == message
    return body


# -- x-app-key ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("language", "message"),
    [
        (None, "Header x-app-key wajib diisi"),
        ("id", "Header x-app-key wajib diisi"),
        ("en", "The x-app-key header is required"),
    ],
)
def test_a_missing_app_key_is_401(ak, tokens, language, message):
    response = get(ak, bearer=tokens["access_token"], app_key=None, language=language)
    assert_error(response, 401, "APP_KEY_MISSING", message)
    assert response.headers["content-language"] == (language or "id")


@pytest.mark.parametrize(
    ("language", "message"), [("id", "x-app-key tidak dikenal"), ("en", "Unknown x-app-key")]
)
def test_an_unknown_app_key_is_401(ak, tokens, sandbox, language, message):
    response = get(ak, bearer=tokens["access_token"], app_key="nobody", language=language)
    assert_error(response, 401, "APP_KEY_UNKNOWN", message)
    assert journal_entry(sandbox, response)["rule"] == "app_key_unknown"


def test_an_inactive_app_key_is_401(ak):
    response = login(ak, app_key="appkey-inactive-public", private_key="appkey-inactive-private")
    assert_error(response, 401, "APP_KEY_INACTIVE", "x-app-key tidak aktif")


@pytest.mark.parametrize(("language", "message"), [("id", "Berhasil"), ("en", "Success")])
def test_a_known_app_key_is_accepted(ak, tokens, sandbox, language, message):
    response = get(ak, bearer=tokens["access_token"], language=language)
    assert response.status_code == 200
    assert response.json()["message"] == message
    assert journal_entry(sandbox, response)["client_id"] == "appkey-demo-public"


# -- x-request-id ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("language", "message"),
    [("id", "Header x-request-id wajib diisi"), ("en", "The x-request-id header is required")],
)
def test_a_missing_request_id_is_400(ak, tokens, language, message):
    headers = conventions(tokens["access_token"], language=language)
    del headers["x-request-id"]
    assert_error(ak.get(PROVINCES, headers=headers), 400, "REQUEST_ID_MISSING", message)


def test_a_blank_or_overlong_request_id_is_400(ak, tokens):
    blank = get(ak, bearer=tokens["access_token"], request_id="   ")
    assert blank.json()["code"] == "REQUEST_ID_MISSING"
    long = get(ak, bearer=tokens["access_token"], request_id="r" * 129, language="en")
    body = assert_error(long, 400, "REQUEST_ID_FORMAT", "Invalid x-request-id")
    assert "129" in body["detail"]


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("id", "x-request-id sudah pernah digunakan"),
        ("en", "The x-request-id has already been used"),
    ],
)
def test_a_reused_request_id_is_409(ak, tokens, sandbox, language, message):
    first = get(ak, bearer=tokens["access_token"], request_id="order-42")
    assert first.status_code == 200
    again = get(ak, bearer=tokens["access_token"], request_id="order-42", language=language)
    body = assert_error(again, 409, "REPLAY", message)
    assert "order-42" in body["detail"]
    entry = journal_entry(sandbox, again)
    assert entry["rule"] == "replay"
    assert entry["diagnosis"]["request_id"] == "order-42"


def test_request_ids_are_unique_per_app_not_globally(ak, tokens):
    other = login(
        ak,
        app_key="appkey-other-public",
        private_key="appkey-other-private",
        request_id="shared-id",
    )
    assert other.status_code == 200
    assert get(ak, bearer=tokens["access_token"], request_id="shared-id").status_code == 200


def test_a_rejected_request_does_not_burn_its_request_id(ak, tokens):
    bad = get(ak, bearer=tokens["access_token"] + "x", request_id="try-again")
    assert bad.status_code == 401
    assert get(ak, bearer=tokens["access_token"], request_id="try-again").status_code == 200


def test_a_reused_id_with_a_bad_token_says_the_token_not_the_replay(ak, tokens):
    assert get(ak, bearer=tokens["access_token"], request_id="once").status_code == 200
    again = get(ak, bearer="garbage", request_id="once")
    assert again.json()["code"] == "TOKEN_TAMPERED"


# -- x-language --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sent", "used"),
    [
        (None, "id"),
        ("id", "id"),
        ("en", "en"),
        ("EN", "en"),
        ("en-US", "en"),
        ("id-ID", "id"),
        ("fr", "id"),
        ("", "id"),
        ("english", "id"),
    ],
)
def test_language_follows_x_language_with_fallback_to_id(ak, tokens, sent, used):
    ok = get(ak, bearer=tokens["access_token"], language=sent)
    assert ok.headers["content-language"] == used
    assert ok.json()["message"] == {"id": "Berhasil", "en": "Success"}[used]
    rejected = get(ak, bearer="garbage", language=sent)
    assert rejected.headers["content-language"] == used
    assert rejected.json()["message"] == MESSAGES["token_tampered"][used]


def test_every_message_exists_in_both_languages_and_differs_where_it_should():
    for rule, texts in MESSAGES.items():
        assert set(texts) == set(LANGUAGES), rule
        assert all(texts.values()), rule
        assert texts["id"] != texts["en"], rule
    assert resolve_language(None) == "id"


def test_errors_from_the_router_follow_the_language_too(ak, tokens):
    unknown = get(ak, "/api/v1/nothing-here", bearer=tokens["access_token"], language="en")
    assert_error(unknown, 404, "UNKNOWN_PATH", "Endpoint not found")
    assert unknown.json()["detail"] == "no endpoint at /api/v1/nothing-here"
    unknown_id = get(ak, "/api/v1/nothing-here", bearer=tokens["access_token"])
    assert_error(unknown_id, 404, "UNKNOWN_PATH", "Endpoint tidak ditemukan")
    assert unknown_id.json()["detail"] == "tidak ada endpoint di /api/v1/nothing-here"
    wrong_method = ak.delete(PROVINCES, headers=conventions(tokens["access_token"]))
    assert_error(wrong_method, 405, "METHOD_NOT_ALLOWED", "Metode tidak diizinkan")
    bad_path_param = ak.get(
        "/api/v1/users/me/addresses/abc",
        headers=conventions(tokens["access_token"], user_token=tokens["user_token"]),
    )
    assert_error(bad_path_param, 400, "VALIDATION", "Permintaan tidak valid")
    assert bad_path_param.json()["errors"][0]["message"] == "nilai tidak valid"


# -- Authorization -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("id", "Header Authorization wajib diisi (Bearer <token>)"),
        ("en", "The Authorization header is required (Bearer <token>)"),
    ],
)
def test_a_missing_authorization_is_401_even_on_login(ak, language, message):
    response = ak.post(
        "/api/v1/auth/login",
        json={"username": "demo@example.com", "password": "demo-password"},
        headers=conventions(language=language),
    )
    assert_error(response, 401, "AUTHORIZATION_MISSING", message)


def test_authorization_must_be_a_bearer(ak, tokens):
    headers = conventions() | {"Authorization": f"Basic {tokens['access_token']}"}
    response = ak.get(PROVINCES, headers=headers)
    assert_error(
        response, 401, "AUTHORIZATION_SCHEME", "Header Authorization harus berformat Bearer <token>"
    )
    bare = ak.get(PROVINCES, headers=conventions() | {"Authorization": "Bearer"})
    assert bare.json()["code"] == "AUTHORIZATION_SCHEME"


def test_the_bearer_scheme_is_case_insensitive(ak, tokens):
    headers = conventions() | {"Authorization": f"bearer {tokens['access_token']}"}
    assert ak.get(PROVINCES, headers=headers).status_code == 200


# -- x-user-token ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("id", "Header x-user-token wajib diisi untuk data milik pengguna"),
        ("en", "The x-user-token header is required for data that belongs to a user"),
    ],
)
def test_user_data_without_x_user_token_is_401(ak, tokens, language, message):
    response = ak.get(
        "/api/v1/users/me", headers=conventions(tokens["access_token"], language=language)
    )
    assert_error(response, 401, "USER_TOKEN_MISSING", message)


def test_user_data_with_x_user_token_is_accepted(ak, tokens):
    response = me(ak, tokens)
    assert response.status_code == 200
    assert response.json()["data"]["username"] == "demo@example.com"


def test_app_level_data_needs_no_x_user_token(ak, tokens):
    response = get(ak, bearer=tokens["access_token"])
    assert response.status_code == 200
    assert response.json()["meta"]["total"] == 38


# -- order -------------------------------------------------------------------------------------
def test_the_app_key_is_checked_first_then_the_request_id_then_the_bearer(ak):
    assert ak.get(PROVINCES).json()["code"] == "APP_KEY_MISSING"
    assert ak.get(PROVINCES, headers={"x-app-key": "appkey-demo-public"}).json()["code"] == (
        "REQUEST_ID_MISSING"
    )
    assert get(ak).json()["code"] == "AUTHORIZATION_MISSING"


def test_an_unknown_path_without_credentials_is_401_not_404(ak):
    assert get(ak, "/api/v1/secret-admin").status_code == 401


def test_auth_results_never_linger_after_a_request(ak, tokens, sandbox):
    get(ak, bearer=tokens["access_token"])
    get(ak, "/api/v1/nothing-here", bearer=tokens["access_token"])
    ak.delete(PROVINCES, headers=conventions(tokens["access_token"]))
    get(ak, bearer="garbage")
    # Auth's result lives on each request's own context: the app keeps nothing per request.
    assert list(sandbox.provider_apps["appkey"].state._state) == []
