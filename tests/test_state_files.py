"""A state file the sandbox cannot use gets one sentence and exit status 2, and is left as is."""

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from mock_server.registry import PROVIDERS
from tests.forked import zygote
from tests.server import running_server

ANY_PORT = ["--admin-port", "0"] + [a for p in PROVIDERS for a in (f"--{p.flag}-port", "0")]


def serve(db: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return zygote().run(["serve", "--db", str(db), *ANY_PORT], env={**os.environ, **(env or {})})


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def left_by_a_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real state file, as a run of mock-server leaves it."""
    db = tmp_path_factory.mktemp("kept") / "state.db"
    with running_server(db):
        pass
    return db


def damage(db: Path) -> None:
    with db.open("r+b") as handle:
        handle.seek(4096 * 3)
        handle.write(b"\xff" * 8192)


def truncate(db: Path) -> None:
    with db.open("r+b") as handle:
        handle.truncate(db.stat().st_size // 10)


def foreign(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda p: p.write_bytes(os.urandom(5000)), "is not a SQLite database"),
        (lambda p: p.write_text("name,nik\nBudi,3174\n"), "is not a SQLite database"),
        (foreign, "is a SQLite database that mock-server did not create (it has the tables"),
    ],
    ids=["random bytes", "a text file", "another program's SQLite file"],
)
def test_a_file_that_is_not_the_sandboxs_is_refused_untouched(tmp_path, make, says) -> None:
    db = tmp_path / "state.db"
    make(db)
    before = digest(db)
    ran = serve(db)
    assert ran.returncode == 2
    assert ran.stderr.startswith(f"mock-server: the state file {db} ")
    assert says in ran.stderr
    assert len(ran.stderr.strip().splitlines()) == 1  # one sentence, no traceback
    assert digest(db) == before
    assert not Path(f"{db}-wal").exists()


@pytest.mark.parametrize("harm", [damage, truncate], ids=["damaged", "truncated"])
def test_a_damaged_state_file_is_caught_at_start(tmp_path, left_by_a_run, harm) -> None:
    db = tmp_path / "state.db"
    shutil.copyfile(left_by_a_run, db)
    harm(db)
    before = digest(db)
    ran = serve(db)
    assert ran.returncode == 2
    assert "is damaged (database disk image is malformed)" in ran.stderr
    assert "move it aside or delete it" in ran.stderr
    assert len(ran.stderr.strip().splitlines()) == 1
    assert digest(db) == before


def test_a_path_in_a_missing_directory_says_which_directory(tmp_path) -> None:
    ran = serve(tmp_path / "nowhere" / "state.db")
    assert ran.returncode == 2
    assert ran.stderr.strip() == (
        f"mock-server: cannot create the state file {tmp_path}/nowhere/state.db: the directory "
        f"{tmp_path}/nowhere does not exist; create it, or choose another file with --db"
    )


def test_reset_refuses_a_file_that_is_not_the_sandboxs(tmp_path) -> None:
    db = tmp_path / "notes.db"
    db.write_text("do not drop me")
    ran = zygote().run(["reset", "--db", str(db)])
    assert ran.returncode == 2
    assert "is not a SQLite database" in ran.stderr
    assert db.read_text() == "do not drop me"


def test_another_programs_database_is_used_when_asked(tmp_path) -> None:
    db = tmp_path / "shared.db"
    foreign(db)
    with running_server(db, env={"MOCK_ADOPT_DATABASE": "true"}):
        pass
    with sqlite3.connect(db) as conn:
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
    assert {"customers", "mock_meta"} <= tables


def test_an_empty_file_is_accepted_as_a_new_state_file(tmp_path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    with running_server(empty) as server:
        assert "seeded in" in server.output[0]


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("postgresql+psycopg://u:s3cret@127.0.0.1:1/x", "Connection refused"),
        ("postgres://u:s3cret@127.0.0.1/x", "postgresql+psycopg://"),
        ("mysql://u:s3cret@127.0.0.1/x", "postgresql+psycopg://"),
        ("not a url", "cannot use the database"),
    ],
)
@pytest.mark.parametrize("command", [["reset"], ["serve", "--no-edge", "--admin-port", "0"]])
def test_a_database_url_the_sandbox_cannot_use_is_one_sentence(url, says, command) -> None:
    env = {**os.environ, "MOCK_DATABASE_URL": url}
    done = zygote().run(command, env=env)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("mock-server: cannot use the database ")
    assert says in done.stderr
    assert "Traceback" not in done.stderr
    assert "s3cret" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_refused_state_file_is_said_before_the_server_loads(tmp_path) -> None:
    """The sentence comes at once, not after the web stack and every provider have loaded."""
    db = tmp_path / "state.db"
    db.write_text("not a database")
    probe = (
        "import sys\n"
        "from mock_server.cli import main\n"
        f"status = main(['serve', '--db', {str(db)!r}, *{ANY_PORT!r}])\n"
        "heavy = ('fastapi', 'uvicorn', 'mock_server.serve')\n"
        "loaded = sorted(m for m in heavy if m in sys.modules)\n"
        "print(status, loaded)\n"
    )
    ran = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert ran.stdout.strip() == "2 []"
    assert "is not a SQLite database" in ran.stderr
