"""Per-provider control: auth mode, rate limit, reset to seed, and clients."""

import time
from typing import TYPE_CHECKING, Any, Literal

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from mock_server.app import Sandbox
    from mock_server.core.provider import CredentialStore


class ControlIn(BaseModel):
    auth_mode: Literal["strict", "lenient"] | None = None
    rate_limit: int | None = Field(default=None, ge=0, description="0 turns it off")
    rate_limit_window: float | None = Field(default=None, gt=0)


class ClientIn(BaseModel):
    client_id: str | None = Field(default=None, min_length=1, max_length=128)
    name: str = Field(default="", max_length=200)


class ActiveIn(BaseModel):
    active: bool


def providers_router(sandbox: "Sandbox") -> APIRouter:
    router = APIRouter(prefix="/__admin", tags=["providers"])
    by_name = {p.name: p for p in sandbox.providers}

    def known(name: str) -> str:
        if name not in by_name:
            raise HTTPException(404, f"unknown provider {name!r}; known: {sorted(by_name)}")
        return name

    def store(name: str) -> "CredentialStore":
        provider = by_name[known(name)]
        if provider.credentials is None:
            raise HTTPException(501, f"{name} does not manage clients through the control plane")
        return provider.credentials(sandbox.context(provider))

    @router.get("/providers/{name}/control")
    async def read_control(name: str) -> dict[str, Any]:
        """Auth mode and rate limit in force."""
        return vars(sandbox.controls.get(known(name)))

    @router.post("/providers/{name}/control")
    async def change_control(name: str, change: ControlIn) -> dict[str, Any]:
        """Switch strict/lenient auth, set or lift the per-client rate limit."""
        return vars(sandbox.controls.set(known(name), **change.model_dump()))

    @router.post("/reset")
    async def reset_all() -> dict[str, Any]:
        """Every provider back to its seed; journal and consumed ids dropped; clock kept."""
        seconds = sandbox.reset()
        return {"reset": [p.name for p in sandbox.providers], "ms": round(seconds * 1000)}

    @router.post("/providers/{name}/reset")
    async def reset_one(name: str) -> dict[str, Any]:
        """One provider back to its seed (its data and consumed request ids)."""
        started = time.perf_counter()
        sandbox.reset_provider(known(name))
        return {"reset": [name], "ms": round((time.perf_counter() - started) * 1000)}

    @router.get("/providers/{name}/clients")
    async def list_clients(name: str) -> list[dict[str, Any]]:
        return store(name).list()

    @router.post("/providers/{name}/clients", status_code=201)
    async def create_client(name: str, client: ClientIn) -> dict[str, Any]:
        """A new client; its secret is in this answer only."""
        credentials = store(name)
        if client.client_id and any(c["client_id"] == client.client_id for c in credentials.list()):
            raise HTTPException(409, f"client {client.client_id!r} exists")
        return credentials.create(client.client_id, client.name)

    @router.post("/providers/{name}/clients/{client_id}/rotate")
    async def rotate_client(name: str, client_id: str) -> dict[str, Any]:
        """A new secret; the old one stops working at once."""
        try:
            return store(name).rotate(client_id)
        except KeyError:
            raise HTTPException(404, f"no {name} client {client_id!r}") from None

    @router.post("/providers/{name}/clients/{client_id}/active")
    async def activate_client(name: str, client_id: str, body: ActiveIn) -> dict[str, Any]:
        """Deactivate (or reactivate) a client."""
        try:
            return store(name).set_active(client_id, body.active)
        except KeyError:
            raise HTTPException(404, f"no {name} client {client_id!r}") from None

    return router
