"""JOSS request signing, as JOSS's auth page (DOKU's non-SNAP scheme) describes it.

Digest    = base64(SHA-256(raw body bytes))            only when there is a body
string    = "Client-Id:<id>\\nRequest-Id:<rid>\\nRequest-Timestamp:<ts>\\n"
            "Request-Target:<path without query>[\\nDigest:<digest>]"
Signature = "HMACSHA256=" + base64(HMAC-SHA256(client_secret, string))

``JossAuth(now=...)``: what ``Request-Timestamp`` is stamped from, an aware datetime (default:
the machine's clock). The sandbox accepts the machine's clock even when its own is moved, unless
it runs with ``MOCK_TIMESTAMP_CLOCK=sandbox``; then stamp the sandbox's time, e.g. with the pytest
plugin ``JossAuth(now=mock_sandbox.clock.now)``.
"""

import base64
import hashlib
import hmac
import uuid
from collections.abc import Callable, Generator
from datetime import UTC, datetime

import httpx


def joss_timestamp(moment: datetime | None = None) -> str:
    """``2022-09-22T01:51:00Z``: UTC, seconds, ``Z``, as the doc's example."""
    return (moment or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def joss_signature(
    secret: str, client_id: str, request_id: str, timestamp: str, target: str, body: bytes
) -> str:
    lines = [
        f"Client-Id:{client_id}",
        f"Request-Id:{request_id}",
        f"Request-Timestamp:{timestamp}",
        f"Request-Target:{target}",
    ]
    if body:
        lines.append("Digest:" + base64.b64encode(hashlib.sha256(body).digest()).decode())
    mac = hmac.new(secret.encode(), "\n".join(lines).encode(), hashlib.sha256).digest()
    return "HMACSHA256=" + base64.b64encode(mac).decode()


class JossAuth(httpx.Auth):
    """Signs every request; sets Content-Type for bodies and Accept (``accept``) if unset."""

    requires_request_body = True

    def __init__(
        self,
        client_id: str = "joss-sandbox-client",
        client_secret: str = "joss-sandbox-secret",
        *,
        accept: str = "application/json",
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.accept = accept
        self.now = now or (lambda: datetime.now(UTC))

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        timestamp = joss_timestamp(self.now())
        request_id = str(uuid.uuid4())
        # Request-Target is the path as sent, without scheme, host or query string.
        target = request.url.raw_path.split(b"?", 1)[0].decode("ascii")
        body = request.content
        if body and "content-type" not in request.headers:
            request.headers["Content-Type"] = "application/json"
        if request.headers.get("accept", "*/*") == "*/*":
            request.headers["Accept"] = self.accept
        request.headers["Client-Id"] = self.client_id
        request.headers["Request-Id"] = request_id
        request.headers["Request-Timestamp"] = timestamp
        request.headers["Signature"] = joss_signature(
            self.client_secret, self.client_id, request_id, timestamp, target, body
        )
        yield request
