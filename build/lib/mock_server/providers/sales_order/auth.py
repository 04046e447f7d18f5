"""Sales Order request authentication: JWT bearer plus RSA request signature, in this order.

1. the four headers present (Authorization, X-CLIENT-ID, X-TIMESTAMP, X-SIGNATURE)
                                                  -> 400 "Missing required headers"
   X-TIMESTAMP unix seconds (digits)              -> 400 "Invalid X-TIMESTAMP"
2. Authorization is ``Bearer <JWT>`` signed by this sandbox (HS256), its exp/iat/nbf whole
   numbers, iat and nbf not ahead of the sandbox clock by more than the time window, not
   expired by the sandbox clock                   -> 401 "Invalid token" / "Token expired"
3. the JWT's client_id equals X-CLIENT-ID         -> 403 "Client ID mismatch"
4. the client exists and is active                -> 403 "Client is deactivated"
5. X-TIMESTAMP within ±timestamp_window           -> 401 "Request timestamp out of range"
6. a public key is registered for the client      -> 401 "Public key not registered"
7. X-SIGNATURE = base64(SHA256withRSA(client_id + "|" + X-TIMESTAMP))
                                                  -> 401 "Invalid signature"

Login, refresh and the OpenAPI document need none of this: they pass with no client (``None``).
The doc has no request id, so nothing is single-use; the time window alone limits replays.

Lenient mode (``/__admin/providers/sales_order/control``): every check above still runs and each
failure is noted as "would have failed"; the request is served as X-CLIENT-ID (or, without it, the
token's client_id). Auth stops early only where nothing can follow: no client id at all, an
unknown client, or no registered key (nothing to verify the signature with). Login and refresh
are not affected: they are the credential exchange itself, not a signed request, and keep their
own answers in both modes.
"""

from typing import Any

from mock_server.core import auth
from mock_server.core.clock import skew_diagnosis
from mock_server.core.context import ANONYMOUS, Principal, RequestContext
from mock_server.core.errors import ProviderError
from mock_server.core.provider import Authenticate
from mock_server.providers.sales_order import signature, tokens
from mock_server.providers.sales_order.erp import Erp
from mock_server.providers.sales_order.partners import LOGIN_PATH, REFRESH_PATH

OPENAPI_PATHS = ("/v3/api-docs", "/openapi.json")
OPEN_PATHS = frozenset({LOGIN_PATH, REFRESH_PATH, *OPENAPI_PATHS})
REQUIRED_HEADERS = ("Authorization", "X-CLIENT-ID", "X-TIMESTAMP", "X-SIGNATURE")
# What proves a signed request: the signature by the client's private key (over a login's JWT).
CREDENTIAL = "private_key"


def bearer_claims(
    jwt_secret: str, authorization: str, now: float, leeway: float = 0
) -> tokens.Claims:
    _, token = auth.parse_bearer(authorization)
    if not token:
        raise tokens.invalid_token("Authorization must be 'Bearer <JWT>'")
    return tokens.read(jwt_secret, token, now, leeway)


def build_authenticate(erp: Erp) -> Authenticate:
    settings = erp.ctx.settings
    window = settings.timestamp_window

    async def authenticate(req: RequestContext[Any]) -> Principal:
        # Each failed check goes through req.reject: it raises in strict mode (so the order and
        # answers above hold exactly); in lenient mode it notes the failure and auth goes on with
        # every check it can still run, returning early only where nothing can follow.
        if req.path in OPEN_PATHS:
            return ANONYMOUS
        values = auth.require_headers(
            req,
            REQUIRED_HEADERS,
            status=400,
            rule="missing_headers",
            message="Missing required headers",
        )
        header_client, timestamp = values["X-CLIENT-ID"], values["X-TIMESTAMP"]
        seconds = unix_seconds(req, timestamp)
        token_client = token_client_id(
            req, settings.jwt_secret, values["Authorization"], header_client, window
        )

        # Who the request is from. Strict mode only gets here when X-CLIENT-ID and the token
        # agree. In lenient mode X-CLIENT-ID wins: it is the id the signature covers and the
        # caller's own claim for this request, while the token may be a stale one of another
        # client. Without X-CLIENT-ID the token's client_id stands in; without either, no
        # client can be looked up and nothing can follow.
        client_id = header_client or token_client
        if not client_id:
            return Principal(None, CREDENTIAL)
        req.identify(client_id)
        found = erp.partners.signing_client(client_id)
        auth.client_active(
            req,
            found.row,
            client_id,
            status=403,
            rule="client",
            message="Client is deactivated",
            inactive="deactivated",
        )
        if found.row is None:
            return Principal(client_id, CREDENTIAL)  # no key to check the signature with

        if seconds is not None:
            auth.timestamp_window(
                req,
                seconds,
                window=window,
                header="X-TIMESTAMP",
                status=401,
                rule="timestamp_window",
                message="Request timestamp out of range",
                clock=f"the server clock ({int(req.now)})",
                diagnosis=lambda skew: window_diagnosis(timestamp, skew, req.now, window),
            )

        if found.key is None:
            req.reject(
                ProviderError(
                    401,
                    "public_key",
                    "Public key not registered",
                    detail=f"client {client_id!r} has no registered public key: register it "
                    f"with `mock-server sales-order register-key {client_id} public.pem` or "
                    f"PUT /__admin/sales-order/clients/{client_id}/public-key on the control "
                    "plane",
                )
            )
            return Principal(client_id, CREDENTIAL)  # nothing to verify the signature with
        received = values["X-SIGNATURE"]
        if not signature.matches(found.key, received, client_id, timestamp):
            req.reject(
                ProviderError(
                    401,
                    "signature",
                    "Invalid signature",
                    detail="X-SIGNATURE is not a base64 SHA256withRSA signature of "
                    "'client_id|X-TIMESTAMP' by the registered key",
                    diagnosis=signature.diagnose(
                        found.key, found.fingerprint, client_id, timestamp, received, window
                    ),
                )
            )
        return Principal(client_id, CREDENTIAL)

    return authenticate


def unix_seconds(req: RequestContext[Any], timestamp: str) -> int | None:
    """X-TIMESTAMP as unix seconds; None when absent or (rejected) not digits."""
    if not timestamp:
        return None
    # isascii: "²" and other Unicode digits pass isdigit() but not int().
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 15:
        req.reject(
            ProviderError(
                400,
                "timestamp_format",
                "Invalid X-TIMESTAMP",
                detail="X-TIMESTAMP must be unix seconds (e.g. 1704067200), "
                f"got {timestamp[:40]!r}",
            )
        )
        return None
    return int(timestamp)


def token_client_id(
    req: RequestContext[Any],
    jwt_secret: str,
    authorization: str,
    header_client: str,
    window: float,
) -> str | None:
    """The client the bearer token names (None without one), once the token verified, is live
    and names X-CLIENT-ID's client. In lenient mode a token that failed verification still names
    the caller by its unverified client_id, for when X-CLIENT-ID is missing."""
    if not authorization:
        return None
    try:
        # A token's iat or nbf may be ahead by the skew X-TIMESTAMP is allowed, and no more.
        claims = bearer_claims(jwt_secret, authorization, req.now, window)
    except ProviderError as err:
        req.reject(err)
        return tokens.unverified_client_id(authorization)  # lenient only: strict raised
    # Not the core's not_expired step: its diagnosis gives ISO times, and this API's journal has
    # always given the token's exp and the sandbox time as unix seconds, as the JWT does.
    if req.now >= claims.expires_at:
        req.reject(
            ProviderError(
                401,
                "token_expired",
                "Token expired",
                detail=f"the token expired {req.now - claims.expires_at:.0f} s ago "
                f"(expired_at {claims.expires_at}); renew it with POST {REFRESH_PATH}",
                diagnosis={"expired_at": claims.expires_at, "now": int(req.now)},
            )
        )
    if header_client and claims.client_id != header_client:
        req.reject(
            ProviderError(
                403,
                "client_mismatch",
                "Client ID mismatch",
                detail=f"the token belongs to {claims.client_id[:128]!r} "
                f"but X-CLIENT-ID is {header_client[:128]!r}",
            )
        )
    return claims.client_id


def window_diagnosis(timestamp: str, skew: float, now: float, window: int) -> dict[str, Any]:
    """The skew (with the core's local-time hints), and a hint when X-TIMESTAMP is in
    milliseconds: 13 digits, or a value that lands in the window once divided by 1000."""
    diagnosis: dict[str, Any] = skew_diagnosis(skew, window) | {"server_time": int(now)}
    if len(timestamp) == 13 or abs(int(timestamp) / 1000 - now) <= window:
        hints = list(diagnosis.get("hints", []))
        hints.append(
            "X-TIMESTAMP looks like milliseconds (seconds vs milliseconds): send unix seconds, "
            "10 digits (Java: System.currentTimeMillis() / 1000)"
        )
        diagnosis["hints"] = hints
    return diagnosis
