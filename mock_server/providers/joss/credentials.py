"""JOSS clients for the control plane: list, create, rotate the secret, (de)activate.

New clients belong to the environment this sandbox emulates (``--joss-environment``, staging by
default): the Ministry issues credentials per environment, and a client created here is meant to
be used here at once. Listings show each client's environment, so a production credential on a
staging sandbox is easy to spot.
"""

import secrets
from typing import Any

from mock_server.core.provider import ProviderContext
from mock_server.core.redact import fingerprint
from mock_server.providers.joss.models import JossClient

T = JossClient.__table__


class JossCredentials:
    def __init__(self, ctx: ProviderContext) -> None:
        self._db = ctx.db
        self._environment: str = ctx.settings.environment

    def _row(self, client_id: str) -> Any:
        row = self._db.connection().execute(T.select().where(T.c.client_id == client_id)).first()  # type: ignore[attr-defined]
        if row is None:
            raise KeyError(client_id)
        return row

    @staticmethod
    def _public(row: Any) -> dict[str, Any]:
        return {
            "client_id": row.client_id,
            "name": row.name,
            "environment": row.environment,
            "active": row.active,
            "secret_fingerprint": fingerprint(row.client_secret),
        }

    def list(self) -> list[dict[str, Any]]:
        rows = self._db.connection().execute(T.select().order_by(T.c.client_id))  # type: ignore[attr-defined]
        return [self._public(r) for r in rows]

    def create(self, client_id: str | None, name: str) -> dict[str, Any]:
        client_id = client_id or f"joss-{secrets.token_hex(6)}"
        secret = secrets.token_urlsafe(24)
        with self._db.begin() as conn:
            conn.execute(
                T.insert().values(  # type: ignore[attr-defined]
                    client_id=client_id,
                    client_secret=secret,
                    environment=self._environment,
                    active=True,
                    name=name,
                )
            )
        # Auth caches clients for a second; without this a new client could be "unknown" at once.
        self._db.invalidate_caches()
        return self._public(self._row(client_id)) | {"client_secret": secret}

    def rotate(self, client_id: str) -> dict[str, Any]:
        self._row(client_id)
        secret = secrets.token_urlsafe(24)
        with self._db.begin() as conn:
            conn.execute(T.update().where(T.c.client_id == client_id).values(client_secret=secret))  # type: ignore[attr-defined]
        # The old secret must stop working at once, not when the auth cache expires.
        self._db.invalidate_caches()
        return self._public(self._row(client_id)) | {"client_secret": secret}

    def set_active(self, client_id: str, active: bool) -> dict[str, Any]:
        self._row(client_id)
        with self._db.begin() as conn:
            conn.execute(T.update().where(T.c.client_id == client_id).values(active=active))  # type: ignore[attr-defined]
        self._db.invalidate_caches()
        return self._public(self._row(client_id))
