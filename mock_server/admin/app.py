"""The control plane, on its own port (default 7100): the admin protocol over HTTP.

Open on loopback. Listening anywhere else, every endpoint but the health check requires
``Authorization: Bearer <MOCK_ADMIN_TOKEN>``, and the sandbox refuses to start without a token.
"""

import hmac
import urllib.parse
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from sqlalchemy.exc import OperationalError
from starlette.requests import cookie_parser
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from mock_server.admin.lazy import BuiltOnFirstMatch, materialize
from mock_server.admin.protocol import Admin, AdminError
from mock_server.admin.routes import router
from mock_server.core.config import Settings
from mock_server.core.db import database_errors, is_busy
from mock_server.core.errors import ProviderError
from mock_server.core.locations import ANY_ADDRESS
from mock_server.core.pipeline import BODY_DISCONNECT, NO_TELEMETRY, read_body, replay_body


def build_admin(
    admin: Admin, settings: Settings, extra: Sequence[BuiltOnFirstMatch] = ()
) -> FastAPI:
    """``extra``: the providers' own control-plane routes and the dashboard, each built when
    a request first reaches it (``admin/lazy.py``)."""
    app = FastAPI(
        telemetry=NO_TELEMETRY,
        title="mock-server control plane",
        # /__admin/docs is the dashboard's: Swagger UI from packaged files, not from a CDN.
        docs_url=None,
        openapi_url="/__admin/openapi.json",
        redoc_url=None,
    )
    app.state.admin = admin
    token = settings.admin_token.get_secret_value().encode() if settings.admin_token else None
    if token is not None or not settings.on_loopback:
        app.add_middleware(RequireToken, token=token)

    async def on_admin_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, AdminError)
        return JSONResponse({"detail": str(exc)}, status_code=exc.status)

    # Added last, so it runs first: a refused request is never read, let alone acted on.
    app.add_middleware(
        BrowserGuard,
        hosts=LOOPBACK_NAMES | settings.admin_host_names | listening_name(settings.host),
        open_to_loopback=token is None,
        max_body_bytes=settings.max_body_bytes,
    )

    async def on_database_error(request: Request, exc: Exception) -> Response:
        if not is_busy(exc):
            raise exc  # a real failure: on_unexpected answers 500, the console keeps the traceback
        return JSONResponse(
            {"detail": "the state database is locked by another process; retry shortly"},
            status_code=503,
            headers={"Retry-After": "1"},
        )

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        # JSON like every other answer here, rather than Starlette's plain-text page; uvicorn
        # still logs the traceback.
        return JSONResponse(
            {"detail": "the control plane failed on this request; its console has the traceback"},
            status_code=500,
        )

    app.add_exception_handler(AdminError, on_admin_error)
    # The driver's own error too: the hot path runs statements on the raw connection.
    for driver_error in database_errors(settings.effective_database_url):
        app.add_exception_handler(driver_error, on_database_error)
    app.add_exception_handler(OperationalError, on_database_error)
    app.add_exception_handler(Exception, on_unexpected)
    # The control plane's own routes are built once per process (routes.py's module router) and
    # put in each app as they are: include_router would analyse every route's signature again
    # for each app, on its first request (~20 ms before a sandbox's first health answer). They
    # read the sandbox from request.app.state, so one set serves every app.
    app.router.routes.extend(router.routes)
    for lazy in extra:
        lazy.into = app.router
    app.router.routes.extend(extra)
    document = app.openapi

    def openapi() -> dict[str, Any]:
        materialize(app)
        return document()

    app.openapi = openapi  # type: ignore[method-assign]
    return app


TOKEN_COOKIE = "mock_admin_token"
LOGIN_PATH = "/__admin/ui/login"


class RequireToken:
    """Every path but the health check needs ``Authorization: Bearer <MOCK_ADMIN_TOKEN>``.

    A browser cannot add that header to a page load or an event stream, so the dashboard also
    takes the token once, at ``/__admin/ui/login?token=…``, and keeps it in a cookie that is
    HttpOnly and SameSite=Strict: no other site's page can make the browser send it. A state
    change carried by the cookie must also come from the control plane's own origin.
    """

    def __init__(self, app: ASGIApp, token: bytes | None) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] == "/__admin/health":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        if scope["path"] == LOGIN_PATH:
            await self.login(scope, receive, send)
            return
        if self.bearer_matches(headers.get(b"authorization", b"")):
            await self.app(scope, receive, send)
            return
        # Starlette's parser, as a browser sends cookies: one odd cookie of another app on
        # localhost (they are shared across ports) must not hide this one.
        cookie = cookie_parser(headers.get(b"cookie", b"").decode("latin-1")).get(TOKEN_COOKIE)
        if cookie is not None and self.matches(cookie.encode("latin-1")):
            # SameSite does not separate ports of one host name, so a page on localhost:8080
            # is "same site": a state change must name this very origin, port included.
            origin = headers.get(b"origin")
            own = origin is not None and same_origin(origin, headers.get(b"host", b""))
            if scope["method"] in SAFE_METHODS or own:
                await self.app(scope, receive, send)
                return
        await self.refuse(scope, receive, send, headers)

    def matches(self, presented: bytes) -> bool:
        return self.token is not None and hmac.compare_digest(presented.strip(), self.token)

    def bearer_matches(self, authorization: bytes) -> bool:
        scheme, _, presented = authorization.partition(b" ")
        return scheme.lower() == b"bearer" and self.matches(presented)

    async def login(self, scope: Scope, receive: Receive, send: Send) -> None:
        # POSTed as a form, so the token stays out of the browser's history and bookmarks.
        given = ""
        if scope["method"] == "POST":
            body = await read_body(scope, receive, 4096)
            given = urllib.parse.parse_qs(body.decode("utf-8", "replace")).get("token", [""])[0]
        if not self.matches(given.encode("utf-8", "replace")):
            wrong = "<p>That is not the token.</p>" if given else ""
            response: Response = HTMLResponse(LOGIN_PAGE.format(wrong=wrong), status_code=401)
        else:
            response = RedirectResponse("/__admin/ui", status_code=303)
            response.set_cookie(TOKEN_COOKIE, given, httponly=True, samesite="strict", path="/")
        await response(scope, receive, send)

    async def refuse(
        self, scope: Scope, receive: Receive, send: Send, headers: dict[bytes, bytes]
    ) -> None:
        response: Response
        if b"text/html" in headers.get(b"accept", b""):  # a person with a browser
            response = HTMLResponse(LOGIN_PAGE.format(wrong=""), status_code=401)
        else:
            response = JSONResponse(
                {"detail": "the control plane needs Authorization: Bearer <MOCK_ADMIN_TOKEN>"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        await response(scope, receive, send)


LOGIN_PAGE = """<!doctype html><html lang="en"><meta charset="utf-8">
<title>mock-server control plane</title>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto; font-size: 1.2em">
<h1>This control plane needs its token</h1>{wrong}
<p>Give <code>MOCK_ADMIN_TOKEN</code> once; the browser then keeps it in a cookie that only
this control plane's own pages can use.</p>
<form action="/__admin/ui/login" method="post"><label>Token
<input type="password" name="token" autofocus></label> <button>Open the dashboard</button></form>
</body></html>"""


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
# What a browser may send cross-site without asking first (a CORS "simple" request).
SIMPLE_CONTENT_TYPES = (b"text/plain", b"application/x-www-form-urlencoded", b"multipart/form-data")


def listening_name(host: str) -> frozenset[str]:
    return frozenset() if host in ANY_ADDRESS else frozenset({host.lower()})


def same_origin(origin: bytes, host: bytes) -> bool:
    """``Origin: http://localhost:7100`` against ``Host: localhost:7100``: host and port."""
    return origin.lower().rpartition(b"://")[2] == host.lower()


def port_of(value: bytes) -> bytes:
    """The port of ``Host`` or ``Origin`` (empty for the scheme's default)."""
    netloc = value.lower().rpartition(b"://")[2]
    if netloc.endswith(b"]") or b":" not in netloc:
        return b""
    return netloc.rpartition(b":")[2]


def host_name(value: bytes) -> str:
    """``Host`` or ``Origin`` without scheme and port, lower-cased."""
    text = value.decode("latin-1").lower().rpartition("://")[2]
    if text.startswith("["):  # [::1]:7100
        return text.partition("]")[0] + "]"
    return text.rpartition(":")[0] if text.count(":") == 1 else text


class BrowserGuard:
    """Keeps web pages out of the control plane, which is open (no token) on loopback.

    While it is open:
    - DNS rebinding: a page on ``evil.example`` whose name is made to resolve to 127.0.0.1 sends
      ``Host: evil.example``. Only loopback names, the listening address and ``MOCK_ADMIN_HOSTS``
      are answered (421 otherwise).
    - Cross-site requests: a browser sends ``Origin`` with them; a state change from a page of
      another host is refused (403). Clients that are not browsers (curl, the CLI, the pytest
      plugin) send no ``Origin``.
    With a token, the token protects it instead: a page cannot send ``Authorization`` cross-site
    without a CORS preflight, which is never granted, and Docker users reach it by any name.
    Always:
    - a POST with a form or text body (what a page may send cross-site without asking first)
      is refused (415);
    - the body limit applies before the body is read: by Content-Length, or counted as a
      chunked body arrives (413).
    """

    def __init__(
        self, app: ASGIApp, hosts: frozenset[str], open_to_loopback: bool, max_body_bytes: int
    ) -> None:
        self.app = app
        self.hosts = hosts
        self.open_to_loopback = open_to_loopback
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        refusal = self.refusal(scope["method"], scope["path"], headers)
        if refusal is not None:
            status, detail = refusal
            await JSONResponse({"detail": detail}, status_code=status)(scope, receive, send)
            return
        if b"content-length" in headers or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)  # a declared length was checked above
            return
        # A chunked body: read it here, counting, so the limit answers 413 in this shape (a
        # handler reading it would turn any error into FastAPI's 400 "error parsing the body").
        try:
            body = await read_body(scope, receive, self.max_body_bytes)
        except ProviderError as err:
            detail = f"{err.detail} (MOCK_MAX_BODY_BYTES)"
            await JSONResponse({"detail": detail}, status_code=err.status)(scope, receive, send)
            return
        if BODY_DISCONNECT in scope.get("extensions", {}):
            return  # the client went away: nobody to answer, and half a body is never acted on
        await self.app(scope, replay_body(body, receive), send)

    def refusal(
        self, method: str, path: str, headers: dict[bytes, bytes]
    ) -> tuple[int, str] | None:
        host = headers.get(b"host")
        if self.open_to_loopback and host is not None and host_name(host) not in self.hosts:
            known = ", ".join(sorted(self.hosts))
            return 421, (
                f"the control plane does not answer to the host name {host_name(host)!r} "
                f"(known: {known}; add names with MOCK_ADMIN_HOSTS)"
            )
        origin = headers.get(b"origin")
        # Port included: a page on localhost:8080 is another origin than localhost:7100.
        cross_site = origin is not None and not (
            host_name(origin) in self.hosts and port_of(origin) == port_of(host or b"")
        )
        if self.open_to_loopback and cross_site and method not in SAFE_METHODS:
            return 403, (
                f"a {method} from the web page at {(origin or b'').decode('latin-1')} is "
                "refused: the control plane takes state changes only from its own pages and "
                "from clients that are not browsers"
            )
        if method == "POST" and path != LOGIN_PATH:  # the login form is the one form taken
            kind = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
            if kind in SIMPLE_CONTENT_TYPES:
                return 415, (
                    f"the control plane takes JSON (Content-Type: application/json), "
                    f"not {kind.decode('latin-1')}"
                )
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > self.max_body_bytes:
            return 413, (
                f"the request body is {int(length)} bytes; the limit is {self.max_body_bytes} "
                "bytes (MOCK_MAX_BODY_BYTES)"
            )
        return None
