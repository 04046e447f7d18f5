"""Per-provider switches that can change while the sandbox runs: auth mode and rate limit.

Defaults come from each provider's settings (``--<provider>-auth-mode``,
``--<provider>-rate-limit``); the control plane overrides them, in the database so every worker
agrees (cached, and forgotten on every worker at the next request after a change).
"""

import math
from dataclasses import dataclass
from typing import Any, Literal, cast

from sqlalchemy import Column, Float, Integer, String, Table

from mock_server.core.db import METADATA, Database

AuthMode = Literal["strict", "lenient"]


ProviderControl = Table(
    "provider_control",
    METADATA,
    Column("provider", String(32), primary_key=True),
    Column("auth_mode", String(8)),
    Column("rate_limit", Integer),
    Column("rate_limit_window", Float),
)


@dataclass(frozen=True)
class Control:
    auth_mode: AuthMode
    rate_limit: int  # requests per client per window; 0 is off
    rate_limit_window: float


class Controls:
    def __init__(self, db: Database, defaults: dict[str, Control]) -> None:
        self._db = db
        self._defaults = defaults
        self._cache = db.cache(ttl=1.0)

    def get(self, provider: str) -> Control:
        control: Control = self._cache.get(provider, lambda: self._load(provider))
        return control

    def _load(self, provider: str) -> Control:
        t = ProviderControl
        row = self._db.connection().execute(t.select().where(t.c.provider == provider)).first()
        base = self._defaults[provider]
        if row is None:
            return base
        return Control(
            auth_mode=cast(AuthMode, row.auth_mode or base.auth_mode),
            rate_limit=base.rate_limit if row.rate_limit is None else row.rate_limit,
            rate_limit_window=row.rate_limit_window or base.rate_limit_window,
        )

    def set(self, provider: str, **changes: Any) -> Control:
        t = ProviderControl
        current: dict[str, Any] = {"auth_mode": None, "rate_limit": None, "rate_limit_window": None}
        with self._db.begin() as conn:
            row = conn.execute(t.select().where(t.c.provider == provider)).first()
            if row is not None:
                current = {k: getattr(row, k) for k in current}
            current |= {k: v for k, v in changes.items() if v is not None}
            conn.execute(t.delete().where(t.c.provider == provider))
            conn.execute(t.insert().values(provider=provider, **current))
        self._db.invalidate_caches()
        return self.get(provider)


class RateLimiter:
    """Fixed windows per client on the sandbox clock (so a test can advance past a window),
    counted in this process's memory: a limit is a developer's test setting, not an accounting
    record, so it is not worth a database write per request. With ``--workers N`` each worker
    counts on its own, so a client may get up to N times the limit (docs/scale-out.md)."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, str, int], int] = {}

    def clear(self, provider: str | None = None) -> None:
        self._counts = {k: v for k, v in self._counts.items() if provider and k[0] != provider}

    def hit(
        self, provider: str, client_id: str, limit: int, window: float, now: float
    ) -> float | None:
        """None when allowed; otherwise the seconds until the window resets."""
        slot = int(now // window)
        key = (provider, client_id, slot)
        count = self._counts.get(key, 0) + 1
        if len(self._counts) > 10_000:
            self._counts = {k: v for k, v in self._counts.items() if k[2] >= slot}
        self._counts[key] = count
        if count <= limit:
            return None
        return max(1.0, math.ceil((slot + 1) * window - now))
