"""The string to sign, the HMAC and the demo credentials, apart from ``auth.py``:
``mock-server sign joss`` needs only these, and loads nothing of the server."""

import base64
import hashlib
import hmac
import uuid
from datetime import UTC, datetime

from mock_server.core.provider import DemoCredential, SignInput

PREFIX = "HMACSHA256="
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

DEMO_CREDENTIALS = (
    DemoCredential("staging", "joss-sandbox-client", "joss-sandbox-secret"),
    DemoCredential("staging, second portal", "joss-other-client", "joss-other-secret"),
    DemoCredential("production", "joss-production-client", "joss-production-secret"),
    DemoCredential("inactive", "joss-inactive-client", "joss-inactive-secret"),
)


def digest(body: bytes) -> str:
    return base64.b64encode(hashlib.sha256(body).digest()).decode()


def string_to_sign(
    client_id: str, request_id: str, timestamp: str, target: str, body: bytes
) -> bytes:
    lines = [
        f"Client-Id:{client_id}",
        f"Request-Id:{request_id}",
        f"Request-Timestamp:{timestamp}",
        f"Request-Target:{target}",
    ]
    if body:
        lines.append(f"Digest:{digest(body)}")
    return "\n".join(lines).encode("latin-1", "replace")


def sign(secret: str, message: bytes) -> str:
    mac = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return PREFIX + base64.b64encode(mac).decode()


def format_timestamp(moment: datetime) -> str:
    """``2022-09-22T01:51:00Z``: UTC, whole seconds, ``Z``, as the doc's example."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sign_request(request: SignInput) -> dict[str, str]:
    """Every header of a correctly signed request, as ``JossAuth`` sends them.

    Without a client id: the demo credential of the environment the sandbox emulates (a staging
    credential does not verify on a production sandbox). A demo client id without a secret gets
    its demo secret; any other client needs its secret.
    """
    environment = getattr(request.settings, "environment", "staging")
    demo = {c.client_id: c.secret for c in DEMO_CREDENTIALS}
    client_id = request.client_id or (
        "joss-production-client" if environment == "production" else "joss-sandbox-client"
    )
    secret = request.secret or demo.get(client_id)
    if secret is None:
        raise ValueError(f"no secret for JOSS client {client_id!r}: give it with its client id")
    timestamp = format_timestamp(request.now)
    request_id = request.request_id or str(uuid.uuid4())
    # Request-Target is the path as sent without the query string; the Digest covers the exact
    # body bytes, so the body must be sent byte for byte as given here.
    target = request.path.split("?", 1)[0]
    message = string_to_sign(client_id, request_id, timestamp, target, request.body)
    headers = {
        "Accept": "application/json",
        "Client-Id": client_id,
        "Request-Id": request_id,
        "Request-Timestamp": timestamp,
        "Signature": sign(secret, message),
    }
    if request.body or request.method.upper() in BODY_METHODS:
        headers["Content-Type"] = "application/json"  # required on POST/PUT/PATCH
    return headers
