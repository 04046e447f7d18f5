"""Build the sandbox: one database, one clock, one journal, and an ASGI app per port.

One process serves every provider, each on its own port at the provider's real paths; a small
dispatcher picks the app by the port the request arrived on.
"""

import asyncio
import logging
import time
import zlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from sqlmodel import SQLModel
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from mock_server.config import Settings
from mock_server.core.clock import Clock, write_clock
from mock_server.core.control import Control, Controls, RateLimiter
from mock_server.core.faults import FaultBook
from mock_server.core.journal import Journal
from mock_server.core.pipeline import ProviderPipeline
from mock_server.core.provider import Provider, ProviderContext, ProviderSettings, SeedContext
from mock_server.core.replay import ConsumedRequestId, ReplayGuard
from mock_server.db import Database, schema_fingerprint
from mock_server.registry import PROVIDERS

log = logging.getLogger("mock_server")

ADMIN = "admin"
JOURNAL_FLUSH_SECONDS = 0.1  # short pauses: a flush blocks the loop ~15 µs a buffered entry
REPLAY_PURGE_SECONDS = 60.0


class Sandbox:
    def __init__(
        self,
        settings: Settings | None = None,
        provider_settings: Mapping[str, ProviderSettings] | None = None,
        providers: Sequence[Provider] = PROVIDERS,
    ) -> None:
        self.settings = settings or Settings()
        self.providers = tuple(providers)
        overrides = provider_settings or {}
        self.provider_settings: dict[str, Any] = {
            p.name: overrides.get(p.name) or p.settings_cls() for p in self.providers
        }
        self.db = Database(self.settings.effective_database_url)
        self.clock = Clock(self.db)
        self.replay = ReplayGuard(self.db, self.settings.replay_commit_window_ms / 1000)
        self.journal = Journal(
            self.db,
            retention=self.settings.journal_retention,
            excerpt_bytes=self.settings.journal_body_excerpt,
        )
        self.faults = FaultBook(self.db)
        self.controls = Controls(
            self.db,
            {
                name: Control(s.auth_mode, s.rate_limit, s.rate_limit_window)
                for name, s in self.provider_settings.items()
            },
        )
        self.limiter = RateLimiter()
        self.apps: dict[str, ASGIApp] = {}
        self.provider_apps: dict[str, ASGIApp] = {}
        self.server: Any = None  # the uvicorn server, once serving
        self.bound_ports: dict[str, int] = {}
        self.seeded_in: float | None = None
        self._maintenance: asyncio.Task[None] | None = None

    # -- state ---------------------------------------------------------------------------------
    def open(self) -> "Sandbox":
        """Create or reuse the database, then build every app."""
        if not self.db.has_tables() or self.db.meta("schema") != schema_fingerprint():
            self.reset()
        from mock_server.admin.app import build_admin

        for provider in self.providers:
            parts = provider.build(self.context(provider))
            self.provider_apps[provider.name] = parts.app
            self.apps[provider.name] = ProviderPipeline(
                name=provider.name,
                app=parts.app,
                authenticate=parts.authenticate,
                render_error=provider.render_error,
                journal=self.journal,
                clock=self.clock,
                max_body_bytes=self.settings.max_body_bytes,
                secret_headers=provider.secret_headers,
                faults=self.faults,
                controls=self.controls,
                limiter=self.limiter,
                replay=self.replay,
            )
        self.apps[ADMIN] = build_admin(self)
        return self

    def reset(self) -> float:
        """Drop every table, recreate and reseed. The clock is kept (frozen time, offset).

        Seed dates are laid out around the sandbox's "now", so a frozen clock seeds the same
        data every time. Returns the seconds it took.
        """
        started = time.perf_counter()
        self.journal.discard_pending()
        frozen_at, offset = self.clock.stored() if self.db.has_tables() else (None, 0.0)
        self.db.drop_all()
        self.db.create_all()
        from faker import Faker  # only when seeding: it costs ~0.15 s to import

        now = datetime.fromtimestamp(
            frozen_at if frozen_at is not None else time.time() + offset, UTC
        )
        with self.db.begin() as conn:
            write_clock(conn, frozen_at=frozen_at, offset=offset)
            for provider in self.providers:
                fake = Faker("id_ID")
                # One seed per provider, so adding a provider never changes another's data.
                fake.seed_instance(self.settings.seed + zlib.crc32(provider.name.encode()))
                provider.seed(SeedContext(conn, fake, now, self.provider_settings[provider.name]))
            self.db.set_meta(conn, "schema", schema_fingerprint())
            self.db.set_meta(conn, "seeded_at", now.isoformat())
        self.db.invalidate_caches()
        self.limiter.clear()
        self.clock.reload()
        self.seeded_in = time.perf_counter() - started
        return self.seeded_in

    def reset_provider(self, name: str) -> float:
        """Reseed one provider: its own tables (named ``<name>_…``) and its consumed request ids."""
        started = time.perf_counter()
        provider = next((p for p in self.providers if p.name == name), None)
        if provider is None:
            raise KeyError(f"unknown provider {name!r}; known: {[p.name for p in self.providers]}")
        tables = [t for t in SQLModel.metadata.sorted_tables if t.name.startswith(f"{name}_")]
        self.db.drop_all(tables)
        self.db.create_all(tables)
        from faker import Faker

        with self.db.begin() as conn:
            conn.execute(
                ConsumedRequestId.__table__.delete().where(ConsumedRequestId.provider == name)
            )  # type: ignore[attr-defined]
            fake = Faker("id_ID")
            fake.seed_instance(self.settings.seed + zlib.crc32(name.encode()))
            provider.seed(SeedContext(conn, fake, self.clock.now(), self.provider_settings[name]))
        self.db.invalidate_caches()
        self.limiter.clear(name)
        return time.perf_counter() - started

    def context(self, provider: Provider) -> ProviderContext:
        return ProviderContext(
            name=provider.name,
            settings=self.provider_settings[provider.name],
            core=self.settings,
            db=self.db,
            clock=self.clock,
            replay=self.replay,
        )

    # -- ports ---------------------------------------------------------------------------------
    def ports(self) -> dict[str, int]:
        """Configured ports: the control plane first, then each provider."""
        return {ADMIN: self.settings.admin_port} | {
            name: s.port for name, s in self.provider_settings.items()
        }

    def listening(self) -> dict[int, bool]:
        """Which bound ports the running server is accepting connections on."""
        if self.server is None or not self.server.started:
            return {}
        ports: dict[int, bool] = {}
        for server in self.server.servers:
            for sock in server.sockets:
                ports[sock.getsockname()[1]] = server.is_serving()
        return ports

    def dispatcher(self, bound: Mapping[str, int]) -> "PortDispatcher":
        """``bound``: the ports actually listened on (differs from ``ports()`` for port 0)."""
        self.bound_ports = dict(bound)
        return PortDispatcher(self, {port: self.apps[name] for name, port in bound.items()})

    # -- lifecycle -----------------------------------------------------------------------------
    async def startup(self) -> None:
        self._maintenance = asyncio.create_task(self._maintain())

    async def shutdown(self) -> None:
        if self._maintenance:
            self._maintenance.cancel()
        self.journal.flush()
        self.db.checkpoint()

    async def _maintain(self) -> None:
        last_purge = time.monotonic()
        while True:
            await asyncio.sleep(JOURNAL_FLUSH_SECONDS)
            try:
                self.journal.flush()
                if time.monotonic() - last_purge > REPLAY_PURGE_SECONDS:
                    last_purge = time.monotonic()
                    now = self.clock.timestamp()
                    for name, settings in self.provider_settings.items():
                        self.replay.purge(name, now - settings.replay_horizon())
            except Exception:
                log.exception("journal flush or replay purge failed; retrying")

    def close(self) -> None:
        self.journal.flush()
        self.db.checkpoint()
        self.db.close()


class PortDispatcher:
    """Routes each request to the app bound to the port it arrived on."""

    def __init__(self, sandbox: Sandbox, apps_by_port: dict[int, ASGIApp]) -> None:
        self.sandbox = sandbox
        self.apps_by_port = apps_by_port

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        server = scope.get("server")
        app = self.apps_by_port.get(server[1]) if server else None
        if app is None:
            await PlainTextResponse("no provider is served on this port", 404)(scope, receive, send)
            return
        await app(scope, receive, send)

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


def openapi_of(app: ASGIApp) -> dict[str, Any]:
    assert isinstance(app, FastAPI)
    return app.openapi()
