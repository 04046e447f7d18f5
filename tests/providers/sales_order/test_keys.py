"""Public-key registration, over HTTP on the control plane and from the CLI: X.509 PEM, RSA of
2048 bits or more; everything else refused with a reason, never echoing what was sent."""

import json
import subprocess
import sys

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from mock_server.app import Sandbox
from mock_server.cli import main
from mock_server.core.config import Settings
from mock_server.core.locations import sqlite_url_for
from tests.providers.sales_order.signing import new_key, public_pem, signed_headers

CLIENT = "partner-client-002"
URL = f"/__admin/sales-order/clients/{CLIENT}/public-key"
PATH = "/api/v1/products"


def private_pem(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def test_a_key_registered_over_http_verifies_that_clients_signatures(client_for, sandbox, so):
    key = new_key()
    headers = signed_headers(sandbox.services.clock.now(), client_id=CLIENT, key=key)
    assert so.get(PATH, headers=headers).status_code == 401  # no key yet
    admin = client_for("admin")
    response = admin.put(
        URL, content=public_pem(key), headers={"Content-Type": "application/x-pem-file"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["key_bits"] == 2048
    assert response.json()["key_fingerprint"].startswith("sha256:")
    assert so.get(PATH, headers=headers).status_code == 200
    listed = {c["client_id"]: c for c in admin.get("/__admin/sales-order/clients").json()}
    assert listed[CLIENT]["public_key_fingerprint"] == response.json()["key_fingerprint"]
    assert "secret-key-456" not in json.dumps(listed)


def test_registering_a_new_key_replaces_the_old_one(client_for, sandbox, so):
    first, second = new_key(), new_key()
    admin = client_for("admin")
    assert admin.put(URL, json={"public_key": public_pem(first)}).status_code == 200
    assert admin.put(URL, json={"public_key": public_pem(second)}).status_code == 200
    now = sandbox.services.clock.now()
    assert so.get(PATH, headers=signed_headers(now, client_id=CLIENT, key=first)).status_code == 401
    assert (
        so.get(PATH, headers=signed_headers(now, client_id=CLIENT, key=second)).status_code == 200
    )


def test_pem_line_endings_and_json_escapes_are_accepted(client_for):
    pem = public_pem(new_key())
    admin = client_for("admin")
    assert admin.put(URL, content=pem.replace("\n", "\r\n")).status_code == 200
    escaped = pem.strip().replace("\n", "\\n")
    assert admin.put(URL, json={"public_key": escaped}).status_code == 200


REFUSED = {
    "garbage": (lambda: "hello", "not an X.509 PEM public key"),
    "damaged": (
        lambda: "-----BEGIN PUBLIC KEY-----\nAAAA!!!\n-----END PUBLIC KEY-----\n",
        "cannot be read",
    ),
    "private": (lambda: private_pem(new_key()), "PRIVATE key"),
    "short": (lambda: public_pem(new_key(1024)), "1024 bits"),
    "pkcs1": (
        lambda: (
            new_key()
            .public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1)
            .decode()
        ),
        "PKCS#1",
    ),
    "ec": (
        lambda: (
            ec.generate_private_key(ec.SECP256R1())
            .public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        ),
        "RSA",
    ),
    "binary": (lambda: b"\xff\xfe\x00junk", "non-ASCII"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_bad_keys_are_refused_over_http(client_for, sandbox, case):
    make, reason = REFUSED[case]
    pem = make()
    response = client_for("admin").put(URL, content=pem)
    assert response.status_code == 400
    assert reason in response.json()["detail"]
    if case == "private":
        body = pem.splitlines()[1]
        assert body not in response.text
        assert body not in json.dumps(sandbox.services.journal.latest(limit=50))


def test_an_unknown_client_is_404(client_for):
    response = client_for("admin").put(
        "/__admin/sales-order/clients/nobody/public-key", content=public_pem(new_key())
    )
    assert response.status_code == 404


def test_the_cli_registers_a_key(tmp_path, capsys):
    db = tmp_path / "cli.db"
    key = new_key()
    pem_file = tmp_path / "public.pem"
    pem_file.write_text(public_pem(key))
    assert main(["sales-order", "register-key", CLIENT, str(pem_file), "--db", str(db)]) == 0
    assert f"registered a 2048-bit RSA key for {CLIENT}" in capsys.readouterr().out

    sandbox = Sandbox(Settings(database_url=sqlite_url_for(db))).open()
    try:
        from starlette.testclient import TestClient

        so = TestClient(sandbox.apps["sales_order"])
        headers = signed_headers(sandbox.services.clock.now(), client_id=CLIENT, key=key)
        assert so.get(PATH, headers=headers).status_code == 200
    finally:
        sandbox.close()


def test_the_cli_refuses_a_private_key_clearly(tmp_path, capsys):
    pem_file = tmp_path / "private.pem"
    pem_file.write_text(private_pem(new_key()))
    code = main(
        ["sales-order", "register-key", CLIENT, str(pem_file), "--db", str(tmp_path / "d.db")]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "PRIVATE key" in err
    assert "-pubout" in err


def test_the_cli_help_has_an_example():
    result = subprocess.run(
        [sys.executable, "-m", "mock_server", "sales-order", "register-key", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "mock-server sales-order register-key partner-client-002 public.pem" in result.stdout
    assert "CLIENT_ID" in result.stdout
