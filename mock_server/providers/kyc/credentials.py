"""KYC OAuth clients for the control plane: list, create, rotate the secret, (de)activate.

Choices a user sees:
- ``name`` is stored as the client's ``organization_name``, the field the token reply echoes.
- Rotating replaces the secret at once: the old one gets the documented 401 OperationOutcome at
  the token endpoint. Tokens already issued stay valid until they expire (as Apigee keeps them),
  so a rotation does not break requests in flight; deactivate the client to cut them off.
- Deactivating refuses the client at the token endpoint (401 OperationOutcome) and makes its
  existing tokens fail the bearer check (401 fault, rule ``bearer_client_inactive``).
  Reactivating brings the unexpired ones back.
"""

import secrets
import uuid
from typing import Any

from mock_server.core.provider import ProviderContext
from mock_server.core.redact import fingerprint
from mock_server.providers.kyc.models import KycClient

T = KycClient.__table__
C = T.c  # type: ignore[attr-defined]


class KycCredentials:
    def __init__(self, ctx: ProviderContext) -> None:
        self._db = ctx.db

    def _row(self, client_id: str) -> Any:
        row = self._db.connection().execute(T.select().where(C.client_id == client_id)).first()  # type: ignore[attr-defined]
        if row is None:
            raise KeyError(client_id)
        return row

    @staticmethod
    def _public(row: Any) -> dict[str, Any]:
        return {
            "client_id": row.client_id,
            "name": row.organization_name,
            "application_name": row.application_name,
            "developer_email": row.developer_email,
            "active": bool(row.active),
            "secret_fingerprint": fingerprint(row.client_secret),
        }

    def list(self) -> list[dict[str, Any]]:
        rows = self._db.connection().execute(T.select().order_by(C.client_id))  # type: ignore[attr-defined]
        return [self._public(r) for r in rows]

    def create(self, client_id: str | None, name: str) -> dict[str, Any]:
        client_id = client_id or f"kyc-{secrets.token_hex(6)}"
        secret = secrets.token_urlsafe(24)
        with self._db.begin() as conn:
            conn.execute(
                T.insert().values(  # type: ignore[attr-defined]
                    client_id=client_id,
                    client_secret=secret,
                    organization_name=name,
                    # The real token reply carries the app's uuid; give each client its own.
                    application_name=str(uuid.uuid4()),
                    developer_email="",
                    active=True,
                )
            )
        self._db.invalidate_caches()
        return self._public(self._row(client_id)) | {"client_secret": secret}

    def rotate(self, client_id: str) -> dict[str, Any]:
        self._row(client_id)
        secret = secrets.token_urlsafe(24)
        with self._db.begin() as conn:
            conn.execute(T.update().where(C.client_id == client_id).values(client_secret=secret))  # type: ignore[attr-defined]
        self._db.invalidate_caches()
        return self._public(self._row(client_id)) | {"client_secret": secret}

    def set_active(self, client_id: str, active: bool) -> dict[str, Any]:
        self._row(client_id)
        with self._db.begin() as conn:
            conn.execute(T.update().where(C.client_id == client_id).values(active=active))  # type: ignore[attr-defined]
        self._db.invalidate_caches()
        return self._public(self._row(client_id))
