"""Sales Order clients for the control plane (``/__admin/providers/sales_order/clients``): list,
create, rotate the secret, (de)activate.

A secret is shown only in the answer to create and rotate; listings carry its fingerprint and
whether a public key is registered (keys themselves are registered through
``/__admin/sales-order/clients/{client_id}/public-key``, as before). Rotating changes what
``/api/v1/auth/login`` accepts at once; tokens already issued are JWTs signed with the sandbox's
key and live out their lifetime, as with the real API's stateless tokens: deactivate a client to
cut it off at once.
"""

import secrets
from typing import Any

from mock_server.core.provider import ProviderContext
from mock_server.core.redact import fingerprint
from mock_server.providers.sales_order.admin import client_json
from mock_server.providers.sales_order.models import SalesOrderClient

T = SalesOrderClient.__table__


class SalesOrderCredentials:
    def __init__(self, ctx: ProviderContext) -> None:
        self._db = ctx.db

    def _row(self, client_id: str) -> Any:
        row = self._db.connection().execute(T.select().where(T.c.client_id == client_id)).first()  # type: ignore[attr-defined]
        if row is None:
            raise KeyError(client_id)
        return row

    @staticmethod
    def _public(row: Any) -> dict[str, Any]:
        # client_json is what /__admin/sales-order/clients shows; the generic listing adds the
        # secret's fingerprint (to tell secrets apart) and a plain "is a key registered" flag.
        return client_json(row) | {
            "secret_fingerprint": fingerprint(row.client_secret),
            "public_key_registered": bool(row.public_key_pem),
        }

    def list(self) -> list[dict[str, Any]]:
        rows = self._db.connection().execute(T.select().order_by(T.c.client_id))  # type: ignore[attr-defined]
        return [self._public(r) for r in rows]

    def create(self, client_id: str | None, name: str) -> dict[str, Any]:
        client_id = client_id or f"partner-{secrets.token_hex(6)}"
        secret = secrets.token_urlsafe(24)
        with self._db.begin() as conn:
            conn.execute(
                T.insert().values(  # type: ignore[attr-defined]
                    client_id=client_id, client_secret=secret, active=True, name=name
                )
            )
        self._db.invalidate_caches()
        return self._public(self._row(client_id)) | {"client_secret": secret}

    def rotate(self, client_id: str) -> dict[str, Any]:
        self._row(client_id)
        secret = secrets.token_urlsafe(24)
        with self._db.begin() as conn:
            conn.execute(T.update().where(T.c.client_id == client_id).values(client_secret=secret))  # type: ignore[attr-defined]
        self._db.invalidate_caches()
        return self._public(self._row(client_id)) | {"client_secret": secret}

    def set_active(self, client_id: str, active: bool) -> dict[str, Any]:
        self._row(client_id)
        with self._db.begin() as conn:
            conn.execute(T.update().where(T.c.client_id == client_id).values(active=active))  # type: ignore[attr-defined]
        self._db.invalidate_caches()
        return self._public(self._row(client_id))
