"""Every request the sandbox answers, recorded.

Recording is off the request's critical path: ``record`` appends to an in-memory buffer and the
sandbox's maintenance task writes buffered entries in batches (a few per second). Readers call
``flush`` first, so a process always reads its own writes. Redaction happens at flush time, before
anything is stored. Retention is bounded: beyond ``retention`` entries the oldest are pruned.
"""

import itertools
import json
import logging
import os
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Column, Float, Integer, String, Table, Text, bindparam, func, select

from mock_server.core.db import METADATA, Database
from mock_server.core.redact import (
    header_lines_to_dict,
    redact_headers,
    redact_query,
    redact_secret_paths,
    redact_text,
)

log = logging.getLogger("mock_server.requests")
_encode = json.JSONEncoder(ensure_ascii=False, default=str).encode  # built once, not per entry
# Entries written between two prunes: retention may be exceeded by this much. A prune holds the
# event loop for the rows it deletes: every 500 entries it took 1.7-3.3 ms (py-spy at 2 kHz under
# 6,000 req/s), ten times a second, and the sandbox's p99 was 6.4-7.3 ms; every 100 entries,
# 5.7-6.0 ms with the same throughput (bench/run.py --rounds 3, four runs each way, in turn).
PRUNE_EVERY = 100


# One answered request. Only ``id`` is indexed: retention keeps the table small enough to
# filter by scanning, and every extra index would cost each flush.
JournalEntry = Table(
    "journal_entry",
    METADATA,
    Column("seq", Integer, primary_key=True),
    Column("id", String(32), nullable=False, unique=True, index=True),
    Column("at", Float, nullable=False),  # unix seconds, sandbox clock
    Column("provider", String(32), nullable=False),
    Column("client_id", String(128)),
    Column("method", String(16), nullable=False),
    Column("path", Text, nullable=False),
    Column("query", Text, nullable=False),
    Column("status", Integer, nullable=False),
    Column("duration_ms", Float, nullable=False),
    Column("outcome", String(16), nullable=False),  # accepted or rejected
    Column("rule", String(64)),
    Column("message", Text),
    Column("request_headers", Text, nullable=False),  # name: value lines
    Column("body_excerpt", Text, nullable=False),
    Column("body_bytes", Integer, nullable=False, default=0),
    Column("response_headers", Text, nullable=False),  # name: value lines
    Column("response_excerpt", Text, nullable=False),
    Column("response_bytes", Integer, nullable=False, default=0),
    Column("diagnosis", Text),
    Column("would_have_failed", Text),  # lenient mode: the checks that failed
)


@dataclass(slots=True)
class Record:
    """What the pipeline knows about one request once it has been answered."""

    id: str
    at: float
    provider: str
    method: str
    path: str
    query: str
    headers: list[tuple[bytes, bytes]]
    body: bytes
    status: int = 0
    duration_ms: float = 0.0
    client_id: str | None = None
    rule: str | None = None
    message: str | None = None
    diagnosis: dict[str, Any] = field(default_factory=dict)
    secret_headers: frozenset[str] = frozenset()
    body_size: int = 0
    would_have_failed: list[str] = field(default_factory=list)
    # The answer as sent: its headers, the first bytes of its body (the excerpt's length), and
    # the body's size. Redacted like the request when written.
    response_headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    response_body: bytes = b""
    response_size: int = 0
    # Where a provider carries a credential in its URLs (the KYC page token), for answers that
    # hand such a URL out.
    secret_in_text: "re.Pattern[str] | None" = None

    @property
    def outcome(self) -> str:
        return "rejected" if self.rule else "accepted"


_id_prefix = secrets.token_hex(4)  # per process, so workers sharing a journal never collide
_id_counter = itertools.count(1)


def _new_id_prefix() -> None:
    # A forked worker would otherwise number its entries exactly as its siblings do.
    global _id_prefix, _id_counter
    _id_prefix = secrets.token_hex(4)
    _id_counter = itertools.count(1)


os.register_at_fork(after_in_child=_new_id_prefix)


def new_journal_id() -> str:
    """Unique and cheap: a random per-process prefix and a counter (no syscall per request)."""
    return f"{_id_prefix}{next(_id_counter) & 0xFFFFFF:06x}"


class Journal:
    def __init__(self, db: Database, *, retention: int, excerpt_bytes: int) -> None:
        self._db = db
        self.retention = retention
        self.excerpt_bytes = excerpt_bytes
        self._buffer: list[Record] = []
        self._written = PRUNE_EVERY  # prune on the first flush: the file may hold an older run's
        self._lock = threading.Lock()
        # Called after each batch is written (from whichever thread flushed): the dashboard's
        # live feed wakes here, so a request costs it nothing and a reader is pushed, not polling.
        self.on_flush: list[Callable[[], None]] = []
        self._table = JournalEntry
        columns = [c.name for c in self._table.columns if c.name != "seq"]
        self._insert = db.prepare(
            self._table.insert().values({name: bindparam(name) for name in columns})
        )

    def record(self, rec: Record) -> None:
        # Keep only what the excerpt needs, so a burst of large bodies cannot hold memory.
        rec.body_size = len(rec.body)
        rec.body = rec.body[: self.excerpt_bytes]
        with self._lock:
            self._buffer.append(rec)

    def pending(self) -> int:
        return len(self._buffer)

    def flush(self) -> int:
        """Write every buffered entry; prune beyond retention. Returns how many were written."""
        with self._lock:
            batch, self._buffer = self._buffer, []
        if not batch:
            return 0
        try:
            self._insert.run_many([self._row(rec) for rec in batch])
        except Exception:
            # Kept for the next flush (the database may be locked by another process for a
            # while); bounded, so a long lock cannot grow memory without end.
            with self._lock:
                self._buffer[:0] = batch[-self.retention :]
                del self._buffer[: max(0, len(self._buffer) - self.retention)]
            raise
        # The console shows the same lines, written here in one go rather than once a request.
        if log.isEnabledFor(logging.INFO):
            log.info("\n".join(console_line(rec) for rec in batch))
        self._written += len(batch)
        if self._written >= PRUNE_EVERY:
            self._written = 0
            self.prune()
        for listener in self.on_flush:
            listener()
        return len(batch)

    def prune(self) -> None:
        """Keep the newest ``retention`` entries."""
        t = self._table
        with self._db.begin() as conn:
            last = conn.execute(select(func.max(t.c.seq))).scalar_one()
            if last is not None and last > self.retention:
                conn.execute(t.delete().where(t.c.seq <= last - self.retention))

    def _row(self, rec: Record) -> dict[str, Any]:
        excerpt = redact_text(rec.body.decode("utf-8", "replace")) if rec.body else ""
        return {
            "id": rec.id,
            "at": rec.at,
            "provider": rec.provider,
            "client_id": rec.client_id,
            "method": rec.method,
            "path": rec.path,
            "query": redact_query(rec.query),
            "status": rec.status,
            "duration_ms": round(rec.duration_ms, 3),
            "outcome": rec.outcome,
            "rule": rec.rule,
            "message": rec.message,
            # A page's own requests carry its URL, token and all, in Referer.
            "request_headers": redact_secret_paths(
                redact_headers(rec.headers, rec.secret_headers), rec.secret_in_text
            ),
            "body_excerpt": excerpt,
            "body_bytes": rec.body_size,
            "response_headers": redact_secret_paths(
                redact_headers(rec.response_headers, rec.secret_headers), rec.secret_in_text
            ),
            "response_excerpt": redact_secret_paths(
                redact_text(rec.response_body.decode("utf-8", "replace")), rec.secret_in_text
            )
            if rec.response_body
            else "",
            "response_bytes": rec.response_size,
            "diagnosis": _encode(rec.diagnosis) if rec.diagnosis else None,
            "would_have_failed": _encode(rec.would_have_failed) if rec.would_have_failed else None,
        }

    # -- reading (the control plane builds on these) -----------------------------------------
    def get(self, journal_id: str) -> dict[str, Any] | None:
        self.flush()
        t = self._table
        row = self._db.connection().execute(t.select().where(t.c.id == journal_id)).first()
        return entry_dict(row._mapping) if row else None

    def query(self, q: "JournalQuery") -> tuple[list[dict[str, Any]], int]:
        """Entries matching ``q``, newest first, one page of them, and how many match in all."""
        self.flush()
        t = self._table
        where = q.conditions(t)
        conn = self._db.connection()
        total = conn.execute(select(func.count()).select_from(t).where(*where)).scalar_one()
        rows = conn.execute(
            t.select()
            .where(*where)
            .order_by(t.c.seq.desc())
            .limit(q.per_page)
            .offset((q.page - 1) * q.per_page)
        )
        return [entry_dict(r._mapping) for r in rows], total

    def latest(self, limit: int = 50, provider: str | None = None) -> list[dict[str, Any]]:
        return self.query(JournalQuery(provider=provider, per_page=limit))[0]

    def count(self, q: "JournalQuery | None" = None) -> int:
        return self.query(q or JournalQuery(per_page=1))[1]

    def discard_pending(self) -> None:
        with self._lock:
            self._buffer.clear()

    def clear(self) -> None:
        self.discard_pending()
        with self._db.begin() as conn:
            conn.execute(self._table.delete())
        for listener in self.on_flush:
            listener()  # numbering restarts: a live reader starts over


@dataclass
class JournalQuery:
    """Filters for reading the journal; every one optional. ``path`` may end in ``*``."""

    provider: str | None = None
    client_id: str | None = None
    method: str | None = None
    path: str | None = None
    status: int | None = None
    outcome: str | None = None  # accepted | rejected
    rule: str | None = None
    would_have_failed: bool | None = None
    since: float | None = None  # unix seconds, sandbox clock
    until: float | None = None
    after_seq: int | None = None  # for tailing: entries newer than this one
    before_seq: int | None = None  # for exporting: entries older than this one
    page: int = 1
    per_page: int = 50

    def conditions(self, t: Any) -> list[Any]:
        c = t.c
        where = []
        for column, value in (
            (c.provider, self.provider),
            (c.client_id, self.client_id),
            (c.status, self.status),
            (c.outcome, self.outcome),
            (c.rule, self.rule),
        ):
            if value is not None:
                where.append(column == value)
        if self.method:
            where.append(c.method == self.method.upper())
        if self.path:
            if self.path.endswith("*"):
                where.append(c.path.startswith(self.path[:-1], autoescape=True))
            else:
                where.append(c.path == self.path)
        if self.would_have_failed is not None:
            missing = c.would_have_failed.is_(None)
            where.append(~missing if self.would_have_failed else missing)
        if self.since is not None:
            where.append(c.at >= self.since)
        if self.until is not None:
            where.append(c.at <= self.until)
        if self.after_seq is not None:
            where.append(c.seq > self.after_seq)
        if self.before_seq is not None:
            where.append(c.seq < self.before_seq)
        return where


def entry_dict(row: Any) -> dict[str, Any]:
    out = dict(row)
    out["at"] = datetime.fromtimestamp(out["at"], UTC).isoformat().replace("+00:00", "Z")
    out["request_headers"] = header_lines_to_dict(out["request_headers"])
    out["response_headers"] = header_lines_to_dict(out["response_headers"])
    out["diagnosis"] = json.loads(out["diagnosis"]) if out["diagnosis"] else None
    out["would_have_failed"] = (
        json.loads(out["would_have_failed"]) if out["would_have_failed"] else None
    )
    return out


@lru_cache(maxsize=8)
def _clock_text(second: int) -> str:
    return time.strftime("%H:%M:%S", time.gmtime(second))


def console_line(rec: Record) -> str:
    """One readable line: sandbox time, provider, method, path, status, the failed rule."""
    clock = _clock_text(int(rec.at))  # a busy second's entries share one formatting
    target = rec.path + (f"?{redact_query(rec.query)}" if rec.query else "")
    line = f"{clock}  {rec.provider:<10} {rec.method:<6} {target} -> {rec.status}"
    if rec.rule:
        line += f"  rejected by {rec.rule}: {rec.message}"
    elif rec.would_have_failed:
        line += "  lenient, would have failed: " + "; ".join(rec.would_have_failed)
    return f"{line}  [journal {rec.id}]"
