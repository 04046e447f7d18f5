"""One compiled-statement cache for every engine of the process.

SQLAlchemy caches a compiled statement per engine: its key starts with the engine's dialect
object. Every ``Database`` has an engine of its own (each test's sandbox, each forked server, each
``--workers`` child), so each compiled the same few dozen statements again, and compiling was ~6%
of the test suite's CPU. What a compiled statement holds depends on the dialect's class and on
a few of its settings (``SETTINGS``: the driver's parameter style, the server's version, the JSON
serializer, ...), not on which database file or server it talks to; ``Database`` makes every engine
of one backend with the same options. So this cache keys by those instead of by the dialect
object, and is shared: a statement compiles once per process, and a forked child inherits what
its parent compiled.
"""

from collections.abc import Iterator, MutableMapping
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.sql.compiler import Compiled, SQLCompiler
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.util import LRUCache

# SQLAlchemy's own default is 500 per engine. The in-process tests of the contract, admin and
# provider suites filled 274 entries, SQLite's and PostgreSQL's together.
SIZE = 2000


# Settings of a dialect that a compiled statement's bind and result processors carry, beyond its
# class: the create_engine options Database may pass, and what a connection finds out about its
# database (SQLite's detect_types, PostgreSQL's standard_conforming_strings and hstore).
SETTINGS = (
    "paramstyle",
    "server_version_info",
    "max_identifier_length",
    "label_length",
    "_json_serializer",
    "_json_deserializer",
    "native_datetime",
    "use_insertmanyvalues",
    "_backslash_escapes",
    "_has_native_hstore",
)


def dialect_kind(dialect: Dialect) -> tuple[Any, ...]:
    """What of ``dialect`` a compiled statement depends on."""
    return (type(dialect), *(getattr(dialect, name, None) for name in SETTINGS))


Key = tuple[Any, ...]


class AcrossEngines(MutableMapping[Key, Compiled]):
    """A ``compiled_cache`` (SQLAlchemy's execution option) that every engine shares. SQLAlchemy
    asks it ``get(key)`` and sets ``cache[key]``, where ``key[0]`` is the dialect."""

    def __init__(self, size: int = SIZE) -> None:
        self._entries: LRUCache[Key, Compiled] = LRUCache(size)

    @staticmethod
    def _key(key: Key) -> Key:
        # A key this cache handed out (iterating it) is already by kind.
        if not isinstance(key[0], Dialect):
            return key
        return (dialect_kind(key[0]), *key[1:])

    def get(self, key: Key, default: Any = None) -> Any:
        return self._entries.get(self._key(key), default)

    def __getitem__(self, key: Key) -> Compiled:
        return self._entries[self._key(key)]

    def __setitem__(self, key: Key, value: Compiled) -> None:
        self._entries[self._key(key)] = value

    def __delitem__(self, key: Key) -> None:
        del self._entries[self._key(key)]

    def __iter__(self) -> Iterator[Key]:
        return iter(list(self._entries))

    def __len__(self) -> int:
        return len(self._entries)


SHARED = AcrossEngines()


class Statement:
    """A statement compiled through ``SHARED``: its SQL, its parameters' order (a positional
    parameter style) and the values bound into the statement itself."""

    __slots__ = ("defaults", "order", "sql")

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        # What SQLAlchemy's own path to its cache does (ClauseElement._compile_w_cache), but
        # without column keys: a prepared INSERT without values names every column, as
        # ``statement.compile()`` has it. The values bound in *this* statement are extracted
        # apart, so two statements that differ only in a literal share the SQL and keep their
        # own values.
        cache_key = statement._generate_cache_key()
        if cache_key is None or any(p.callable for p in cache_key.bindparams):
            # A construct SQLAlchemy cannot cache; or a value computed at execution
            # (bindparam(callable_=...)), which shares its key with a plain value's.
            cache_key = None
            compiled = statement.compile(dialect=dialect)
        else:
            key = (dialect, cache_key.key, "prepared")  # SQLAlchemy's keys have five parts
            found = SHARED.get(key)
            if found is None:
                found = SHARED[key] = statement.compile(dialect=dialect, cache_key=cache_key)
            compiled = found
        assert isinstance(compiled, SQLCompiler)
        # _check=False, as Compiled.params has it: a bindparam without a value is the caller's.
        # Values given with .params() travel in the cache key, not on the bound parameters.
        self.defaults: dict[str, Any] = dict(
            compiled.construct_params(
                extracted_parameters=cache_key.bindparams if cache_key else None,
                _check=False,
                _collected_params=cache_key.params if cache_key else None,
            )
        )
        self.order = tuple(compiled.positiontup or ()) if compiled.positional else None
        self.sql = str(compiled)
