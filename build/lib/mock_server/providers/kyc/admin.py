"""Control-plane routes under ``/__admin/kyc``: the server public key clients must encrypt to,
and the validation sessions, so a CI test can assert that a patient was validated."""

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from starlette.responses import PlainTextResponse

from mock_server.core.jsonbody import JSONRoute
from mock_server.providers.kyc.state import KycState, session_json


def build_admin_router(state: KycState) -> APIRouter:
    router = APIRouter(tags=["kyc"], route_class=JSONRoute)

    def now() -> float:
        # The control plane has no request context: each answer reads the sandbox clock.
        return state.ctx.clock.timestamp()

    @router.get("/public-key", response_class=PlainTextResponse)
    async def public_key() -> PlainTextResponse:
        """The sandbox's SATUSEHAT server public key (PEM): configure client libraries with it."""
        return PlainTextResponse(state.public_pem, media_type="application/x-pem-file")

    @router.get("/patients")
    async def patients(limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[dict[str, Any]]:
        """Patients, seeded first: NIKs to try challenge-code with."""
        return state.patients(limit)

    @router.get("/sessions")
    async def sessions(limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[dict[str, Any]]:
        """Validation sessions, newest first, with their status (pending, validated, expired)."""
        return state.sessions(limit, now())

    @router.get("/sessions/{token}")
    async def session(token: str) -> dict[str, Any]:
        """One validation session by the token of its validation-web URL."""
        row = state.session(token)
        if row is None:
            raise HTTPException(404, f"no validation session {token}")
        return session_json(row, now())

    return router
