from sqlalchemy import text

from mock_server.app import Sandbox
from mock_server.core.config import Settings
from mock_server.core.locations import sqlite_url_for


def test_sqlite_file_runs_in_wal_with_synchronous_normal(sandbox):
    conn = sandbox.services.db.connection()
    assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert conn.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
    assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_state_survives_a_restart_without_reseeding(tmp_path):
    settings = Settings(database_url=sqlite_url_for(tmp_path / "s.db"))
    first = Sandbox(settings).open()
    assert first.services.seeded_in is not None  # a new file is seeded
    seeded_at = first.services.db.meta("seeded_at")
    first.close()
    second = Sandbox(settings).open()
    try:
        assert second.services.seeded_in is None
        assert second.services.db.meta("seeded_at") == seeded_at
    finally:
        second.close()


def test_a_database_from_another_schema_is_reseeded(tmp_path):
    settings = Settings(database_url=sqlite_url_for(tmp_path / "s.db"))
    first = Sandbox(settings).open()
    with first.services.db.begin() as conn:
        first.services.db.set_meta(conn, "schema", "from-an-older-version")
    first.close()
    second = Sandbox(settings).open()
    try:
        assert second.services.seeded_in is not None
    finally:
        second.close()


def test_memory_mode_seeds_and_works(tmp_path):
    sandbox = Sandbox(Settings(memory=True)).open()
    try:
        assert sandbox.services.db.in_memory
        assert sandbox.services.seeded_in is not None
        assert sandbox.services.db.meta("schema")
    finally:
        sandbox.close()


def test_memory_mode_keeps_working_after_resets():
    """One shared connection in memory: DDL must not knock it out of autocommit."""
    import asyncio

    sandbox = Sandbox(Settings(memory=True)).open()
    try:
        sandbox.services.reset()
        sandbox.services.reset_provider("digitalent")
        assert asyncio.run(sandbox.services.replay.consume("digitalent", "c", "r1", 1.0))
        assert not asyncio.run(sandbox.services.replay.consume("digitalent", "c", "r1", 1.0))
        sandbox.services.journal.clear()
        assert sandbox.services.journal.count() == 0
    finally:
        sandbox.close()


def test_reset_drops_state_and_keeps_the_clock(sandbox):
    import asyncio

    frozen = sandbox.services.clock.now()
    assert asyncio.run(sandbox.services.replay.consume("digitalent", "c", "r", 1.0))
    sandbox.services.reset()
    assert sandbox.services.clock.now() == frozen
    assert asyncio.run(sandbox.services.replay.consume("digitalent", "c", "r", 1.0))


def test_a_serving_sandbox_checkpoints_off_the_event_loop_and_the_wal_stays_bounded(
    tmp_path, monkeypatch
):
    """SQLite's own checkpoints ran inside a request's commit, syncing the file on the event
    loop; they are off, and the sandbox checkpoints from a thread of its own instead."""
    import asyncio
    import threading

    from mock_server.core import services as services_module

    monkeypatch.setattr(services_module, "CHECKPOINT_SECONDS", 0.05)
    path = tmp_path / "s.db"
    sandbox = Sandbox(Settings(database_url=sqlite_url_for(path))).open()
    services = sandbox.services
    conn = services.db.connection()
    assert conn.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 0
    conn.execute(text("CREATE TABLE t (v TEXT)"))
    checkpointed_in: list[str] = []
    passive = services.db.passive_checkpoint

    def recording() -> None:
        checkpointed_in.append(threading.current_thread().name)
        passive()

    monkeypatch.setattr(services.db, "passive_checkpoint", recording)

    def write(rows: int) -> None:
        for i in range(rows):  # one commit each, as requests do
            conn.execute(text("INSERT INTO t VALUES (:v)"), {"v": "x" * 2000 + str(i)})

    async def serve_while_writing() -> None:
        maintain = asyncio.create_task(services.maintain())
        for _ in range(20):
            write(100)
            await asyncio.sleep(0.1)  # a checkpoint runs; the next writes restart the WAL
        maintain.cancel()

    try:
        asyncio.run(serve_while_writing())
        assert checkpointed_in
        assert all(n.startswith("mock-checkpoint") for n in checkpointed_in)
        wal = path.with_name("s.db-wal").stat().st_size
        # 2,000 commits of a 2 kB row went through: without checkpoints the WAL held 17 MB.
        assert wal < 3_000_000, wal
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 2000
    finally:
        sandbox.close()
    assert not path.with_name("s.db-wal").exists() or path.with_name("s.db-wal").stat().st_size == 0


def test_postgresql_lock_and_serialization_failures_count_as_busy_and_others_do_not():
    import sqlite3

    from mock_server.core.db import is_busy

    class DriverError(Exception):
        def __init__(self, sqlstate: str) -> None:
            self.sqlstate = sqlstate

    for busy in ("40001", "40P01", "55P03"):  # serialization, deadlock, lock not available
        assert is_busy(DriverError(busy))
    assert not is_busy(DriverError("23505"))  # a unique violation is no lock
    assert is_busy(sqlite3.OperationalError("database is locked"))
    assert not is_busy(sqlite3.OperationalError("no such table: x"))


def test_a_server_urls_password_is_never_shown():
    from mock_server.core.locations import shown_database

    shown = shown_database("postgresql+psycopg://mock:s3cret@db:5432/mock")
    assert shown == "postgresql+psycopg://mock:***@db:5432/mock"
    assert (
        shown_database("postgresql+psycopg://mock@db/mock") == "postgresql+psycopg://mock@db/mock"
    )
    assert shown_database("sqlite:///state/mock.db") == "state/mock.db"
