"""The control plane, on its own port (default 7100).

Open on loopback. Listening anywhere else, every endpoint but the health check requires
``Authorization: Bearer <MOCK_ADMIN_TOKEN>``, and the sandbox refuses to start without a token.
"""

import hmac
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException
from starlette.responses import JSONResponse

from mock_server.admin.clock import clock_router
from mock_server.admin.faults import faults_router
from mock_server.admin.journal import journal_router
from mock_server.admin.providers import providers_router

if TYPE_CHECKING:
    from mock_server.app import Sandbox


def build_admin(sandbox: "Sandbox") -> FastAPI:
    app = FastAPI(
        title="mock-server control plane",
        docs_url="/__admin/docs",
        openapi_url="/__admin/openapi.json",
        redoc_url=None,
    )
    settings = sandbox.settings
    token = settings.admin_token.get_secret_value().encode() if settings.admin_token else None

    async def require_token(authorization: Annotated[str | None, Header()] = None) -> None:
        if settings.on_loopback and token is None:
            return
        scheme, _, presented = (authorization or "").partition(" ")
        if (
            token is None
            or scheme.lower() != "bearer"
            or not hmac.compare_digest(presented.strip().encode(), token)
        ):
            raise HTTPException(
                401,
                "the control plane needs Authorization: Bearer <MOCK_ADMIN_TOKEN>",
                headers={"WWW-Authenticate": "Bearer"},
            )

    def providers() -> list[dict[str, Any]]:
        listening = sandbox.listening()
        out = []
        for provider in sandbox.providers:
            port = sandbox.bound_ports.get(
                provider.name, sandbox.provider_settings[provider.name].port
            )
            out.append(
                {
                    "name": provider.name,
                    "title": provider.title,
                    "port": port,
                    "listening": listening.get(port, False),
                    "auth": provider.auth,
                    "demo_credentials": [
                        {"role": c.role, "client_id": c.client_id}
                        for c in provider.demo_credentials
                    ],
                }
            )
        return out

    @app.get("/__admin/health")
    async def health() -> JSONResponse:
        """200 once every provider port is listening, 503 before. Needs no token."""
        listed = providers()
        ready = all(p["listening"] for p in listed)
        body = {
            "status": "ok" if ready else "starting",
            "providers": {
                p["name"]: {"port": p["port"], "listening": p["listening"]} for p in listed
            },
        }
        return JSONResponse(body, status_code=200 if ready else 503)

    guarded = APIRouter(dependencies=[Depends(require_token)])

    @guarded.get("/__admin/providers")
    async def list_providers() -> list[dict[str, Any]]:
        """Every emulated provider: port, auth scheme, demo client ids."""
        return providers()

    @guarded.get("/__admin/providers/{name}/openapi.json")
    async def provider_openapi(name: str) -> dict[str, Any]:
        """One provider's OpenAPI document (its auth headers are described in the README)."""
        from mock_server.app import openapi_of

        if name not in sandbox.provider_apps:
            raise HTTPException(404, f"unknown provider {name!r}")
        return openapi_of(sandbox.provider_apps[name])

    guarded.include_router(journal_router(sandbox))
    guarded.include_router(clock_router(sandbox))
    guarded.include_router(faults_router(sandbox))
    guarded.include_router(providers_router(sandbox))
    for provider in sandbox.providers:
        if provider.admin_router:
            router = provider.admin_router(sandbox.context(provider))
            guarded.include_router(router, prefix=f"/__admin/{provider.flag}")
    app.include_router(guarded)
    return app
