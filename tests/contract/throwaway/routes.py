"""The throwaway provider's one endpoint."""

from fastapi import APIRouter, FastAPI

from mock_server.core.apps import provider_app
from mock_server.core.context import ContextDep
from tests.contract.throwaway.errors import render_error
from tests.contract.throwaway.models import Clients

router = APIRouter()


@router.get("/v1/ping")
async def ping(ctx: ContextDep) -> dict[str, str | None]:
    return {"pong": ctx.principal.client_id}


def build_app(clients: Clients) -> FastAPI:
    return provider_app([router], render_error, title="Throwaway ping API")
