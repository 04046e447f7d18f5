"""The tests' throwaway PostgreSQL server keeps its files in memory where it can: on ext4 each
database copy's ~300 new files cost the server more CPU than the test that asked for it."""

import os
import subprocess
from pathlib import Path

import pytest

from tests.postgres import ThrowawayPostgres, in_memory_directory, missing_reason, remove_stale


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


def test_the_directories_of_servers_that_are_gone_are_removed_and_others_kept(tmp_path):
    dead_pid = subprocess.Popen(["true"])
    dead_pid.wait()  # a pid that has exited
    layouts = {
        "mock-pg-killed": f"{dead_pid.pid}\n",  # its server is gone
        "mock-pg-live": f"{os.getpid()}\n",  # this process stands for a live server
        "mock-pg-never-started": None,  # initdb ran, the server never started
    }
    for name, pid in layouts.items():
        data = tmp_path / name / "data"
        data.mkdir(parents=True)
        if pid is not None:
            (data / "postmaster.pid").write_text(pid)
        os.utime(tmp_path / name, (1, 1))  # made long ago
    (tmp_path / "mock-pg-young").mkdir()  # another run's initdb at work, just now
    other = tmp_path / "someone-elses"
    other.mkdir()
    os.utime(other, (1, 1))
    remove_stale(str(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "mock-pg-live", "mock-pg-young", "someone-elses"
    ]  # fmt: skip
