import asyncio
import threading

import pytest

from mock_server.app import Sandbox
from mock_server.core.replay import ReplayGuard

# On SQLite and on PostgreSQL (tests/conftest.py).
pytestmark = pytest.mark.both_databases


def consume(guard: ReplayGuard, *triple: str, now: float = 1000.0) -> bool:
    """True when this use of the id was its first."""
    return asyncio.run(guard.consume(*triple, now))


def test_first_use_wins_and_every_reuse_loses(sandbox):
    assert consume(sandbox.services.replay, "digitalent", "c1", "r1") is True
    assert consume(sandbox.services.replay, "digitalent", "c1", "r1") is False
    assert consume(sandbox.services.replay, "digitalent", "c1", "r1") is False


def test_ids_are_scoped_by_provider_and_client(sandbox):
    assert consume(sandbox.services.replay, "digitalent", "c1", "r1") is True
    assert consume(sandbox.services.replay, "digitalent", "c2", "r1") is True
    assert consume(sandbox.services.replay, "joss", "c1", "r1") is True


def test_the_same_id_twice_in_one_group_commit(sandbox):
    async def both() -> list[bool]:
        return await asyncio.gather(
            sandbox.services.replay.consume("digitalent", "c1", "same", 1.0),
            sandbox.services.replay.consume("digitalent", "c1", "same", 1.0),
            sandbox.services.replay.consume("digitalent", "c1", "other", 1.0),
        )

    assert asyncio.run(both()) == [True, False, True]


def test_consumed_ids_survive_a_restart(make_sandbox):
    first = make_sandbox()
    assert consume(first.services.replay, "digitalent", "c1", "r1") is True
    first.close()
    again = Sandbox(first.settings).open()
    try:
        assert consume(again.services.replay, "digitalent", "c1", "r1") is False
    finally:
        again.close()


def test_two_workers_racing_on_one_id_cannot_both_win(sandbox):
    """Each 'worker' has its own connection and guard; the primary key decides."""
    from mock_server.core.db import Database

    results: list[bool] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        db = Database(sandbox.settings.database_url)
        guard = ReplayGuard(db, commit_window=0)
        barrier.wait()
        results.append(consume(guard, "digitalent", "c1", "raced"))
        db.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]


def test_purge_forgets_only_old_ids(sandbox):
    consume(sandbox.services.replay, "digitalent", "c1", "old", now=100.0)
    consume(sandbox.services.replay, "digitalent", "c1", "new", now=900.0)
    assert sandbox.services.replay.purge("digitalent", older_than=500.0) == 1
    assert consume(sandbox.services.replay, "digitalent", "c1", "old") is True
    assert consume(sandbox.services.replay, "digitalent", "c1", "new") is False
