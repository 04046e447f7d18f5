"""The sandbox's own SATUSEHAT server key pair.

The real server's private key is not public, so clients must be pointed at this sandbox's public
key instead. The bundled pair (``fixtures/kyc_server_*``) is shared by every install and is for the
sandbox only; ``--kyc-server-private-key`` replaces it.
"""

from functools import cache
from importlib import resources
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

DEMO_PRIVATE_KEY = "kyc_server_private_key.SANDBOX-ONLY.pem"
DEMO_PUBLIC_KEY = "kyc_server_public_key.pem"


def demo_public_key_path() -> Path:
    return Path(str(resources.files("mock_server.fixtures").joinpath(DEMO_PUBLIC_KEY)))


@cache
def load_server_key(path: str = "") -> rsa.RSAPrivateKey:
    """The server private key from ``path``, or the bundled demo key when ``path`` is empty."""
    if path:
        data = Path(path).expanduser().read_bytes()
    else:
        data = resources.files("mock_server.fixtures").joinpath(DEMO_PRIVATE_KEY).read_bytes()
    # The consistency check costs ~20 ms of every start; the bundled key is known good, so only a
    # key the user supplies is checked.
    key = serialization.load_pem_private_key(
        data, password=None, unsafe_skip_rsa_key_validation=not path
    )
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < 2048:
        raise ValueError(
            f"{path or DEMO_PRIVATE_KEY}: the KYC server key must be RSA-2048 or larger"
        )
    return key


def public_pem(key: rsa.RSAPrivateKey) -> str:
    """SubjectPublicKeyInfo PEM, what the client libraries take as the SATUSEHAT public key."""
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )
