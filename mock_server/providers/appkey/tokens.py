"""Tokens: opaque text, signed by the sandbox, stored only as a SHA-256.

A token reads ``<kind>.<random>.<mac>``: ``at`` (access), ``rt`` (refresh) or ``ut`` (user);
43 random URL-safe characters from ``secrets``; and an HMAC-SHA256 tag (truncated to 128 bits)
over the first two parts. The tag tells a *tampered* token (any change breaks it) from an
*unknown* one (a real tag, but not on record: issued before a reset). Clients must treat tokens
as opaque; the format is the mock's choice, not the provider's.

Opaque tokens rather than JWTs: the doc names no format, and state in the database (revocation,
rotation, expiry by the sandbox clock) is the truth either way. Only ``sha256(token)`` is stored,
so the database and the journal never hold a usable token.
"""

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam

from mock_server.core.compare import constant_time_equal
from mock_server.core.provider import ProviderContext
from mock_server.providers.appkey.models import AppKeyToken

# Signs token text. Fixed, not configurable: it protects nothing real, and a fixed key makes a
# token from before a reset read as "unknown" rather than "tampered".
SIGNING_KEY = b"mock-server appkey token tag v1"
PREFIXES = {"access": "at", "refresh": "rt", "user": "ut"}
KINDS = {prefix: kind for kind, prefix in PREFIXES.items()}


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def _tag(head: str) -> str:
    digest = hmac.new(SIGNING_KEY, head.encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def mint(kind: str) -> str:
    head = f"{PREFIXES[kind]}.{secrets.token_urlsafe(32)}"
    return f"{head}.{_tag(head)}"


def kind_of(text: str) -> str | None:
    """The kind an intact token claims, or None when it is not one (tampered, or not a token)."""
    parts = text.split(".")
    if len(parts) != 3 or parts[0] not in KINDS:
        return None
    head = f"{parts[0]}.{parts[1]}"
    if not constant_time_equal(_tag(head), parts[2]):
        return None
    return KINDS[parts[0]]


@dataclass(frozen=True)
class Issued:
    kind: str
    text: str
    expires_at: float


class TokenStore:
    def __init__(self, ctx: ProviderContext) -> None:
        self._db = ctx.db
        self._settings = ctx.settings
        self._t = AppKeyToken
        self._by_hash = ctx.db.prepare(
            self._t.select().where(self._t.c.token_sha256 == bindparam("h"))
        )

    def lifetime(self, kind: str) -> int:
        return int(getattr(self._settings, f"{kind}_token_lifetime"))

    def find(self, text: str) -> Any:
        return self._by_hash.first(h=sha256_hex(text))

    def issue(
        self, kinds: tuple[str, ...], *, app_key: str, user_pk: int, session_id: str, now: float
    ) -> dict[str, Issued]:
        issued = {kind: Issued(kind, mint(kind), now + self.lifetime(kind)) for kind in kinds}
        rows = [
            {
                "token_sha256": sha256_hex(token.text),
                "kind": kind,
                "app_key": app_key,
                "user_pk": user_pk,
                "session_id": session_id,
                "issued_at": now,
                "expires_at": token.expires_at,
                "revoked_at": None,
                "revoked_reason": None,
            }
            for kind, token in issued.items()
        ]
        with self._db.begin() as conn:
            conn.execute(self._t.insert(), rows)
        return issued

    def rotate_refresh(self, *, app_key: str, user_pk: int, session_id: str, now: float) -> Issued:
        """A new refresh token for the session; every earlier one stops working."""
        t = self._t.c
        with self._db.begin() as conn:
            conn.execute(
                self._t.update()
                .where(t.session_id == session_id, t.kind == "refresh", t.revoked_at.is_(None))
                .values(revoked_at=now, revoked_reason="rotated")
            )
        return self.issue(
            ("refresh",), app_key=app_key, user_pk=user_pk, session_id=session_id, now=now
        )["refresh"]

    def revoke_session(self, session_id: str, now: float) -> int:
        t = self._t.c
        with self._db.begin() as conn:
            result = conn.execute(
                self._t.update()
                .where(t.session_id == session_id, t.revoked_at.is_(None))
                .values(revoked_at=now, revoked_reason="logout")
            )
        return result.rowcount or 0
