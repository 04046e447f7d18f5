"""``--workers`` siblings take turns at the hot path's write transactions (``WriterTurns``):
one at a time, woken as the holder lets go, and never stuck behind a worker that died."""

import os
import signal
import threading
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, Table

from mock_server.core.db import Database, WriterTurns
from mock_server.core.locations import sqlite_url_for

# Not in the sandbox's METADATA: its schema fingerprint must not change with the tests run.
Counted = Table("counted", MetaData(), Column("n", Integer, primary_key=True))


def hold_in_a_child(turns_file: Path) -> int:
    """A forked process that takes the turn, says so on a pipe, and holds it until killed."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.close(read_end)
            turns = WriterTurns(str(turns_file))
            turns.__enter__()
            os.write(write_end, b"held")
            signal.pause()
        finally:
            os._exit(0)
    os.close(write_end)
    assert os.read(read_end, 4) == b"held"
    os.close(read_end)
    return pid


def test_a_sibling_waits_while_another_holds_the_turn_and_goes_on_when_it_dies(
    tmp_path: Path,
) -> None:
    turns_file = tmp_path / "turns"
    turns_file.touch()
    pid = hold_in_a_child(turns_file)
    entered = threading.Event()
    mine = WriterTurns(str(turns_file))

    def take_turn() -> None:
        with mine:
            entered.set()

    waiter = threading.Thread(target=take_turn, daemon=True)
    waiter.start()
    try:
        assert not entered.wait(0.3), "two siblings held the turn at once"
    finally:
        os.kill(pid, signal.SIGKILL)  # it never lets go: the kernel does, for a dead process
        os.waitpid(pid, 0)
    assert entered.wait(10), "the turn stayed taken after its holder died"
    waiter.join(10)
    mine.close()


def test_shared_writes_commit_and_roll_back_and_give_the_turn_back(tmp_path: Path) -> None:
    db = Database(sqlite_url_for(tmp_path / "state.db"))
    Counted.metadata.create_all(db.engine)
    turns_file = tmp_path / "turns"
    turns_file.touch()
    db.share_writes(str(turns_file))
    insert = db.prepare(Counted.insert())
    insert.run_many([{"n": 1}, {"n": 2}])
    with pytest.raises(db.IntegrityError):
        insert.run_many([{"n": 3}, {"n": 1}])  # the whole batch undone, not only the clash
    assert [r.n for r in db.prepare(Counted.select().order_by(Counted.c.n)).all()] == [1, 2]
    # The failed batch gave the turn back: a sibling (another open file) takes it at once.
    other = WriterTurns(str(turns_file))
    done = threading.Event()

    def take_turn() -> None:
        with other:
            done.set()

    taker = threading.Thread(target=take_turn, daemon=True)
    taker.start()
    assert done.wait(10)
    taker.join(10)
    other.close()
    db.close()


def test_only_a_sqlite_file_takes_turns(tmp_path: Path) -> None:
    turns_file = tmp_path / "turns"
    turns_file.touch()
    for url, takes_turns in [
        ("sqlite://", False),  # --workers refuses --memory; one process has nobody to wait for
        ("postgresql+psycopg://u@127.0.0.1:1/x", False),  # PostgreSQL locks rows
        (sqlite_url_for(tmp_path / "state.db"), True),
    ]:
        db = Database(url)
        db.share_writes(str(turns_file))
        assert db.sharing_writes is takes_turns, url
        db.close()
