"""Digitalent request authentication, in the documented order.

1. the four headers present                       -> 400 "Missing required headers"
   (and Request-Id a UUID, the mock's addition)   -> 400 "Invalid Request-Id"
2. Client-Id known and active                     -> 403 "Invalid or inactive Client ID"
3. Request-Timestamp within the window            -> 408 "Request timestamp expired"
4. Signature = HMAC-SHA256(secret, "METHOD:urlPath:body:timestamp:requestId")
                                                  -> 401 "Invalid signature"
5. Request-Id not used before by this client      -> 409 "Duplicate Request-Id"
   (only after the signature verified, so junk never burns an id)

The doc says URL-safe base64 but its own Postman script sends standard base64: both verify,
padded or not. urlPath is the path as sent, without the query string (Postman's getPath()).
"""

import json
import re
from typing import Any

from mock_server.core import auth, jsonbody
from mock_server.core.clock import parse_iso8601
from mock_server.core.compare import constant_time_equal
from mock_server.core.context import Principal, RequestContext
from mock_server.core.errors import ProviderError
from mock_server.core.provider import Authenticate
from mock_server.providers.digitalent.catalogue import Catalogue
from mock_server.providers.digitalent.signing import sign, string_to_sign

REQUIRED_HEADERS = ("Client-Id", "Request-Id", "Request-Timestamp", "Signature")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_STANDARD_B64 = bytes.maketrans(b"-_", b"+/")


def _canonical(signature: str) -> bytes:
    """Fold URL-safe into standard base64 and drop padding, so every accepted form compares."""
    return signature.strip().encode("latin-1").translate(_STANDARD_B64).rstrip(b"=")


def build_authenticate(catalogue: Catalogue) -> Authenticate:
    window = catalogue.ctx.settings.timestamp_window

    async def authenticate(req: RequestContext[Any]) -> Principal:
        # Each failed check goes through req.reject: it raises in strict mode; in lenient mode
        # it notes the failure and auth goes on, returning early only where nothing can follow.
        values = auth.require_headers(
            req,
            REQUIRED_HEADERS,
            status=400,
            rule="missing_headers",
            message="Missing required headers",
        )
        client_id = values["Client-Id"]
        request_id = values["Request-Id"]
        timestamp = values["Request-Timestamp"]
        if not client_id:
            return Principal(None, "hmac")
        if request_id and not _UUID.match(request_id):
            req.reject(
                ProviderError(
                    400,
                    "request_id_format",
                    "Invalid Request-Id",
                    detail=f"Request-Id must be a UUID (UUIDv4), got {request_id[:64]!r}",
                )
            )

        client = catalogue.client(client_id)
        auth.client_active(
            req,
            client,
            client_id,
            status=403,
            rule="client",
            message="Invalid or inactive Client ID",
        )
        if client is None:
            return Principal(None, "hmac")  # no secret: the signature cannot be checked
        req.identify(client_id)

        moment = parse_iso8601(timestamp)
        if moment is None:
            req.reject(
                ProviderError(
                    408,
                    "timestamp_format",
                    "Request timestamp expired",
                    detail=f"Request-Timestamp {timestamp[:64]!r} is not ISO 8601 "
                    "(e.g. 2025-10-31T06:00:12.120Z)",
                )
            )
        else:
            auth.timestamp_window(
                req,
                moment.timestamp(),
                window=window,
                header="Request-Timestamp",
                status=408,
                rule="timestamp_window",
                message="Request timestamp expired",
            )

        message = string_to_sign(req.method, req.path, req.body, timestamp, request_id)
        expected = sign(client.client_secret, message)
        received = values["Signature"]
        if not constant_time_equal(_canonical(expected), _canonical(received)):
            req.reject(
                ProviderError(
                    401,
                    "signature",
                    "Invalid signature",
                    detail="HMAC-SHA256 of METHOD:urlPath:body:timestamp:requestId does not match",
                    diagnosis=_diagnose(req, client.client_secret, message, expected, received),
                )
            )

        if request_id:
            await auth.request_id_unused(
                req,
                client_id,
                request_id.lower(),
                status=409,
                rule="replay",
                message="Duplicate Request-Id",
                detail=f"Request-Id {request_id} was already used by this client",
            )
        return Principal(client_id, "hmac")

    return authenticate


def _body_variants(body: bytes) -> list[tuple[str, bytes]]:
    """Bodies a client may have signed instead of the bytes it sent."""
    variants = [("an empty body was signed, but the request has one", b"")] if body else []
    try:
        parsed = jsonbody.loads(body)
    except ValueError:
        return variants
    for separators in ((",", ":"), (", ", ": ")):
        text = json.dumps(parsed, separators=separators, ensure_ascii=False).encode()
        if text != body:
            variants.append(
                (
                    "the body changed after signing (it was re-serialised); "
                    "sign the exact bytes sent",
                    text,
                )
            )
    return variants


def _diagnose(
    req: RequestContext[Any], secret: str, message: bytes, expected: str, received: str
) -> dict[str, Any]:
    """What the server signed, and which near misses would have verified (never the secret)."""
    # .get: in lenient mode the signature is checked even when these headers are missing.
    timestamp = req.headers.get("request-timestamp", "").strip()
    request_id = req.headers.get("request-id", "").strip()
    host = req.headers.get("host", "")
    paths: list[tuple[str, str]] = []
    if req.query:
        paths.append(
            (
                "the path was signed with its query string; sign the path alone",
                f"{req.path}?{req.query}",
            )
        )
    if host:
        for scheme in ("http", "https"):
            paths.append(
                (
                    f"the full URL was signed; sign the path alone ({req.path})",
                    f"{scheme}://{host}{req.path}",
                )
            )
    received_canonical = _canonical(received)

    def verifies(path: str, body: bytes) -> bool:
        candidate = sign(secret, string_to_sign(req.method, path, body, timestamp, request_id))
        return constant_time_equal(_canonical(candidate), received_canonical)

    hints = auth.near_misses(paths, lambda path: verifies(path, req.body))
    hints += auth.near_misses(_body_variants(req.body), lambda body: verifies(req.path, body))
    return auth.signature_diagnosis(
        string_to_sign=message.decode("utf-8", "replace"),
        expected=expected,
        expected_also={
            "expected_signature_urlsafe": expected.translate(str.maketrans("+/", "-_")).rstrip("=")
        },
        received=received,
        key=secret,
        hints=sorted(set(hints)),
    )
