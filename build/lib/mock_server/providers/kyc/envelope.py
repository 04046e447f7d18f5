"""The SATUSEHAT KYC encrypted message, both directions.

    -----BEGIN ENCRYPTED MESSAGE-----
    base64( RSA-OAEP(aes_key) [256 bytes] || IV [12] || AES-256-GCM ciphertext || tag [16] )
    -----END ENCRYPTED MESSAGE-----

RSA-OAEP uses SHA-256 for both the hash and MGF1; the AES key is a fresh 32 bytes and the IV a
fresh 12 bytes per message; no associated data. Reading is lenient (clients differ in
whitespace: 76-column CRLF lines, one long line, no newline before END); writing is strict,
in the shape of PHP ``chunk_split`` the official library's parser expects.
"""

import base64
import binascii
import os
import re

from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

BEGIN = "-----BEGIN ENCRYPTED MESSAGE-----"
END = "-----END ENCRYPTED MESSAGE-----"
IV_BYTES = 12
TAG_BYTES = 16
MIN_RSA_BITS = 2048
_WHITESPACE = re.compile(r"\s+")
_BASE64 = re.compile(r"^[A-Za-z0-9+/]*={0,2}$")

OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


# The steps of opening a message, in order; an EnvelopeError names the one that failed, so the
# journal can say how far the server got (and so which part of the client's sealing to look at).
STEPS = (
    "text",  # ASCII text
    "armor",  # the BEGIN / END lines
    "base64",  # the body between them
    "length",  # wrapped key + IV + tag fit
    "rsa_unwrap",  # RSA-OAEP SHA-256 gives back the AES key
    "aes_key",  # the AES key is 32 bytes
    "aes_gcm",  # AES-256-GCM decrypts and the tag verifies
)


class EnvelopeError(ValueError):
    """Why a message could not be opened, in words a client developer can act on, and at which
    of ``STEPS`` (``public_key`` for a client's key that cannot be loaded). ``hint``: what the
    journal adds where the message keeps the real server's own words."""

    def __init__(self, message: str, step: str = "", hint: str = "") -> None:
        super().__init__(message)
        self.step = step
        self.hint = hint


def chunk_split(text: str, width: int = 76, end: str = "\r\n") -> str:
    """PHP's ``chunk_split``: every chunk, the last one too, followed by ``end``."""
    return "".join(text[i : i + width] + end for i in range(0, len(text), width))


def seal(plaintext: bytes, public_key: rsa.RSAPublicKey) -> str:
    """Encrypt to ``public_key``: BEGIN line + CRLF, 76-column base64 lines each + CRLF, END."""
    aes_key = AESGCM.generate_key(bit_length=256)
    iv = os.urandom(IV_BYTES)
    wrapped = public_key.encrypt(aes_key, OAEP)
    sealed = AESGCM(aes_key).encrypt(iv, plaintext, None)  # ciphertext || tag
    body = base64.b64encode(wrapped + iv + sealed).decode("ascii")
    return f"{BEGIN}\r\n{chunk_split(body)}{END}"


def open_message(message: bytes | str, private_key: rsa.RSAPrivateKey) -> bytes:
    """Decrypt with ``private_key``; any defect raises ``EnvelopeError`` naming it."""
    if isinstance(message, bytes):
        try:
            message = message.decode("ascii")
        except UnicodeDecodeError as exc:
            raise EnvelopeError(
                f"the message is not ASCII text (byte {exc.start})", "text"
            ) from None
    text = message.strip()
    if not text.startswith(BEGIN):
        raise EnvelopeError(f"the message does not start with {BEGIN}", "armor")
    if not text.endswith(END):
        raise EnvelopeError(f"the message does not end with {END}", "armor")
    encoded = _WHITESPACE.sub("", text[len(BEGIN) : len(text) - len(END)])
    if not encoded:
        raise EnvelopeError("the message has nothing between its BEGIN and END lines", "armor")
    if not _BASE64.match(encoded):
        stray = [c for c in encoded.rstrip("=") if not (c.isascii() and (c.isalnum() or c in "+/"))]
        found = f"{stray[0]!r} found" if stray else "more than two '=' of padding"
        raise EnvelopeError(f"the message body is not base64 (RFC 2045): {found}", "base64")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except binascii.Error as exc:
        raise EnvelopeError(f"the message body is not base64 (RFC 2045): {exc}", "base64") from None
    key_bytes = private_key.key_size // 8
    if len(raw) < key_bytes + IV_BYTES + TAG_BYTES:
        raise EnvelopeError(
            f"the message is truncated: {len(raw)} bytes decoded, at least "
            f"{key_bytes + IV_BYTES + TAG_BYTES} needed (wrapped key {key_bytes}, IV {IV_BYTES}, "
            f"tag {TAG_BYTES})",
            "length",
        )
    wrapped, iv, sealed = (
        raw[:key_bytes],
        raw[key_bytes : key_bytes + IV_BYTES],
        raw[key_bytes + IV_BYTES :],
    )
    try:
        aes_key = private_key.decrypt(wrapped, OAEP)
    except ValueError:
        # The real server's words, byte for byte (it is written in Go; provider-docs/README.md
        # has its recorded reply): the explanation goes to the journal only.
        raise EnvelopeError(
            "failed to decrypt ciphertext: crypto/rsa: decryption error",
            "rsa_unwrap",
            "the AES key was not wrapped with this sandbox's public key (RSA-OAEP, SHA-256 for "
            "the hash and MGF1): most likely it was wrapped with the real SATUSEHAT public key",
        ) from None
    if len(aes_key) != 32:
        raise EnvelopeError(
            f"the wrapped AES key is {len(aes_key)} bytes; AES-256 needs 32", "aes_key"
        )
    try:
        return AESGCM(aes_key).decrypt(iv, sealed, None)
    except InvalidTag:
        raise EnvelopeError(
            "failed to decrypt ciphertext: cipher: message authentication failed",
            "aes_gcm",
            "the AES-256-GCM tag did not verify: the IV, ciphertext or tag was altered or cut "
            "(the layout is wrapped key, IV [12], ciphertext, tag [16])",
        ) from None


def load_public_key(pem: str) -> rsa.RSAPublicKey:
    """A client's ``public_key``: SubjectPublicKeyInfo PEM, LF or CRLF, RSA of 2048 bits or more."""
    normalized = pem.replace("\r\n", "\n").replace("\r", "\n").strip() + "\n"
    try:
        key = serialization.load_pem_public_key(normalized.encode("ascii"))
    except (ValueError, UnicodeEncodeError, UnsupportedAlgorithm):
        raise EnvelopeError(
            "public_key is not a PEM public key (-----BEGIN PUBLIC KEY-----)", "public_key"
        ) from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise EnvelopeError("public_key must be an RSA key", "public_key")
    if key.key_size < MIN_RSA_BITS:
        raise EnvelopeError(
            f"public_key is RSA-{key.key_size}; at least {MIN_RSA_BITS} bits are needed",
            "public_key",
        )
    return key
