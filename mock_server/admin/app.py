"""The control plane, on its own port (default 7100): the admin protocol over HTTP.

Open on loopback. Listening anywhere else, every endpoint but the health check requires
``Authorization: Bearer <MOCK_ADMIN_TOKEN>``, and the sandbox refuses to start without a token.
"""

from collections.abc import Sequence

from fastapi import APIRouter, FastAPI, Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from mock_server.admin.protocol import Admin, AdminError
from mock_server.admin.routes import router
from mock_server.core.compare import constant_time_equal
from mock_server.core.config import Settings
from mock_server.core.errors import ProviderError
from mock_server.core.pipeline import NO_TELEMETRY, read_body, replay_body


def build_admin(
    admin: Admin, settings: Settings, extra: Sequence[tuple[str, APIRouter]] = ()
) -> FastAPI:
    """``extra``: (prefix, router) pairs, the providers' own control-plane routes."""
    app = FastAPI(
        telemetry=NO_TELEMETRY,
        title="mock-server control plane",
        docs_url="/__admin/docs",
        openapi_url="/__admin/openapi.json",
        redoc_url=None,
    )
    app.state.admin = admin
    token = settings.admin_token.get_secret_value().encode() if settings.admin_token else None
    # Added first, so it runs inside the token check: an unauthenticated client is refused
    # before a byte of its body is read.
    app.add_middleware(LimitBody, limit=settings.max_body_bytes)
    if token is not None or not settings.on_loopback:
        app.add_middleware(RequireToken, token=token)

    async def on_admin_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, AdminError)
        return JSONResponse({"detail": str(exc)}, status_code=exc.status)

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        # JSON like every other answer here, rather than Starlette's plain-text page; uvicorn
        # still logs the traceback.
        return JSONResponse(
            {"detail": "the control plane failed on this request; its console has the traceback"},
            status_code=500,
        )

    app.add_exception_handler(AdminError, on_admin_error)
    app.add_exception_handler(Exception, on_unexpected)
    app.include_router(router)
    for prefix, extra_router in extra:
        app.include_router(extra_router, prefix=prefix)
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
                or not constant_time_equal(presented.strip(), self.token)
            ):
                response = JSONResponse(
                    {"detail": "the control plane needs Authorization: Bearer <MOCK_ADMIN_TOKEN>"},
                    status_code=401,
                    headers={"WWW-Authenticate": "Bearer"},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class LimitBody:
    """Bodies above ``limit`` are refused with 413 before they are read: at once by their
    Content-Length, or as soon as a streamed body passes the limit (never read whole)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            body = await read_body(scope, receive, self.limit)
        except ProviderError as err:  # the pipeline's own 413 (or 400 for a bad Content-Length)
            response = JSONResponse({"detail": err.detail}, status_code=err.status)
            await response(scope, receive, send)
            return
        await self.app(scope, replay_body(body, receive), send)
