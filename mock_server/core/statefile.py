"""Look at a SQLite state file before the sandbox writes to it, and say plainly what is wrong.

Without this, a text file, random bytes, a truncated or damaged database, or a path in a
missing directory each ended in a long SQLAlchemy traceback, and a SQLite file made by some other
program silently had the sandbox's tables added to it. Every refusal is one sentence (the CLI
prints it and exits 2) and leaves the file as it was: it is only ever opened read-only here.
"""

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from mock_server.core.locations import ConfigError

SQLITE_HEADER = b"SQLite format 3\x00"
META_TABLE = "mock_meta"  # every database mock-server creates has it (core/db.py MockMeta)


def state_path(url: str) -> Path | None:
    """The file behind a SQLite URL; None for memory, for other databases, and for what is not
    a URL at all (opening the database says so, in one sentence: ``Services.reachable``)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).expanduser()


def check_state_file(url: str, *, adopt: bool = False, look_inside: bool = True) -> None:
    """Raise ConfigError when the state file cannot be used as it is.

    ``adopt``: accept a SQLite database that mock-server did not create (its tables are added).
    ``look_inside``: also open it read-only (SQLite's quick_check, its tables); without it, only
    what the file system and the file's first bytes say.
    """
    path = state_path(url)
    if path is None:
        return
    if not path.exists():
        if not path.parent.is_dir():
            raise ConfigError(
                f"cannot create the state file {path}: the directory {path.parent} does not "
                "exist; create it, or choose another file with --db"
            )
        return
    if path.is_dir():
        raise ConfigError(f"the state file {path} is a directory; give a file path to --db")
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise ConfigError(f"cannot read the state file {path}: {exc.strerror}") from None
    if not header:
        return  # an empty file: SQLite makes a new database in it
    if header != SQLITE_HEADER:
        raise ConfigError(
            f"the state file {path} is not a SQLite database (it does not start with the "
            "SQLite header); mock-server left it untouched: choose another file with --db, "
            "or delete this one"
        )
    if not look_inside:
        return
    problem, tables = inspect_database(path)
    if problem is not None:
        raise ConfigError(
            f"the state file {path} is damaged ({problem}); mock-server left it untouched: "
            "move it aside or delete it, and the next start creates a fresh one"
        )
    if tables and META_TABLE not in tables and not adopt:
        shown = ", ".join(sorted(tables)[:5]) + (", …" if len(tables) > 5 else "")
        raise ConfigError(
            f"the state file {path} is a SQLite database that mock-server did not create "
            f"(it has the tables {shown}); mock-server left it untouched: choose another file "
            "with --db, or set MOCK_ADOPT_DATABASE=true to add the sandbox's tables to it"
        )


def inspect_database(path: Path) -> tuple[str | None, set[str]]:
    """SQLite's quick integrity check, read-only: (what is wrong or None, the table names)."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=1.0)
    except sqlite3.Error as exc:
        return str(exc), set()
    try:
        result = [row[0] for row in conn.execute("PRAGMA quick_check(3)")]
        if result != ["ok"]:
            return "; ".join(result), set()
        names = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        return None, {name for (name,) in names}
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc):
            return None, set()  # another process holds it: not damaged; its tables go unchecked
        return str(exc), set()
    except sqlite3.DatabaseError as exc:
        return str(exc), set()
    finally:
        conn.close()
