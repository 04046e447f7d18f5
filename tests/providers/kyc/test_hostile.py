"""Hand-made hostile input, and the validation page's credential kept out of the journal."""

import logging
import uuid

import pytest

from tests.helpers import journal_entry
from tests.providers.kyc.reference import agent_payload, bearer, client_key_pair, encrypt

DEEP = b"[" * 5000


@pytest.fixture
def kyc(client_for):
    return client_for("kyc")


@pytest.fixture(scope="module")
def public_pem():
    return client_key_pair()[1]


def is_bad_request(response):
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["metadata"]["code"] == "400"  # "Error: Bad Request" on documented endpoints
    return body["data"]["error"]


@pytest.mark.parametrize("what", ["verify", "challenge-code"])
def test_the_page_calls_nested_5000_deep_are_400(kyc, what):
    # No auth: the page's calls carry only the session token in the path.
    response = kyc.post(
        f"/kyc/v1/validation-web/{uuid.uuid4()}/{what}",
        content=DEEP,
        headers={"Content-Type": "application/json"},
    )
    assert "nested" in is_bad_request(response)


def test_challenge_code_nested_5000_deep_is_400(kyc):
    response = kyc.post(
        "/kyc/v1/challenge-code",
        content=DEEP,
        headers=bearer(kyc) | {"Content-Type": "application/json"},
    )
    assert "nested" in is_bad_request(response)


def test_a_sealed_payload_nested_5000_deep_is_400(kyc):
    response = kyc.post(
        "/kyc/v1/generate-url",
        content=encrypt(DEEP),
        headers=bearer(kyc) | {"Content-Type": "text/plain"},
    )
    assert "nested" in is_bad_request(response)


def test_nan_in_a_body_is_400(kyc):
    body = b'{"metadata": {"method": "request_per_nik"}, "data": {"nik": NaN, "name": "B"}}'
    response = kyc.post(
        "/kyc/v1/challenge-code",
        content=body,
        headers=bearer(kyc) | {"Content-Type": "application/json"},
    )
    assert "NaN" in is_bad_request(response)


def test_the_session_token_is_masked_in_journal_and_console(kyc, sandbox, public_pem, caplog):
    created = kyc.post(
        "/kyc/v1/generate-url",
        content=agent_payload(public_pem),
        headers=bearer(kyc) | {"Content-Type": "application/json"},
    )
    url = created.json()["data"]["url"].removeprefix("http://testserver")
    session_token = url.rsplit("/", 1)[1]
    with caplog.at_level(logging.INFO, logger="mock_server.requests"):
        page = kyc.get(url)
        verify = kyc.post(f"{url}/verify", json={"challenge_code": "000000"})
        sandbox.services.journal.flush()
    assert page.status_code == 200  # the page still works with the token in the path
    assert verify.status_code in (200, 400)
    for response in (page, verify):
        entry = journal_entry(sandbox, response)
        assert session_token not in entry["path"]
        assert entry["path"].startswith("/kyc/v1/validation-web/<redacted sha256:")
    assert "validation-web/<redacted sha256:" in caplog.text
    assert session_token not in caplog.text
    # Journal filters by prefix still find the page's requests.
    assert sandbox.services.journal.count() >= 2


def test_other_paths_are_shown_as_sent(kyc, sandbox):
    response = kyc.post("/kyc/v1/challenge-code", json={}, headers=bearer(kyc))
    assert journal_entry(sandbox, response)["path"] == "/kyc/v1/challenge-code"
