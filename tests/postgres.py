"""A throwaway PostgreSQL server for the tests, started from the server binaries (initdb,
pg_ctl, postgres) in a temporary directory, on a free loopback port, and stopped at the end.

PostgreSQL refuses to run as root: as root, every command runs as the ``postgres`` user.
Each test gets a database of its own, copied from one seeded template (``CREATE DATABASE …
TEMPLATE``), as the SQLite tests copy a seeded file.
"""

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from tests.server import free_port

SERVER_BINARIES = ("initdb", "pg_ctl", "postgres")
# Room the throwaway server's files may take in memory: initdb's ~40 MB and each test's copy.
MEMORY_ROOM = 1 << 30


def binary_directory() -> Path | None:
    """Where initdb, pg_ctl and postgres are: on PATH, or Debian's /usr/lib/postgresql/N/bin."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
    return versions[0].parent if versions else None


def missing_reason() -> str | None:
    """Why no throwaway server can start here, or None when it can."""
    directory = binary_directory()
    if directory is None:
        return "the PostgreSQL server binaries (initdb, pg_ctl) are not installed (.ci/run does)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root, and there is no postgres user to run the server as"
    return None


def in_memory_directory() -> str | None:
    """/dev/shm when it is a writable tmpfs with room, else None (the usual temporary directory).

    Each database copy creates ~300 files (the catalogs, every table and index), and the drop
    unlinks them. On ext4 a new inode is searched past the recently deleted ones: in a profile
    of the parallel suite (perf record -a) that search was 13% of the CPU samples, all the server's.
    """
    shm = Path("/dev/shm")
    try:
        room = shutil.disk_usage(shm).free
        mounts = [line.split() for line in Path("/proc/self/mounts").read_text().splitlines()]
    except OSError:
        return None
    # "device mount-point type options …": the last mount of a point is the one in force
    types = [fields[2] for fields in mounts if len(fields) > 2 and fields[1] == str(shm)]
    usable = types[-1:] == ["tmpfs"] and os.access(shm, os.W_OK) and room > MEMORY_ROOM
    return str(shm) if usable else None


def postmaster_pid(data: Path) -> int | None:
    """The server's pid from its data directory's postmaster.pid; None before it started."""
    pidfile = data / "postmaster.pid"
    return int(pidfile.read_text().split()[0]) if pidfile.exists() else None


def remove_stale(directory: str, older_than: float = 600.0) -> None:
    """Remove the directories of throwaway servers that are gone (a test run killed before it
    stopped its server): in memory they would hold their RAM until the machine restarts. A
    directory younger than ``older_than`` seconds may be another run's initdb at work."""
    for root in Path(directory).glob("mock-pg-*"):
        try:
            age = time.time() - root.stat().st_mtime
            pid = postmaster_pid(root / "data")
        except (OSError, ValueError, IndexError):
            continue  # another user's, or being written: not ours to judge
        if age > older_than and (pid is None or exited(pid)):
            shutil.rmtree(root, ignore_errors=True)


def exited(pid: int) -> bool:
    """Whether ``pid`` is gone or a zombie. pg_ctl leaves the server a child of PID 1, whose
    reaping is up to PID 1: a zombie for 1.5 s here after it had exited in 11 ms."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # no /proc (not Linux), or reaped just now: the next kill tells
        return False
    return stat.rpartition(")")[2].split()[0] == "Z"


class ThrowawayPostgres:
    def __init__(self, *, in_memory: bool = True) -> None:
        """``in_memory``: in /dev/shm where it can be (the tests); False keeps the files on disk,
        as a team sandbox's server would (bench/scale.py)."""
        directory = binary_directory()
        assert directory is not None, missing_reason()
        self.bin = directory
        memory = in_memory_directory() if in_memory else None
        if memory:
            remove_stale(memory)
        self.root = Path(tempfile.mkdtemp(prefix="mock-pg-", dir=memory))
        # In memory a file copy is cheapest: its two checkpoints write nothing to a disk (16 ms
        # a copy of the seeded template, against 33 ms WAL-logged). On disk, a WAL-logged copy
        # saves those checkpoints: 42 ms, against 105 ms.
        self.copy_strategy: str | None = "FILE_COPY" if memory else "WAL_LOG"
        self.data = self.root / "data"
        self.port = free_port()
        self.pid: int | None = None
        self.as_root = os.geteuid() == 0
        if self.as_root:  # initdb and postgres refuse root: the directory is the postgres user's
            user = pwd.getpwnam("postgres")
            os.chown(self.root, user.pw_uid, user.pw_gid)

    def _run(self, *command: str) -> subprocess.CompletedProcess[str]:
        argv = [str(self.bin / command[0]), *command[1:]]
        if self.as_root:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        return subprocess.run(argv, capture_output=True, text=True, timeout=60, check=True)

    def start(self) -> "ThrowawayPostgres":
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")
        # Durability is worth nothing to a throwaway server: no fsync, no full-page writes.
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
        )
        log = str(self.root / "server.log")
        self._run(
            "pg_ctl", "start", "-w", "-t", "30", "-D", str(self.data), "-l", log, "-o", options
        )
        self.pid = postmaster_pid(self.data)
        if int((self.data / "PG_VERSION").read_text()) < 15:
            self.copy_strategy = None  # STRATEGY came with 15: before it, every copy is a file copy
        return self

    def stop(self) -> None:
        """Immediate shutdown by the server's pid (SIGQUIT), then the directory goes. A fast
        shutdown (SIGINT) writes a shutdown checkpoint first: ~1.7 s, for data thrown away."""
        if self.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGQUIT)
            deadline = time.monotonic() + 30
            while not exited(self.pid) and time.monotonic() < deadline:
                time.sleep(0.01)
            self.pid = None
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def create_database(self, name: str, template: str | None = None) -> str:
        """A new database (a copy of ``template`` when given); its SQLAlchemy URL."""
        strategy = f" STRATEGY {self.copy_strategy}" if self.copy_strategy else ""
        copy = f" TEMPLATE {template}{strategy}" if template else ""
        self.execute(f'CREATE DATABASE "{name}"{copy}')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
