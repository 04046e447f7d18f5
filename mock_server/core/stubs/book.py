"""Every stub of every provider: those of the files (fixed for the process's life) and those
added through the control plane (in the database; a change is seen by every worker at its next
request, as fault rules are), and what stateful stubs store."""

import json
import secrets
from collections.abc import Sequence
from typing import Any

from mock_server.core.db import Database, IntegrityError
from mock_server.core.stubs.load import clashes
from mock_server.core.stubs.model import CompiledStub, StubInvalid, compile_stub
from mock_server.core.stubs.tables import StubEntry, StubValue

CONTROL_PLANE = "control plane"


class StubConflict(ValueError):
    """A stub that clashes with one already served (same method and path shape, or id)."""


class StubBook:
    def __init__(self, db: Database, files: Sequence[CompiledStub] = ()) -> None:
        self._db = db
        self._files: dict[str, list[CompiledStub]] = {}
        for stub in files:
            self._files.setdefault(stub.provider, []).append(stub)
        self._entries = StubEntry
        self._values = StubValue
        self._cache = db.cache(ttl=1.0)

    # -- the stubs -----------------------------------------------------------------------------
    def of(self, provider: str) -> list[CompiledStub]:
        """The provider's stubs in the order a request tries them: the most specific first."""
        ordered: list[CompiledStub] = self._cache.get(
            ("ordered", provider), lambda: self._order(provider)
        )
        return ordered

    def listed(self, provider: str) -> list[CompiledStub]:
        """Files' stubs in file order, then the control plane's in the order they were added."""
        return [*self._files.get(provider, ()), *self._added(provider)]

    def _order(self, provider: str) -> list[CompiledStub]:
        return sorted(self.listed(provider), key=lambda s: s.specificity)

    def _added(self, provider: str) -> list[CompiledStub]:
        added: list[CompiledStub] = self._cache.get(
            ("added", provider), lambda: self._load(provider)
        )
        return added

    def _load(self, provider: str) -> list[CompiledStub]:
        t = self._entries
        rows = self._db.connection().execute(
            t.select().where(t.c.provider == provider).order_by(t.c.seq)
        )
        out = []
        for row in rows:
            try:
                out.append(
                    compile_stub(json.loads(row.definition), source=CONTROL_PLANE, from_file=False)
                )
            except (StubInvalid, ValueError):
                continue  # written by another version of the sandbox: it no longer loads
        return out

    def signature(self, provider: str) -> tuple[tuple[str, str], ...]:
        """Changes whenever the provider's stubs do (the OpenAPI document is rebuilt then)."""
        return tuple((s.id, s.digest) for s in self.listed(provider))

    def add(self, provider: str, definition: dict[str, Any]) -> CompiledStub:
        """Validate and store a control-plane stub. StubInvalid naming the field; StubConflict."""
        given = dict(definition)
        if given.setdefault("provider", provider) != provider:
            raise StubInvalid(
                [("provider", f"this is {provider}'s stub list, not {given['provider']!r}'s")]
            )
        stub = compile_stub(given, source=CONTROL_PLANE, from_file=False)
        if stub.stub.id is None:  # an id of its own, unless one was asked for
            given["id"] = f"{stub.id[:54]}-{secrets.token_hex(4)}"
            stub = compile_stub(given, source=CONTROL_PLANE, from_file=False)
        problems = clashes([*self.listed(provider), stub])  # only the new one can clash
        if problems:
            raise StubConflict(problems[0].removeprefix(f"{CONTROL_PLANE} "))
        try:
            with self._db.begin() as conn:
                conn.execute(
                    self._entries.insert().values(
                        provider=provider, id=stub.id, definition=json.dumps(stub.definition)
                    )
                )
        except IntegrityError:
            # Another worker stored this id between the check above and this insert.
            raise StubConflict(f"a stub with id {stub.id!r} is already served") from None
        self._db.invalidate_caches()  # every worker serves it from its next request
        return stub

    def delete(self, provider: str, stub_id: str | None = None) -> int:
        """Forget one control-plane stub, or all of the provider's (and what they stored)."""
        t = self._entries
        statement = t.delete().where(t.c.provider == provider)
        if stub_id is not None:
            statement = statement.where(t.c.id == stub_id)
        with self._db.begin() as conn:
            count = conn.execute(statement).rowcount or 0
        self._db.invalidate_caches()  # and every worker forgets it at its next request
        return count

    def file_stub(self, provider: str, stub_id: str) -> CompiledStub | None:
        return next((s for s in self._files.get(provider, ()) if s.id == stub_id), None)

    def forget(self, provider: str) -> None:
        """The provider's reset: its control-plane stubs and stored values go; file stubs stay."""
        v = self._values
        with self._db.begin() as conn:
            conn.execute(v.delete().where(v.c.provider == provider))
        self.delete(provider)

    # -- stored values -------------------------------------------------------------------------
    def read(self, provider: str, name: str, key: str) -> tuple[bool, Any]:
        v = self._values
        row = (
            self._db.connection()
            .execute(v.select().where(v.c.provider == provider, v.c.name == name, v.c.key == key))
            .first()
        )
        return (False, None) if row is None else (True, json.loads(row.value))

    def store(self, provider: str, name: str, key: str, value: Any, at: float) -> None:
        """Insert or replace, in one statement: two workers storing one key at once both
        succeed (the later wins) instead of one failing on the primary key."""
        v = self._values
        row = {"provider": provider, "name": name, "key": key}
        changes = {"value": json.dumps(value), "stored_at": at}
        if self._db.engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
        statement = insert(v).values(**row, **changes)
        statement = statement.on_conflict_do_update(index_elements=list(row), set_=changes)
        with self._db.begin() as conn:
            conn.execute(statement)

    def remove(self, provider: str, name: str, key: str) -> bool:
        v = self._values
        with self._db.begin() as conn:
            result = conn.execute(
                v.delete().where(v.c.provider == provider, v.c.name == name, v.c.key == key)
            )
        return bool(result.rowcount)
