"""The sandbox's services over one database: clock, journal, replay guard, faults, controls, the
rate limiter, and each provider's context. It knows no app: the composition root
(``mock_server.app``) builds the pipelines, the control plane and the port dispatcher on top.
"""

import asyncio
import importlib
import logging
import threading
import time
import zlib
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import exc as sa_exc
from sqlalchemy import make_url

from mock_server.core.clock import Clock, write_clock
from mock_server.core.config import Settings
from mock_server.core.control import Control, Controls, RateLimiter
from mock_server.core.db import METADATA, Database, is_busy, schema_fingerprint
from mock_server.core.faults import FaultBook
from mock_server.core.journal import Journal
from mock_server.core.locations import ConfigError
from mock_server.core.provider import Provider, ProviderContext, SeedContext
from mock_server.core.provider_settings import ProviderSettings
from mock_server.core.replay import ConsumedRequestId, ReplayGuard
from mock_server.core.statefile import check_state_file
from mock_server.core.stubs.book import StubBook
from mock_server.core.stubs.load import StubFileError, load_stub_files

if TYPE_CHECKING:
    from faker import Faker

log = logging.getLogger("mock_server")

# A flush holds the event loop ~15 µs a buffered entry: at 4,000 requests a second, batches of
# 0.1 s held every port 6-20 ms (the sandbox's p99); at 6,000-7,000 a second, batches of
# 0.02 s still made the sandbox's p99 2.0-2.2x the bare app's, 0.01 s 1.55-1.8x (bench/run.py).
JOURNAL_FLUSH_SECONDS = 0.01
REPLAY_PURGE_SECONDS = 60.0
CHECKPOINT_SECONDS = 1.0


def unusable_database(url: str, error: BaseException) -> str:
    """One sentence for a MOCK_DATABASE_URL that names no database this sandbox can open; the
    URL's password hidden."""
    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except sa_exc.ArgumentError:
        shown = "MOCK_DATABASE_URL"
    why = str(getattr(error, "orig", None) or error).strip().splitlines()[0][:200]
    if isinstance(error, ImportError | sa_exc.NoSuchModuleError):
        why += " (the sandbox runs on sqlite:///PATH, or postgresql+psycopg://… with [postgres])"
    return f"cannot use the database {shown}: {why}"


_FAKERS = threading.local()


def seeded_faker(seed: int) -> "Faker":
    """An id_ID Faker seeded with ``seed``: the same values a new one seeded so would give.

    One instance a thread, seeded again each time: making one builds its locale's providers,
    ~1 ms, five times every reset. Seeding replaces its random generator; ``fake.unique``'s
    memory of values already given is the only other state a seed could draw on, and is cleared.
    """
    fake = getattr(_FAKERS, "fake", None)
    if fake is None:
        from faker import Faker  # only when seeding: it costs ~0.15 s to import

        fake = _FAKERS.fake = Faker("id_ID")
    fake.seed_instance(seed)
    fake.unique.clear()
    return fake


class UnknownProvider(KeyError):
    def __init__(self, name: str, known: Sequence[str]) -> None:
        super().__init__(name)
        self.name, self.known = name, tuple(known)

    def __str__(self) -> str:
        return f"unknown provider {self.name!r}; known: {', '.join(self.known)}"


class Services:
    def __init__(
        self,
        settings: Settings,
        providers: Sequence[Provider[Any]],
        provider_settings: Mapping[str, ProviderSettings] | None = None,
    ) -> None:
        self.settings = settings
        self.providers = tuple(providers)
        for provider in self.providers:
            if provider.models:  # its tables, before anything reads or makes the schema
                importlib.import_module(provider.models)
        try:  # first: a mistake in a stub file is said before any state is touched
            files = load_stub_files(settings.stub_files, [p.name for p in self.providers])
        except StubFileError as exc:
            raise ConfigError(f"invalid stub file:\n{exc}") from None
        overrides = provider_settings or {}
        self.provider_settings: dict[str, Any] = {
            p.name: overrides.get(p.name) or p.settings_cls.from_environment()
            for p in self.providers
        }
        try:
            self.db = Database(settings.effective_database_url)
        except (ImportError, sa_exc.ArgumentError) as error:
            raise ConfigError(unusable_database(settings.effective_database_url, error)) from None
        self.clock = Clock(self.db)
        self.replay = ReplayGuard(self.db, settings.replay_commit_window_ms / 1000)
        self.journal = Journal(
            self.db,
            retention=settings.journal_retention,
            excerpt_bytes=settings.journal_body_excerpt,
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
        self.stubs = StubBook(self.db, files)
        # WAL checkpoints run here while serving, off the event loop: they write and sync the
        # main file, and they take no lock a request's write waits for. (Journal batches stay
        # on the loop: written from a thread, they held the write lock that request ids need.)
        self._checkpointer = (
            None
            if self.db.in_memory or not self.db.is_sqlite
            else ThreadPoolExecutor(max_workers=1, thread_name_prefix="mock-checkpoint")
        )
        self.seeded_in: float | None = None  # seconds, when this process seeded the database

    def provider(self, name: str) -> Provider[Any]:
        for provider in self.providers:
            if provider.name == name:
                return provider
        raise UnknownProvider(name, [p.name for p in self.providers])

    def context(self, name: str) -> ProviderContext:
        return ProviderContext(
            name=name,
            settings=self.provider_settings[self.provider(name).name],
            core=self.settings,
            db=self.db,
            clock=self.clock,
            replay=self.replay,
        )

    # -- state ---------------------------------------------------------------------------------
    def open(self) -> "Services":
        """Create the database, or reuse it when its schema is this version's."""
        self.check_state()
        with self.reachable(), self.db.starting():
            if not self.db.has_tables() or self.db.meta("schema") != schema_fingerprint():
                self.reset()
        return self

    @contextmanager
    def reachable(self) -> Iterator[None]:
        """A database server that does not answer (or refuses the login) is one sentence and
        exit 2 for the command that opened it, not a traceback."""
        try:
            yield
        except (sa_exc.OperationalError, sa_exc.InterfaceError) as error:
            if self.db.is_sqlite:
                raise
            raise ConfigError(unusable_database(self.db.url, error)) from None

    def check_state(self) -> None:
        """ConfigError, before anything is written, when the state file cannot be used."""
        check_state_file(self.settings.effective_database_url, adopt=self.settings.adopt_database)

    def reset(self) -> float:
        with self.reachable():
            return self._reset()

    def _reset(self) -> float:
        """Drop every table, recreate and reseed. The clock is kept (frozen time, offset).

        Seed dates are laid out around the sandbox's "now", so a frozen clock seeds the same
        data every time. Returns the seconds it took.
        """
        started = time.perf_counter()
        self.journal.discard_pending()
        frozen_at, offset = self.clock.stored() if self.db.has_tables() else (None, 0.0)
        self.db.drop_all()
        self.db.create_all()
        now = datetime.fromtimestamp(
            frozen_at if frozen_at is not None else time.time() + offset, UTC
        )
        with self.db.begin() as conn:
            write_clock(conn, frozen_at=frozen_at, offset=offset)
            for provider in self.providers:
                provider.seed(self._seed_context(conn, provider.name, now))
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
        provider = self.provider(name)
        tables = [t for t in METADATA.sorted_tables if t.name.startswith(f"{name}_")]
        self.db.drop_all(tables)
        self.db.create_all(tables)
        with self.db.begin() as conn:
            conn.execute(ConsumedRequestId.delete().where(ConsumedRequestId.c.provider == name))
            provider.seed(self._seed_context(conn, name, self.clock.now()))
        self.stubs.forget(name)  # its control-plane stubs and stored values; file stubs stay
        self.db.invalidate_caches()
        self.limiter.clear(name)
        return time.perf_counter() - started

    def _seed_context(self, conn: Any, name: str, now: datetime) -> SeedContext:
        # One seed per provider, so adding a provider never changes another's data.
        fake = seeded_faker(self.settings.seed + zlib.crc32(name.encode()))
        return SeedContext(conn, fake, now, self.provider_settings[name])

    # -- while serving -------------------------------------------------------------------------
    async def maintain(self) -> None:
        """Forever: flush the journal every 0.01 s, checkpoint the WAL every second (in a
        thread: it writes and syncs the main file), purge expired request ids every minute."""
        last_purge = last_checkpoint = time.monotonic()
        locked = False
        while True:
            # While another process holds the file, try once a second: each try waits for the
            # lock on the event loop (up to MOCK_DB_BUSY_TIMEOUT_MS), delaying every port.
            await asyncio.sleep(1.0 if locked else JOURNAL_FLUSH_SECONDS)
            try:
                self.journal.flush()
                if self._checkpointer and time.monotonic() - last_checkpoint > CHECKPOINT_SECONDS:
                    last_checkpoint = time.monotonic()
                    loop = asyncio.get_running_loop()
                    await loop.run_in_executor(self._checkpointer, self.db.passive_checkpoint)
                if time.monotonic() - last_purge > REPLAY_PURGE_SECONDS:
                    last_purge = time.monotonic()
                    self.purge_request_ids()
            except Exception as exc:
                if not is_busy(exc):
                    log.exception("journal flush or replay purge failed; retrying")
                elif not locked:  # one line per lock, not ten a second
                    log.warning(
                        "the state database is locked by another process; requests that need "
                        "it get 503 and the journal waits until it is free"
                    )
                locked = True
            else:
                if locked:
                    log.warning("the state database is free again; the journal caught up")
                locked = False

    def purge_request_ids(self) -> int:
        """Forget request ids past each provider's horizon. By the earlier of the sandbox's and
        the machine's clock: a request may pass the window by either (``consumed_at``)."""
        now = min(self.clock.timestamp(), time.time())
        return sum(
            self.replay.purge(name, now - settings.replay_horizon())
            for name, settings in self.provider_settings.items()
        )

    def flush(self) -> None:
        """Everything buffered written, and the state file complete on its own."""
        self.journal.flush()
        self.db.checkpoint()

    def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.shutdown(wait=True)
        self.flush()
        self.db.close()
