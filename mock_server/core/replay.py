"""Request-id replay protection.

A (provider, client, request id) triple is consumed by inserting it under a unique constraint:
the database is the arbiter, so two workers racing on the same id cannot both win. Ids older
than the provider's time window can be purged: a replay that old fails the window check first.
"""

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from mock_server.db import Database, IntegrityError


class ConsumedRequestId(SQLModel, table=True):
    __tablename__ = "consumed_request_id"
    __table_args__ = (UniqueConstraint("provider", "client_id", "request_id"),)
    id: int | None = Field(default=None, primary_key=True)
    provider: str = Field(max_length=32)
    client_id: str = Field(max_length=128)
    request_id: str = Field(max_length=128)
    consumed_at: float = Field(index=True, description="unix seconds, sandbox clock")


class ReplayGuard:
    def __init__(self, db: Database) -> None:
        self._db = db
        table = ConsumedRequestId.__table__
        self._insert = table.insert()  # type: ignore[attr-defined]
        self._table = table

    def consume(self, provider: str, client_id: str, request_id: str, now: float) -> bool:
        """True the first time this id is seen for this client, False on every reuse."""
        try:
            self._db.connection().execute(
                self._insert,
                {
                    "provider": provider,
                    "client_id": client_id,
                    "request_id": request_id,
                    "consumed_at": now,
                },
            )
        except IntegrityError:
            return False
        return True

    def purge(self, provider: str, older_than: float) -> int:
        """Forget ids consumed before ``older_than`` (unix seconds). Returns how many."""
        t = self._table
        with self._db.begin() as conn:
            result = conn.execute(
                t.delete().where(t.c.provider == provider, t.c.consumed_at < older_than)
            )
        return result.rowcount or 0
