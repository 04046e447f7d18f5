"""Fault injection: error statuses, latency and dropped connections, on purpose."""

from typing import TYPE_CHECKING, Any, Literal

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field, model_validator

if TYPE_CHECKING:
    from mock_server.app import Sandbox


class FaultIn(BaseModel):
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


def faults_router(sandbox: "Sandbox") -> APIRouter:
    router = APIRouter(prefix="/__admin/faults", tags=["faults"])
    names = {p.name for p in sandbox.providers}

    @router.post("", status_code=201)
    async def add_fault(fault: FaultIn) -> dict[str, Any]:
        """Add a rule; it applies before auth, as an outage would."""
        if fault.provider not in names:
            raise HTTPException(404, f"unknown provider {fault.provider!r}; known: {sorted(names)}")
        rule = fault.model_dump(exclude={"times"}) | {"remaining": fault.times}
        if rule["action"] == "status" and rule["status"] == 429 and rule["retry_after"] is None:
            rule["retry_after"] = 1  # a 429 without Retry-After teaches clients nothing
        return sandbox.faults.add(**rule)

    @router.get("")
    async def list_faults(provider: str | None = None) -> list[dict[str, Any]]:
        """Every rule, with how many applications remain."""
        return sandbox.faults.rules(provider)

    @router.delete("/{rule_id}")
    async def delete_fault(rule_id: str) -> dict[str, int]:
        if not sandbox.faults.delete(rule_id):
            raise HTTPException(404, f"no fault rule {rule_id!r}")
        return {"deleted": 1}

    @router.delete("")
    async def delete_faults() -> dict[str, int]:
        return {"deleted": sandbox.faults.delete()}

    return router
