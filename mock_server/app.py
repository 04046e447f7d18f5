"""The composition root: the sandbox's services, then an app per port on top of them.

Read top to bottom, this is the whole sandbox:

1. ``Services``: one database, the clock, the journal, the replay guard, faults and controls.
2. For each provider: its backend over its context, its routes over the backend, and the request
   pipeline around them (journal -> faults -> body limit -> auth -> rate limit -> handler).
3. The control plane: the admin protocol served in-process, plus the providers' own admin routes
   and the dashboard.
4. A port dispatcher that picks the app by the port a request arrived on.
"""

import asyncio
import functools
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from fastapi import FastAPI
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_server.admin.app import build_admin
from mock_server.admin.lazy import BuiltOnFirstMatch, materialize
from mock_server.admin.local import LocalAdmin
from mock_server.core import openapi
from mock_server.core.config import Settings
from mock_server.core.direct import DirectRoutes
from mock_server.core.edge import EdgeDispatcher, HttpsRedirect
from mock_server.core.pipeline import ProviderPipeline
from mock_server.core.provider import Provider
from mock_server.core.provider_settings import ProviderSettings
from mock_server.core.services import Services
from mock_server.core.stubs.document import StubOperations
from mock_server.core.stubs.routes import StubRouter
from mock_server.dashboard import LiveFeed, build_dashboard, dashboard_owns
from mock_server.registry import ADMIN, PROVIDERS

log = logging.getLogger("mock_server")

WORKER_HEADER = b"x-mock-worker"
# With --workers, how long a request waits at least for a sibling holding the SQLite file.
SIBLING_BUSY_TIMEOUT_MS = 250
EDGE = "edge"  # the HTTPS edge's name wherever ports are listed


class Sandbox:
    def __init__(
        self,
        settings: Settings | None = None,
        provider_settings: Mapping[str, ProviderSettings] | None = None,
        providers: Sequence[Provider[Any]] = PROVIDERS,
    ) -> None:
        self.settings = settings or Settings()
        self.services = Services(self.settings, providers, provider_settings)
        self.providers = self.services.providers
        # By name: each provider's pipeline, and the admin; and each provider's routes, unguarded.
        self.apps: Mapping[str, ASGIApp] = {}
        self.provider_apps: Mapping[str, ASGIApp] = {}
        self._backends: dict[str, Any] = {}
        self.server: Any = None  # the uvicorn server, once serving
        self.bound_ports: dict[str, int] = {}
        self.live = LiveFeed()  # the dashboard's journal stream, woken by each journal flush
        self._maintenance: asyncio.Task[None] | None = None

    def open(self) -> "Sandbox":
        """Create or reuse the database and every provider's backend. Each app is built when
        first asked for (serving asks for all at once): FastAPI's analysis of every route's
        signature was 30% of the in-process tests' CPU, and a test that opens a sandbox to talk
        to one provider should not pay for six apps."""
        services = self.services.open()
        self._backends = {
            provider.name: provider.backend(services.context(provider.name))
            for provider in self.providers
        }
        names = [provider.name for provider in self.providers]
        self.provider_apps = BuiltOnFirstUse(names, self._build_routes)
        self.apps = BuiltOnFirstUse([*names, ADMIN], self._build_app)
        services.journal.on_flush.append(self.live.wake)
        return self

    def _provider(self, name: str) -> Provider[Any]:
        return next(provider for provider in self.providers if provider.name == name)

    def _build_routes(self, name: str) -> ASGIApp:
        routes = self._provider(name).routes(self._backends[name])
        if isinstance(routes, FastAPI):  # its document lists the stubs too
            openapi.extend(routes, StubOperations(self.services.stubs, name))
        return routes

    def _build_app(self, name: str) -> ASGIApp:
        if name == ADMIN:
            return self._build_admin()
        provider, services, routes = self._provider(name), self.services, self.provider_apps[name]
        backend = self._backends[name]
        return ProviderPipeline(
            name=name,
            # Stubs first: routing happens after auth, and a stub may stand for a built-in.
            app=StubRouter(
                DirectRoutes(routes, provider.render_error)
                if isinstance(routes, FastAPI)
                else routes,
                services.stubs,
                name,
            ),
            authenticate=provider.authenticate(backend),
            render_error=provider.render_error,
            journal=services.journal,
            clock=services.clock,
            max_body_bytes=self.settings.max_body_bytes,
            secret_headers=provider.secret_headers,
            secret_path=provider.secret_path,
            faults=services.faults,
            controls=services.controls,
            limiter=services.limiter,
            replay=services.replay,
            backend=backend,
            timestamp_clock=self.settings.timestamp_clock,
        )

    def _build_admin(self) -> ASGIApp:
        admin = LocalAdmin(
            self.services,
            ports=self.provider_ports,
            openapi={name: self._openapi_of(name) for name in self.provider_apps},
        )
        extra = [
            BuiltOnFirstMatch(
                f"/__admin/{provider.flag}",
                functools.partial(router, self._backends[provider.name]),
            )
            for provider in self.providers
            if (router := provider.admin_router) is not None
        ]
        dashboard = functools.partial(
            build_dashboard,
            admin,
            self.live,
            self.providers,
            self.services.provider_settings,
            self.settings,
        )
        extra.append(BuiltOnFirstMatch("", dashboard, dashboard_owns))
        return build_admin(admin, self.settings, extra)

    def _openapi_of(self, name: str) -> Callable[[], Any]:
        """The provider's OpenAPI document, its routes built when it is first asked for."""
        return lambda: openapi_of(self.provider_apps[name])()

    # -- ports ---------------------------------------------------------------------------------
    def ports(self) -> dict[str, int]:
        """Configured ports: the control plane first, then each provider."""
        return {ADMIN: self.settings.admin_port} | {
            name: s.port for name, s in self.services.provider_settings.items()
        }

    def listening(self) -> dict[int, bool]:
        """Which bound ports the running server is accepting connections on."""
        if self.server is None or not self.server.started:
            return {}
        ports: dict[int, bool] = {}
        for server in self.server.servers:
            for sock in server.sockets:
                # uvloop lists None for a listening handle it has closed: not listening. (Seen
                # once, replicas started together on one PostgreSQL: the health check had 500ed.)
                if sock is not None:
                    ports[sock.getsockname()[1]] = server.is_serving()
        return ports

    def provider_ports(self) -> dict[str, tuple[int, bool]]:
        """Each provider's port (the bound one once serving) and whether it is listening."""
        listening = self.listening()
        configured = self.ports()
        out = {}
        for provider in self.providers:
            port = self.bound_ports.get(provider.name, configured[provider.name])
            out[provider.name] = (port, listening.get(port, False))
        return out

    def dispatcher(self, bound: Mapping[str, int]) -> "PortDispatcher":
        """``bound``: the ports actually listened on (differs from ``ports()`` for port 0), the
        HTTPS edge's under ``EDGE`` when it is served. Each app is built on its port's first
        request (``OnFirstRequest``); ``build_all`` builds them at once (before forking)."""
        self.bound_ports = dict(bound)
        served = {name: OnFirstRequest(self.apps, name) for name in self.apps}
        apps: dict[int, ASGIApp] = {
            port: served[name] for name, port in bound.items() if name != EDGE
        }
        if EDGE in bound:
            apps[bound[EDGE]] = EdgeDispatcher(self.edge_hosts(), served)
            apps.update(self.https_redirects(bound, served))
        return PortDispatcher(self, apps)

    def build_all(self) -> None:
        """Every app, now, and the control plane's lazy routes: forked workers then share
        them rather than each building its own (FastAPI still fills a few caches of each route
        in each worker, on first use)."""
        for name in self.apps:
            self.apps[name]
        if isinstance(admin := self.apps[ADMIN], FastAPI):
            materialize(admin)

    def edge_hosts(self) -> dict[str, tuple[str, ...]]:
        """The host names the edge serves each provider under."""
        settings = self.services.provider_settings
        return {p.name: p.edge_hosts(settings[p.name]) for p in self.providers}

    def https_redirects(
        self, bound: Mapping[str, int], apps: Mapping[str, ASGIApp]
    ) -> dict[int, ASGIApp]:
        """The plain ports of providers whose doc redirects plain HTTP to HTTPS, redirecting."""
        if not self.settings.https_redirect or self.settings.provider_tls:
            return {}
        hosts = self.edge_hosts()
        return {
            bound[p.name]: HttpsRedirect(apps[p.name], hosts[p.name], bound[EDGE])
            for p in self.providers
            if p.https_redirect and p.name in bound
        }

    # -- lifecycle -----------------------------------------------------------------------------
    async def startup(self) -> None:
        # From here on this thread serves every port: a lock held elsewhere must not stall it.
        busy_ms = self.settings.db_busy_timeout_ms
        if self.settings.workers > 1:
            # Sibling workers hold SQLite's write lock for microseconds, but on a shared CPU one
            # may be descheduled while holding it: a short wait beats a 503.
            busy_ms = max(busy_ms, SIBLING_BUSY_TIMEOUT_MS)
        self.services.db.set_busy_timeout(busy_ms)
        self._maintenance = asyncio.create_task(self.services.maintain())

    async def shutdown(self) -> None:
        if self._maintenance:
            self._maintenance.cancel()
        self.services.flush()

    def close(self) -> None:
        self.services.close()


class BuiltOnFirstUse(Mapping[str, ASGIApp]):
    """Apps by name, each built by ``build(name)`` when first looked up, then kept."""

    def __init__(self, names: Sequence[str], build: Callable[[str], ASGIApp]) -> None:
        self._names = list(names)
        self._build = build
        self._built: dict[str, ASGIApp] = {}

    def __getitem__(self, name: str) -> ASGIApp:
        if name not in self._built:
            if name not in self._names:
                raise KeyError(name)
            self._built[name] = self._build(name)
        return self._built[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


class OnFirstRequest:
    """The app named ``name`` in ``apps``, looked up on the first request: a served sandbox
    builds an app when its first request arrives, so the control plane answers its first
    health check without building five provider apps first (~25 ms, a twentieth of a cold start)."""

    def __init__(self, apps: Mapping[str, ASGIApp], name: str) -> None:
        self.apps, self.name = apps, name
        self._app: ASGIApp | None = None  # once built: every later request skips the lookup

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = self._app
        if app is None:
            app = self._app = self.apps[self.name]
        await app(scope, receive, send)


def openapi_of(app: ASGIApp) -> Any:
    """A provider app's OpenAPI document, built when first asked for."""
    assert isinstance(app, FastAPI)
    return app.openapi


class PortDispatcher:
    """Routes each request to the app bound to the port it arrived on."""

    def __init__(self, sandbox: Sandbox, apps_by_port: dict[int, ASGIApp]) -> None:
        self.sandbox = sandbox
        self.apps_by_port = apps_by_port
        # The worker's number, with --workers N (set in each forked worker).
        self.worker_header: bytes | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] == "http":
            self._sync()
            if self.worker_header is not None:
                send = self._naming_worker(send)
        server = scope.get("server")
        app = self.apps_by_port.get(server[1]) if server else None
        if app is None:
            await PlainTextResponse("no provider is served on this port", 404)(scope, receive, send)
            return
        await app(scope, receive, send)

    def _naming_worker(self, send: Send) -> Send:
        """``X-Mock-Worker: N`` on every answer, with --workers: which process served it."""
        header = (WORKER_HEADER, self.worker_header or b"")

        async def named(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), header]}
            await send(message)

        return named

    def _sync(self) -> None:
        """A control-plane change another worker made counts from this request on."""
        try:
            self.sandbox.services.db.sync()
        except Exception:  # the handler meets the broken database, and says so in its shape
            log.debug("could not check the state database for changes", exc_info=True)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.sandbox.startup()
                except Exception as exc:
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.sandbox.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return
