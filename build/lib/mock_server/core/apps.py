"""How a provider's routes become its app: module-level routers, no state of their own.

Handlers receive the request's ``RequestContext`` (and through it the provider's backend) through
one dependency; ``provider_app`` adds only the provider's error shape.
"""

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, FastAPI

from mock_server.core.pipeline import NO_TELEMETRY, install_error_handlers
from mock_server.core.provider import RenderError


def provider_app(
    routers: Sequence[APIRouter], render_error: RenderError, *, title: str, **fastapi: Any
) -> FastAPI:
    """``fastapi``: further ``FastAPI(...)`` arguments (no docs pages unless given)."""
    options: dict[str, Any] = {"docs_url": None, "redoc_url": None} | fastapi
    app = FastAPI(telemetry=NO_TELEMETRY, title=title, **options)
    install_error_handlers(app, render_error)
    for router in routers:
        # The routes themselves, not include_router: FastAPI matches an included router as a
        # nested group, which costs every request a second round of matching.
        app.router.routes.extend(router.routes)
    return app
