"""Sales Order request authentication: JWT bearer plus RSA request signature, in this order.

1. the four headers present (Authorization, X-CLIENT-ID, X-TIMESTAMP, X-SIGNATURE)
                                                  -> 400 "Missing required headers"
   X-TIMESTAMP unix seconds (digits)              -> 400 "Invalid X-TIMESTAMP"
2. Authorization is ``Bearer <JWT>`` signed by this sandbox (HS256), not expired by the
   sandbox clock                                  -> 401 "Invalid token" / "Token expired"
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

from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import bindparam

from mock_server.core.clock import skew_diagnosis
from mock_server.core.errors import ProviderError
from mock_server.core.pipeline import Incoming
from mock_server.core.provider import Authenticate, ProviderContext
from mock_server.providers.sales_order import signature, tokens
from mock_server.providers.sales_order.keys import KeyRejected, key_fingerprint, parse_public_key
from mock_server.providers.sales_order.models import SalesOrderClient

LOGIN_PATH = "/api/v1/auth/login"
REFRESH_PATH = "/api/v1/auth/refresh"
OPENAPI_PATHS = ("/v3/api-docs", "/openapi.json")
OPEN_PATHS = frozenset({LOGIN_PATH, REFRESH_PATH, *OPENAPI_PATHS})
REQUIRED_HEADERS = ("Authorization", "X-CLIENT-ID", "X-TIMESTAMP", "X-SIGNATURE")


class ClientKeys:
    """Clients with their parsed public keys, cached briefly: parsing a PEM costs more than the
    RSA verify it serves, and a key registered through this process clears the cache at once."""

    def __init__(self, ctx: ProviderContext) -> None:
        table = SalesOrderClient.__table__
        self._select = ctx.db.prepare(
            table.select().where(table.c.client_id == bindparam("client_id"))  # type: ignore[attr-defined]
        )
        self._cache = ctx.db.cache(ttl=1.0)

    def get(self, client_id: str) -> tuple[Any, rsa.RSAPublicKey | None, str | None]:
        """(client row or None, its public key or None, the key's fingerprint or None)."""
        return self._cache.get(client_id, lambda: self._load(client_id))

    def _load(self, client_id: str) -> tuple[Any, rsa.RSAPublicKey | None, str | None]:
        row = self._select.first(client_id=client_id)
        if row is None or not row.public_key_pem:
            return row, None, None
        try:
            key = parse_public_key(row.public_key_pem)
        except KeyRejected:  # only registration writes keys, and it validates them
            return row, None, None
        return row, key, key_fingerprint(key)


def bearer_token(value: str) -> str:
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise tokens.invalid_token("Authorization must be 'Bearer <JWT>'")
    return token.strip()


def build_authenticate(ctx: ProviderContext) -> Authenticate:
    settings = ctx.settings
    clients = ClientKeys(ctx)
    window = settings.timestamp_window

    async def authenticate(req: Incoming) -> str | None:
        # Each failed check goes through req.reject: it raises in strict mode (so the order and
        # answers above hold exactly); in lenient mode it notes the failure and auth goes on with
        # every check it can still run, returning early only where nothing can follow.
        if req.path in OPEN_PATHS:
            return None
        values, missing = req.header_values(REQUIRED_HEADERS)
        if missing:
            req.reject(
                ProviderError(
                    400,
                    "missing_headers",
                    "Missing required headers",
                    detail="missing: " + ", ".join(missing),
                )
            )
        header_client, timestamp = values["X-CLIENT-ID"], values["X-TIMESTAMP"]
        seconds: int | None = None
        if timestamp:
            if not timestamp.isdigit() or len(timestamp) > 15:
                req.reject(
                    ProviderError(
                        400,
                        "timestamp_format",
                        "Invalid X-TIMESTAMP",
                        detail="X-TIMESTAMP must be unix seconds (e.g. 1704067200), "
                        f"got {timestamp[:40]!r}",
                    )
                )
            else:
                seconds = int(timestamp)

        now = ctx.clock.timestamp()
        token_client: str | None = None
        if values["Authorization"]:
            try:
                token = bearer_token(values["Authorization"])
                claims = tokens.read(settings.jwt_secret, token)
            except ProviderError as err:
                req.reject(err)
                # Lenient only (strict raised above): the token failed verification, but its
                # unverified client_id still names the caller when X-CLIENT-ID is missing.
                token_client = tokens.unverified_client_id(values["Authorization"])
            else:
                token_client = claims.client_id
                if now >= claims.expires_at:
                    req.reject(
                        ProviderError(
                            401,
                            "token_expired",
                            "Token expired",
                            detail=f"the token expired {now - claims.expires_at:.0f} s ago "
                            f"(expired_at {claims.expires_at}); renew it with POST {REFRESH_PATH}",
                            diagnosis={"expired_at": claims.expires_at, "now": int(now)},
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

        # Who the request is from. Strict mode only gets here when X-CLIENT-ID and the token
        # agree. In lenient mode X-CLIENT-ID wins: it is the id the signature covers and the
        # caller's own claim for this request, while the token may be a stale one of another
        # client. Without X-CLIENT-ID the token's client_id stands in; without either, no
        # client can be looked up and nothing can follow.
        client_id = header_client or token_client
        if not client_id:
            return None
        req.record.client_id = client_id
        client, key, fingerprint = clients.get(client_id)
        if client is None or not client.active:
            req.reject(
                ProviderError(
                    403,
                    "client",
                    "Client is deactivated",
                    detail=f"client {client_id[:128]!r} is "
                    + ("unknown" if client is None else "deactivated"),
                )
            )
            if client is None:
                return client_id  # no key to check the signature with

        if seconds is not None and abs(skew := seconds - now) > window:
            req.reject(
                ProviderError(
                    401,
                    "timestamp_window",
                    "Request timestamp out of range",
                    detail=f"X-TIMESTAMP is {abs(skew):.0f} s "
                    f"{'ahead of' if skew > 0 else 'behind'} the server clock "
                    f"({int(now)}); allowed: ±{window} s",
                    diagnosis=window_diagnosis(timestamp, skew, now, window),
                )
            )

        if key is None:
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
            return client_id  # nothing to verify the signature with
        received = values["X-SIGNATURE"]
        raw = signature.decode(received)
        if raw is None or not signature.verifies(
            key, raw, signature.string_to_sign(client_id, timestamp)
        ):
            req.reject(
                ProviderError(
                    401,
                    "signature",
                    "Invalid signature",
                    detail="X-SIGNATURE is not a base64 SHA256withRSA signature of "
                    "'client_id|X-TIMESTAMP' by the registered key",
                    diagnosis=signature.diagnose(
                        key, fingerprint or "", client_id, timestamp, received, window
                    ),
                )
            )
        return client_id

    return authenticate


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
