"""JOSS request authentication, in this order (in strict mode the first failure answers):

1. Client-Id, Request-Id, Request-Timestamp, Signature present, and Content-Type on
   POST/PUT/PATCH                                        -> 400 naming every missing header
   each well formed (Request-Timestamp ISO 8601 UTC with Z) -> 400 naming the header
2. Content-Type application/json when there is a body    -> 415
3. Accept application/json or application/xml            -> 406
4. Request-Timestamp within the window (±300 s)          -> 401 "the given signature has been
                                                            expired"
5. Client-Id known                                       -> 401
   and issued for this environment (staging/production)  -> 401 saying which
6. Signature = "HMACSHA256=" + base64(HMAC-SHA256(secret, string to sign))
                                                         -> 401 "Invalid signature"
7. Client active                                         -> 403 (only once the signature proves
                                                            the caller holds the secret)
8. Request-Id unused by this client, on every method but GET -> 409
   (only after the signature verified, so junk never burns an id)

String to sign (DOKU's non-SNAP scheme, which JOSS's auth page follows): the lines
``Client-Id:…``, ``Request-Id:…``, ``Request-Timestamp:…``, ``Request-Target:<path as sent,
without the query string>`` and, only when there is a body, ``Digest:<base64 SHA-256 of the raw
body bytes>``, joined by ``\\n`` with no trailing newline.

Lenient mode (``/__admin/providers/joss/control``) notes each failure instead of answering it
and runs every check it still can: the header and window checks always, the replay check when
there is a Client-Id, the environment, signature and inactive checks when the Client-Id is known.
The request is then served as the claimed Client-Id.
"""

import base64
import hashlib
import hmac
import re
from datetime import UTC, datetime
from typing import Any

from mock_server.core.clock import skew_diagnosis
from mock_server.core.credentials import client_lookup
from mock_server.core.errors import ProviderError
from mock_server.core.pipeline import Incoming
from mock_server.core.provider import Authenticate, ProviderContext
from mock_server.core.redact import fingerprint
from mock_server.providers.joss.models import JossClient
from mock_server.providers.joss.render import negotiate

PREFIX = "HMACSHA256="
SIGNED_HEADERS = ("Client-Id", "Request-Id", "Request-Timestamp", "Signature")
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
HOSTS = {
    "staging": "https://sandbox.joss.kemnaker.go.id",
    "production": "https://joss.kemnaker.go.id",
}
EXPIRED = "the given signature has been expired"  # the doc's wording for 401
INVALID = "Invalid signature"
_TIMESTAMP = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?Z$")
# Printable ASCII without spaces: ids and signatures travel in headers and in the signed string.
_TOKEN = re.compile(r"^[\x21-\x7e]{1,128}$")
_SIGNATURE = re.compile(r"^[\x21-\x7e]{1,512}$")


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


def parse_timestamp(value: str) -> datetime | None:
    """``2022-09-22T01:51:00Z``, fractional seconds allowed; anything else is None."""
    match = _TIMESTAMP.match(value)
    if not match:
        return None
    *fields, fraction = match.groups()
    try:
        moment = datetime(*map(int, fields), tzinfo=UTC)  # type: ignore[misc]
    except ValueError:
        return None
    return moment.replace(microsecond=int((fraction or "0").ljust(6, "0")[:6]))


def _header_error(name: str, detail: str) -> ProviderError:
    return ProviderError(
        400,
        "header_format",
        "Invalid request headers",
        detail=detail,
        errors=[{"field": name, "message": detail}],
    )


def check_headers(req: Incoming) -> dict[str, str]:
    """Steps 1 to 3: presence, form, Content-Type, Accept.

    Each failure goes through ``req.reject``: in strict mode the first one raises, so the order
    above decides the answer; in lenient mode every failure is noted and the values are returned
    as sent (empty when missing), for the checks that can still run.
    """
    headers = req.headers
    required = [*SIGNED_HEADERS, "Content-Type"] if req.method in BODY_METHODS else SIGNED_HEADERS
    values, missing = req.header_values(required)
    content_type = headers.get("content-type", "").strip()
    if missing:
        req.reject(
            ProviderError(
                400,
                "missing_headers",
                "Missing required headers",
                detail="missing: " + ", ".join(missing),
                errors=[{"field": name, "message": "required"} for name in missing],
            )
        )
    # Only what was sent is checked for form: a missing header was reported above (in strict
    # mode nothing gets here with one missing).
    for name in ("Client-Id", "Request-Id"):
        if values[name] and not _TOKEN.match(values[name]):
            req.reject(
                _header_error(name, f"{name} must be 1 to 128 printable characters without spaces")
            )
    timestamp = values["Request-Timestamp"]
    if timestamp and parse_timestamp(timestamp) is None:
        req.reject(
            _header_error(
                "Request-Timestamp",
                f"Request-Timestamp {timestamp[:64]!r} is not ISO 8601 UTC with Z, "
                "e.g. 2022-09-22T01:51:00Z (08:51:00 WIB minus 7 hours)",
            )
        )
    if values["Signature"] and not _SIGNATURE.match(values["Signature"]):
        req.reject(_header_error("Signature", "Signature must be HMACSHA256=<base64>"))

    if (req.body or req.method in BODY_METHODS) and content_type:
        media = content_type.split(";", 1)[0].strip().lower()
        if media != "application/json":
            req.reject(
                ProviderError(
                    415,
                    "content_type",
                    "Unsupported Media Type",
                    detail=f"Content-Type {content_type[:64]!r}: only application/json is "
                    "supported",
                )
            )
    if negotiate(headers.get("accept")) is None:
        # Lenient mode serves it anyway, in JSON (the handlers fall back to JSON).
        req.reject(
            ProviderError(
                406,
                "accept",
                "Not Acceptable",
                detail=f"Accept {headers.get('accept', '')[:64]!r}: only application/json and "
                "application/xml are supported",
            )
        )
    return values


def build_authenticate(ctx: ProviderContext) -> Authenticate:
    find_client = client_lookup(ctx.db, JossClient.__table__)  # type: ignore[arg-type]
    window = ctx.settings.timestamp_window
    environment = ctx.settings.environment

    async def authenticate(req: Incoming) -> str | None:
        # Each failed check goes through req.reject: it raises in strict mode (so the first
        # failure answers, in the order above); in lenient mode it notes the failure and auth
        # goes on with every check it can still run.
        #
        # What lenient mode returns: the Client-Id as claimed, whether or not it could be
        # verified (unknown, other environment, wrong signature, inactive). The handlers then act
        # as that client, which is what the code under test expects to see; the journal and the
        # X-Mock-Would-Have-Failed header say what strict mode would have answered. Without any
        # Client-Id there is no one to act as: None (the handlers treat that as an anonymous
        # client with its own, empty, space).
        values = check_headers(req)
        client_id = values["Client-Id"]
        request_id = values["Request-Id"]
        timestamp = values["Request-Timestamp"]

        now = ctx.clock.timestamp()
        moment = parse_timestamp(timestamp)
        if moment is not None:  # missing or malformed: reported by check_headers
            skew = moment.timestamp() - now
            if abs(skew) > window:
                req.reject(
                    ProviderError(
                        401,
                        "timestamp_window",
                        EXPIRED,
                        detail=f"Request-Timestamp is {abs(skew):.0f} s "
                        f"{'ahead of' if skew > 0 else 'behind'} the sandbox clock; allowed: "
                        f"±{window} s (the timestamp is UTC: WIB minus 7 hours)",
                        diagnosis=skew_diagnosis(skew, window),
                    )
                )

        if not client_id:
            return None  # no client: no secret to verify with, no one to act as

        client = find_client(client_id)
        if client is None:
            req.reject(
                ProviderError(
                    401,
                    "client",
                    INVALID,
                    detail=f"unknown Client-Id {client_id!r}",
                    diagnosis={
                        "hints": [
                            "no client with this id: GET /__admin/providers/joss/clients lists "
                            "them, POST there creates one (or use joss-sandbox-client)"
                        ]
                    },
                )
            )
        else:
            req.record.client_id = client_id
            if client.environment != environment:
                req.reject(
                    ProviderError(
                        401,
                        "environment",
                        INVALID,
                        detail=f"Client-Id {client_id!r} is a {client.environment} credential; "
                        f"this sandbox emulates JOSS {environment} ({HOSTS[environment]}), which "
                        "has its own credentials (start it with --joss-environment "
                        f"{client.environment} to use it)",
                        diagnosis={
                            "client_environment": client.environment,
                            "sandbox_environment": environment,
                        },
                    )
                )

            received = values["Signature"]
            if received:  # missing: reported by check_headers
                message = string_to_sign(client_id, request_id, timestamp, req.path, req.body)
                expected = sign(client.client_secret, message)
                if not hmac.compare_digest(expected.encode(), received.encode("latin-1")):
                    req.reject(
                        ProviderError(
                            401,
                            "signature",
                            INVALID,
                            detail="HMACSHA256 over Client-Id, Request-Id, Request-Timestamp, "
                            "Request-Target"
                            + (" and Digest" if req.body else "")
                            + " does not match",
                            diagnosis=_diagnose(
                                req, values, client.client_secret, message, expected
                            ),
                        )
                    )
            if not client.active:
                req.reject(
                    ProviderError(
                        403,
                        "client_inactive",
                        "The access token permission does not have permission to process the "
                        "request",
                        detail=f"Client-Id {client_id!r} is inactive",
                        diagnosis={
                            "hints": [
                                "reactivate it with POST /__admin/providers/joss/clients/"
                                f'{client_id}/active {{"active": true}}'
                            ]
                        },
                    )
                )

        # The doc: "All requests except for GET method should be unique identified by Request-Id".
        # Strict mode gets here only with a verified signature, so junk never burns an id. In
        # lenient mode the request is served, so its id is consumed like any served request's
        # (a malformed one, already reported, is not stored).
        if (
            req.method != "GET"
            and request_id
            and _TOKEN.match(request_id)
            and not await ctx.replay.consume("joss", client_id, request_id, now)
        ):
            req.reject(
                ProviderError(
                    409,
                    "replay",
                    "Conflict",
                    detail=f"duplicate Request-Id {request_id!r}: it was already used by this "
                    "client",
                    diagnosis={
                        "hints": [
                            "send a fresh Request-Id (a random UUID) with every request but GET, "
                            "retries included"
                        ]
                    },
                )
            )
        return client_id

    return authenticate


def _diagnose(
    req: Incoming, values: dict[str, str], secret: str, message: bytes, expected: str
) -> dict[str, Any]:
    """What the server signed, and which near misses would have verified (never the secret)."""
    received = values["Signature"]
    diagnosis: dict[str, Any] = {
        "string_to_sign": message.decode("latin-1")[:4096],
        "expected_signature": expected,
        "received_signature": received[:512],
        "key_fingerprint": fingerprint(secret),
    }
    if req.body:
        diagnosis["body_digest"] = digest(req.body)
    hints: list[str] = []
    if not received.startswith(PREFIX):
        hints.append(f"the Signature header must start with {PREFIX!r}")
    value = received.removeprefix(PREFIX)

    def mac(msg: bytes) -> bytes:
        return hmac.new(secret.encode(), msg, hashlib.sha256).digest()

    def matches(msg: bytes) -> bool:
        return hmac.compare_digest(base64.b64encode(mac(msg)).decode(), value)

    correct = mac(message)
    if hmac.compare_digest(correct.hex(), value.lower()):
        hints.append("the HMAC was sent as hex; send it base64-encoded")
    head = message.split(b"\nRequest-Target:", 1)[0]
    digest_line = f"\nDigest:{digest(req.body)}".encode() if req.body else b""
    host = req.headers.get("host", "")

    def with_target(target: str) -> bytes:
        return head + f"\nRequest-Target:{target}".encode("latin-1", "replace") + digest_line

    near_misses: list[tuple[str, bytes]] = [
        (
            "the string to sign ended with a newline; join the lines with \\n, no trailing one",
            message + b"\n",
        ),
        ("the lines were joined with \\r\\n; join them with \\n", message.replace(b"\n", b"\r\n")),
    ]
    if req.query:
        near_misses.append(
            (
                "Request-Target had the query string; sign the path alone",
                with_target(f"{req.path}?{req.query}"),
            )
        )
    # The URL as the client saw it, or as it will be in production: the real JOSS hosts.
    bases = [f"{scheme}://{host}" for scheme in ("https", "http") if host]
    for base in [*bases, *HOSTS.values()]:
        near_misses.append(
            (
                f"Request-Target was the full URL; sign the path alone ({req.path})",
                with_target(f"{base}{req.path}"),
            )
        )
    if req.body:
        near_misses.append(
            (
                "the Digest line was left out; a request with a body signs Digest:<base64 SHA-256>",
                head + f"\nRequest-Target:{req.path}".encode("latin-1", "replace"),
            )
        )
        near_misses.append(
            (
                "Digest was hex; send the SHA-256 of the body base64-encoded",
                with_target(req.path).replace(
                    digest_line, f"\nDigest:{hashlib.sha256(req.body).hexdigest()}".encode()
                ),
            )
        )
    else:
        near_misses.append(
            (
                "a Digest line was signed for a request without a body; leave it out",
                message + f"\nDigest:{digest(b'')}".encode(),
            )
        )
    hints.extend(dict.fromkeys(hint for hint, msg in near_misses if matches(msg)))
    if hints:
        diagnosis["hints"] = hints
    return diagnosis
