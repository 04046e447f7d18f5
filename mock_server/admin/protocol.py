"""The admin protocol: every operation of the control plane, as one interface.

Implemented in-process over the sandbox's services (``LocalAdmin``) and over HTTP
(``AdminClient``), so the control-plane app, the CLI, the pytest plugin and a user's own tests
speak one vocabulary, whichever side of the wire they are on.

The input models below are the bodies the HTTP endpoints take; ``LocalAdmin`` validates its
arguments with the same models, so both sides refuse the same things.
"""

from datetime import datetime
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, model_validator

# Re-exported: the protocol's refusals are part of its vocabulary.
from mock_server.admin.errors import AdminError as AdminError
from mock_server.admin.errors import AdminUnreachable as AdminUnreachable
from mock_server.admin.errors import Conflict as Conflict
from mock_server.admin.errors import NotFound as NotFound
from mock_server.admin.errors import Unsupported as Unsupported


# -- input shapes ---------------------------------------------------------------------------------
class AdminIn(BaseModel):
    """A control-plane body. NaN and infinity are refused: no clock, limit or window means
    them, and they would fail deep in the sandbox rather than here."""

    model_config = ConfigDict(allow_inf_nan=False)


class ClockChange(AdminIn):
    """Exactly one of: ``freeze`` (ISO 8601 instant, or "now"), ``advance_seconds``, ``resume``."""

    freeze: str | None = Field(default=None, examples=["2025-10-31T06:00:00Z", "now"])
    # ±100 years: far enough for any expiry test, near enough to stay a valid date.
    advance_seconds: float | None = Field(
        default=None, ge=-3_155_760_000, le=3_155_760_000, examples=[43200]
    )
    resume: Literal[True] | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> "ClockChange":
        given = [k for k in ("freeze", "advance_seconds", "resume") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of freeze, advance_seconds, resume")
        return self


class FaultIn(AdminIn):
    provider: str
    method: str | None = Field(default=None, examples=["POST"])
    path: str = Field(default="*", max_length=512, examples=["/api/public/pelatihan/*"])
    action: Literal["status", "latency", "drop"] = "status"
    status: Literal[429, 500, 502, 503, 504] | None = None
    body: Any = Field(default=None, description="exact body; default: the provider's error shape")
    retry_after: int | None = Field(default=None, ge=0, le=86_400)
    latency_ms: int | None = Field(default=None, ge=0, le=120_000)
    times: int | None = Field(default=None, ge=1, description="only the next N matching requests")
    probability: float = Field(default=1.0, gt=0, le=1)

    @model_validator(mode="after")
    def _consistent(self) -> "FaultIn":
        if self.action == "status" and self.status is None:
            raise ValueError("a status fault needs status (429, 500, 502, 503 or 504)")
        if self.action == "latency" and self.latency_ms is None:
            raise ValueError("a latency fault needs latency_ms")
        return self


class ControlIn(AdminIn):
    auth_mode: Literal["strict", "lenient"] | None = None
    # Bounded so that every value fits the database's 64-bit integer and the limiter's arithmetic.
    rate_limit: int | None = Field(default=None, ge=0, le=1_000_000, description="0 turns it off")
    rate_limit_window: float | None = Field(default=None, gt=0, le=86_400 * 366)


class ClientIn(AdminIn):
    # URL-safe characters only: the id goes into paths (rotate, activate) and signed headers.
    client_id: str | None = Field(
        default=None, min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._~-]+$"
    )
    name: str = Field(default="", max_length=200)


class ActiveIn(AdminIn):
    active: bool


# -- the protocol ---------------------------------------------------------------------------------
class Admin(Protocol):
    """Journal filters (``**filters``) are those of ``GET /__admin/requests``: ``provider``,
    ``client_id``, ``method``, ``path`` (a prefix ending in ``*`` allowed), ``status``,
    ``outcome``, ``rule``, ``would_have_failed``, ``since``, ``until``, ``after_seq``, ``page``,
    ``per_page``. Unknown names raise ``NotFound``; every call raises an ``AdminError``."""

    def health(self) -> dict[str, Any]: ...
    def providers(self) -> list[dict[str, Any]]: ...
    def openapi(self, provider: str) -> dict[str, Any]: ...
    def postman(
        self, provider: str, host: str = "127.0.0.1", admin_url: str | None = None
    ) -> dict[str, Any]:
        """``{"collection", "environment"}``: the provider's Postman v2.1 collection and its
        environment, pointing at this sandbox's port for it on ``host`` (over HTTP, the host
        the control plane was reached at) and at the control plane, ``admin_url``."""
        ...

    # journal
    def journal(self, **filters: Any) -> dict[str, Any]:
        """One page: ``{"data": [entries, newest first], "meta": {page, per_page, total}}``."""
        ...

    def requests(self, **filters: Any) -> list[dict[str, Any]]: ...
    def request(self, journal_id: str) -> dict[str, Any]: ...
    def count(self, **filters: Any) -> int: ...
    def har(self, **filters: Any) -> dict[str, Any]:
        """Every matching entry (``page``/``per_page`` ignored) as a HAR 1.2 log."""
        ...

    def clear_journal(self) -> int: ...

    # clock
    def clock(self) -> dict[str, Any]: ...
    def freeze(self, at: datetime | str = "now") -> dict[str, Any]: ...
    def advance(self, seconds: float) -> dict[str, Any]: ...
    def resume(self) -> dict[str, Any]: ...

    # faults
    def add_fault(self, provider: str, **rule: Any) -> dict[str, Any]: ...
    def faults(self, provider: str | None = None) -> list[dict[str, Any]]: ...
    def delete_fault(self, rule_id: str) -> int: ...
    def clear_faults(self) -> int: ...

    # switches and state
    def control(self, provider: str, **changes: Any) -> dict[str, Any]:
        """The auth mode and rate limit in force; with ``changes``, set them first."""
        ...

    def reset(self, provider: str | None = None) -> dict[str, Any]: ...

    # stubs
    def stubs(self, provider: str) -> list[dict[str, Any]]:
        """The provider's stubs, the files' first, each with its ``id`` and ``source``."""
        ...

    def add_stub(self, provider: str, /, **stub: Any) -> dict[str, Any]:
        """Serve a stub (docs/stubs.md) until it is deleted or the provider reset."""
        ...

    def delete_stub(self, provider: str, stub_id: str) -> int: ...
    def clear_stubs(self, provider: str) -> int:
        """Delete every control-plane stub of the provider; file stubs stay."""
        ...

    # clients
    def clients(self, provider: str) -> list[dict[str, Any]]: ...
    def create_client(
        self, provider: str, client_id: str | None = None, name: str = ""
    ) -> dict[str, Any]: ...
    def rotate_client(self, provider: str, client_id: str) -> dict[str, Any]: ...
    def set_client_active(self, provider: str, client_id: str, active: bool) -> dict[str, Any]: ...
