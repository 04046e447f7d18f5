"""Faults injected on purpose: answer with an error status, add latency, or drop the connection,
for a provider's requests matching a method and a path pattern, for the next N of them or with a
probability. Rules live in the database; each process caches them, and every change (here or
through another worker) applies on every worker from the next request (``Database.sync``).
"The next N" is counted in the database, so it is exact across workers.
"""

import fnmatch
import functools
import json
import os
import random
import secrets
import weakref
from collections.abc import Iterator
from typing import Any, Literal, TypedDict, cast

from sqlalchemy import Column, Float, Integer, String, Table, Text, bindparam

from mock_server.core.db import METADATA, Database

FaultAction = Literal["status", "latency", "drop"]


FaultRule = Table(
    "fault_rule",
    METADATA,
    Column("seq", Integer, primary_key=True),
    Column("id", String(16), nullable=False, unique=True),
    Column("provider", String(32), nullable=False),
    Column("method", String(16)),  # any method when empty
    Column("path", String(512), nullable=False, default="*"),  # glob pattern, e.g. /api/v1/jobs/*
    Column("action", String(8), nullable=False),
    Column("status", Integer),
    Column("body", Text),  # JSON body
    Column("retry_after", Integer),
    Column("latency_ms", Integer),
    Column("remaining", Integer),  # applies to this many more requests
    Column("probability", Float, nullable=False, default=1.0),
)


class FaultRuleDict(TypedDict):
    """A rule as the control plane lists it (``body`` parsed back from JSON)."""

    id: str
    provider: str
    method: str | None
    path: str
    action: str
    status: int | None
    body: Any
    retry_after: int | None
    latency_ms: int | None
    remaining: int | None
    probability: float


class FaultBook:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._table = t = FaultRule
        self._cache = db.cache(ttl=1.0)
        self._take_one = db.prepare(
            t.update()
            .where(t.c.id == bindparam("rule_id"), t.c.remaining > 0)
            .values(remaining=t.c.remaining - 1)
        )
        self._random = random.Random()
        # Forked workers would otherwise draw the same numbers, and a 50 % fault would hit
        # the same requests on each.
        # (A weak reference: a test makes hundreds of sandboxes and must not keep them all.)
        os.register_at_fork(after_in_child=functools.partial(_reseed, weakref.ref(self._random)))

    def rules(self, provider: str | None = None) -> list[FaultRuleDict]:
        rows: list[FaultRuleDict] = self._cache.get("rules", self._load)
        return [r for r in rows if provider is None or r["provider"] == provider]

    def _load(self) -> list[FaultRuleDict]:
        t = self._table
        rows = self._db.connection().execute(t.select().order_by(t.c.seq))
        out = []
        for row in rows:
            rule = dict(row._mapping)
            rule.pop("seq")
            rule["body"] = json.loads(rule["body"]) if rule["body"] else None
            out.append(cast(FaultRuleDict, rule))
        return out

    def add(self, **rule: Any) -> FaultRuleDict:
        rule["id"] = "f" + secrets.token_hex(4)
        if rule.get("body") is not None:
            rule["body"] = json.dumps(rule["body"])
        with self._db.begin() as conn:
            conn.execute(self._table.insert().values(**rule))
        self._db.invalidate_caches()
        return next(r for r in self.rules() if r["id"] == rule["id"])

    def delete(self, rule_id: str | None = None) -> int:
        t = self._table
        statement = t.delete()
        if rule_id is not None:
            statement = statement.where(t.c.id == rule_id)
        with self._db.begin() as conn:
            count = conn.execute(statement).rowcount or 0
        self._db.invalidate_caches()
        return count

    def match(self, provider: str, method: str, path: str) -> Iterator[FaultRuleDict]:
        """The rules that apply to this request, one at a time, each counted against its
        ``remaining`` only when reached: the caller stops at the first rule that answers, so the
        rules after it are not spent."""
        for rule in self.rules(provider):
            if rule["method"] and rule["method"].upper() != method:
                continue
            if not fnmatch.fnmatchcase(path, rule["path"]):
                continue
            if rule["probability"] < 1.0 and self._random.random() >= rule["probability"]:
                continue
            if rule["remaining"] is not None:
                if self._take_one.run(rule_id=rule["id"]) != 1:
                    continue  # used up, here or by another worker
                self._db.invalidate_caches()
            yield rule


def _reseed(ref: "weakref.ref[random.Random]") -> None:
    generator = ref()
    if generator is not None:
        generator.seed()
