"""An envelope written from the documented layout alone (provider-docs/README.md), not from the
sandbox's code, so a mistake in the sandbox cannot hide in both:

    base64( RSA-OAEP-SHA256/MGF1-SHA256(aes_key) [256] || IV [12] || ciphertext || tag [16] )

framed by the BEGIN/END ENCRYPTED MESSAGE lines. ``style`` picks how a client lays out the base64,
as the real clients differ."""

import base64
import json
import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tests.helpers import rsa_key

OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
FIXTURES = Path(__file__).resolve().parents[3] / "mock_server" / "fixtures"
SERVER_PUBLIC_PEM = (FIXTURES / "kyc_server_public_key.pem").read_text()  # as users get it

TOKEN_PATH = "/oauth2/v1/accesstoken?grant_type=client_credentials"
DEMO = {"client_id": "kyc-demo-client", "client_secret": "kyc-demo-secret"}
KYC_ACCEPTED_BODY = (
    b'{"metadata":{"method":"request_per_nik"},'
    b'"data":{"nik":"3171014101900001","name":"Budi Santoso"}}'
)
STYLES = ("php", "one-line-lf", "no-newline-before-end")


def raw_parts(plaintext: bytes, public_pem: str) -> tuple[bytes, bytes, bytes, bytes]:
    """(wrapped key, IV, ciphertext, tag)"""
    key = os.urandom(32)
    iv = os.urandom(12)
    public = serialization.load_pem_public_key(public_pem.encode())
    assert isinstance(public, rsa.RSAPublicKey)
    sealed = AESGCM(key).encrypt(iv, plaintext, None)
    return public.encrypt(key, OAEP), iv, sealed[:-16], sealed[-16:]


def frame(raw: bytes, style: str = "php") -> str:
    b64 = base64.b64encode(raw).decode()
    if style == "php":  # chunk_split(…, 76, "\r\n")
        lines = "".join(b64[i : i + 76] + "\r\n" for i in range(0, len(b64), 76))
        return f"-----BEGIN ENCRYPTED MESSAGE-----\r\n{lines}-----END ENCRYPTED MESSAGE-----"
    if style == "one-line-lf":
        return f"-----BEGIN ENCRYPTED MESSAGE-----\n{b64}\n-----END ENCRYPTED MESSAGE-----\n"
    if style == "no-newline-before-end":
        return f"-----BEGIN ENCRYPTED MESSAGE-----\n{b64}-----END ENCRYPTED MESSAGE-----"
    raise ValueError(style)


def encrypt(plaintext: bytes, public_pem: str = SERVER_PUBLIC_PEM, style: str = "php") -> str:
    wrapped, iv, ciphertext, tag = raw_parts(plaintext, public_pem)
    return frame(wrapped + iv + ciphertext + tag, style)


def decrypt(message: str, private_key: rsa.RSAPrivateKey) -> bytes:
    inner = message.split("-----BEGIN ENCRYPTED MESSAGE-----", 1)[1]
    inner = inner.split("-----END ENCRYPTED MESSAGE-----", 1)[0]
    raw = base64.b64decode("".join(inner.split()))
    key = private_key.decrypt(raw[:256], OAEP)
    return AESGCM(key).decrypt(raw[256:268], raw[268:], None)


def client_key_pair(bits: int = 2048, crlf: bool = False) -> tuple[rsa.RSAPrivateKey, str]:
    key = rsa_key(bits)
    pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return key, pem.replace("\n", "\r\n") if crlf else pem


def kyc_token(client: Any, **form: str) -> str:
    response = client.post(TOKEN_PATH, data=DEMO | form)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def bearer(client: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {kyc_token(client)}"}


def agent_payload(public_pem: str, **overrides: Any) -> bytes:
    body = {"agent_name": "Bambang Wisanggeni", "agent_nik": "3171010101800001"}
    return json.dumps(body | {"public_key": public_pem} | overrides).encode()


def challenge_body(nik: str, name: str = "Budi Santoso", method: str = "request_per_nik") -> dict:
    return {"metadata": {"method": method}, "data": {"nik": nik, "name": name}}
