"""The sandbox clock: read it, freeze it, move it, or return it to real time."""

from typing import TYPE_CHECKING, Any, Literal

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field, model_validator

from mock_server.core.clock import parse_iso8601

if TYPE_CHECKING:
    from mock_server.app import Sandbox


class ClockChange(BaseModel):
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


def in_range(timestamp: float) -> bool:
    """Every date the sandbox prints (UTC, WIB) must exist."""
    return 0 <= timestamp < 253_370_764_800  # 9998-12-31


def clock_router(sandbox: "Sandbox") -> APIRouter:
    router = APIRouter(prefix="/__admin/clock", tags=["clock"])

    @router.get("")
    async def read_clock() -> dict[str, Any]:
        """The sandbox's now, and whether it is frozen or offset."""
        return sandbox.clock.state()

    @router.post("")
    async def change_clock(change: ClockChange) -> dict[str, Any]:
        """Freeze, advance (frozen or not), or resume real time. Every window and expiry follows."""
        if change.freeze is not None:
            if change.freeze == "now":
                sandbox.clock.freeze()
            else:
                moment = parse_iso8601(change.freeze)
                if moment is None or not in_range(moment.timestamp()):
                    raise HTTPException(
                        400,
                        f"freeze must be ISO 8601 (1970 to 9998) or 'now', got {change.freeze!r}",
                    )
                sandbox.clock.freeze(moment)
        elif change.advance_seconds is not None:
            if not in_range(sandbox.clock.timestamp() + change.advance_seconds):
                raise HTTPException(400, "that would move the clock before 1970 or past 9998")
            sandbox.clock.advance(change.advance_seconds)
        else:
            sandbox.clock.resume()
        return sandbox.clock.state()

    return router
