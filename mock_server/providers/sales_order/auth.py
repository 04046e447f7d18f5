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
"""

from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import bindparam

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

    async def authenticate(req: Incoming) -> str | None:
        if req.path in OPEN_PATHS:
            return None
        headers = req.headers
        values = {name: headers.get(name.lower(), "").strip() for name in REQUIRED_HEADERS}
        missing = [name for name, value in values.items() if not value]
        if missing:
            raise ProviderError(
                400,
                "missing_headers",
                "Missing required headers",
                detail="missing: " + ", ".join(missing),
            )
        client_id, timestamp = values["X-CLIENT-ID"], values["X-TIMESTAMP"]
        if not timestamp.isdigit() or len(timestamp) > 15:
            raise ProviderError(
                400,
                "timestamp_format",
                "Invalid X-TIMESTAMP",
                detail="X-TIMESTAMP must be unix seconds (e.g. 1704067200), "
                f"got {timestamp[:40]!r}",
            )

        claims = tokens.read(settings.jwt_secret, bearer_token(values["Authorization"]))
        now = ctx.clock.timestamp()
        if now >= claims.expires_at:
            raise ProviderError(
                401,
                "token_expired",
                "Token expired",
                detail=f"the token expired {now - claims.expires_at:.0f} s ago "
                f"(expired_at {claims.expires_at}); renew it with POST {REFRESH_PATH}",
                diagnosis={"expired_at": claims.expires_at, "now": int(now)},
            )
        if claims.client_id != client_id:
            raise ProviderError(
                403,
                "client_mismatch",
                "Client ID mismatch",
                detail=f"the token belongs to {claims.client_id[:128]!r} "
                f"but X-CLIENT-ID is {client_id[:128]!r}",
            )
        req.record.client_id = client_id
        client, key, fingerprint = clients.get(client_id)
        if client is None or not client.active:
            raise ProviderError(
                403,
                "client",
                "Client is deactivated",
                detail=f"client {client_id[:128]!r} is "
                + ("unknown" if client is None else "deactivated"),
            )

        skew = int(timestamp) - now
        if abs(skew) > settings.timestamp_window:
            diagnosis: dict[str, Any] = {
                "skew_seconds": round(skew, 3),
                "window_seconds": settings.timestamp_window,
                "server_time": int(now),
            }
            if abs(int(timestamp) / 1000 - now) <= settings.timestamp_window:
                diagnosis["hints"] = ["X-TIMESTAMP is in milliseconds; send unix seconds"]
            raise ProviderError(
                401,
                "timestamp_window",
                "Request timestamp out of range",
                detail=f"X-TIMESTAMP is {abs(skew):.0f} s "
                f"{'ahead of' if skew > 0 else 'behind'} the server clock "
                f"({int(now)}); allowed: ±{settings.timestamp_window} s",
                diagnosis=diagnosis,
            )

        if key is None:
            raise ProviderError(
                401,
                "public_key",
                "Public key not registered",
                detail=f"client {client_id!r} has no registered public key: register it with "
                f"`mock-server sales-order register-key {client_id} public.pem` or "
                f"PUT /__admin/sales-order/clients/{client_id}/public-key on the control plane",
            )
        received = values["X-SIGNATURE"]
        raw = signature.decode(received)
        if raw is None or not signature.verifies(
            key, raw, signature.string_to_sign(client_id, timestamp)
        ):
            raise ProviderError(
                401,
                "signature",
                "Invalid signature",
                detail="X-SIGNATURE is not a base64 SHA256withRSA signature of "
                "'client_id|X-TIMESTAMP' by the registered key",
                diagnosis=signature.diagnose(
                    key,
                    fingerprint or "",
                    client_id,
                    timestamp,
                    received,
                    settings.timestamp_window,
                ),
            )
        return client_id

    return authenticate
