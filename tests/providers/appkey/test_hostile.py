"""Hand-made hostile input: each one a 500 once, each now a 4xx in this API's shape."""

import json

import pytest

from tests.helpers import journal_entry, raw_request
from tests.providers.appkey.conftest import PASSWORD, USERNAME, conventions, login, tokens_of


@pytest.fixture
def app(sandbox):
    return sandbox.apps["appkey"]


def answer(app, headers):
    status, _, body = raw_request(app, "GET", "/api/v1/users/me", headers)
    return status, body


@pytest.mark.parametrize("spoilt", ["at.abc.\xe9", "at.\xe9\xe9.abc", "\xff" * 40])
def test_a_non_ascii_bearer_is_refused_as_any_wrong_token_is(app, spoilt):
    wrong = answer(app, conventions("at.abc.e"))
    status, body = answer(app, conventions(spoilt))
    assert 400 <= status < 500
    assert (status, set(body)) == (wrong[0], set(wrong[1]))
    assert body["code"] == wrong[1]["code"]


def test_a_non_ascii_user_token_is_refused_as_any_wrong_one_is(app, client_for):
    tokens = tokens_of(login(client_for("appkey")))
    good = conventions(tokens["access_token"], user_token=tokens["user_token"])
    assert answer(app, good)[0] == 200
    wrong = answer(app, good | {"x-user-token": "ut.abc.e"})
    status, body = answer(app, good | {"x-user-token": "ut.abc.\xe9"})
    assert 400 <= status < 500
    assert (status, body["code"]) == (wrong[0], wrong[1]["code"])


def test_login_nested_5000_deep_is_400(client_for):
    client = client_for("appkey")
    response = client.post(
        "/api/v1/auth/login",
        content="[" * 5000,
        headers=conventions("appkey-demo-private") | {"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert "JSON" in str(response.json())


def test_a_password_spelled_with_a_json_escape_is_redacted(client_for, sandbox):
    client = client_for("appkey")
    body = json.dumps({"username": USERNAME, "password": PASSWORD})
    body = body.replace("password", "pass\\u0077ord")  # the same key to a JSON reader
    response = client.post(
        "/api/v1/auth/login",
        content=body,
        headers=conventions("appkey-demo-private") | {"Content-Type": "application/json"},
    )
    assert response.status_code == 200
    excerpt = journal_entry(sandbox, response)["body_excerpt"]
    assert PASSWORD not in excerpt
    assert "<redacted>" in excerpt
