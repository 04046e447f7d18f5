"""The gateway's bearer check on KYC endpoints: the documented fault for every failure."""

import pytest

from tests.helpers import journal_entry
from tests.providers.kyc.reference import KYC_ACCEPTED_BODY, kyc_token

FAULT = {
    "fault": {
        "faultstring": "Invalid Access Token",
        "detail": {"errorcode": "keymanagement.service.invalid_access_token"},
    }
}
ENDPOINTS = ["/kyc/v1/challenge-code", "/kyc/v1/generate-url"]


@pytest.fixture
def kyc(client_for):
    return client_for("kyc")


def post(client, path, headers):
    return client.post(
        path, content=KYC_ACCEPTED_BODY, headers=headers | {"Content-Type": "application/json"}
    )


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize(
    ("headers", "rule"),
    [
        ({}, "bearer_missing"),
        ({"Authorization": "Bearer "}, "bearer_missing"),
        ({"Authorization": "Basic a3ljOmt5Yw=="}, "bearer_missing"),
        ({"Authorization": "Bearer not-a-token-we-issued"}, "bearer_unknown"),
    ],
    ids=["none", "empty", "basic", "unknown"],
)
def test_bad_bearers_get_the_documented_fault(kyc, sandbox, path, headers, rule):
    response = post(kyc, path, headers)
    assert response.status_code == 401
    assert response.json() == FAULT
    assert journal_entry(sandbox, response)["rule"] == rule


def test_a_token_expires_by_the_sandbox_clock(kyc, sandbox):
    token = kyc_token(kyc)
    headers = {"Authorization": f"Bearer {token}"}
    sandbox.services.clock.advance(3598)
    assert post(kyc, ENDPOINTS[0], headers).status_code == 200
    sandbox.services.clock.advance(1)  # issued + expires_in (3599 s)
    response = post(kyc, ENDPOINTS[0], headers)
    assert response.status_code == 401
    assert response.json() == FAULT
    entry = journal_entry(sandbox, response)
    assert entry["rule"] == "bearer_expired"
    assert entry["client_id"] == "kyc-demo-client"


def test_the_scheme_is_case_insensitive(kyc):
    token = kyc_token(kyc)
    assert post(kyc, ENDPOINTS[0], {"Authorization": f"bearer {token}"}).status_code == 200


def test_unknown_paths_need_a_bearer_too(kyc):
    """A gateway answers before routing: without a token no path is revealed."""
    response = kyc.get("/kyc/v1/no-such-thing")
    assert response.status_code == 401
    assert response.json() == FAULT
