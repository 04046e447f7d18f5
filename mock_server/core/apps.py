"""How a provider's routes become its app: module-level routers over a backend object.

A provider's route modules hold no state: ``provider_app`` stores the backend on the app, and
handlers receive it through an ``Annotated[Backend, Depends(backend_of)]`` alias, beside
``ContextDep`` for the request itself.
"""

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, FastAPI, Request

from mock_server.core.pipeline import NO_TELEMETRY, install_error_handlers
from mock_server.core.provider import RenderError


def provider_app(
    backend: object,
    routers: Sequence[APIRouter],
    render_error: RenderError,
    *,
    title: str,
    **fastapi: Any,
) -> FastAPI:
    """``fastapi``: further ``FastAPI(...)`` arguments (no docs pages unless given)."""
    options: dict[str, Any] = {"docs_url": None, "redoc_url": None} | fastapi
    app = FastAPI(telemetry=NO_TELEMETRY, title=title, **options)
    install_error_handlers(app, render_error)
    app.state.backend = backend
    for router in routers:
        app.include_router(router)
    return app


def backend_of(request: Request) -> Any:
    """The backend ``provider_app`` was built over."""
    return request.app.state.backend
