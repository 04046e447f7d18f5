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

from mock_server.core import auth
from mock_server.core.compare import constant_time_equal
from mock_server.core.context import Principal, RequestContext
from mock_server.core.edge import bare_host
from mock_server.core.errors import ProviderError
from mock_server.core.provider import Authenticate
from mock_server.providers.joss.render import negotiate
from mock_server.providers.joss.reports import Reports
from mock_server.providers.joss.signing import (
    BODY_METHODS,
    PREFIX,
    digest,
    sign,
    string_to_sign,
)

SIGNED_HEADERS = ("Client-Id", "Request-Id", "Request-Timestamp", "Signature")
HOSTS = {
    "staging": "https://sandbox.joss.kemnaker.go.id",
    "production": "https://joss.kemnaker.go.id",
}
# Through the HTTPS edge, the host name says the environment, as the doc's two endpoints do.
ENVIRONMENT_OF_HOST = {url.removeprefix("https://"): env for env, url in HOSTS.items()}
EXPIRED = "the given signature has been expired"  # the doc's wording for 401
INVALID = "Invalid signature"
_TIMESTAMP = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?Z$")
# Printable ASCII without spaces: ids and signatures travel in headers and in the signed string.
_TOKEN = re.compile(r"^[\x21-\x7e]{1,128}$")
_SIGNATURE = re.compile(r"^[\x21-\x7e]{1,512}$")


def parse_timestamp(value: str) -> datetime | None:
    """``2022-09-22T01:51:00Z``, fractional seconds allowed; anything else is None."""
    match = _TIMESTAMP.match(value)
    if not match:
        return None
    *fields, fraction = match.groups()
    year, month, day, hour, minute, second = map(int, fields)
    try:
        moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
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


def check_headers(req: RequestContext[Any]) -> dict[str, str]:
    """Steps 1 to 3: presence, form, Content-Type, Accept.

    Each failure goes through ``req.reject``: in strict mode the first one raises, so the order
    above decides the answer; in lenient mode every failure is noted and the values are returned
    as sent (empty when missing), for the checks that can still run.
    """
    headers = req.headers
    required = [*SIGNED_HEADERS, "Content-Type"] if req.method in BODY_METHODS else SIGNED_HEADERS
    values = auth.require_headers(
        req,
        required,
        status=400,
        rule="missing_headers",
        message="Missing required headers",
        field_errors=True,
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

    content_type = headers.get("content-type", "").strip()
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


def build_authenticate(reports: Reports) -> Authenticate:
    window = reports.ctx.settings.timestamp_window
    environment = reports.ctx.settings.environment

    async def authenticate(req: RequestContext[Any]) -> Principal:
        # Each failed check goes through req.reject: it raises in strict mode (so the first
        # failure answers, in the order above); in lenient mode it notes the failure and auth
        # goes on with every check it can still run.
        #
        # Who lenient mode serves the request as: the Client-Id as claimed, whether or not it
        # could be verified (unknown, other environment, wrong signature, inactive). The handlers
        # then act as that client, which is what the code under test expects to see; the journal
        # and the X-Mock-Would-Have-Failed header say what strict mode would have answered.
        # Without any Client-Id there is no one to act as: None (the handlers treat that as an
        # anonymous client with its own, empty, space).
        values = check_headers(req)
        client_id = values["Client-Id"]
        request_id = values["Request-Id"]

        moment = parse_timestamp(values["Request-Timestamp"])
        if moment is not None:  # missing or malformed: reported by check_headers
            auth.timestamp_window(
                req,
                moment.timestamp(),
                window=window,
                header="Request-Timestamp",
                status=401,
                rule="timestamp_window",
                message=EXPIRED,
                note=" (the timestamp is UTC: WIB minus 7 hours)",
            )

        if not client_id:
            return Principal(None, "hmac")  # no client: no secret to verify with, no one to act as

        client = reports.client(client_id)
        if client is None:
            req.reject(_unknown_client(client_id))
        else:
            req.identify(client_id)
            _check_environment(req, client_id, client, environment_of(req, environment))
            if values["Signature"]:  # missing: reported by check_headers
                _check_signature(req, client, values)
            if not client.active:
                req.reject(_inactive_client(client_id))

        # The doc: "All requests except for GET method should be unique identified by Request-Id".
        # Strict mode gets here only with a verified signature, so junk never burns an id. In
        # lenient mode the request is served, so its id is consumed like any served request's
        # (a malformed one, already reported, is not stored).
        if req.method != "GET" and request_id and _TOKEN.match(request_id):
            await auth.request_id_unused(
                req,
                client_id,
                request_id,
                status=409,
                rule="replay",
                message="Conflict",
                detail=f"duplicate Request-Id {request_id!r}: it was already used by this client",
                diagnosis={
                    "hints": [
                        "send a fresh Request-Id (a random UUID) with every request but GET, "
                        "retries included"
                    ]
                },
            )
        return Principal(client_id, "hmac")

    return authenticate


def _unknown_client(client_id: str) -> ProviderError:
    return ProviderError(
        401,
        "client",
        INVALID,
        detail=f"unknown Client-Id {client_id!r}",
        diagnosis={
            "hints": [
                "no client with this id: GET /__admin/providers/joss/clients lists them, POST "
                "there creates one (or use joss-sandbox-client)"
            ]
        },
    )


def environment_of(req: RequestContext[Any], configured: str) -> str:
    """The environment a request addresses: the edge host's (``sandbox.joss.kemnaker.go.id`` is
    staging, ``joss.kemnaker.go.id`` production), else the configured one (``--joss-environment``,
    also for host names added with ``--joss-hosts``)."""
    if req.edge_host is None:
        return configured
    return ENVIRONMENT_OF_HOST.get(bare_host(req.edge_host), configured)


def _check_environment(
    req: RequestContext[Any], client_id: str, client: Any, environment: str
) -> None:
    """Credentials are issued per environment: a staging one does not verify on production."""
    if client.environment == environment:
        return
    remedy = (
        f"send it to {HOSTS[client.environment]}"
        if req.edge_host is not None
        else f"start it with --joss-environment {client.environment} to use it"
    )
    req.reject(
        ProviderError(
            401,
            "environment",
            INVALID,
            detail=f"Client-Id {client_id!r} is a {client.environment} credential; this "
            f"sandbox emulates JOSS {environment} ({HOSTS[environment]}), which has its own "
            f"credentials ({remedy})",
            diagnosis={
                "client_environment": client.environment,
                "sandbox_environment": environment,
            },
        )
    )


def _check_signature(req: RequestContext[Any], client: Any, values: dict[str, str]) -> None:
    received = values["Signature"]
    message = string_to_sign(
        values["Client-Id"],
        values["Request-Id"],
        values["Request-Timestamp"],
        req.path,
        req.body,
    )
    expected = sign(client.client_secret, message)
    if constant_time_equal(expected.encode(), received.encode("latin-1")):
        return
    req.reject(
        ProviderError(
            401,
            "signature",
            INVALID,
            detail="HMACSHA256 over Client-Id, Request-Id, Request-Timestamp, Request-Target"
            + (" and Digest" if req.body else "")
            + " does not match",
            diagnosis=_diagnose(req, received, client.client_secret, message, expected),
        )
    )


def _inactive_client(client_id: str) -> ProviderError:
    return ProviderError(
        403,
        "client_inactive",
        "The access token permission does not have permission to process the request",
        detail=f"Client-Id {client_id!r} is inactive",
        diagnosis={
            "hints": [
                "reactivate it with POST /__admin/providers/joss/clients/"
                f'{client_id}/active {{"active": true}}'
            ]
        },
    )


def _diagnose(
    req: RequestContext[Any], received: str, secret: str, message: bytes, expected: str
) -> dict[str, Any]:
    """What the server signed, and which near misses would have verified (never the secret)."""
    hints: list[str] = []
    if not received.startswith(PREFIX):
        hints.append(f"the Signature header must start with {PREFIX!r}")
    value = received.removeprefix(PREFIX)

    def mac(msg: bytes) -> bytes:
        return hmac.new(secret.encode(), msg, hashlib.sha256).digest()

    def matches(msg: bytes) -> bool:
        return constant_time_equal(base64.b64encode(mac(msg)).decode(), value)

    if constant_time_equal(mac(message).hex(), value.lower()):
        hints.append("the HMAC was sent as hex; send it base64-encoded")
    hints += auth.near_misses(_near_miss_messages(req, message), matches)
    # Only with a body: which Digest the server computed, to compare with the client's.
    extra: dict[str, Any] = {"body_digest": digest(req.body)} if req.body else {}
    return auth.signature_diagnosis(
        string_to_sign=message.decode("latin-1"),
        expected=expected,
        received=received,
        key=secret,
        hints=hints,
        received_limit=512,
        **extra,
    )


def _near_miss_messages(req: RequestContext[Any], message: bytes) -> list[tuple[str, bytes]]:
    """Strings a client may have signed instead of the documented one, each with its hint."""
    head = message.split(b"\nRequest-Target:", 1)[0]
    digest_line = f"\nDigest:{digest(req.body)}".encode() if req.body else b""
    host = req.headers.get("host", "")

    def with_target(target: str) -> bytes:
        return head + f"\nRequest-Target:{target}".encode("latin-1", "replace") + digest_line

    candidates: list[tuple[str, bytes]] = [
        (
            "the string to sign ended with a newline; join the lines with \\n, no trailing one",
            message + b"\n",
        ),
        ("the lines were joined with \\r\\n; join them with \\n", message.replace(b"\n", b"\r\n")),
    ]
    if req.query:
        candidates.append(
            (
                "Request-Target had the query string; sign the path alone",
                with_target(f"{req.path}?{req.query}"),
            )
        )
    # The URL as the client saw it, or as it will be in production: the real JOSS hosts.
    bases = [f"{scheme}://{host}" for scheme in ("https", "http") if host]
    for base in [*bases, *HOSTS.values()]:
        candidates.append(
            (
                f"Request-Target was the full URL; sign the path alone ({req.path})",
                with_target(f"{base}{req.path}"),
            )
        )
    if req.body:
        candidates.append(
            (
                "the Digest line was left out; a request with a body signs Digest:<base64 SHA-256>",
                head + f"\nRequest-Target:{req.path}".encode("latin-1", "replace"),
            )
        )
        candidates.append(
            (
                "Digest was hex; send the SHA-256 of the body base64-encoded",
                with_target(req.path).replace(
                    digest_line, f"\nDigest:{hashlib.sha256(req.body).hexdigest()}".encode()
                ),
            )
        )
    else:
        candidates.append(
            (
                "a Digest line was signed for a request without a body; leave it out",
                message + f"\nDigest:{digest(b'')}".encode(),
            )
        )
    return candidates
