"""x-app-key apps for the control plane: list, create, rotate the private key, (de)activate.

A client here is an app: ``client_id`` is its public app key (``x-app-key``) and its secret is the
app's private key (the bearer on login). Only the key's SHA-256 is stored, so the private key is
shown once, by ``create`` and ``rotate``, under ``private_key`` and, for tools that read every
provider alike, ``client_secret``. Listings show ``secret_fingerprint``, the same
``core.redact.fingerprint`` the journal shows for a presented key, so the two can be compared.

Rotating the private key stops the old one logging in at once; tokens already issued live on
until they expire or are revoked (the mock's choice: a key rotation on the app's side should not
log every user out).
"""

import hashlib
import secrets
from typing import Any

from mock_server.core.provider import ProviderContext
from mock_server.providers.appkey.auth import key_fingerprint
from mock_server.providers.appkey.models import AppKeyApp

T = AppKeyApp


def new_private_key() -> str:
    return f"appkey-private-{secrets.token_urlsafe(24)}"


class AppKeyCredentials:
    def __init__(self, ctx: ProviderContext) -> None:
        self._db = ctx.db

    def _row(self, app_key: str) -> Any:
        row = self._db.connection().execute(T.select().where(T.c.app_key == app_key)).first()
        if row is None:
            raise KeyError(app_key)
        return row

    @staticmethod
    def _public(row: Any) -> dict[str, Any]:
        return {
            "client_id": row.app_key,
            "name": row.name,
            "active": row.active,
            "secret_fingerprint": key_fingerprint(row.private_key_sha256),
        }

    @staticmethod
    def _secret(private_key: str) -> dict[str, str]:
        return {"private_key": private_key, "client_secret": private_key}

    def list(self) -> list[dict[str, Any]]:
        rows = self._db.connection().execute(T.select().order_by(T.c.app_key))
        return [self._public(r) for r in rows]

    def create(self, client_id: str | None, name: str) -> dict[str, Any]:
        app_key = client_id or f"appkey-{secrets.token_hex(6)}-public"
        private_key = new_private_key()
        with self._db.begin() as conn:
            conn.execute(
                T.insert().values(
                    app_key=app_key,
                    private_key_sha256=hashlib.sha256(private_key.encode()).hexdigest(),
                    name=name,
                    active=True,
                )
            )
        self._db.invalidate_caches()  # auth caches apps for a second; a new one works at once
        return self._public(self._row(app_key)) | self._secret(private_key)

    def rotate(self, client_id: str) -> dict[str, Any]:
        self._row(client_id)
        private_key = new_private_key()
        with self._db.begin() as conn:
            conn.execute(
                T.update()
                .where(T.c.app_key == client_id)
                .values(private_key_sha256=hashlib.sha256(private_key.encode()).hexdigest())
            )
        self._db.invalidate_caches()  # so the old key stops logging in now, not in a second
        return self._public(self._row(client_id)) | self._secret(private_key)

    def set_active(self, client_id: str, active: bool) -> dict[str, Any]:
        self._row(client_id)
        with self._db.begin() as conn:
            conn.execute(T.update().where(T.c.app_key == client_id).values(active=active))
        self._db.invalidate_caches()
        return self._public(self._row(client_id))
