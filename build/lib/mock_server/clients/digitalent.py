"""Digitalent request signing, as the provider's doc describes it.

    base string = f"{METHOD}:{urlPath}:{body}:{timestamp}:{requestId}"
    Signature   = base64(HMAC-SHA256(client_secret, base string))

``urlsafe=True`` sends the URL-safe alphabet (``-`` and ``_``) as the doc's text says;
the default sends standard base64, as the doc's own Postman script does.

``now``: what ``Request-Timestamp`` is stamped from, an aware datetime (default: the machine's
clock). The sandbox accepts the machine's clock even when its own is moved, unless it runs with
``MOCK_TIMESTAMP_CLOCK=sandbox``; then stamp the sandbox's time, e.g. in a test with the pytest
plugin ``DigitalentAuth(now=mock_sandbox.clock.now)``.
"""

import base64
import hashlib
import hmac
import uuid
from collections.abc import Callable, Generator
from datetime import UTC, datetime

import httpx


def iso_timestamp(moment: datetime | None = None) -> str:
    """JavaScript's ``new Date().toISOString()``: UTC, milliseconds, ``Z``."""
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def digitalent_signature(
    secret: str,
    method: str,
    path: str,
    body: bytes,
    timestamp: str,
    request_id: str,
    *,
    urlsafe: bool = False,
) -> str:
    base = f"{method.upper()}:{path}:".encode() + body + f":{timestamp}:{request_id}".encode()
    digest = hmac.new(secret.encode(), base, hashlib.sha256).digest()
    return (base64.urlsafe_b64encode if urlsafe else base64.b64encode)(digest).decode()


class DigitalentAuth(httpx.Auth):
    requires_request_body = True

    def __init__(
        self,
        client_id: str = "dts-demo-client",
        client_secret: str = "dts-demo-secret",
        *,
        urlsafe: bool = False,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.urlsafe = urlsafe
        self.now = now or (lambda: datetime.now(UTC))

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        timestamp = iso_timestamp(self.now())
        request_id = str(uuid.uuid4())
        # urlPath is the path as sent, without the query string (Postman's url.getPath()).
        path = request.url.raw_path.split(b"?", 1)[0].decode("ascii")
        signature = digitalent_signature(
            self.client_secret,
            request.method,
            path,
            request.content,
            timestamp,
            request_id,
            urlsafe=self.urlsafe,
        )
        request.headers["Client-Id"] = self.client_id
        request.headers["Request-Id"] = request_id
        request.headers["Request-Timestamp"] = timestamp
        request.headers["Signature"] = signature
        yield request
