"""Helpers the tests share: journal look-up, and Digitalent signing written out independently of
the package (as the provider's doc does it), so a bug in the sandbox cannot hide in both."""

import base64
import hashlib
import hmac
import itertools
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from mock_server.app import Sandbox
from mock_server.core.config import Settings
from mock_server.core.locations import sqlite_url_for
from mock_server.core.provider import Provider
from mock_server.core.services import Services
from mock_server.registry import PROVIDERS

# The doc's own example instant (digitalent.txt): 2025-10-31T06:00:12.120Z.
FROZEN = datetime(2025, 10, 31, 6, 0, 12, 120_000, tzinfo=UTC)


def seed_template(path: Path, providers: Sequence[Provider[Any]] = PROVIDERS) -> Path:
    """A database at ``path`` seeded with the clock frozen at FROZEN, for tests to copy."""
    seed_database(sqlite_url_for(path), providers)
    return path


def seed_database(url: str, providers: Sequence[Provider[Any]] = PROVIDERS) -> None:
    """The database at ``url`` seeded with the clock frozen at FROZEN."""
    services = Services(Settings(database_url=url), providers)
    services.db.create_all()
    services.clock.freeze(FROZEN)
    services.reset()
    services.close()


def journal_entry(sandbox: Sandbox, response: Any) -> dict[str, Any]:
    """The journal entry of a response, by the id in its X-Mock-Journal-Id header."""
    journal_id = response.headers["x-mock-journal-id"]
    entry = sandbox.services.journal.get(journal_id)
    assert entry is not None, f"no journal entry {journal_id}"
    return entry


# -- Digitalent signing, written out exactly as the doc's Postman pre-request script does it ------
def postman_signature(
    secret: str, method: str, url_path: str, body: str | bytes, timestamp: str, request_id: str
) -> str:
    if isinstance(body, bytes):  # raw bytes that are not UTF-8 text: sign them as they are
        base = (
            f"{method.upper()}:{url_path}:".encode() + body + f":{timestamp}:{request_id}".encode()
        )
    else:
        base = f"{method.upper()}:{url_path}:{body}:{timestamp}:{request_id}".encode()
    digest = hmac.new(secret.encode("utf-8"), base, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()  # CryptoJS.enc.Base64.stringify: standard, padded


def to_iso(moment: datetime) -> str:
    """``new Date().toISOString()``."""
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def digitalent_headers(
    method: str,
    path: str,
    body: str | bytes = "",
    *,
    client_id: str = "dts-demo-client",
    secret: str = "dts-demo-secret",
    at: datetime = FROZEN,
    request_id: str | None = None,
    skew: timedelta = timedelta(0),
) -> dict[str, str]:
    request_id = request_id or str(uuid.uuid4())
    timestamp = to_iso(at + skew)
    return {
        "Client-Id": client_id,
        "Request-Id": request_id,
        "Request-Timestamp": timestamp,
        "Signature": postman_signature(secret, method, path, body, timestamp, request_id),
    }


# -- JOSS signing, written out from the auth page's steps (not from the package) --------------
JOSS_SECRETS = {
    "joss-sandbox-client": "joss-sandbox-secret",
    "joss-other-client": "joss-other-secret",
    "joss-production-client": "joss-production-secret",
    "joss-inactive-client": "joss-inactive-secret",
}


def joss_string_to_sign(
    client_id: str, request_id: str, timestamp: str, target: str, body: bytes
) -> str:
    components = [
        ("Client-Id", client_id),
        ("Request-Id", request_id),
        ("Request-Timestamp", timestamp),
        ("Request-Target", target),
    ]
    if body:
        components.append(("Digest", base64.b64encode(hashlib.sha256(body).digest()).decode()))
    return "\n".join(f"{name}:{value}" for name, value in components)


def joss_signature(secret: str, string_to_sign: str) -> str:
    mac = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).digest()
    return "HMACSHA256=" + base64.b64encode(mac).decode()


def joss_timestamp(moment: datetime, *, fraction: bool = True) -> str:
    moment = moment.astimezone(UTC)
    if fraction:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def joss_headers(
    method: str,
    path: str,
    body: bytes = b"",
    *,
    client_id: str = "joss-sandbox-client",
    secret: str | None = None,
    at: datetime = FROZEN,
    request_id: str | None = None,
    skew: timedelta = timedelta(0),
    timestamp: str | None = None,
    accept: str | None = "application/json",
) -> dict[str, str]:
    """Every header a JOSS request needs: Accept, Content-Type on PUT/POST/PATCH, the four
    signed ones. ``path`` is the Request-Target: the path without the query string."""
    request_id = request_id or str(uuid.uuid4())
    timestamp = timestamp or joss_timestamp(at + skew)
    secret = secret if secret is not None else JOSS_SECRETS.get(client_id, "unknown")
    headers = {
        "Client-Id": client_id,
        "Request-Id": request_id,
        "Request-Timestamp": timestamp,
        "Signature": joss_signature(
            secret, joss_string_to_sign(client_id, request_id, timestamp, path, body)
        ),
    }
    if accept is not None:
        headers["Accept"] = accept
    if method.upper() in {"POST", "PUT", "PATCH"} or body:
        headers["Content-Type"] = "application/json"
    return headers


JOSS_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://sandbox.joss.kemnaker.go.id/references")


def joss_reference_id(kind: str, name: str) -> str:
    """The documented derivation of JOSS reference ids: stable across resets and machines."""
    return str(uuid.uuid5(JOSS_NAMESPACE, f"{kind}:{name}"))


def raw_request(
    app: Any, method: str, path: str, headers: dict[str, bytes | str], body: bytes = b""
) -> tuple[int, dict[str, str], Any]:
    """One request straight to the ASGI app, header values as the exact bytes uvicorn would pass
    on (``TestClient`` re-encodes non-ASCII values as UTF-8, uvicorn hands over what was sent).
    Returns status, headers and the JSON body (or its text, when it is not JSON)."""
    import asyncio
    import json

    raw_headers = [
        (name.lower().encode(), value if isinstance(value, bytes) else value.encode("latin-1"))
        for name, value in ({"host": "testserver"} | headers).items()
    ]
    raw_headers.append((b"content-length", str(len(body)).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": raw_headers,
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    sent: list[dict[str, Any]] = []
    delivered = False

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    content = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    answer = {k.decode("latin-1"): v.decode("latin-1") for k, v in start.get("headers", [])}
    try:
        return start["status"], answer, json.loads(content)
    except ValueError:
        return start["status"], answer, content.decode("utf-8", "replace")


# For a pytest run inside a test: the plugins that test does not use, off. Each costs start-up
# (hypothesis and schemathesis about 2 s of CPU together); the mock_server plugin still loads
# itself from its entry point, as in a user's project.
NESTED_PYTEST_FLAGS = (
    *("-p", "no:cacheprovider", "-p", "no:schemathesis", "-p", "no:hypothesispytest"),
    *("-p", "no:faker", "-p", "no:anyio", "-p", "no:xdist"),
)


# -- RSA keys ------------------------------------------------------------------------------------
KEYS_PER_SIZE = 4
_KEYS: dict[int, list[rsa.RSAPrivateKey]] = {}
_TURNS = itertools.count()


def rsa_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    """A client's RSA key: any ``KEYS_PER_SIZE`` calls in a row give different keys, and the
    test process makes only that many of each size (a 2048-bit key costs ~60 ms of CPU to
    generate; the suite asks for about forty)."""
    keys = _KEYS.setdefault(bits, [])
    turn = next(_TURNS) % KEYS_PER_SIZE
    if turn >= len(keys):
        keys.extend(
            rsa.generate_private_key(public_exponent=65537, key_size=bits)
            for _ in range(turn + 1 - len(keys))
        )
    return keys[turn]
