"""Helpers the tests share: journal look-up, and Digitalent signing written out independently of
the package (as the provider's doc does it), so a bug in the sandbox cannot hide in both."""

import base64
import hashlib
import hmac
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from mock_server.app import Sandbox

# The doc's own example instant (digitalent.txt): 2025-10-31T06:00:12.120Z.
FROZEN = datetime(2025, 10, 31, 6, 0, 12, 120_000, tzinfo=UTC)


def journal_entry(sandbox: Sandbox, response: Any) -> dict[str, Any]:
    """The journal entry of a response, by the id in its X-Mock-Journal-Id header."""
    journal_id = response.headers["x-mock-journal-id"]
    entry = sandbox.journal.get(journal_id)
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
