"""generate-url: the encrypted envelope both ways (each whitespace style, LF and CRLF PEMs), the
reply's exact shape, every broken envelope, and the clear JSON form."""

import base64
import json
import random
import re
import uuid

import pytest

from mock_server.providers.kyc.config import KycSettings
from tests.helpers import journal_entry
from tests.providers.kyc.reference import (
    SERVER_PUBLIC_PEM,
    STYLES,
    agent_payload,
    bearer,
    client_key_pair,
    decrypt,
    encrypt,
    frame,
    raw_parts,
)

PATH = "/kyc/v1/generate-url"
BEGIN = "-----BEGIN ENCRYPTED MESSAGE-----"
END = "-----END ENCRYPTED MESSAGE-----"


@pytest.fixture
def kyc(client_for):
    return client_for("kyc")


@pytest.fixture(scope="module")
def client_key():
    return client_key_pair()


def post_envelope(client, message: str | bytes, headers=None):
    return client.post(
        PATH,
        content=message,
        headers=(headers or bearer(client)) | {"Content-Type": "text/plain"},
    )


def envelope_error(response) -> str:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["metadata"] == {"code": "400", "message": "Error: Bad Request"}
    return body["data"]["error"]


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("crlf", [False, True], ids=["pem-lf", "pem-crlf"])
def test_an_envelope_round_trips(kyc, sandbox, client_key, style, crlf):
    private_key, public_pem = client_key
    if crlf:
        public_pem = public_pem.replace("\n", "\r\n")
    response = post_envelope(kyc, encrypt(agent_payload(public_pem), style=style))
    assert response.status_code == 200, response.text
    reply = json.loads(decrypt(response.text, private_key))
    assert reply["metadata"] == {"code": "200", "message": "OK"}
    data = reply["data"]
    assert data["agent_name"] == "Bambang Wisanggeni"
    assert data["agent_nik"] == "3171010101800001"
    assert str(uuid.UUID(data["token"])) == data["token"]
    assert data["url"] == f"http://testserver/kyc/v1/validation-web/{data['token']}"
    assert journal_entry(sandbox, response)["outcome"] == "accepted"


def test_a_pem_without_trailing_newline_is_accepted(kyc, client_key):
    private_key, public_pem = client_key
    response = post_envelope(kyc, encrypt(agent_payload(public_pem.rstrip())))
    assert response.status_code == 200
    assert json.loads(decrypt(response.text, private_key))["metadata"]["code"] == "200"


def test_the_reply_has_the_php_chunk_split_shape(kyc, client_key):
    _, public_pem = client_key
    text = post_envelope(kyc, encrypt(agent_payload(public_pem))).text
    assert text.startswith(BEGIN + "\r\n")
    assert text.endswith("\r\n" + END)
    inner = text[len(BEGIN) + 2 : -len(END)]
    assert inner.endswith("\r\n")
    lines = inner[:-2].split("\r\n")
    assert all(len(line) == 76 for line in lines[:-1])
    assert 0 < len(lines[-1]) <= 76
    assert "\n" not in inner.replace("\r\n", "")
    raw = base64.b64decode("".join(lines), validate=True)
    assert len(raw) > 256 + 12 + 16


def test_the_reply_is_encrypted_to_the_clients_key_only(kyc, client_key):
    _, public_pem = client_key
    other_private, _ = client_key_pair()
    text = post_envelope(kyc, encrypt(agent_payload(public_pem))).text
    with pytest.raises(ValueError):
        decrypt(text, other_private)


# -- broken envelopes: always a 400 naming what failed, never a 500 ----------------------------
def tamper(raw: bytes, offset: int) -> bytes:
    return raw[:offset] + bytes([raw[offset] ^ 0x01]) + raw[offset + 1 :]


def good_raw(public_pem: str) -> bytes:
    wrapped, iv, ciphertext, tag = raw_parts(agent_payload(public_pem), SERVER_PUBLIC_PEM)
    return wrapped + iv + ciphertext + tag


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda raw: frame(raw).replace(BEGIN, ""), "does not start with"),
        (lambda raw: frame(raw).replace(END, ""), "does not end with"),
        (lambda raw: base64.b64encode(raw).decode(), "does not start with"),
        (lambda raw: f"{BEGIN}\r\n{END}", "nothing between"),
        (lambda raw: frame(raw).replace("\r\n", "\r\n*", 1), "not base64"),
        (lambda raw: frame(raw)[:60] + "=" + frame(raw)[60:], "not base64"),
        (lambda raw: frame(raw[:200]), "truncated"),
        (lambda raw: frame(raw[:280]), "truncated"),
        (lambda raw: frame(tamper(raw, 10)), "crypto/rsa: decryption error"),
        (lambda raw: frame(tamper(raw, 256 + 3)), "message authentication failed"),
        (lambda raw: frame(tamper(raw, 256 + 12 + 5)), "message authentication failed"),
        (lambda raw: frame(tamper(raw, len(raw) - 1)), "message authentication failed"),
        (lambda raw: frame(raw[:-1]), "message authentication failed"),
    ],
    ids=[
        "no-begin",
        "no-end",
        "no-markers",
        "empty",
        "bad-base64-char",
        "padding-in-the-middle",
        "truncated-in-key",
        "truncated-before-tag",
        "tampered-wrapped-key",
        "tampered-iv",
        "tampered-ciphertext",
        "tampered-tag",
        "tag-cut-short",
    ],
)
def test_broken_envelopes_are_400_naming_the_failure(kyc, sandbox, client_key, make, expected):
    response = post_envelope(kyc, make(good_raw(client_key[1])))
    assert expected in envelope_error(response)
    assert journal_entry(sandbox, response)["rule"] == "envelope"


def test_an_envelope_for_another_key_is_an_rsa_decryption_error(kyc, client_key):
    """Encrypted to the real SATUSEHAT key (here: any other key) instead of the sandbox's."""
    _, other_public = client_key_pair()
    response = post_envelope(kyc, encrypt(agent_payload(client_key[1]), other_public))
    assert "failed to decrypt ciphertext: crypto/rsa: decryption error" in envelope_error(response)


def test_non_ascii_bytes_are_400(kyc):
    assert "not ASCII" in envelope_error(post_envelope(kyc, b"\xff\xfe" + BEGIN.encode()))


def test_a_decrypted_payload_that_is_not_json_is_400(kyc):
    response = post_envelope(kyc, encrypt(b"agent_name=Bambang"))
    assert response.status_code == 400
    assert "malformed JSON" in response.json()["data"]["error"]


# -- field validation, both forms ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"agent_nik": "12345"}, "agent_nik"),
        ({"agent_nik": "31710101018000AB"}, "agent_nik"),
        ({"agent_nik": 3171010101800001}, "agent_nik"),
        ({"agent_name": ""}, "agent_name"),
        ({"agent_name": "   "}, "agent_name"),
        ({"public_key": "not a key"}, "PEM public key"),
        ({"public_key": None}, "public_key"),
    ],
    ids=["short-nik", "letters-nik", "number-nik", "empty-name", "blank-name", "junk-key", "null"],
)
@pytest.mark.parametrize("form", ["encrypted", "json"])
def test_invalid_fields_are_400(kyc, client_key, overrides, expected, form):
    payload = agent_payload(client_key[1], **overrides)
    if form == "encrypted":
        response = post_envelope(kyc, encrypt(payload))
    else:
        response = kyc.post(
            PATH, content=payload, headers=bearer(kyc) | {"Content-Type": "application/json"}
        )
    assert response.status_code == 400
    body = response.json()
    assert body["metadata"] == {"code": "400", "message": "Bad Request"}
    assert expected in body["data"]["error"]


def test_a_key_below_2048_bits_is_refused(kyc):
    _, small = client_key_pair(1024)
    response = post_envelope(kyc, encrypt(agent_payload(small)))
    assert response.status_code == 400
    assert "RSA-1024" in response.json()["data"]["error"]


def test_a_non_rsa_key_is_refused(kyc):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    pem = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    response = post_envelope(kyc, encrypt(agent_payload(pem)))
    assert response.status_code == 400
    assert "RSA" in response.json()["data"]["error"]


# -- the clear form ------------------------------------------------------------------------------
def test_the_json_form_answers_in_clear(kyc, client_key):
    response = kyc.post(
        PATH,
        content=agent_payload(client_key[1].replace("\n", "\r\n")),
        headers=bearer(kyc) | {"Content-Type": "application/json"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["metadata"] == {"code": "200", "message": "OK"}
    assert set(body["data"]) == {"agent_name", "agent_nik", "token", "url"}
    assert re.fullmatch(
        r"http://testserver/kyc/v1/validation-web/[0-9a-f-]{36}", body["data"]["url"]
    )


def test_the_host_header_is_not_believed_on_the_provider_port(kyc, client_key):
    # A client sending the real host in Host must not be handed a URL to the real server.
    response = kyc.post(
        PATH,
        content=agent_payload(client_key[1]),
        headers=bearer(kyc)
        | {"Content-Type": "application/json", "Host": "api-satusehat-stg.dto.kemkes.go.id"},
    )
    assert response.json()["data"]["url"].startswith("http://testserver/kyc/v1/")


def test_forwarded_headers_from_an_untrusted_peer_are_ignored(kyc, client_key):
    response = kyc.post(
        PATH,
        content=agent_payload(client_key[1]),
        headers=bearer(kyc)
        | {
            "Content-Type": "application/json",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "kyc.example",
        },
    )
    assert response.json()["data"]["url"].startswith("http://testserver/kyc/v1/")


def test_a_configured_public_base_url_wins(make_sandbox, client_for, client_key):
    configured = make_sandbox({"kyc": KycSettings(public_base_url="https://kyc.sandbox.example/")})
    client = client_for("kyc", configured)
    response = client.post(
        PATH,
        content=agent_payload(client_key[1]),
        headers=bearer(client) | {"Content-Type": "application/json"},
    )
    url = response.json()["data"]["url"]
    assert url.startswith("https://kyc.sandbox.example/kyc/v1/validation-web/")


def test_the_session_is_on_the_control_plane(kyc, client_for, client_key):
    token = kyc.post(
        PATH,
        content=agent_payload(client_key[1]),
        headers=bearer(kyc) | {"Content-Type": "application/json"},
    ).json()["data"]["token"]
    session = client_for("admin").get(f"/__admin/kyc/sessions/{token}").json()
    assert session["status"] == "pending"
    assert session["agent_name"] == "Bambang Wisanggeni"
    assert session["client_id"] == "kyc-demo-client"


def test_excess_padding_is_400_not_500(kyc):
    response = post_envelope(kyc, f"{BEGIN}\r\nQUJD===\r\n{END}")
    assert "more than two '='" in envelope_error(response)


def test_random_damage_is_always_a_4xx(kyc, client_key):
    """Flip, drop or insert bytes anywhere in a good envelope: never a 500, never a 200."""
    rng = random.Random(5)
    headers = bearer(kyc)
    good = encrypt(agent_payload(client_key[1]))
    with kyc:  # one event-loop thread for every request (one database connection)
        for _ in range(150):
            check_damaged(kyc, rng, headers, good)


def check_damaged(kyc, rng: random.Random, headers: dict[str, str], good: str) -> None:
    damaged = bytearray(good.encode())
    at = rng.randrange(len(damaged))
    action = rng.choice(("flip", "drop", "insert"))
    if action == "flip":
        damaged[at] ^= 1 << rng.randrange(7)
    elif action == "drop":
        del damaged[at]
    else:
        damaged.insert(at, rng.choice(b"A/+=-*\r\n \t\x00\xff"))
    response = post_envelope(kyc, bytes(damaged), headers)
    if response.status_code == 200:  # damage to whitespace alone leaves it intact
        assert b"".join(bytes(damaged).split()) == b"".join(good.encode().split())
        return
    assert 400 <= response.status_code < 500, (action, at, response.text)
    assert response.json()["metadata"]["code"] == str(response.status_code)
