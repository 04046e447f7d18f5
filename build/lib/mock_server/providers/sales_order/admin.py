"""Control-plane routes for Sales Order, mounted at ``/__admin/sales-order``: what the partner's
"integration team" does by hand in real life (register a public key, deactivate a client).

The control plane is its own app, so these routes close over the backend they are given rather
than finding it on the app, as the provider's own routes do.
"""

from typing import Any

from fastapi import APIRouter, HTTPException, Request

from mock_server.core import jsonbody
from mock_server.core.jsonbody import JSONRoute
from mock_server.providers.sales_order.erp import Erp
from mock_server.providers.sales_order.keys import KeyRejected
from mock_server.providers.sales_order.partners import Partners, client_json

MAX_BODY = 65_536  # a public key PEM is a few kB
PUBLIC_KEY_BODY = {
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
}


def pem_of(body: bytes, content_type: str) -> str | bytes:
    """The PEM a registration sends: the raw body, or JSON ``{"public_key": "<PEM>"}``."""
    if not (content_type.startswith("application/json") or body.lstrip().startswith(b"{")):
        return body
    try:
        payload = jsonbody.loads(body)
    except ValueError:
        raise HTTPException(400, "the body is not valid JSON") from None
    pem = payload.get("public_key") if isinstance(payload, dict) else None
    if not isinstance(pem, str):
        raise HTTPException(400, 'expected {"public_key": "<PEM text>"}')
    return pem


def build_admin_router(erp: Erp) -> APIRouter:
    router = APIRouter(tags=["sales-order"], route_class=JSONRoute)
    partners: Partners = erp.partners

    def one(client_id: str) -> Any:
        row = partners.client(client_id)
        if row is None:
            raise HTTPException(404, f"no Sales Order client {client_id!r}")
        return row

    @router.get("/clients")
    async def list_clients() -> list[dict[str, Any]]:
        """Sales Order clients: id, active, registered key fingerprint (never the secret)."""
        return [client_json(r) for r in partners.clients()]

    @router.put("/clients/{client_id}/public-key", openapi_extra=PUBLIC_KEY_BODY)
    async def put_public_key(client_id: str, request: Request) -> dict[str, Any]:
        """Register a client's RSA public key (X.509 PEM, >= 2048 bits): the raw PEM as the
        body, or JSON ``{"public_key": "<PEM>"}``."""
        body = await request.body()
        if len(body) > MAX_BODY:
            raise HTTPException(413, "a public key PEM is a few kB; this body is far larger")
        pem = pem_of(body, request.headers.get("content-type", ""))
        one(client_id)
        try:
            return partners.register_key(client_id, pem)
        except KeyRejected as exc:
            raise HTTPException(400, f"public key refused: {exc}") from None

    def set_active(client_id: str, active: bool) -> dict[str, Any]:
        one(client_id)
        partners.set_active(client_id, active)
        return client_json(one(client_id))

    @router.post("/clients/{client_id}/deactivate")
    async def deactivate(client_id: str) -> dict[str, Any]:
        """Deactivate a client: its tokens stop working and it cannot log in or refresh."""
        return set_active(client_id, False)

    @router.post("/clients/{client_id}/activate")
    async def activate(client_id: str) -> dict[str, Any]:
        """Reactivate a client."""
        return set_active(client_id, True)

    return router
