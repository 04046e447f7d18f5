"""X-SIGNATURE: base64 of SHA256withRSA (RSASSA-PKCS1-v1_5, SHA-256) over
``client_id + "|" + X-TIMESTAMP``, verified with the client's registered public key.

When it fails, ``diagnose`` works out what the client most likely did instead. An RSA PKCS#1 v1.5
signature can be opened with the public key, which reveals the hash algorithm and the digest that
was signed; the digest is then compared with the usual near misses (another separator, a trailing
newline, milliseconds, another timestamp). Only the failure path pays for this.
"""

import base64
import binascii
import hashlib
import re
from collections.abc import Callable
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from mock_server.core import auth
from mock_server.providers.sales_order.signing import string_to_sign

# ASN.1 DigestInfo prefixes (RFC 8017 §9.2, note 1): which hash the signer used.
DIGEST_INFO: dict[bytes, tuple[str, Callable[[bytes], Any]]] = {
    bytes.fromhex("3021300906052b0e03021a05000414"): ("SHA-1", hashlib.sha1),
    bytes.fromhex("302d300d06096086480165030402040500041c"): ("SHA-224", hashlib.sha224),
    bytes.fromhex("3031300d060960864801650304020105000420"): ("SHA-256", hashlib.sha256),
    bytes.fromhex("3041300d060960864801650304020205000430"): ("SHA-384", hashlib.sha384),
    bytes.fromhex("3051300d060960864801650304020305000440"): ("SHA-512", hashlib.sha512),
}
_HEX = re.compile(r"^[0-9a-fA-F]+$")


def decode(signature: str) -> bytes | None:
    """Standard base64; missing padding is forgiven (harmless), other alphabets are not."""
    text = signature.strip()
    text += "=" * (-len(text) % 4)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def verifies(key: rsa.RSAPublicKey, raw: bytes, message: bytes) -> bool:
    try:
        key.verify(raw, message, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


def matches(key: rsa.RSAPublicKey, received: str, client_id: str, timestamp: str) -> bool:
    """X-SIGNATURE, as sent, is the key's signature of ``client_id|X-TIMESTAMP``."""
    raw = decode(received)
    return raw is not None and verifies(key, raw, string_to_sign(client_id, timestamp))


def diagnose(
    key: rsa.RSAPublicKey,
    key_fingerprint: str,
    client_id: str,
    timestamp: str,
    received: str,
    window: int,
) -> dict[str, Any]:
    """What the server verified, and hints naming the near miss that explains the signature."""
    expected = string_to_sign(client_id, timestamp)
    diagnosis: dict[str, Any] = {
        "string_to_sign": expected.decode(),
        "algorithm": "SHA256withRSA (RSASSA-PKCS1-v1_5 with SHA-256), base64",
        "key_fingerprint": key_fingerprint,
        "key_bits": key.key_size,
        "received_signature": received[:800],
    }
    hints: list[str] = []
    diagnosis["hints"] = hints
    text = received.strip()
    size = (key.key_size + 7) // 8
    # Hex digits are base64 characters too, so hex is recognised by its length first.
    raw = None if _HEX.match(text) and len(text) == 2 * size else decode(received)
    if raw is None:
        urlsafe = _decode_urlsafe(text)
        if urlsafe is not None and ("-" in text or "_" in text):
            hints.append(
                "X-SIGNATURE is base64url ('-' and '_'); send standard base64 ('+' and '/', "
                "padded), as Java's Base64.getEncoder() and openssl base64 do"
            )
            raw = urlsafe
        elif _HEX.match(text) and len(text) % 2 == 0:
            hints.append("X-SIGNATURE looks hex-encoded; send the signature bytes in base64")
            raw = bytes.fromhex(text)
        else:
            hints.append("X-SIGNATURE is not base64")
            return diagnosis
    if len(raw) != size:
        twice = decode(raw.decode("latin-1")) if raw.isascii() else None
        if twice is not None and len(twice) == size:
            hints.append("the signature was base64-encoded twice; encode it once")
        else:
            hints.append(
                f"the signature is {len(raw)} bytes; one made with the registered "
                f"{key.key_size}-bit key is {size} bytes: was it made with another key?"
            )
        return diagnosis
    if verifies(key, raw, expected):  # it verifies once decoded: only the encoding was off
        return diagnosis
    hints.extend(_explain(key, raw, client_id, timestamp, window))
    return diagnosis


def _decode_urlsafe(text: str) -> bytes | None:
    text += "=" * (-len(text) % 4)
    try:
        return base64.b64decode(text, altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        return None


def _explain(
    key: rsa.RSAPublicKey, raw: bytes, client_id: str, timestamp: str, window: int
) -> list[str]:
    expected = string_to_sign(client_id, timestamp).decode()
    try:
        recovered = key.recover_data_from_signature(raw, padding.PKCS1v15(), None)
    except InvalidSignature:
        return _not_pkcs1(key, raw, expected.encode())
    found = next(
        (
            (alg, recovered[len(prefix) :])
            for prefix, alg in DIGEST_INFO.items()
            if recovered.startswith(prefix)
        ),
        None,
    )
    if found is None:
        return [
            "the signature holds a bare value without a DigestInfo (NONEwithRSA, or "
            "'openssl pkeyutl -sign' over a digest); sign the string itself with SHA256withRSA "
            "(openssl dgst -sha256 -sign private.pem)"
        ]
    (name, hash_fn), digest = found
    wrong_hash = (
        []
        if name == "SHA-256"
        else [f"the string was hashed with {name}; the doc requires SHA256withRSA (SHA-256)"]
    )
    # The string itself is a candidate too (hint ""): then only the hash was wrong.
    signed = auth.near_misses(
        ((hint or "", text) for text, hint in _candidates(client_id, timestamp, window)),
        lambda text: bool(hash_fn(text.encode()).digest() == digest),
    )
    if signed:
        return wrong_hash + [hint for hint in signed if hint]
    return [
        *wrong_hash,
        f"the signature was made with the registered key, but over another string than "
        f"{expected!r}",
    ]


def _candidates(client_id: str, timestamp: str, window: int) -> list[tuple[str, str | None]]:
    expected = f"{client_id}|{timestamp}"
    out: list[tuple[str, str | None]] = [
        (expected, None),
        (
            f"{client_id}:{timestamp}",
            "signed 'client_id:timestamp'; the separator is a pipe: 'client_id|timestamp'",
        ),
        (f"{client_id}{timestamp}", "signed without the '|' between client_id and timestamp"),
        (f"{timestamp}|{client_id}", "signed 'timestamp|client_id'; the order is client_id first"),
        (
            expected + "\n",
            "signed a trailing newline (echo without -n?); sign exactly 'client_id|timestamp'",
        ),
    ]
    if timestamp.isdigit() and len(timestamp) <= 12:
        seconds = int(timestamp)
        out += [
            (
                f"{client_id}|{seconds * 1000 + ms}",
                f"signed the timestamp in milliseconds ({seconds * 1000 + ms}); sign the "
                "X-TIMESTAMP value itself, in seconds",
            )
            for ms in range(1000)
        ]
        out += [
            (
                f"{client_id}|{seconds + delta}",
                f"signed timestamp {seconds + delta} but sent X-TIMESTAMP {timestamp}; the doc: "
                "X-TIMESTAMP must match the timestamp used when generating the signature",
            )
            for delta in range(-window, window + 1)
            if delta
        ]
    return out


def _not_pkcs1(key: rsa.RSAPublicKey, raw: bytes, expected: bytes) -> list[str]:
    for algorithm in (hashes.SHA256(), hashes.SHA1()):
        try:
            key.verify(
                raw,
                expected,
                padding.PSS(mgf=padding.MGF1(algorithm), salt_length=padding.PSS.AUTO),
                algorithm,
            )
        except InvalidSignature:
            continue
        return [
            f"the signature uses PSS padding ({algorithm.name.upper()}); SHA256withRSA is "
            "PKCS#1 v1.5 padding (openssl dgst -sha256 -sign, without -sigopt rsa_padding_mode:pss)"
        ]
    return [
        "the signature does not open with the registered public key: it was made with another "
        "private key (compare key_fingerprint with your public key's: openssl pkey -pubin -in "
        "public.pem -outform DER | openssl dgst -sha256)"
    ]
