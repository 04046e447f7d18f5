"""The sign hook (`mock-server sign kyc …`) against the real process: it fetches a bearer from the
token endpoint over HTTP, and the headers it prints are accepted as they are."""

from dataclasses import replace
from datetime import UTC, datetime

import httpx
import pytest

from mock_server.core.provider import SignInput
from mock_server.providers.kyc import SignError, provider
from mock_server.providers.kyc.config import KycSettings
from tests.providers.kyc.reference import KYC_ACCEPTED_BODY, agent_payload, client_key_pair, encrypt
from tests.server import running_server

CHALLENGE = "/kyc/v1/challenge-code"
GENERATE = "/kyc/v1/generate-url"


def sign_input(base_url: str, path: str, body: bytes = b"", **credentials: str | None) -> SignInput:
    return SignInput(
        method="POST",
        path=path,
        body=body,
        client_id=credentials.get("client_id"),
        secret=credentials.get("secret"),
        key_file=None,
        now=datetime.now(UTC),
        base_url=base_url,
        settings=KycSettings(port=0),
    )


def test_signed_headers_are_accepted_by_the_real_server(tmp_path):
    assert provider.sign is not None
    with running_server(tmp_path / "kyc.db") as server:
        base, admin = server.url("kyc"), server.url("admin")

        headers = provider.sign(sign_input(base, CHALLENGE, KYC_ACCEPTED_BODY))
        assert headers["Authorization"].startswith("Bearer ")
        assert headers["Content-Type"] == "application/json"
        response = httpx.post(base + CHALLENGE, content=KYC_ACCEPTED_BODY, headers=headers)
        assert response.status_code == 200, response.text

        # The envelope form: the body's BEGIN line picks text/plain.
        envelope = encrypt(agent_payload(client_key_pair()[1])).encode()
        headers = provider.sign(sign_input(base, GENERATE, envelope))
        assert headers["Content-Type"] == "text/plain"
        response = httpx.post(base + GENERATE, content=envelope, headers=headers)
        assert response.status_code == 200, response.text

        # Given credentials: a client made on the control plane.
        created = httpx.post(
            f"{admin}/__admin/providers/kyc/clients", json={"client_id": "rs-x", "name": "RS X"}
        ).json()
        headers = provider.sign(
            sign_input(base, CHALLENGE, client_id="rs-x", secret=created["client_secret"])
        )
        response = httpx.post(base + CHALLENGE, content=KYC_ACCEPTED_BODY, headers=headers)
        assert response.status_code == 200, response.text

        with pytest.raises(SignError, match="HTTP 401"):
            provider.sign(sign_input(base, CHALLENGE, client_id="rs-x", secret="wrong"))
        with pytest.raises(SignError, match="client_secret"):
            provider.sign(sign_input(base, CHALLENGE, client_id="rs-x"))


def test_the_token_endpoint_needs_only_its_form_content_type():
    # No request is made for it, so no server is needed.
    headers = provider.sign(
        sign_input("http://127.0.0.1:9", "/oauth2/v1/accesstoken?grant_type=client_credentials")
    )
    assert headers == {"Content-Type": "application/x-www-form-urlencoded"}


def test_an_unreachable_sandbox_is_a_clear_error():
    with pytest.raises(SignError, match="could not get a token"):
        provider.sign(sign_input("http://127.0.0.1:9", CHALLENGE))


def test_given_a_client_of_the_port_the_token_comes_through_it(client_for):
    """The contract suite's way: ``SignInput.http`` instead of a new connection to base_url."""
    kyc = client_for("kyc")
    unreachable = sign_input("http://127.0.0.1:9", CHALLENGE, KYC_ACCEPTED_BODY)
    headers = provider.sign(replace(unreachable, http=kyc))
    response = kyc.post(CHALLENGE, content=KYC_ACCEPTED_BODY, headers=headers)
    assert response.status_code == 200, response.text
