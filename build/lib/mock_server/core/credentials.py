"""The control plane's view of a provider's clients, for tables with ``client_id``,
``client_secret`` and ``active`` columns. A provider subclasses it, naming its table and, where
it has them, extra columns for new clients and extra fields for listings."""

import secrets
from collections.abc import Callable
from typing import Any, ClassVar

from sqlalchemy import Table, bindparam

from mock_server.core.db import Database
from mock_server.core.provider import ProviderContext
from mock_server.core.redact import fingerprint


def client_lookup(db: Database, table: Table) -> Callable[[str], Any]:
    """``lookup(client_id)`` -> the client's row or None. Auth reads credentials on every request;
    a 1 s cache keeps that off the hot path while another worker's changes show within a second
    (and this process's changes at once: TableCredentials clears the caches)."""
    select = db.prepare(table.select().where(table.c.client_id == bindparam("client_id")))
    cache = db.cache(ttl=1.0)

    def lookup(client_id: str) -> Any:
        return cache.get(client_id, lambda: select.first(client_id=client_id))

    return lookup


class TableCredentials:
    table: ClassVar[Table]
    id_prefix: ClassVar[str]  # generated ids look like "<prefix>-1a2b3c4d5e6f"

    def __init__(self, ctx: ProviderContext) -> None:
        self._ctx = ctx
        self._db = ctx.db

    # -- what a provider may change -----------------------------------------------------------
    def public(self, row: Any) -> dict[str, Any]:
        """A listing entry: never the secret, only its fingerprint."""
        return {
            "client_id": row.client_id,
            "name": getattr(row, "name", ""),
            "active": bool(row.active),
            "secret_fingerprint": fingerprint(row.client_secret),
        }

    def new_columns(self, name: str) -> dict[str, Any]:
        """Columns of a new client besides its id, secret and active flag."""
        return {"name": name}

    # -- the CredentialStore protocol ---------------------------------------------------------
    def list(self) -> list[dict[str, Any]]:
        t = self.table
        rows = self._db.connection().execute(t.select().order_by(t.c.client_id))
        return [self.public(r) for r in rows]

    def create(self, client_id: str | None, name: str) -> dict[str, Any]:
        client_id = client_id or f"{self.id_prefix}-{secrets.token_hex(6)}"
        secret = secrets.token_urlsafe(24)
        values = {"client_id": client_id, "client_secret": secret, "active": True}
        with self._db.begin() as conn:
            conn.execute(self.table.insert().values(**values, **self.new_columns(name)))
        # Auth caches clients for a second; a new client must not be "unknown" meanwhile.
        self._db.invalidate_caches()
        return self.public(self._row(client_id)) | {"client_secret": secret}

    def rotate(self, client_id: str) -> dict[str, Any]:
        secret = secrets.token_urlsafe(24)
        self._update(client_id, client_secret=secret)
        return self.public(self._row(client_id)) | {"client_secret": secret}

    def set_active(self, client_id: str, active: bool) -> dict[str, Any]:
        self._update(client_id, active=active)
        return self.public(self._row(client_id))

    # -- storage --------------------------------------------------------------------------------
    def _row(self, client_id: str) -> Any:
        t = self.table
        row = self._db.connection().execute(t.select().where(t.c.client_id == client_id)).first()
        if row is None:
            raise KeyError(client_id)
        return row

    def _update(self, client_id: str, **values: Any) -> None:
        self._row(client_id)
        t = self.table
        with self._db.begin() as conn:
            conn.execute(t.update().where(t.c.client_id == client_id).values(**values))
        # The old secret (or a deactivated client) must stop working at once, not in a second.
        self._db.invalidate_caches()
