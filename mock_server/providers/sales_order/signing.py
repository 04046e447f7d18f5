"""X-SIGNATURE, the demo key and the headers of a signed request, apart from the server's modules:
``mock-server sign sales_order`` needs only these. The crypto stack and PyJWT are imported by the
functions that use them, so that listing the provider (every CLI command does) costs nothing."""

import base64
import functools
from importlib import resources
from typing import TYPE_CHECKING

from mock_server.core.provider import SignInput

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import rsa

DEMO_PUBLIC_KEY = "sales_order_demo_public.pem"
DEMO_PRIVATE_KEY = "sales_order_DEMO_ONLY_private.pem"  # DEMO ONLY, for docs and tests


def fixture_text(name: str) -> str:
    return resources.files("mock_server.fixtures").joinpath(name).read_text("utf-8")


def demo_private_key() -> bytes:
    """The demo client's private key PEM: DEMO ONLY, published, protects nothing."""
    return fixture_text(DEMO_PRIVATE_KEY).encode("ascii")


def string_to_sign(client_id: str, timestamp: str) -> bytes:
    return f"{client_id}|{timestamp}".encode()


def sign(private_key: "rsa.RSAPrivateKey", client_id: str, timestamp: str) -> str:
    """X-SIGNATURE as the doc defines it: base64 of SHA256withRSA by the client's private key."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    raw = private_key.sign(
        string_to_sign(client_id, timestamp), padding.PKCS1v15(), hashes.SHA256()
    )
    return base64.b64encode(raw).decode("ascii")


DEMO_CLIENT = "partner-client-001"


def sign_request(request: SignInput) -> dict[str, str]:
    """Headers of a correctly signed request, for ``mock-server sign sales_order …``.

    The JWT is minted here with the settings' ``jwt_secret`` rather than fetched from
    ``/api/v1/auth/login``: the sandbox issues exactly such tokens (``tokens.issue``), so this
    works with no server running (a curl command for a CI script, a server not started yet) and
    dates the token by ``request.now``, the sandbox clock, even when it is frozen or moved. The
    client secret is therefore not needed; the client must still exist, be active and have the
    key's public half registered when the request is sent. The cost: the signer must know the
    server's ``jwt_secret`` (``MOCK_SALES_ORDER_JWT_SECRET``; the documented demo default
    otherwise). The body is not signed by this API, and it has no request ids, so
    ``request.request_id`` does not apply; nothing is fetched, so neither does ``request.http``.
    """
    from mock_server.providers.sales_order import tokens  # PyJWT, for this hook only

    client_id = request.client_id or DEMO_CLIENT
    key = private_key(request.key_file)
    now = request.now.timestamp()
    token, _ = tokens.issue(
        request.settings.jwt_secret, client_id, now, request.settings.token_lifetime
    )
    timestamp = str(int(now))
    return {
        "Authorization": f"Bearer {token}",
        "X-CLIENT-ID": client_id,
        "X-TIMESTAMP": timestamp,
        "X-SIGNATURE": sign(key, client_id, timestamp),
        "Content-Type": "application/json",
    }


def private_key(key_file: str | None) -> "rsa.RSAPrivateKey":
    """The key in ``key_file``, or the demo key (DEMO ONLY; registered for partner-client-001)."""
    if not key_file:
        return _demo_key()
    with open(key_file, "rb") as f:
        return _load_rsa_key(f.read())


@functools.cache
def _demo_key() -> "rsa.RSAPrivateKey":
    # Loading checks the key's arithmetic (~30 ms of CPU); the demo key never changes, and the
    # dashboard's flows and the sign hook ask for it on every signed step.
    return _load_rsa_key(demo_private_key())


def _load_rsa_key(pem: bytes) -> "rsa.RSAPrivateKey":
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    key = load_pem_private_key(pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("SHA256withRSA needs an RSA private key")
    return key
