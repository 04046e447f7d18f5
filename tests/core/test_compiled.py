"""Every engine of the process compiles into one cache (``core/compiled.py``): a statement
compiled for one database is not compiled again for the next, and what each statement binds
stays its own."""

import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import (
    JSON,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    create_engine,
    insert,
    select,
)

from mock_server.core import compiled
from mock_server.core.compiled import Statement, dialect_kind
from mock_server.core.db import Database
from mock_server.core.locations import sqlite_url_for

# Not in the sandbox's METADATA: its schema fingerprint must not change with the tests run.
Noted = Table(
    "noted", MetaData(), Column("n", Integer, primary_key=True), Column("word", String(20))
)


@pytest.fixture
def new_database(copy_database: Callable[[str | None], str]) -> Iterator[Callable[[], Database]]:
    """``new()``: an empty database of the test's backend, with the table ``noted``."""
    made: list[Database] = []

    def new() -> Database:
        db = Database(copy_database(None))
        Noted.metadata.create_all(db.engine)
        made.append(db)
        return db

    yield new
    for db in made:
        db.close()


def compiles(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The statements SQLAlchemy compiles from now on."""
    seen: list[object] = []
    original = compiled.SQLCompiler.__init__

    def counting(self: object, dialect: object, statement: object, *a: object, **k: object) -> None:
        seen.append(statement)
        original(self, dialect, statement, *a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(compiled.SQLCompiler, "__init__", counting)
    return seen


@pytest.mark.both_databases
def test_a_statement_compiled_for_one_database_is_not_compiled_for_the_next(
    new_database: Callable[[], Database], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = new_database(), new_database()
    assert first.engine.dialect is not second.engine.dialect
    by_word = select(Noted.c.n).where(Noted.c.word == bindparam("word"))
    first.prepare(insert(Noted)).run(n=1, word="satu")
    assert [r.n for r in first.prepare(by_word).all(word="satu")] == [1]
    # SQLAlchemy's own execute goes through the cache too.
    assert first.connection().execute(select(Noted.c.word)).scalars().all() == ["satu"]

    seen = compiles(monkeypatch)
    second.prepare(insert(Noted)).run(n=2, word="dua")
    assert [r.n for r in second.prepare(by_word).all(word="dua")] == [2]
    assert second.connection().execute(select(Noted.c.word)).scalars().all() == ["dua"]
    assert seen == []
    assert [r.n for r in first.prepare(by_word).all(word="dua")] == []  # each its own rows


@pytest.mark.both_databases
def test_statements_that_differ_only_in_a_literal_share_sql_and_keep_their_values(
    new_database: Callable[[], Database],
) -> None:
    db = new_database()
    for n, word in [(1, "satu"), (2, "dua"), (3, "satu")]:
        db.prepare(insert(Noted).values(n=n, word=word)).run()
    satu = db.prepare(select(Noted.c.n).where(Noted.c.word == "satu").order_by(Noted.c.n))
    dua = db.prepare(select(Noted.c.n).where(Noted.c.word == "dua").order_by(Noted.c.n))
    assert satu.sql == dua.sql
    assert [r.n for r in satu.all()] == [1, 3]
    assert [r.n for r in dua.all()] == [2]


@pytest.mark.both_databases
def test_the_shared_sql_is_what_sqlalchemy_compiles_for_that_database(
    new_database: Callable[[], Database],
) -> None:
    dialect = new_database().engine.dialect
    for statement in [
        insert(Noted),  # no values: every column, as statement.compile() has it
        insert(Noted).values(n=bindparam("n"), word="kata"),
        Noted.update().where(Noted.c.n == bindparam("key")).values(word=bindparam("word")),
        select(Noted).where(Noted.c.n > 5).limit(3),
    ]:
        plain = statement.compile(dialect=dialect)
        shared = Statement(statement, dialect)
        assert shared.sql == str(plain)
        assert shared.defaults == dict(plain.params)


def test_sqlite_and_postgresql_in_one_process_each_run_their_own_sql(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """SQLite's ``?`` and psycopg's ``%(name)s`` never share an entry."""
    server = request.getfixturevalue("postgres")
    name = f"t_{uuid.uuid4().hex[:16]}"
    sqlite = Database(sqlite_url_for(tmp_path / "beside.db"))
    postgresql = Database(server.create_database(name))
    try:
        Noted.metadata.create_all(postgresql.engine)
        Noted.metadata.create_all(sqlite.engine)
        assert dialect_kind(sqlite.engine.dialect) != dialect_kind(postgresql.engine.dialect)
        for db, n, word in [(sqlite, 1, "satu"), (postgresql, 2, "dua"), (sqlite, 3, "tiga")]:
            db.prepare(insert(Noted)).run(n=n, word=word)
        by_n = select(Noted.c.word).where(Noted.c.n >= bindparam("n")).order_by(Noted.c.n)
        assert sqlite.prepare(by_n).sql != postgresql.prepare(by_n).sql
        assert [r.word for r in sqlite.prepare(by_n).all(n=1)] == ["satu", "tiga"]
        assert [r.word for r in postgresql.prepare(by_n).all(n=1)] == ["dua"]
    finally:
        sqlite.close()
        postgresql.close()
        server.drop_database(name)


@pytest.mark.both_databases
def test_values_given_with_params_or_computed_at_execution_stay_each_statements_own(
    new_database: Callable[[], Database],
) -> None:
    db = new_database()
    for n, word in [(1, "satu"), (2, "dua")]:
        db.prepare(insert(Noted)).run(n=n, word=word)
    by_n = select(Noted.c.word).where(Noted.c.n == bindparam("n"))
    assert [r.word for r in db.prepare(by_n.params(n=1)).all()] == ["satu"]
    assert [r.word for r in db.prepare(by_n.params(n=2)).all()] == ["dua"]
    worded = select(Noted.c.n).where(Noted.c.word == bindparam("w", "satu"))
    computed = select(Noted.c.n).where(Noted.c.word == bindparam("w", callable_=lambda: "dua"))
    assert [r.n for r in db.prepare(worded).all()] == [1]
    assert [r.n for r in db.prepare(computed).all()] == [2]


def test_engines_made_with_other_options_do_not_share_what_they_compiled(tmp_path: Path) -> None:
    """An option a statement's processors carry (here the JSON serializer) keeps engines apart."""
    documents = Table(
        "documents", MetaData(), Column("n", Integer, primary_key=True), Column("doc", JSON)
    )
    plain = create_engine(
        sqlite_url_for(tmp_path / "plain.db"), execution_options={"compiled_cache": compiled.SHARED}
    )
    wrapping = create_engine(
        sqlite_url_for(tmp_path / "wrapping.db"),
        json_serializer=lambda value: json.dumps({"wrapped": value}),
        execution_options={"compiled_cache": compiled.SHARED},
    )
    try:
        assert dialect_kind(plain.dialect) != dialect_kind(wrapping.dialect)
        for engine in (plain, wrapping):
            documents.metadata.create_all(engine)
            with engine.begin() as conn:
                conn.execute(documents.insert(), {"n": 1, "doc": {"x": 1}})
        with wrapping.connect() as conn:
            stored = conn.exec_driver_sql("SELECT doc FROM documents").scalar_one()
        assert json.loads(stored) == {"wrapped": {"x": 1}}
    finally:
        plain.dispose()
        wrapping.dispose()
