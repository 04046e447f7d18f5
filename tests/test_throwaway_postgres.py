"""The tests' throwaway PostgreSQL server keeps its files in memory where it can: on ext4 each
database copy's ~300 new files cost the server more CPU than the test that asked for it."""

from pathlib import Path

import pytest

from tests.postgres import ThrowawayPostgres, in_memory_directory, missing_reason


def test_the_suites_server_is_in_memory_and_copies_files_there(postgres: ThrowawayPostgres):
    memory = in_memory_directory()
    if memory is None:
        pytest.skip("no writable tmpfs at /dev/shm with 1 GiB free: the server is on disk")
    assert postgres.root.parent == Path(memory)
    assert postgres.copy_strategy == "FILE_COPY"


def test_a_server_kept_on_disk_copies_wal_logged():
    if missing_reason():
        pytest.skip(missing_reason())
    server = ThrowawayPostgres(in_memory=False)  # not started: its directory and its choice
    try:
        assert in_memory_directory() is None or not server.root.is_relative_to("/dev/shm")
        assert server.copy_strategy == "WAL_LOG"
    finally:
        server.stop()
    assert not server.root.exists()
