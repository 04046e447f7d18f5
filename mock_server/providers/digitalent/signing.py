"""The string to sign and the HMAC, apart from ``auth.py``: ``mock-server sign`` needs only these,
and loads nothing of the server."""

import base64
import hashlib
import hmac
import uuid

from mock_server.core.provider import SignInput
from mock_server.core.timefmt import isoformat_z


def string_to_sign(method: str, path: str, body: bytes, timestamp: str, request_id: str) -> bytes:
    return b":".join(
        (
            method.upper().encode(),
            path.encode("latin-1"),
            body,
            timestamp.encode(),
            request_id.encode(),
        )
    )


def sign(secret: str, message: bytes) -> str:
    """Standard base64 with padding, as the doc's Postman script sends it."""
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def sign_request(request: SignInput) -> dict[str, str]:
    """Headers signed exactly as the doc's Postman script signs them."""
    timestamp = isoformat_z(request.now)
    request_id = request.request_id or str(uuid.uuid4())
    message = string_to_sign(
        request.method, request.path.split("?", 1)[0], request.body, timestamp, request_id
    )
    return {
        "Client-Id": request.client_id or "dts-demo-client",
        "Request-Id": request_id,
        "Request-Timestamp": timestamp,
        "Signature": sign(request.secret or "dts-demo-secret", message),
    }
