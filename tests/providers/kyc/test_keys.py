"""The sandbox's server key: the bundled public key, served on the control plane, printed by the
CLI, replaceable by configuration; and private keys never reach the journal."""

import json

from cryptography.hazmat.primitives import serialization

from mock_server.cli import main
from mock_server.providers.kyc.config import KycSettings
from tests.helpers import journal_entry
from tests.providers.kyc.reference import (
    SERVER_PUBLIC_PEM,
    agent_payload,
    bearer,
    client_key_pair,
    decrypt,
    encrypt,
)


def test_the_control_plane_serves_the_bundled_public_key(client_for):
    response = client_for("admin").get("/__admin/kyc/public-key")
    assert response.status_code == 200
    assert response.text == SERVER_PUBLIC_PEM
    assert response.text.startswith("-----BEGIN PUBLIC KEY-----\n")


def test_the_cli_prints_the_same_key(capsys, monkeypatch):
    monkeypatch.delenv("MOCK_KYC_SERVER_PRIVATE_KEY", raising=False)
    assert main(["kyc-public-key"]) == 0
    assert capsys.readouterr().out == SERVER_PUBLIC_PEM


def test_a_configured_server_key_replaces_the_demo_key(tmp_path, make_sandbox, client_for, capsys):
    private_key, public_pem = client_key_pair()
    path = tmp_path / "server.pem"
    path.write_bytes(
        private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    custom = make_sandbox({"kyc": KycSettings(server_private_key=str(path))})
    assert client_for("admin", custom).get("/__admin/kyc/public-key").text == public_pem
    assert main(["kyc-public-key", "--kyc-server-private-key", str(path)]) == 0
    assert capsys.readouterr().out == public_pem

    kyc = client_for("kyc", custom)
    client_private, client_public = client_key_pair()
    headers = bearer(kyc) | {"Content-Type": "text/plain"}
    to_custom = kyc.post(
        "/kyc/v1/generate-url",
        content=encrypt(agent_payload(client_public), public_pem),
        headers=headers,
    )
    assert to_custom.status_code == 200
    assert json.loads(decrypt(to_custom.text, client_private))["metadata"]["code"] == "200"
    to_demo = kyc.post(
        "/kyc/v1/generate-url", content=encrypt(agent_payload(client_public)), headers=headers
    )
    assert "crypto/rsa: decryption error" in to_demo.json()["data"]["error"]


def test_a_private_key_sent_by_mistake_is_redacted_in_the_journal(client_for, sandbox):
    kyc = client_for("kyc")
    private_key, _ = client_key_pair()
    private_pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    response = kyc.post(
        "/kyc/v1/generate-url",
        content=agent_payload(private_pem),
        headers=bearer(kyc) | {"Content-Type": "application/json"},
    )
    assert response.status_code == 400  # a private key is not a public key
    entry = journal_entry(sandbox, response)
    body_line = private_pem.splitlines()[1]
    assert body_line not in json.dumps(entry)
    assert "PRIVATE KEY----- <redacted>" in entry["body_excerpt"]


def test_an_unusable_server_key_is_refused_at_start(tmp_path, capsys):
    missing = tmp_path / "nope.pem"
    assert main(["serve", "--memory", "--kyc-server-private-key", str(missing)]) == 2
    assert "cannot use" in capsys.readouterr().err
    assert main(["kyc-public-key", "--kyc-server-private-key", str(missing)]) == 2
    assert "nope.pem" in capsys.readouterr().err


def test_the_control_plane_lists_patients(client_for):
    patients = client_for("admin").get("/__admin/kyc/patients", params={"limit": 5}).json()
    assert len(patients) == 5
    assert all(p["seeded"] for p in patients)
    assert all(len(p["nik"]) == 16 for p in patients)
