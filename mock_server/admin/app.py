"""Control-plane endpoints. On loopback they are open (the later control-plane issue adds a token
for other interfaces)."""

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import FastAPI, HTTPException, Query
from starlette.responses import JSONResponse

if TYPE_CHECKING:
    from mock_server.app import Sandbox


def build_admin(sandbox: "Sandbox") -> FastAPI:
    app = FastAPI(
        title="mock-server control plane",
        docs_url="/__admin/docs",
        openapi_url="/__admin/openapi.json",
        redoc_url=None,
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
        """200 once every provider port is listening, 503 before."""
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

    @app.get("/__admin/requests")
    async def latest_requests(
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        provider: str | None = None,
    ) -> list[dict[str, Any]]:
        """The newest journal entries, newest first."""
        return sandbox.journal.latest(limit=limit, provider=provider)

    @app.get("/__admin/requests/{journal_id}")
    async def one_request(journal_id: str) -> dict[str, Any]:
        """One journal entry, by the id in a response's X-Mock-Journal-Id header."""
        entry = sandbox.journal.get(journal_id)
        if entry is None:
            raise HTTPException(404, f"no journal entry {journal_id!r} (it may have been pruned)")
        return entry

    @app.get("/__admin/providers/{name}/openapi.json")
    async def provider_openapi(name: str) -> dict[str, Any]:
        """One provider's OpenAPI document (its auth headers are described in the README)."""
        from mock_server.app import openapi_of

        if name not in sandbox.provider_apps:
            raise HTTPException(404, f"unknown provider {name!r}")
        return openapi_of(sandbox.provider_apps[name])

    for provider in sandbox.providers:
        if provider.admin_router:
            router = provider.admin_router(sandbox.context(provider))
            app.include_router(router, prefix=f"/__admin/{provider.flag}")
    return app
