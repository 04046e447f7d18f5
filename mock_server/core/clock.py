"""The only source of "now" in the sandbox.

Real time, shifted by an offset, or frozen at an instant. The state lives in the database so that
every worker agrees; each process caches it, and re-reads it when the database says another
process changed the control-plane state (``Database.sync``, once per request) and at least every
``refresh_seconds`` (changes made through this process are seen at once).
"""

import time
from datetime import UTC, datetime

from sqlalchemy import Column, Connection, Float, Integer, Table

from mock_server.core.db import METADATA, Database

# Re-exported: the time formats live apart so that signing (the CLI) needs no database stack.
from mock_server.core.timefmt import WIB, iso_z, isoformat_z, parse_iso8601, skew_diagnosis

__all__ = [
    "WIB",
    "Clock",
    "ClockState",
    "iso_z",
    "isoformat_z",
    "parse_iso8601",
    "skew_diagnosis",
    "write_clock",
]


ClockState = Table(
    "clock_state",
    METADATA,
    Column("id", Integer, primary_key=True, default=1),
    Column("frozen_at", Float),  # unix seconds, when frozen
    Column("offset_seconds", Float, nullable=False, default=0.0),
)


class Clock:
    def __init__(self, db: Database, refresh_seconds: float = 1.0) -> None:
        self._db = db
        self._refresh = refresh_seconds
        self._frozen_at: float | None = None
        self._offset = 0.0
        self._loaded_at = float("-inf")
        db.on_change.append(self._stale)

    def _stale(self) -> None:
        self._loaded_at = float("-inf")

    # -- reading -------------------------------------------------------------------------------
    def timestamp(self) -> float:
        """Unix seconds, as the sandbox sees them."""
        mono = time.monotonic()
        if mono - self._loaded_at > self._refresh:
            self._load()
            self._loaded_at = mono
        if self._frozen_at is not None:
            return self._frozen_at
        return time.time() + self._offset

    @property
    def moved(self) -> bool:
        """Frozen or offset: the sandbox's time is not the machine's (as last read)."""
        return self._frozen_at is not None or self._offset != 0

    def now(self) -> datetime:
        """Aware UTC datetime."""
        return datetime.fromtimestamp(self.timestamp(), UTC)

    def state(self) -> dict[str, object]:
        self.reload()
        now = self.now()
        return {
            "now": now.isoformat().replace("+00:00", "Z"),
            "frozen": self._frozen_at is not None,
            "offset_seconds": self._offset,
        }

    # -- changing ------------------------------------------------------------------------------
    def freeze(self, at: datetime | float | None = None) -> None:
        """Stop time at ``at`` (default: the current sandbox time)."""
        if at is None:
            at = self.timestamp()
        elif isinstance(at, datetime):
            if at.tzinfo is None:
                raise ValueError("freeze needs an aware datetime")
            at = at.timestamp()
        self._store(frozen_at=float(at), offset=self._offset)

    def advance(self, seconds: float) -> None:
        """Move time forward (or back, with a negative number), frozen or not."""
        self._load()
        if self._frozen_at is not None:
            self._store(frozen_at=self._frozen_at + seconds, offset=self._offset)
        else:
            self._store(frozen_at=None, offset=self._offset + seconds)

    def resume(self) -> None:
        """Back to real time, no offset."""
        self._store(frozen_at=None, offset=0.0)

    # -- storage -------------------------------------------------------------------------------
    def stored(self) -> tuple[float | None, float]:
        """(frozen_at, offset) as the database has them now."""
        row = self._db.connection().execute(ClockState.select()).first()
        return (None, 0.0) if row is None else (row.frozen_at, row.offset_seconds)

    def reload(self) -> None:
        """Forget the cached state (after a reset, or when another worker changed it)."""
        self._load()
        self._loaded_at = time.monotonic()

    def _load(self) -> None:
        self._frozen_at, self._offset = self.stored()

    def _store(self, *, frozen_at: float | None, offset: float) -> None:
        with self._db.begin() as conn:
            write_clock(conn, frozen_at=frozen_at, offset=offset)
        self._db.invalidate_caches()  # every other worker reads the new clock on its next request
        self._frozen_at, self._offset = frozen_at, offset
        self._loaded_at = time.monotonic()


def write_clock(conn: Connection, *, frozen_at: float | None, offset: float) -> None:
    table = ClockState
    conn.execute(table.delete())
    conn.execute(table.insert().values(id=1, frozen_at=frozen_at, offset_seconds=offset))
