"""KYC on the control plane: lenient mode, clients through the generic admin endpoints, and the
journal saying why each bearer or envelope was refused."""

import base64
from urllib.parse import urlencode

import pytest

from tests.helpers import journal_entry
from tests.providers.kyc.reference import (
    DEMO,
    KYC_ACCEPTED_BODY,
    SERVER_PUBLIC_PEM,
    TOKEN_PATH,
    agent_payload,
    bearer,
    client_key_pair,
    encrypt,
    frame,
    kyc_token,
    raw_parts,
)

CHALLENGE = "/kyc/v1/challenge-code"
GENERATE = "/kyc/v1/generate-url"
CONTROL = "/__admin/providers/kyc/control"
CLIENTS = "/__admin/providers/kyc/clients"
BEGIN = "-----BEGIN ENCRYPTED MESSAGE-----"


@pytest.fixture
def kyc(client_for):
    return client_for("kyc")


@pytest.fixture
def admin(client_for):
    return client_for("admin")


@pytest.fixture(scope="module")
def client_key():
    return client_key_pair()


def challenge(client, headers):
    return client.post(
        CHALLENGE, content=KYC_ACCEPTED_BODY, headers=headers | {"Content-Type": "application/json"}
    )


def lenient(admin) -> None:
    assert admin.post(CONTROL, json={"auth_mode": "lenient"}).json()["auth_mode"] == "lenient"


# -- lenient mode --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("headers", "rule"),
    [
        ({}, "bearer_missing"),
        ({"Authorization": "Basic a3ljOmt5Yw=="}, "bearer_missing"),
        ({"Authorization": "Bearer not-a-token-we-issued"}, "bearer_unknown"),
    ],
    ids=["missing", "malformed", "unknown"],
)
def test_lenient_serves_a_bad_bearer_and_says_what_would_have_failed(
    kyc, admin, sandbox, headers, rule
):
    lenient(admin)
    response = challenge(kyc, headers)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["challenge_code"].isdigit()
    assert response.headers["x-mock-would-have-failed"].startswith(f"{rule}: ")
    entry = journal_entry(sandbox, response)
    assert entry["outcome"] == "accepted"
    assert [w.split(":")[0] for w in entry["would_have_failed"]] == [rule]
    assert entry["client_id"] is None
    assert rule in entry["diagnosis"]
    count = admin.get("/__admin/requests/count", params={"would_have_failed": True}).json()
    assert count == {"count": 1}


def test_lenient_serves_an_expired_token_and_names_its_client(kyc, admin, sandbox):
    lenient(admin)
    headers = {"Authorization": f"Bearer {kyc_token(kyc)}"}
    sandbox.services.clock.advance(3600)
    response = challenge(kyc, headers)
    assert response.status_code == 200
    entry = journal_entry(sandbox, response)
    assert [w.split(":")[0] for w in entry["would_have_failed"]] == ["bearer_expired"]
    assert entry["client_id"] == "kyc-demo-client"


def test_lenient_generate_url_without_a_client_files_the_session_under_an_empty_id(
    kyc, admin, client_for, client_key
):
    """generate-url needs no client to work; the session it opens simply has no client id."""
    lenient(admin)
    response = kyc.post(GENERATE, content=agent_payload(client_key[1]), headers={})
    assert response.status_code == 200, response.text
    assert "x-mock-would-have-failed" in response.headers
    token = response.json()["data"]["token"]
    sessions = admin.get("/__admin/kyc/sessions").json()
    (session,) = [s for s in sessions if s["token"] == token]
    assert session["client_id"] == ""


def test_lenient_leaves_good_requests_unmarked(kyc, admin):
    lenient(admin)
    response = challenge(kyc, bearer(kyc))
    assert response.status_code == 200
    assert "x-mock-would-have-failed" not in response.headers


def test_the_token_endpoint_refuses_bad_credentials_in_lenient_mode_too(kyc, admin):
    """Credentials are not the gateway's bearer check: no token can be made without a client."""
    lenient(admin)
    response = kyc.post(TOKEN_PATH, data=DEMO | {"client_secret": "wrong"})
    assert response.status_code == 401
    assert response.json()["resourceType"] == "OperationOutcome"
    bad_grant = kyc.post(
        "/oauth2/v1/accesstoken",
        content=urlencode(DEMO),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert bad_grant.status_code == 400


def test_back_to_strict_rejects_again(kyc, admin):
    assert admin.get(CONTROL).json()["auth_mode"] == "strict"
    lenient(admin)
    assert challenge(kyc, {}).status_code == 200
    admin.post(CONTROL, json={"auth_mode": "strict"})
    response = challenge(kyc, {})
    assert response.status_code == 401
    assert "x-mock-would-have-failed" not in response.headers


# -- clients -------------------------------------------------------------------------------------
def test_clients_are_listed_without_secrets(admin):
    clients = admin.get(CLIENTS).json()
    assert [c["client_id"] for c in clients] == ["kyc-demo-client"]
    assert clients[0]["active"] is True
    assert clients[0]["secret_fingerprint"].startswith("sha256:")
    assert "kyc-demo-secret" not in str(clients)


def test_a_created_client_gets_tokens_with_the_secret_shown_once(kyc, admin):
    created = admin.post(CLIENTS, json={"client_id": "rs-sehat", "name": "RS Sehat"})
    assert created.status_code == 201
    secret = created.json()["client_secret"]
    assert "client_secret" not in str(admin.get(CLIENTS).json())
    form = {"client_id": "rs-sehat", "client_secret": secret}
    reply = kyc.post(TOKEN_PATH, data=form).json()
    assert reply["client_id"] == "rs-sehat"
    assert reply["organization_name"] == "RS Sehat"
    assert admin.post(CLIENTS, json={"client_id": "rs-sehat"}).status_code == 409
    generated = admin.post(CLIENTS, json={}).json()
    assert generated["client_id"].startswith("kyc-")


def test_rotation_stops_the_old_secret_but_not_issued_tokens(kyc, admin):
    token = kyc_token(kyc)
    rotated = admin.post(f"{CLIENTS}/kyc-demo-client/rotate").json()
    new_secret = rotated["client_secret"]
    assert new_secret != DEMO["client_secret"]
    old = kyc.post(TOKEN_PATH, data=DEMO)
    assert old.status_code == 401
    assert old.json()["resourceType"] == "OperationOutcome"
    assert kyc.post(TOKEN_PATH, data=DEMO | {"client_secret": new_secret}).status_code == 200
    assert challenge(kyc, {"Authorization": f"Bearer {token}"}).status_code == 200


def test_deactivation_refuses_tokens_and_cuts_off_issued_ones(kyc, admin, sandbox):
    headers = {"Authorization": f"Bearer {kyc_token(kyc)}"}
    url = f"{CLIENTS}/kyc-demo-client/active"
    assert admin.post(url, json={"active": False}).json()["active"] is False
    refused = kyc.post(TOKEN_PATH, data=DEMO)
    assert refused.status_code == 401
    assert refused.json()["resourceType"] == "OperationOutcome"
    assert journal_entry(sandbox, refused)["rule"] == "client_inactive"
    cut_off = challenge(kyc, headers)
    assert cut_off.status_code == 401
    assert cut_off.json()["fault"]["faultstring"] == "Invalid Access Token"
    entry = journal_entry(sandbox, cut_off)
    assert entry["rule"] == "bearer_client_inactive"
    assert entry["diagnosis"]["reason"] == "client_inactive"
    admin.post(url, json={"active": True})
    assert challenge(kyc, headers).status_code == 200


def test_unknown_clients_are_404(admin):
    assert admin.post(f"{CLIENTS}/nobody/rotate").status_code == 404
    assert admin.post(f"{CLIENTS}/nobody/active", json={"active": False}).status_code == 404


def test_reset_restores_the_demo_client(kyc, admin):
    admin.post(f"{CLIENTS}/kyc-demo-client/rotate")
    admin.post("/__admin/providers/kyc/reset")
    assert kyc.post(TOKEN_PATH, data=DEMO).status_code == 200


# -- explain: why a bearer was refused -----------------------------------------------------------
def refusal(kyc, sandbox, headers) -> dict:
    response = challenge(kyc, headers)
    assert response.status_code == 401
    return journal_entry(sandbox, response)["diagnosis"]


def test_a_missing_bearer_is_diagnosed_as_missing(kyc, sandbox):
    assert refusal(kyc, sandbox, {})["reason"] == "missing"


@pytest.mark.parametrize(
    ("authorization", "hint"),
    [("Basic a3ljOmt5Yw==", "'Basic'"), ("Bearer ", "no token")],
    ids=["basic", "empty-bearer"],
)
def test_a_malformed_header_is_diagnosed_as_malformed(kyc, sandbox, authorization, hint):
    diagnosis = refusal(kyc, sandbox, {"Authorization": authorization})
    assert diagnosis["reason"] == "malformed"
    assert hint in diagnosis["hint"]
    assert "a3ljOmt5Yw" not in str(diagnosis)


@pytest.mark.parametrize(
    ("token", "hint"),
    [
        ("Bearer abc", "Bearer appears twice"),
        ('"abcdefghijklmnopqrstuvwxyz12"', "quoted"),
        ("short", "28 letters and digits"),
        ("A" * 28, "never issued here"),
    ],
    ids=["double-bearer", "quoted", "wrong-shape", "well-formed"],
)
def test_an_unknown_token_is_diagnosed_with_its_likely_slip(kyc, sandbox, token, hint):
    diagnosis = refusal(kyc, sandbox, {"Authorization": f"Bearer {token}"})
    assert diagnosis["reason"] == "unknown"
    assert any(hint in h for h in diagnosis["hints"])
    assert diagnosis["token_fingerprint"].startswith("sha256:")
    assert token not in str(diagnosis)


def test_an_expired_token_says_when_by_the_sandbox_clock(kyc, sandbox):
    headers = {"Authorization": f"Bearer {kyc_token(kyc)}"}
    sandbox.services.clock.advance(3599 + 42)
    diagnosis = refusal(kyc, sandbox, headers)
    assert diagnosis["reason"] == "expired"
    assert diagnosis["expired_seconds_ago"] == 42
    assert diagnosis["expired_at"].endswith("Z")
    assert diagnosis["issued_at"] < diagnosis["expired_at"] < diagnosis["sandbox_now"]


# -- explain: which envelope step failed ---------------------------------------------------------
def tamper(raw: bytes, offset: int) -> bytes:
    return raw[:offset] + bytes([raw[offset] ^ 0x01]) + raw[offset + 1 :]


def good_raw(public_pem: str) -> bytes:
    wrapped, iv, ciphertext, tag = raw_parts(agent_payload(public_pem), SERVER_PUBLIC_PEM)
    return wrapped + iv + ciphertext + tag


@pytest.mark.parametrize(
    ("make", "step"),
    [
        (lambda raw: b"\xff" + frame(raw).encode(), "text"),
        (lambda raw: base64.b64encode(raw).decode(), "armor"),
        (lambda raw: frame(raw).replace("\r\n", "\r\n*", 1), "base64"),
        (lambda raw: frame(raw[:200]), "length"),
        (lambda raw: frame(tamper(raw, 10)), "rsa_unwrap"),
        (lambda raw: frame(tamper(raw, len(raw) - 1)), "aes_gcm"),
    ],
    ids=["text", "armor", "base64", "length", "rsa_unwrap", "aes_gcm"],
)
def test_each_envelope_failure_names_its_step(kyc, sandbox, client_key, make, step):
    response = kyc.post(
        GENERATE,
        content=make(good_raw(client_key[1])),
        headers=bearer(kyc) | {"Content-Type": "text/plain"},
    )
    assert response.status_code == 400
    envelope = journal_entry(sandbox, response)["diagnosis"]["envelope"]
    assert envelope["failed_step"] == step
    assert step not in envelope["passed_steps"]
    if step == "aes_gcm":
        assert envelope["passed_steps"][-2:] == ["rsa_unwrap", "aes_key"]


def test_a_sealed_payload_that_is_not_json_is_the_json_step(kyc, sandbox):
    response = kyc.post(
        GENERATE,
        content=encrypt(b"agent_name=Bambang"),
        headers=bearer(kyc) | {"Content-Type": "text/plain"},
    )
    assert response.status_code == 400
    envelope = journal_entry(sandbox, response)["diagnosis"]["envelope"]
    assert envelope["failed_step"] == "json"
    assert "aes_gcm" in envelope["passed_steps"]


def test_a_bad_client_key_in_a_sealed_payload_is_the_public_key_step(kyc, sandbox):
    payload = agent_payload(client_key_pair()[1]).replace(b"BEGIN PUBLIC KEY", b"BEGIN NOTHING")
    response = kyc.post(
        GENERATE,
        content=encrypt(payload),
        headers=bearer(kyc) | {"Content-Type": "text/plain"},
    )
    assert response.status_code == 400
    entry = journal_entry(sandbox, response)
    assert entry["rule"] == "public_key"
    assert entry["diagnosis"]["envelope"]["failed_step"] == "public_key"
