"""Partner public keys: what registration accepts, and how a key is named in diagnoses.

The doc asks for an X.509 SubjectPublicKeyInfo PEM (``BEGIN PUBLIC KEY``). The sandbox takes RSA
keys of 2048 bits or more and refuses everything else with a reason and, where one exists, the
openssl command that turns what was sent into what is needed.
"""

import base64
import hashlib

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_public_key,
)

MIN_BITS = 2048
MAX_PEM_CHARS = 16_384  # an RSA-16384 SPKI PEM is ~2.9 kB; anything far larger is not a key


class KeyRejected(ValueError):
    """Why a PEM cannot be registered. The message never quotes the PEM (it may be private)."""


def parse_public_key(pem: str | bytes) -> rsa.RSAPublicKey:
    if isinstance(pem, bytes):
        try:
            pem = pem.decode("ascii")
        except UnicodeDecodeError:
            raise KeyRejected("the key is not PEM text (it holds non-ASCII bytes)") from None
    text = pem.strip()
    if "\\n" in text and "\n" not in text:
        text = text.replace("\\r", "").replace("\\n", "\n")  # a PEM pasted from a JSON string
    if not text:
        raise KeyRejected("the key is empty")
    if len(text) > MAX_PEM_CHARS:
        raise KeyRejected(f"the key is {len(text)} characters; a PEM public key is far shorter")
    if "PRIVATE KEY-----" in text:
        raise KeyRejected(
            "this is a PRIVATE key: register only the public half, and keep the private key "
            "secret (openssl pkey -in private.pem -pubout -out public.pem)"
        )
    if "BEGIN RSA PUBLIC KEY" in text:
        raise KeyRejected(
            "this is a PKCS#1 'RSA PUBLIC KEY'; the doc asks for X.509 SubjectPublicKeyInfo "
            "('BEGIN PUBLIC KEY'): openssl rsa -RSAPublicKey_in -in key.pem -pubout"
        )
    if "BEGIN CERTIFICATE" in text:
        raise KeyRejected(
            "this is a certificate; register its public key instead: "
            "openssl x509 -in cert.pem -pubkey -noout"
        )
    if "-----BEGIN PUBLIC KEY-----" not in text or "-----END PUBLIC KEY-----" not in text:
        raise KeyRejected(
            "not an X.509 PEM public key: expected '-----BEGIN PUBLIC KEY-----' … "
            "'-----END PUBLIC KEY-----'"
        )
    try:
        key = load_pem_public_key(text.encode("ascii"))
    except UnsupportedAlgorithm:
        raise KeyRejected(
            "the key's algorithm is unknown (not RSA, nor any other public key type); "
            "SHA256withRSA needs an RSA key"
        ) from None
    except (ValueError, TypeError) as exc:
        raise KeyRejected(
            f"the PEM cannot be read as a public key (damaged base64?): {exc}"
        ) from None
    if not isinstance(key, rsa.RSAPublicKey):
        kind = type(key).__name__.removeprefix("_").replace("PublicKey", "")
        raise KeyRejected(f"this is a {kind} key; SHA256withRSA needs an RSA key")
    if key.key_size < MIN_BITS:
        raise KeyRejected(f"the RSA key has {key.key_size} bits; at least {MIN_BITS} are required")
    return key


def public_pem(key: rsa.RSAPublicKey) -> str:
    """The canonical form stored: SPKI PEM with ``\\n`` line ends."""
    return key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def key_fingerprint(key: rsa.RSAPublicKey) -> str:
    """SHA-256 of the DER SubjectPublicKeyInfo, the same as
    ``openssl pkey -pubin -in public.pem -outform DER | openssl dgst -sha256``."""
    der = key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return "sha256:" + hashlib.sha256(der).hexdigest()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
