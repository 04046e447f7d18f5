"""The token endpoint: the documented reply, and every way to be refused."""

from urllib.parse import urlencode

import pytest

from tests.helpers import FROZEN, journal_entry
from tests.providers.kyc.reference import DEMO, TOKEN_PATH

BAD_CREDENTIALS = (
    "The user or system was not able to be authenticated "
    "(either client_id or client_secret combination is unacceptable)"
)


@pytest.fixture
def kyc(client_for):
    return client_for("kyc")


def outcome_text(response) -> str:
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    (issue,) = body["issue"]
    assert issue["severity"] == "invalid"
    assert issue["code"] == "value"
    return issue["details"]["text"]


def test_demo_credentials_get_the_documented_reply(kyc, sandbox):
    response = kyc.post(TOKEN_PATH, data=DEMO)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == [
        "refresh_token_expires_in",
        "api_product_list",
        "api_product_list_json",
        "organization_name",
        "developer.email",
        "token_type",
        "issued_at",
        "client_id",
        "access_token",
        "application_name",
        "scope",
        "expires_in",
        "refresh_count",
        "status",
    ]
    assert body["token_type"] == "BearerToken"
    assert body["issued_at"] == str(int(FROZEN.timestamp() * 1000))  # epoch ms, a string
    assert body["expires_in"] == "3599"
    assert body["client_id"] == "kyc-demo-client"
    assert body["status"] == "approved"
    assert body["api_product_list_json"] == ["api-sandbox"]
    assert len(body["access_token"]) == 28
    assert body["access_token"].isalnum()
    assert journal_entry(sandbox, response)["client_id"] == "kyc-demo-client"


def test_every_token_is_new(kyc):
    first = kyc.post(TOKEN_PATH, data=DEMO).json()["access_token"]
    assert kyc.post(TOKEN_PATH, data=DEMO).json()["access_token"] != first


@pytest.mark.parametrize(
    ("form", "detail"),
    [
        ({"client_id": "kyc-demo-client", "client_secret": "wrong"}, "client_secret"),
        ({"client_id": "nobody", "client_secret": "kyc-demo-secret"}, "client_id unknown"),
        ({"client_id": "kyc-demo-client"}, "client_secret"),
        ({}, "client_id unknown"),
    ],
    ids=["wrong-secret", "unknown-client", "no-secret", "empty-form"],
)
def test_wrong_credentials_are_401_operation_outcome(kyc, sandbox, form, detail):
    response = kyc.post(
        TOKEN_PATH,
        content=urlencode(form),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 401
    assert outcome_text(response) == BAD_CREDENTIALS
    entry = journal_entry(sandbox, response)
    assert entry["rule"] == "credentials"
    assert detail in entry["message"]


@pytest.mark.parametrize(
    "path",
    [
        "/oauth2/v1/accesstoken",
        "/oauth2/v1/accesstoken?grant_type=password",
        "/oauth2/v1/accesstoken?grant_type=",
    ],
    ids=["missing", "wrong", "empty"],
)
def test_missing_or_wrong_grant_type_is_400(kyc, sandbox, path):
    response = kyc.post(path, data=DEMO)
    assert response.status_code == 400
    assert "grant_type" in outcome_text(response)
    assert journal_entry(sandbox, response)["rule"] == "grant_type"


def test_a_json_body_is_400_wrong_content_type(kyc, sandbox):
    response = kyc.post(TOKEN_PATH, json=DEMO)
    assert response.status_code == 400
    assert "application/x-www-form-urlencoded" in outcome_text(response)
    assert journal_entry(sandbox, response)["rule"] == "content_type"


def test_the_secret_and_token_stay_out_of_the_journal(kyc, sandbox):
    response = kyc.post(TOKEN_PATH, data=DEMO)
    token = response.json()["access_token"]
    bad = kyc.post(TOKEN_PATH, data=DEMO | {"client_secret": "kyc-demo-secret-typo"})
    used = kyc.post("/kyc/v1/challenge-code", headers={"Authorization": f"Bearer {token}"})
    text = str([journal_entry(sandbox, r) for r in (response, bad, used)])
    assert "kyc-demo-secret" not in text
    assert token not in text
    assert "client_secret=<redacted>" in text


def test_grant_type_in_the_form_body_gets_a_hint(kyc, sandbox):
    response = kyc.post("/oauth2/v1/accesstoken", data=DEMO | {"grant_type": "client_credentials"})
    assert response.status_code == 400
    assert "query string" in journal_entry(sandbox, response)["message"]


def test_the_wrong_method_is_an_operation_outcome_too(kyc):
    response = kyc.get(TOKEN_PATH)
    assert response.status_code == 405
    assert "GET is not allowed" in outcome_text(response)
