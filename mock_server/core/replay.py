"""Request-id replay protection.

A (provider, client, request id) triple is consumed by inserting it under its primary key: the
database is the arbiter (``INSERT … ON CONFLICT DO NOTHING``; one row in means first use), so two
workers racing on the same id cannot both win. Ids older than the provider's time window can be
purged: a replay that old fails the window check first.

Group commit: the ids consumed within ``commit_window`` seconds (default 0.5 ms) are inserted in
one transaction. Each still succeeds or fails on its own key; only the commit, the expensive part
of a SQLite write (~25 µs), is shared. Under load this lifts throughput by a fifth and lowers
latency; an idle sandbox answers 0.5 ms later.
"""

import asyncio
from dataclasses import dataclass

from sqlalchemy import Column, Float, String, Table

from mock_server.core.db import METADATA, Database

ConsumedRequestId = Table(
    "consumed_request_id",
    METADATA,
    Column("provider", String(32), primary_key=True),
    Column("client_id", String(128), primary_key=True),
    Column("request_id", String(128), primary_key=True),
    Column("consumed_at", Float, nullable=False, index=True),  # unix seconds, sandbox clock
    # The primary key is the uniqueness arbiter. On SQLite the table is stored WITHOUT ROWID: one
    # b-tree fewer to update on every request's path.
    sqlite_with_rowid=False,
)


@dataclass(frozen=True)
class ConsumedId:
    provider: str
    client_id: str
    request_id: str


Pending = tuple[dict[str, object], asyncio.Future[bool]]


class ReplayGuard:
    def __init__(self, db: Database, commit_window: float = 0.0005) -> None:
        self._db = db
        self._window = commit_window
        self._table = ConsumedRequestId
        self._insert = db.insert_unless_present(
            self._table, ["provider", "client_id", "request_id", "consumed_at"]
        )
        self._pending: list[Pending] = []

    async def consume(
        self,
        provider: str,
        client_id: str,
        request_id: str,
        now: float,
        into: list[ConsumedId] | None = None,
    ) -> bool:
        """True the first time this id is seen for this client, False on every reuse. ``into``
        collects what was consumed, so that it can be given back (``release``)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[bool] = loop.create_future()
        if not self._pending:
            if self._window:
                loop.call_later(self._window, self._commit)
            else:
                loop.call_soon(self._commit)
        row = {
            "provider": provider,
            "client_id": client_id,
            "request_id": request_id,
            "consumed_at": now,
        }
        self._pending.append((row, future))
        first_use = await future
        if first_use and into is not None:
            into.append(ConsumedId(provider, client_id, request_id))
        return first_use

    def release(self, consumed: list[ConsumedId]) -> None:
        """Forget ids a request consumed but was then refused for (after auth, by the rate
        limit): a refused request must not burn its id."""
        c = self._table.c
        with self._db.begin() as conn:
            for item in consumed:
                conn.execute(
                    self._table.delete().where(
                        c.provider == item.provider,
                        c.client_id == item.client_id,
                        c.request_id == item.request_id,
                    )
                )

    def _commit(self) -> None:
        batch, self._pending = self._pending, []
        try:
            counts = self._insert.run_each([row for row, _ in batch])
        except Exception as exc:
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_, future), inserted in zip(batch, counts, strict=True):
            if not future.done():  # the request may have been cancelled (client went away)
                future.set_result(inserted == 1)

    def purge(self, provider: str, older_than: float) -> int:
        """Forget ids consumed before ``older_than`` (unix seconds). Returns how many."""
        c = self._table.c
        with self._db.begin() as conn:
            result = conn.execute(
                self._table.delete().where(c.provider == provider, c.consumed_at < older_than)
            )
        return result.rowcount or 0
