"""The control plane, on its own port (default 7100): the admin protocol over HTTP.

Open on loopback. Listening anywhere else, every endpoint but the health check requires
``Authorization: Bearer <MOCK_ADMIN_TOKEN>``, and the sandbox refuses to start without a token.
Either way, what a web page in the user's browser could send is refused (``RefuseWebPages``), and
bodies are bounded before they are read (``LimitBody``).
"""

from collections.abc import Sequence
from urllib.parse import urlsplit

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
    # Outermost: a web page's request is refused before anything else looks at it.
    app.add_middleware(
        RefuseWebPages, open_on_loopback=token is None, host_names=loopback_names(settings.host)
    )

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


LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def loopback_names(host: str) -> frozenset[str]:
    """The host names an open control plane answers to: loopback's, and the one configured."""
    return LOOPBACK_NAMES | {host.strip("[]").lower()}


def _host_name(authority: str) -> str:
    """``localhost:7100`` -> ``localhost``, ``[::1]:7100`` -> ``::1``; "" when unreadable."""
    try:
        return (urlsplit(f"//{authority}").hostname or "").lower()
    except ValueError:
        return ""


def _origin_host(origin: str) -> str:
    """``http://localhost:7100`` -> ``localhost``; "" for ``null`` or anything unreadable."""
    try:
        return (urlsplit(origin).hostname or "").lower()
    except ValueError:
        return ""


class RefuseWebPages:
    """What a web page in the user's browser could make of the control plane, refused.

    Open on loopback (no token), it answers only to loopback host names: a page whose own name
    was rebound to 127.0.0.1 (DNS rebinding) sends its own name as Host. And a state-changing
    request with an ``Origin`` that is not loopback (a cross-site form or fetch; browsers send
    Origin on every such request, scripts and curl send none) is refused in every mode.
    """

    def __init__(self, app: ASGIApp, open_on_loopback: bool, host_names: frozenset[str]) -> None:
        self.app = app
        self.open_on_loopback = open_on_loopback
        self.host_names = host_names

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = dict(scope["headers"])
            host = headers.get(b"host", b"").decode("latin-1")
            origin = headers.get(b"origin", b"").decode("latin-1")
            refusal = None
            if self.open_on_loopback and _host_name(host) not in self.host_names:
                refusal = (
                    f"the control plane answers loopback host names only, not {host[:100]!r} "
                    "(set MOCK_ADMIN_TOKEN to serve it beyond loopback)"
                )
            elif (
                origin
                and scope["method"] not in SAFE_METHODS
                and _origin_host(origin) not in self.host_names
            ):
                refusal = (
                    f"cross-site request refused (Origin: {origin[:100]}): the control plane "
                    "takes state changes from scripts and the CLI, not from web pages"
                )
            if refusal is not None:
                await JSONResponse({"detail": refusal}, status_code=403)(scope, receive, send)
                return
        await self.app(scope, receive, send)
