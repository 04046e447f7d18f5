"""Lenient mode for the x-app-key API: every check still runs, failures are noted in the journal and
the X-Mock-Would-Have-Failed header, and the request is served wherever its data can still be
identified. Then back to strict, which answers as it always did."""

import re
from typing import Any

import pytest

from mock_server.providers.appkey.messages import MESSAGES
from tests.helpers import journal_entry
from tests.providers.appkey.conftest import conventions, login, me, tokens_of

CONTROL = "/__admin/providers/appkey/control"
ACCESS = "/api/v1/auth/access-token"
REFRESH = "/api/v1/auth/refresh-token"
LOGOUT = "/api/v1/auth/logout"
PROVINCES = "/api/v1/provinces"
ME = "/api/v1/users/me"


@pytest.fixture
def admin(client_for):
    return client_for("admin")


@pytest.fixture
def lenient(admin) -> None:
    assert admin.post(CONTROL, json={"auth_mode": "lenient"}).json()["auth_mode"] == "lenient"


def would_have_failed(response: Any) -> list[str]:
    """The rules the header names, in the order auth checked them. Notes are joined by "; ",
    which some details contain too, so a rule is a known rule name followed by ":"."""
    header = response.headers["x-mock-would-have-failed"]
    rules = "|".join(sorted([*MESSAGES, "token_kind"], key=len, reverse=True))
    return re.findall(rf"(?:^|; )({rules}):", header)


def served(response: Any, rules: list[str], sandbox: Any) -> dict[str, Any]:
    assert 200 <= response.status_code < 300, response.text
    assert would_have_failed(response) == rules
    entry = journal_entry(sandbox, response)
    assert entry["outcome"] == "accepted"
    assert [note.split(":")[0] for note in entry["would_have_failed"]] == rules
    return entry


# -- served, and said what would have failed -----------------------------------------------------
def test_a_wrong_kind_token_is_served_for_the_user_it_names(ak, tokens, sandbox, lenient):
    # the refresh token where the access token belongs: its login still names the user
    response = ak.get(
        ME,
        headers=conventions(tokens["refresh_token"], user_token=tokens["user_token"]),
    )
    entry = served(response, ["token_kind"], sandbox)
    assert response.json()["data"]["email"] == "demo@example.com"
    assert entry["diagnosis"]["token_kind"]["presented_kind"] == "refresh"
    assert entry["diagnosis"]["token_kind"]["expected_kind"] == "access"


def test_the_private_key_on_a_data_endpoint_is_served_for_app_level_data(ak, sandbox, lenient):
    response = ak.get(PROVINCES, headers=conventions("appkey-demo-private"))
    served(response, ["token_kind"], sandbox)
    assert response.json()["meta"]["total"] == 38


def test_an_expired_access_token_is_served(ak, tokens, sandbox, lenient):
    sandbox.services.clock.advance(900)
    response = me(ak, tokens)
    entry = served(response, ["token_expired"], sandbox)
    assert response.json()["data"]["email"] == "demo@example.com"
    assert entry["diagnosis"]["token_expired"]["expired_at"] == "2025-10-31T06:15:12.120Z"
    assert (
        "expired at 2025-10-31T06:15:12.120Z by the sandbox clock"
        in (response.headers["x-mock-would-have-failed"])
    )


def test_a_revoked_refresh_token_still_buys_an_access_token(ak, tokens, sandbox, lenient):
    ak.post(REFRESH, headers=conventions(tokens["user_token"]))  # rotates the refresh token out
    response = ak.post(ACCESS, headers=conventions(tokens["refresh_token"]))
    entry = served(response, ["token_revoked"], sandbox)
    assert entry["diagnosis"]["token_revoked"]["reason"] == "rotated"
    renewed = response.json()["data"]["access_token"]
    assert "x-mock-would-have-failed" not in me(ak, tokens | {"access_token": renewed}).headers


def test_a_token_both_revoked_and_expired_reports_both(ak, tokens, sandbox, lenient):
    ak.post(LOGOUT, headers=conventions(tokens["access_token"], user_token=tokens["user_token"]))
    sandbox.services.clock.advance(900)
    response = ak.get(PROVINCES, headers=conventions(tokens["access_token"]))
    served(response, ["token_revoked", "token_expired"], sandbox)


def test_a_reused_request_id_is_served(ak, tokens, sandbox, lenient):
    headers = conventions(tokens["access_token"], request_id="order-42")
    assert "x-mock-would-have-failed" not in ak.get(PROVINCES, headers=headers).headers
    response = ak.get(PROVINCES, headers=headers)
    entry = served(response, ["replay"], sandbox)
    assert entry["diagnosis"]["replay"]["request_id"] == "order-42"


def test_a_missing_x_user_token_is_served_for_the_access_tokens_user(ak, tokens, sandbox, lenient):
    response = ak.get(f"{ME}/addresses", headers=conventions(tokens["access_token"]))
    served(response, ["user_token_missing"], sandbox)
    assert response.json()["meta"]["total"] == 3


def test_every_check_runs_and_each_failure_is_listed(ak, tokens, sandbox, lenient):
    sandbox.services.clock.advance(900)
    headers = conventions(tokens["user_token"], request_id="twice")
    ak.get(PROVINCES, headers=conventions(tokens["user_token"], request_id="twice"))
    response = ak.get(f"{ME}/addresses", headers=headers)
    entry = served(response, ["token_kind", "user_token_missing", "replay"], sandbox)
    assert set(entry["diagnosis"]) >= {"token_kind", "user_token_missing", "replay"}


def test_x_user_token_names_the_user_when_the_tokens_disagree(ak, tokens, sandbox, lenient):
    other = tokens_of(login(ak, "other@example.com", "other-password"))
    response = ak.get(
        ME, headers=conventions(tokens["access_token"], user_token=other["user_token"])
    )
    served(response, ["user_token_mismatch"], sandbox)
    assert response.json()["data"]["email"] == "other@example.com"


def test_a_wrong_private_key_still_logs_in(ak, sandbox, lenient):
    response = login(ak, private_key="not-the-key")
    entry = served(response, ["private_key"], sandbox)
    diagnosis = entry["diagnosis"]["private_key"]
    assert diagnosis["presented_fingerprint"] != diagnosis["expected_fingerprint"]
    # the handler's own check is not auth: a wrong password is refused in any mode
    assert login(ak, password="wrong").status_code == 401


def test_an_inactive_app_is_served_but_noted(ak, sandbox, lenient):
    response = login(ak, app_key="appkey-inactive-public", private_key="appkey-inactive-private")
    served(response, ["app_key_inactive"], sandbox)


def test_messages_keep_following_x_language(ak, tokens, sandbox, lenient):
    sandbox.services.clock.advance(900)
    english = me(ak, tokens, language="en")
    assert english.json()["message"] == "Success"
    assert english.headers["content-language"] == "en"
    indonesian = me(ak, tokens)
    assert indonesian.json()["message"] == "Berhasil"
    # without a user, the strict answer, in the asked language
    assert ak.get(ME, headers=conventions(language="en")).json()["message"] == (
        "The Authorization header is required (Bearer <token>)"
    )


# -- where the data cannot be identified: the strict answer --------------------------------------
def test_without_any_token_user_data_gets_the_strict_answer(ak, sandbox, lenient):
    response = ak.get(ME, headers=conventions(language="en"))
    assert response.status_code == 401
    assert response.json()["code"] == "AUTHORIZATION_MISSING"
    # still says everything that failed
    assert would_have_failed(response) == ["authorization_missing", "user_token_missing"]
    entry = journal_entry(sandbox, response)
    assert entry["outcome"] != "accepted"
    assert entry["rule"] == "authorization_missing"


def test_a_tampered_token_alone_gets_the_strict_answer(ak, tokens, sandbox, lenient):
    response = ak.get(ME, headers=conventions(tokens["access_token"] + "x"))
    assert response.status_code == 401
    assert response.json()["code"] == "TOKEN_TAMPERED"
    assert would_have_failed(response) == ["token_tampered", "user_token_missing"]


def test_a_tampered_access_token_is_served_when_x_user_token_names_the_user(
    ak, tokens, sandbox, lenient
):
    response = ak.get(
        ME, headers=conventions(tokens["access_token"] + "x", user_token=tokens["user_token"])
    )
    served(response, ["token_tampered"], sandbox)


def test_app_level_data_is_served_without_a_token(ak, sandbox, lenient):
    response = ak.get(PROVINCES, headers=conventions())
    served(response, ["authorization_missing"], sandbox)


def test_without_a_known_app_key_nothing_else_is_checked(ak, tokens, sandbox, lenient):
    response = ak.get(ME, headers=conventions(tokens["access_token"], app_key="nobody"))
    assert response.status_code == 401
    assert response.json()["code"] == "APP_KEY_UNKNOWN"
    assert would_have_failed(response) == ["app_key_unknown"]
    missing = ak.get(PROVINCES, headers=conventions(tokens["access_token"], app_key=None))
    served(missing, ["app_key_missing"], sandbox)  # the provinces are the same for every app


def test_a_good_request_is_unmarked(ak, tokens, admin, lenient):
    response = me(ak, tokens)
    assert response.status_code == 200
    assert "x-mock-would-have-failed" not in response.headers
    assert admin.get("/__admin/requests/count", params={"would_have_failed": True}).json() == {
        "count": 0
    }


def test_auth_results_never_linger_in_lenient_mode(ak, tokens, sandbox, lenient):
    me(ak, {"access_token": "junk", "user_token": "junk"})
    ak.get("/api/v1/nowhere", headers=conventions(tokens["access_token"]))
    ak.get(ME, headers=conventions(app_key=None))
    # Auth's result lives on each request's own context: the app keeps nothing per request.
    assert list(sandbox.provider_apps["appkey"].state._state) == []


# -- back to strict ------------------------------------------------------------------------------
def test_back_to_strict_answers_as_before(ak, tokens, sandbox, admin, lenient):
    sandbox.services.clock.advance(900)
    assert me(ak, tokens).status_code == 200
    assert admin.post(CONTROL, json={"auth_mode": "strict"}).json()["auth_mode"] == "strict"
    response = me(ak, tokens, language="en")
    assert response.status_code == 401
    assert response.json()["code"] == "TOKEN_EXPIRED"
    assert "x-mock-would-have-failed" not in response.headers
    assert not journal_entry(sandbox, response)["would_have_failed"]


def test_lenient_from_settings(make_sandbox, client_for):
    from mock_server.providers.appkey.config import AppKeySettings

    sandbox = make_sandbox({"appkey": AppKeySettings(auth_mode="lenient")})
    client = client_for("appkey", sandbox)
    tokens = tokens_of(login(client))
    response = client.get(PROVINCES, headers=conventions(tokens["refresh_token"]))
    assert response.status_code == 200
    assert would_have_failed(response) == ["token_kind"]
