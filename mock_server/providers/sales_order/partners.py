"""The partners: client applications, their registered public keys, and the JWTs they log in for.

What the vendor's integration team keeps for each partner (credentials, the public key it was
sent, whether the client is active), and the documented token exchange: login with client
credentials, refresh of a token (an expired one too, within the refresh window).
"""

from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import bindparam, update

from mock_server.core.compare import constant_time_equal
from mock_server.core.errors import ProviderError
from mock_server.core.provider import ProviderContext
from mock_server.providers.sales_order import tokens
from mock_server.providers.sales_order.keys import (
    KeyRejected,
    key_fingerprint,
    parse_public_key,
    public_pem,
)
from mock_server.providers.sales_order.models import SalesOrderClient

LOGIN_PATH = "/api/v1/auth/login"
REFRESH_PATH = "/api/v1/auth/refresh"

CLIENT = SalesOrderClient
K = CLIENT.c


@dataclass(frozen=True)
class SigningClient:
    """A client row (None: unknown) with its registered public key (None: none, or unreadable)
    and the key's fingerprint ("" without a key)."""

    row: Any
    key: rsa.RSAPublicKey | None = None
    fingerprint: str = ""


@dataclass(frozen=True)
class Token:
    """A JWT as login and refresh answer it."""

    client_id: str
    token: str
    expired_at: int

    def json(self) -> dict[str, Any]:
        return {"token": self.token, "expired_at": self.expired_at}


def client_json(row: Any) -> dict[str, Any]:
    """A client as the control plane shows it: never the secret, only the key's fingerprint."""
    fingerprint = None
    if row.public_key_pem:
        try:
            fingerprint = key_fingerprint(parse_public_key(row.public_key_pem))
        except KeyRejected:
            fingerprint = "unreadable"
    return {
        "client_id": row.client_id,
        "name": row.name,
        "active": bool(row.active),  # raw prepared reads give SQLite's 0 / 1
        "public_key_fingerprint": fingerprint,
    }


def deactivated(client_id: str) -> ProviderError:
    return ProviderError(
        403, "client", "Client is deactivated", detail=f"client {client_id!r} is deactivated"
    )


class Partners:
    def __init__(self, ctx: ProviderContext) -> None:
        self.ctx = ctx
        self.settings = ctx.settings
        self._by_id = ctx.db.prepare(CLIENT.select().where(K.client_id == bindparam("client_id")))
        # Parsing a PEM costs more than the RSA verify it serves: keep parsed keys a second
        # (a key registered through this process clears the cache at once).
        self._signing = ctx.db.cache(ttl=1.0)

    # -- clients -------------------------------------------------------------------------------
    def client(self, client_id: str) -> Any:
        """The client's row, or None; read afresh (not from the signing cache)."""
        return self._by_id.first(client_id=client_id)

    def clients(self) -> list[Any]:
        return list(self.ctx.db.connection().execute(CLIENT.select().order_by(K.client_id)))

    def signing_client(self, client_id: str) -> SigningClient:
        """The client and its parsed public key, for verifying X-SIGNATURE on every request."""
        found: SigningClient = self._signing.get(client_id, lambda: self._load_signing(client_id))
        return found

    def _load_signing(self, client_id: str) -> SigningClient:
        row = self.client(client_id)
        if row is None or not row.public_key_pem:
            return SigningClient(row)
        try:
            key = parse_public_key(row.public_key_pem)
        except KeyRejected:  # only registration writes keys, and it validates them
            return SigningClient(row)
        return SigningClient(row, key, key_fingerprint(key))

    def set_active(self, client_id: str, active: bool) -> None:
        self._update(client_id, active=active)

    def register_key(self, client_id: str, pem: str | bytes) -> dict[str, Any]:
        """Validate and store a client's public key; raises KeyRejected or LookupError."""
        key = parse_public_key(pem)
        self._update(client_id, public_key_pem=public_pem(key))
        return {
            "client_id": client_id,
            "key_bits": key.key_size,
            "key_fingerprint": key_fingerprint(key),
        }

    def _update(self, client_id: str, **values: Any) -> None:
        with self.ctx.db.begin() as conn:
            done = conn.execute(update(CLIENT).where(K.client_id == client_id).values(**values))
        if not done.rowcount:
            raise LookupError(f"no Sales Order client {client_id!r}")
        # Auth caches clients and keys for a second; a change must count at once.
        self.ctx.db.invalidate_caches()

    # -- tokens --------------------------------------------------------------------------------
    def active_client(self, client_id: str) -> Any:
        """The client's row, or None when unknown; a deactivated client is refused (403)."""
        client = self.client(client_id)
        if client is not None and not client.active:
            raise deactivated(client_id)
        return client

    def login(self, client_id: str, client_secret: str, now: float) -> Token:
        """A new token for client credentials. A deactivated client is refused before its secret
        is compared."""
        client = self.active_client(client_id)
        if client is None or not constant_time_equal(
            client.client_secret.encode(), client_secret.encode()
        ):
            raise ProviderError(
                401,
                "credentials",
                "Invalid client credentials",
                detail="unknown client_id or wrong client_secret",
            )
        return self.issue(client.client_id, now)

    def claims(self, token: str, now: float) -> tokens.Claims:
        """The claims of a token this sandbox issued, whatever its age; 401 for anything else."""
        # The leeway is the request time window: the skew this API tolerates in X-TIMESTAMP.
        return tokens.read(self.settings.jwt_secret, token, now, self.settings.timestamp_window)

    def refresh(self, claims: tokens.Claims, now: float) -> Token:
        """A new token for one this sandbox issued: an expired one too, within the refresh
        window after its expiry."""
        late = now - claims.expires_at
        if late > self.settings.refresh_window:
            raise ProviderError(
                401,
                "refresh_window",
                "Token expired beyond refresh window",
                detail=f"the token expired {late:.0f} s ago; refresh accepts tokens up to "
                f"{self.settings.refresh_window} s after expiry: log in again with POST "
                f"{LOGIN_PATH}",
            )
        if self.active_client(claims.client_id) is None:
            raise ProviderError(
                403, "client", "Client is deactivated", detail="the token's client is unknown"
            )
        return self.issue(claims.client_id, now)

    def issue(self, client_id: str, now: float) -> Token:
        token, expired_at = tokens.issue(
            self.settings.jwt_secret, client_id, now, self.settings.token_lifetime
        )
        return Token(client_id, token, expired_at)
