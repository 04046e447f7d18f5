"""The KYC backend called directly, without HTTP: what the endpoints do to the state is
``KycState``'s, so the whole operator's flow can be driven and checked from here."""

import json

import pytest

from mock_server.core.errors import ProviderError
from mock_server.providers.kyc.schemas import GenerateUrl
from mock_server.providers.kyc.state import KycState
from tests.helpers import FROZEN
from tests.providers.kyc.reference import (
    agent_payload,
    client_key_pair,
    decrypt,
    encrypt,
)

NOW = FROZEN.timestamp()
NIK = "3171014101900001"


@pytest.fixture
def state(sandbox) -> KycState:
    return KycState(sandbox.services.context("kyc"))


@pytest.fixture(scope="module")
def client_key():
    return client_key_pair()


def agent(public_pem: str) -> GenerateUrl:
    return GenerateUrl.model_validate_json(agent_payload(public_pem))


def test_a_granted_token_is_the_bearer_of_its_client_until_it_expires(state):
    reply = state.grant("kyc-demo-client", "kyc-demo-secret", NOW)
    row = state.bearer(reply["access_token"])
    assert row.client_id == "kyc-demo-client"
    assert row.active
    assert row.expires_at == NOW + int(reply["expires_in"])
    with pytest.raises(ProviderError) as refused:
        state.grant("kyc-demo-client", "wrong", NOW)
    assert (refused.value.status, refused.value.rule) == (401, "credentials")


def test_the_operators_flow_validates_the_patient(state, client_key):
    link = state.generate_url(
        agent(client_key[1]),
        encrypted=False,
        client_id="kyc-demo-client",
        base_url="https://kyc.test",
        now=NOW,
    )
    assert link.sealed is None
    token = link.reply["data"]["token"]
    assert link.reply["data"]["url"] == f"https://kyc.test/kyc/v1/validation-web/{token}"
    session = state.live_session(token, NOW)
    assert (session.status, session.client_id) == ("pending", "kyc-demo-client")

    shown = state.page_challenge(session, NIK, "Budi Santoso", NOW)
    wrong = f"{(int(shown['challenge_code']) + 1) % 1_000_000:06d}"
    assert state.verify(token, wrong, NOW + 1).verdict == "wrong_code"
    result = state.verify(token, shown["challenge_code"], NOW + 2)
    assert result.verdict == "validated"

    (listed,) = state.sessions(limit=10, now=NOW + 3)
    assert listed == result.session
    assert listed["status"] == "validated"
    assert listed["nik"] == NIK
    assert listed["ihs_number"] == shown["ihs_number"]
    assert listed["attempts"] == 2


def test_a_sealed_request_gets_its_reply_sealed_to_the_clients_key(state, client_key):
    private_key, public_pem = client_key
    payload = state.open_sealed(encrypt(agent_payload(public_pem), state.public_pem).encode())
    link = state.generate_url(
        GenerateUrl.model_validate(payload),
        encrypted=True,
        client_id="kyc-demo-client",
        base_url="http://testserver",
        now=NOW,
    )
    assert link.sealed is not None
    assert json.loads(decrypt(link.sealed, private_key)) == link.reply


def test_a_session_expires_by_the_given_time(state, client_key):
    token = state.create_session("kyc-demo-client", "Bambang", "3171010101800001", NOW)
    lifetime = state.settings.session_lifetime
    assert state.live_session(token, NOW + lifetime - 1).token == token
    with pytest.raises(ProviderError) as gone:
        state.live_session(token, NOW + lifetime)
    assert (gone.value.status, gone.value.rule) == (410, "session_expired")
    assert state.sessions(limit=1, now=NOW + lifetime)[0]["status"] == "expired"
