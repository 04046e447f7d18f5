"""Sales Order signing written out from the doc, independently of the package, so a bug in the
sandbox cannot hide in both: PyJWT for tokens, cryptography for SHA256withRSA."""

import base64
import functools
from datetime import datetime
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.helpers import rsa_key

FIXTURES = Path(__file__).resolve().parents[3] / "mock_server" / "fixtures"
DEMO_CLIENT = "partner-client-001"
DEMO_SECRET = "secret-key-123"
# The sandbox's documented default HS256 key (MOCK_SALES_ORDER_JWT_SECRET).
JWT_SECRET = "mock-server-sales-order-DEMO-ONLY-hs256-secret"


@functools.cache  # loading checks the key's arithmetic: ~30 ms of CPU per call
def demo_private_key() -> rsa.RSAPrivateKey:
    pem = (FIXTURES / "sales_order_DEMO_ONLY_private.pem").read_bytes()
    key = serialization.load_pem_private_key(pem, password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def new_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa_key(bits)


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def sign(key: rsa.RSAPrivateKey, message: str, algorithm: Any = None) -> str:
    """Java's Signature.getInstance("SHA256withRSA") then Base64.getEncoder()."""
    raw = key.sign(message.encode(), padding.PKCS1v15(), algorithm or hashes.SHA256())
    return base64.b64encode(raw).decode()


def mint_token(
    client_id: str = DEMO_CLIENT, *, iat: float, lifetime: int = 43_200, secret: str = JWT_SECRET
) -> str:
    payload = {
        "client_id": client_id,
        "sub": client_id,
        "iat": int(iat),
        "exp": int(iat) + lifetime,
    }
    return jwt.encode(payload, secret, algorithm="HS256")


def signed_headers(
    at: datetime,
    *,
    token: str | None = None,
    client_id: str = DEMO_CLIENT,
    key: rsa.RSAPrivateKey | None = None,
    timestamp: str | None = None,
) -> dict[str, str]:
    timestamp = timestamp or str(int(at.timestamp()))
    return {
        "Authorization": f"Bearer {token or mint_token(client_id, iat=at.timestamp() - 60)}",
        "X-CLIENT-ID": client_id,
        "X-TIMESTAMP": timestamp,
        "X-SIGNATURE": sign(key or demo_private_key(), f"{client_id}|{timestamp}"),
    }
