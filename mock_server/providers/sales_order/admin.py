"""Control-plane routes for Sales Order, mounted at ``/__admin/sales-order``: what the partner's
"integration team" does by hand in real life (register a public key, deactivate a client).

The control plane is its own app, so these routes close over the backend they are given rather
than finding it on the app, as the provider's own routes do.
"""

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from mock_server.core import jsonbody
from mock_server.core.jsonbody import JSONRoute
from mock_server.providers.sales_order.erp import Erp
from mock_server.providers.sales_order.keys import KeyRejected
from mock_server.providers.sales_order.partners import Partners, client_json
from mock_server.providers.sales_order.signing import (
    DEMO_CLIENT,
    DEMO_PUBLIC_KEY,
    fixture_text,
    private_key,
    sign,
    string_to_sign,
)

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


class SignIn(BaseModel):
    """What X-SIGNATURE covers: the doc signs ``client_id|X-TIMESTAMP`` and nothing else (no
    method, path or body), so nothing else is taken."""

    model_config = ConfigDict(extra="forbid")
    client_id: str = Field(DEMO_CLIENT, min_length=1, max_length=128)
    timestamp: str = Field(
        min_length=1, max_length=32, description="X-TIMESTAMP as it will be sent: unix seconds"
    )


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


def public_pem_text(pem: str) -> str:
    """A PEM's base64 alone, whatever its line ends: two registrations of one key compare equal."""
    return "".join(line.strip() for line in pem.splitlines() if not line.startswith("-----"))


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

    @router.post("/sign")
    async def sign_for_postman(body: SignIn) -> dict[str, Any]:
        """X-SIGNATURE for a demo client, for tools that cannot sign with RSA (Postman): base64
        of SHA256withRSA over ``client_id|timestamp`` with the demo private key the sandbox
        ships (DEMO ONLY). Only for a client whose registered public key is the demo key's
        public half: for any other client the sandbox holds no private key, and never will."""
        row = one(body.client_id)
        demo = public_pem_text(fixture_text(DEMO_PUBLIC_KEY))
        if not row.public_key_pem or public_pem_text(row.public_key_pem) != demo:
            raise HTTPException(
                409,
                f"client {body.client_id!r} has not registered the demo public key, and the "
                "sandbox holds no other private key: sign X-SIGNATURE with your own key in "
                f"your client (this endpoint signs only for demo-key clients, e.g. {DEMO_CLIENT})",
            )
        return {
            "client_id": body.client_id,
            "timestamp": body.timestamp,
            "string_to_sign": string_to_sign(body.client_id, body.timestamp).decode(),
            "algorithm": "SHA256withRSA (RSASSA-PKCS1-v1_5 with SHA-256), base64",
            "signature": sign(private_key(None), body.client_id, body.timestamp),
        }

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
