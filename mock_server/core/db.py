"""The state database: engine, connections, SQLite pragmas, create / reset / seed.

Everything SQLite-specific lives here, so a PostgreSQL URL can replace it later.

Two ways in:
- ``Database.connection()``: a long-lived autocommit connection per thread, for the hot path
  (one insert for a request id, one select for a handler). A pool checkout and a transaction per
  request would cost more than the statement itself.
- ``Database.begin()``: a transaction, for multi-statement work (seeding, resets, journal flushes).

SQLite calls take microseconds, so handlers run them inline on the event loop instead of paying
for a thread hop; a networked database would change that trade.
"""

import fcntl
import functools
import hashlib
import os
import secrets
import sqlite3
import threading
import time
from collections import namedtuple
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    BigInteger,
    ClauseElement,
    Column,
    Connection,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    create_engine,
    event,
    exc,
    inspect,
    text,
)
from sqlalchemy.pool import StaticPool

from mock_server.core.compiled import SHARED, Statement

IntegrityError = exc.IntegrityError  # raised through SQLAlchemy; Prepared raises the driver's own
# PostgreSQL's advisory lock held while a process checks and seeds the database at start-up.
START_LOCK_KEY = 0x6D6F636B  # "mock"
# SQLite waits this long for a lock at start-up and in other threads (seeding, resets, the CLI).
START_BUSY_TIMEOUT_MS = 5000


# PostgreSQL's words for "another transaction holds what this one needs": serialization
# failure, deadlock, lock not available (with lock_timeout).
PG_BUSY_STATES = frozenset({"40001", "40P01", "55P03"})


def is_busy(error: BaseException) -> bool:
    """Whether ``error`` is SQLite's "database is locked" (another process holds the file) or
    PostgreSQL's lock and serialization failures, raised by the driver itself (``Prepared``)
    or wrapped by SQLAlchemy."""
    driver = getattr(error, "orig", error)
    if getattr(driver, "sqlstate", None) in PG_BUSY_STATES:
        return True
    return isinstance(driver, sqlite3.OperationalError) and (
        "locked" in str(driver) or "busy" in str(driver)
    )


def database_errors(url: str) -> tuple[type[Exception], ...]:
    """The driver's OperationalError for ``url`` (what a locked or unreachable database
    raises), so callers outside this module need not name a driver."""
    if url.startswith("sqlite"):
        return (sqlite3.OperationalError,)
    try:
        import psycopg
    except ImportError:  # pragma: no cover - a PostgreSQL URL without the postgres extra
        return ()
    return (psycopg.OperationalError,)


# Every state table, from every provider and the core: what ``create_all`` creates and
# ``schema_fingerprint`` digests. Plain SQLAlchemy Core tables: nothing maps rows to objects.
METADATA = MetaData()


# One row, rewritten with a fresh random token by every control-plane change (clock,
# faults, controls, credentials, resets). Each request compares it with the token this
# process last saw, so a change made through one worker applies on every worker at once.
# A token, not a counter: a reset recreates the table, and a counter would start again at
# a number another worker may still hold.
StateChange = Table(
    "state_change",
    METADATA,
    Column("id", Integer, primary_key=True, default=1),
    Column("token", BigInteger, nullable=False),
)


# Key/value facts about the database itself: schema fingerprint, seed, seeded-at.
MockMeta = Table(
    "mock_meta",
    METADATA,
    Column("key", String(64), primary_key=True),
    Column("value", String, nullable=False),
)


def schema_fingerprint() -> str:
    """A digest of every table and column, so a database made by another version is reseeded."""
    # Rendering every column's type costs ~5 ms and each sandbox opened asks; a provider
    # defined later (a plugin, a test's) adds tables, which makes another key.
    shape = tuple(
        (name, tuple(table.columns.keys())) for name, table in sorted(METADATA.tables.items())
    )
    return _fingerprint_of(shape)


@functools.cache
def _fingerprint_of(shape: tuple[tuple[str, tuple[str, ...]], ...]) -> str:
    parts = []
    for table in sorted(METADATA.sorted_tables, key=lambda t: t.name):
        columns = ",".join(f"{c.name}:{c.type}" for c in table.columns)
        parts.append(f"{table.name}({columns})")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.in_memory = url in {"sqlite://", "sqlite:///:memory:"}
        # Every engine of the process compiles into one cache (core/compiled.py).
        shared = {"compiled_cache": SHARED}
        if self.in_memory:
            # One shared connection: every thread must see the same in-memory database.
            self.engine: Engine = create_engine(
                url,
                connect_args={"check_same_thread": False},
                poolclass=StaticPool,
                execution_options=shared,
            )
        elif self.is_sqlite:
            self.engine = create_engine(
                url,
                connect_args={"check_same_thread": False, "timeout": 5.0},
                execution_options=shared,
            )
        else:
            self.engine = create_engine(url, pool_pre_ping=True, execution_options=shared)
        if self.is_sqlite:
            event.listen(self.engine, "connect", self._sqlite_pragmas)
        self._local = threading.local()
        self._connections: list[tuple[threading.Thread, Connection]] = []
        self._lock = threading.Lock()
        self._caches: list[TTLCache] = []
        # Called when another process changed the control-plane state (``sync``).
        self.on_change: list[Callable[[], None]] = []
        self._change_token: int | None = None
        # Set in each ``--workers`` child (``share_writes``): siblings take turns at the write
        # transactions of the hot path through it.
        self._writers: WriterTurns | None = None
        self._change_table = StateChange
        self._read_change = self.prepare(self._change_table.select())
        self.IntegrityError: type[Exception] = self.engine.dialect.loaded_dbapi.IntegrityError

    def _sqlite_pragmas(self, dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if not self.in_memory:
            # WAL lets readers and one writer proceed together; NORMAL is durable at checkpoints
            # and costs ~25 µs an insert instead of ~200 µs with FULL.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            # SQLite checkpoints inside whichever commit fills the WAL past 1,000 pages, fsync
            # and all: on the event loop's thread that stalled every port for 5-20 ms at a time.
            # A serving sandbox checkpoints from a thread instead (``passive_checkpoint``), and
            # every process folds the WAL in on close (``checkpoint``).
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={START_BUSY_TIMEOUT_MS}")
        cursor.close()

    def connection(self) -> Connection:
        """This thread's autocommit connection, opened on first use."""
        conn: Connection | None = getattr(self._local, "conn", None)
        if conn is None or conn.closed:
            with self._lock:
                # Threads come and go (a thread pool, a test client's portal): give back the
                # connections of those that have ended before the pool runs dry.
                alive = []
                for thread, held in self._connections:
                    if thread.is_alive():
                        alive.append((thread, held))
                    else:
                        held.close()
                self._connections = alive
                conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
                self._connections.append((threading.current_thread(), conn))
            self._local.conn = conn
        return conn

    def set_busy_timeout(self, ms: int) -> None:
        """How long this thread's connection waits for a lock. SQLite waits inside the call, so
        on the event loop's thread every port would wait with it: serving sets it short."""
        if self.is_sqlite:
            self.raw().execute(f"PRAGMA busy_timeout={int(ms)}")

    def raw(self) -> Any:
        """This thread's DB-API connection, under ``connection()``, for ``Prepared`` statements."""
        return self.connection().connection.dbapi_connection

    def prepare(self, statement: ClauseElement) -> "Prepared":
        return Prepared(self, statement)

    def insert_unless_present(self, table: Table, columns: list[str]) -> "Prepared":
        """``INSERT … ON CONFLICT DO NOTHING``: rowcount 1 if the row went in, 0 if its key was
        already there. The unique key decides, so concurrent writers cannot both insert."""
        values: dict[str, Any] = {name: bindparam(name) for name in columns}
        return self.prepare(self._dialect_insert(table).values(values).on_conflict_do_nothing())

    def _dialect_insert(self, table: Table) -> Any:
        """This dialect's INSERT, the one with ``on_conflict_do_…`` (SQLite and PostgreSQL)."""
        if self.engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            return pg_insert(table)
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table)

    def share_writes(self, turns_file: str) -> None:
        """In a ``--workers`` child: take turns with the sibling workers, through
        ``turns_file``, at the hot path's write transactions (request ids, journal batches).
        Only for a SQLite file; PostgreSQL locks rows, not the database."""
        if self.is_sqlite and not self.in_memory:
            self._writers = WriterTurns(turns_file)

    @property
    def sharing_writes(self) -> bool:
        return self._writers is not None

    @contextmanager
    def raw_transaction(self) -> Iterator[Any]:
        """BEGIN … COMMIT on the raw connection (which is otherwise in autocommit mode)."""
        cursor = self.raw().cursor()
        if self._writers is None:
            cursor.execute("BEGIN")
            yield from _transaction(cursor)
            return
        with self._writers:
            # The write lock at BEGIN: a sibling cannot be between its BEGIN and its COMMIT now.
            cursor.execute("BEGIN IMMEDIATE")
            yield from _transaction(cursor)

    @contextmanager
    def starting(self) -> Iterator[None]:
        """One process at a time past this point: replicas started together on one empty
        PostgreSQL database must not all create and seed it. (SQLite: each start already
        waits for the file's write lock as it writes.)"""
        if self.engine.dialect.name != "postgresql":
            yield
            return
        with self.engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": START_LOCK_KEY})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": START_LOCK_KEY})
                conn.commit()

    def cache(self, ttl: float = 1.0) -> "TTLCache":
        """A per-process cache emptied by ``invalidate_caches`` and every ``ttl`` seconds."""
        cache = TTLCache(ttl)
        self._caches.append(cache)
        return cache

    def invalidate_caches(self) -> None:
        """After a control-plane change made here: forget this process's caches, and tell
        every other process sharing the database (``sync``) to forget theirs."""
        self._forget()
        if self.in_memory:
            return  # one process: nobody else to tell
        token = secrets.randbits(62)
        table = self._change_table
        # One upsert: two workers changing things at once must not both insert the row.
        upsert = self._dialect_insert(table).values(id=1, token=token)
        with self.begin() as conn:
            conn.execute(upsert.on_conflict_do_update(index_elements=["id"], set_={"token": token}))
        self._change_token = token

    def _forget(self) -> None:
        for cache in self._caches:
            cache.clear()
        for listener in self.on_change:
            listener()

    def sync(self) -> None:
        """Once per request: when another process has changed the control-plane state since
        this one last looked, forget the caches. On SQLite, ``PRAGMA data_version`` (~1 µs)
        says whether anyone else committed at all, and only then is the row read; PostgreSQL
        has no such counter, and the row is read each time (one indexed select)."""
        if self.in_memory:
            return
        raw = self.raw()
        if self.is_sqlite:
            version = raw.execute("PRAGMA data_version").fetchone()[0]
            if version == getattr(self._local, "data_version", None):
                return
            self._local.data_version = version
        row = self._read_change.first()
        token = None if row is None else row.token
        if token != self._change_token:
            self._change_token = token
            self._forget()

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        if self.in_memory:
            # The in-memory database has a single connection; it is already in autocommit mode
            # and a nested BEGIN would fail, so run the block on it as is.
            yield self.connection()
            return
        with self.engine.begin() as conn:
            yield conn

    def _ddl_bind(self) -> Engine | Connection:
        # In memory there is one shared connection: DDL through the engine would check it out and
        # hand it back reset out of autocommit, and the next write would fail ("cannot start a
        # transaction within a transaction"). Run DDL on the autocommit connection instead.
        return self.connection() if self.in_memory else self.engine

    def create_all(self, tables: list[Table] | None = None) -> None:
        METADATA.create_all(self._ddl_bind(), tables=tables)

    def drop_all(self, tables: list[Table] | None = None) -> None:
        METADATA.drop_all(self._ddl_bind(), tables=tables)

    def meta(self, key: str) -> str | None:
        row = self.connection().execute(MockMeta.select().where(MockMeta.c.key == key)).first()
        return str(row.value) if row else None

    def set_meta(self, conn: Connection, key: str, value: str) -> None:
        conn.execute(MockMeta.delete().where(MockMeta.c.key == key))
        conn.execute(MockMeta.insert().values(key=key, value=value))

    def has_tables(self) -> bool:
        return inspect(self._ddl_bind()).has_table(MockMeta.name)

    def checkpoint(self) -> None:
        """Fold the WAL back into the main file (on shutdown, so the file alone is the state)."""
        if self.is_sqlite and not self.in_memory:
            self.connection().execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))

    def passive_checkpoint(self) -> None:
        """Copy what the WAL holds into the main file, waiting for no reader or writer: run
        off the event loop, every second while serving (autocheckpoints are off)."""
        if self.is_sqlite and not self.in_memory:
            self.raw().execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def close(self) -> None:
        with self._lock:
            for _, conn in self._connections:
                conn.close()
            self._connections.clear()
        if self._writers is not None:
            self._writers.close()
            self._writers = None
        self._local = threading.local()
        self.engine.dispose()


def _transaction(cursor: Any) -> Iterator[Any]:
    try:
        yield cursor
    except BaseException:
        cursor.execute("ROLLBACK")
        raise
    cursor.execute("COMMIT")


class WriterTurns:
    """Sibling workers writing one SQLite file, one at a time, woken by the kernel.

    Without it two workers meet at SQLite's write lock some thousand times a second, and the
    loser's busy handler sleeps 1 ms at least (then 2, 5, 10 ms) on its event loop, serving
    nobody: with two workers each kept only 0.6-0.7 of a core busy, and two gave 0.8-1.1x the
    throughput of one (``bench/scale.py``). An ``flock`` waiter is woken as the holder lets go,
    after the microseconds a commit takes, and the kernel lets go for a worker that dies.
    SQLite still arbitrates everything: other processes and other statements do not take turns
    here, and a holder waiting on them waits as long as its busy timeout lets it.
    """

    def __init__(self, path: str) -> None:
        # Opened by each worker itself: flock excludes open files, and a descriptor inherited
        # across fork is the same open file as the parent's and every sibling's.
        self._fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
        # The threads of one process share the open file, so they take turns here first.
        self._threads = threading.Lock()

    def __enter__(self) -> None:
        self._threads.acquire()
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._threads.release()

    def close(self) -> None:
        os.close(self._fd)


class Prepared:
    """A statement SQLAlchemy compiles once for this database's dialect, then run on the raw
    DB-API connection: the SQL stays portable, and the hot path skips SQLAlchemy's per-execution
    work (~30 µs a statement, more than SQLite takes to run it)."""

    def __init__(self, db: Database, statement: ClauseElement) -> None:
        self._db = db
        # Compiled on first use: a sandbox prepares some 35 statements as it starts, and a short
        # session (a test, a demo) runs few of them; compiling them all cost ~20 ms a start.
        self._statement = statement
        self._sql = ""
        self._defaults: dict[str, Any] = {}
        self._order: tuple[str, ...] | None = None
        self._row: Any = None

    def _compile(self) -> None:
        compiled = Statement(self._statement, self._db.engine.dialect)
        self._defaults = compiled.defaults
        self._order = compiled.order
        self._sql = compiled.sql  # last: another thread may read the others once this is set

    @property
    def sql(self) -> str:
        if not self._sql:
            self._compile()
        return self._sql

    def _bind(self, params: dict[str, Any]) -> Any:
        merged = self._defaults | params if self._defaults else params
        return tuple(map(merged.__getitem__, self._order)) if self._order is not None else merged

    def _execute(self, params: dict[str, Any]) -> Any:
        sql = self.sql
        cursor = self._db.raw().cursor()
        cursor.execute(sql, self._bind(params))
        return cursor

    def _rows(self, cursor: Any, rows: list[tuple[Any, ...]]) -> list[Any]:
        if self._row is None:
            self._row = namedtuple("Row", [d[0] for d in cursor.description], rename=True)  # type: ignore[misc]
        make = self._row._make
        return [make(r) for r in rows]

    def first(self, **params: Any) -> Any:
        cursor = self._execute(params)
        row = cursor.fetchone()
        return None if row is None else self._rows(cursor, [row])[0]

    def all(self, **params: Any) -> list[Any]:
        cursor = self._execute(params)
        return self._rows(cursor, cursor.fetchall())

    def run(self, **params: Any) -> int:
        return int(self._execute(params).rowcount)

    def run_many(self, rows: list[dict[str, Any]]) -> None:
        """Execute once per row, in one transaction (one commit for the whole batch)."""
        with self._db.raw_transaction() as cursor:
            cursor.executemany(self.sql, [self._bind(row) for row in rows])

    def run_each(self, rows: list[dict[str, Any]]) -> list[int]:
        """Execute once per row, in one transaction; the rowcount of each."""
        with self._db.raw_transaction() as cursor:
            counts = []
            for row in rows:
                cursor.execute(self.sql, self._bind(row))
                counts.append(cursor.rowcount)
            return counts


class TTLCache:
    """Values kept for ``ttl`` seconds. Workers sharing a database see each other's changes
    within ``ttl``; changes made in this process clear it at once (``invalidate_caches``)."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._values: dict[Hashable, tuple[float, Any]] = {}

    def get(self, key: Hashable, load: Callable[[], Any]) -> Any:
        now = time.monotonic()
        hit = self._values.get(key)
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1]
        value = load()
        if len(self._values) > 10_000:  # unknown keys from a flood must not grow it without bound
            self._values.clear()
        self._values[key] = (now, value)
        return value

    def clear(self) -> None:
        self._values.clear()
