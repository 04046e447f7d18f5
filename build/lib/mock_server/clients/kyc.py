"""SATUSEHAT KYC client side: the encrypted message and a small client, to test your own code.

    encrypt_message(plaintext, server_public_key_pem) -> "-----BEGIN ENCRYPTED MESSAGE-----\\r\\n…"
    decrypt_message(text, private_key)                 -> plaintext bytes

The layout is base64(RSA-OAEP-SHA256(aes_key) || IV[12] || AES-256-GCM ciphertext || tag[16]),
76-column CRLF lines, as the official PHP library writes it. ``KycClient`` gets a token,
calls generate-url with a fresh RSA-2048 key pair (encrypted, as the libraries do) and
challenge-code. Point it at the sandbox with the sandbox's public key
(``mock-server kyc-public-key`` or ``GET /__admin/kyc/public-key``).
"""

import json
from dataclasses import dataclass, field
from typing import Any

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from mock_server.providers.kyc.envelope import open_message, seal
from mock_server.providers.kyc.keys import load_server_key, public_pem

__all__ = [
    "KycClient",
    "decrypt_message",
    "encrypt_message",
    "generate_key_pair",
    "sandbox_public_key",
]


def encrypt_message(plaintext: bytes | str, public_key_pem: str | bytes) -> str:
    """Encrypt to an RSA public key (the SATUSEHAT server's, or a client's)."""
    if isinstance(plaintext, str):
        plaintext = plaintext.encode("utf-8")
    pem = public_key_pem.encode() if isinstance(public_key_pem, str) else public_key_pem
    key = serialization.load_pem_public_key(pem.replace(b"\r\n", b"\n"))
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("the KYC envelope needs an RSA public key")
    return seal(plaintext, key)


def decrypt_message(text: str | bytes, private_key: rsa.RSAPrivateKey | str | bytes) -> bytes:
    """Decrypt with an RSA private key (object or PEM); raises ValueError naming the defect."""
    if not isinstance(private_key, rsa.RSAPrivateKey):
        pem = private_key.encode() if isinstance(private_key, str) else private_key
        loaded = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(loaded, rsa.RSAPrivateKey):
            raise ValueError("the KYC envelope needs an RSA private key")
        private_key = loaded
    return open_message(text, private_key)


def generate_key_pair(bits: int = 2048) -> tuple[rsa.RSAPrivateKey, str]:
    """A fresh client key pair: the private key and its public PEM, as the libraries make."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return key, public_pem(key)


def sandbox_public_key() -> str:
    """The bundled sandbox server public key (PEM)."""
    return public_pem(load_server_key(""))


@dataclass
class KycClient:
    base_url: str = "http://127.0.0.1:7103"
    client_id: str = "kyc-demo-client"
    client_secret: str = "kyc-demo-secret"
    server_public_key: str = field(default_factory=sandbox_public_key)
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=10))

    def access_token(self) -> str:
        response = self.http.post(
            f"{self.base_url}/oauth2/v1/accesstoken",
            params={"grant_type": "client_credentials"},
            data={"client_id": self.client_id, "client_secret": self.client_secret},
        )
        response.raise_for_status()
        return str(response.json()["access_token"])

    def _headers(self, token: str | None, content_type: str) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {token or self.access_token()}",
            "Content-Type": content_type,
        }

    def generate_url(
        self, agent_name: str, agent_nik: str, *, token: str | None = None
    ) -> dict[str, Any]:
        """The encrypted form: the reply decrypted with a fresh key pair, as parsed JSON."""
        private_key, public_key = generate_key_pair()
        payload = json.dumps(
            {"agent_name": agent_name, "agent_nik": agent_nik, "public_key": public_key}
        )
        response = self.http.post(
            f"{self.base_url}/kyc/v1/generate-url",
            content=encrypt_message(payload, self.server_public_key),
            headers=self._headers(token, "text/plain"),
        )
        if response.status_code != 200:
            return json_object(response.content)
        return json_object(decrypt_message(response.text, private_key))

    def challenge_code(self, nik: str, name: str, *, token: str | None = None) -> dict[str, Any]:
        response = self.http.post(
            f"{self.base_url}/kyc/v1/challenge-code",
            json={"metadata": {"method": "request_per_nik"}, "data": {"nik": nik, "name": name}},
            headers=self._headers(token, "application/json"),
        )
        return json_object(response.content)


def json_object(text: str | bytes) -> dict[str, Any]:
    """A JSON object reply, parsed; anything else is the server's bug, said as such."""
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError(f"expected a JSON object, got {str(value)[:200]}")
    return value
