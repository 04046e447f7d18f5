"""Control-plane routes for Sales Order, mounted at ``/__admin/sales-order``: what the partner's
"integration team" does by hand in real life (register a public key, deactivate a client)."""

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from sqlalchemy import update

from mock_server.core.provider import ProviderContext
from mock_server.providers.sales_order.keys import (
    KeyRejected,
    key_fingerprint,
    parse_public_key,
    public_pem,
)
from mock_server.providers.sales_order.models import SalesOrderClient

K = SalesOrderClient.__table__.c  # type: ignore[attr-defined]


def register_key(ctx: ProviderContext, client_id: str, pem: str | bytes) -> dict[str, Any]:
    """Validate and store a client's public key; raises KeyRejected or LookupError."""
    key = parse_public_key(pem)
    with ctx.db.begin() as conn:
        done = conn.execute(
            update(SalesOrderClient.__table__)  # type: ignore[arg-type]
            .where(K.client_id == client_id)
            .values(public_key_pem=public_pem(key))
        ).rowcount
    if not done:
        raise LookupError(f"no Sales Order client {client_id!r}")
    ctx.db.invalidate_caches()
    return {
        "client_id": client_id,
        "key_bits": key.key_size,
        "key_fingerprint": key_fingerprint(key),
    }


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
        "active": row.active,
        "public_key_fingerprint": fingerprint,
    }


def build_admin_router(ctx: ProviderContext) -> APIRouter:
    router = APIRouter(tags=["sales-order"])
    table = SalesOrderClient.__table__

    def one(client_id: str) -> Any:
        row = ctx.db.connection().execute(table.select().where(K.client_id == client_id)).first()  # type: ignore[attr-defined]
        if row is None:
            raise HTTPException(404, f"no Sales Order client {client_id!r}")
        return row

    @router.get("/clients")
    async def list_clients() -> list[dict[str, Any]]:
        """Sales Order clients: id, active, registered key fingerprint (never the secret)."""
        rows = ctx.db.connection().execute(table.select().order_by(K.client_id))  # type: ignore[attr-defined]
        return [client_json(r) for r in rows]

    @router.put(
        "/clients/{client_id}/public-key",
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/x-pem-file": {"schema": {"type": "string"}},
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {"public_key": {"type": "string"}},
                            "required": ["public_key"],
                        }
                    },
                },
            }
        },
    )
    async def put_public_key(client_id: str, request: Request) -> dict[str, Any]:
        """Register a client's RSA public key (X.509 PEM, >= 2048 bits): the raw PEM as the
        body, or JSON ``{"public_key": "<PEM>"}``."""
        body = await request.body()
        if len(body) > 65_536:
            raise HTTPException(413, "a public key PEM is a few kB; this body is far larger")
        pem: Any = body
        if request.headers.get("content-type", "").startswith("application/json") or (
            body.lstrip().startswith(b"{")
        ):
            import json

            try:
                payload = json.loads(body)
            except (ValueError, RecursionError):
                raise HTTPException(400, "the body is not valid JSON") from None
            pem = payload.get("public_key") if isinstance(payload, dict) else None
            if not isinstance(pem, str):
                raise HTTPException(400, 'expected {"public_key": "<PEM text>"}')
        one(client_id)
        try:
            return register_key(ctx, client_id, pem)
        except KeyRejected as exc:
            raise HTTPException(400, f"public key refused: {exc}") from None

    async def set_active(client_id: str, active: bool) -> dict[str, Any]:
        one(client_id)
        with ctx.db.begin() as conn:
            conn.execute(update(table).where(K.client_id == client_id).values(active=active))  # type: ignore[arg-type]
        ctx.db.invalidate_caches()
        return client_json(one(client_id))

    @router.post("/clients/{client_id}/deactivate")
    async def deactivate(client_id: str) -> dict[str, Any]:
        """Deactivate a client: its tokens stop working and it cannot log in or refresh."""
        return await set_active(client_id, False)

    @router.post("/clients/{client_id}/activate")
    async def activate(client_id: str) -> dict[str, Any]:
        """Reactivate a client."""
        return await set_active(client_id, True)

    return router
