"""The control plane, on its own port (default 7100).

Open on loopback. Listening anywhere else, every endpoint but the health check requires
``Authorization: Bearer <MOCK_ADMIN_TOKEN>``, and the sandbox refuses to start without a token.
"""

import hmac
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from mock_server.admin.clock import clock_router
from mock_server.admin.faults import faults_router
from mock_server.admin.journal import journal_router
from mock_server.admin.providers import providers_router
from mock_server.core.pipeline import NO_TELEMETRY

if TYPE_CHECKING:
    from mock_server.app import Sandbox


def build_admin(sandbox: "Sandbox") -> FastAPI:
    app = FastAPI(
        telemetry=NO_TELEMETRY,
        title="mock-server control plane",
        docs_url="/__admin/docs",
        openapi_url="/__admin/openapi.json",
        redoc_url=None,
    )
    settings = sandbox.settings
    token = settings.admin_token.get_secret_value().encode() if settings.admin_token else None

    if token is not None or not settings.on_loopback:
        app.add_middleware(RequireToken, token=token)

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

    @app.get("/__admin/providers")
    async def list_providers() -> list[dict[str, Any]]:
        """Every emulated provider: port, auth scheme, demo client ids."""
        return providers()

    @app.get("/__admin/providers/{name}/openapi.json")
    async def provider_openapi(name: str) -> dict[str, Any]:
        """One provider's OpenAPI document (its auth headers are described in the README)."""
        from mock_server.app import openapi_of

        if name not in sandbox.provider_apps:
            raise HTTPException(404, f"unknown provider {name!r}")
        return openapi_of(sandbox.provider_apps[name])

    app.include_router(journal_router(sandbox))
    app.include_router(clock_router(sandbox))
    app.include_router(faults_router(sandbox))
    app.include_router(providers_router(sandbox))
    for provider in sandbox.providers:
        if provider.admin_router:
            router = provider.admin_router(sandbox.context(provider))
            app.include_router(router, prefix=f"/__admin/{provider.flag}")
    return app


class RequireToken:
    """Every path but the health check needs ``Authorization: Bearer <MOCK_ADMIN_TOKEN>``."""

    def __init__(self, app: ASGIApp, token: bytes | None) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] != "/__admin/health":
            authorization = dict(scope["headers"]).get(b"authorization", b"")
            scheme, _, presented = authorization.partition(b" ")
            if (
                self.token is None
                or scheme.lower() != b"bearer"
                or not hmac.compare_digest(presented.strip(), self.token)
            ):
                response = JSONResponse(
                    {"detail": "the control plane needs Authorization: Bearer <MOCK_ADMIN_TOKEN>"},
                    status_code=401,
                    headers={"WWW-Authenticate": "Bearer"},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
