"""The throwaway provider's error shape: ``{"error": {"code", "message"}}``."""

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from mock_server.core.errors import ProviderError


def render_error(err: ProviderError, request: Request) -> JSONResponse:
    return JSONResponse({"error": {"code": err.rule, "message": err.message}}, err.status)


def is_error(body: Any) -> bool:
    return isinstance(body, dict) and isinstance(body.get("error"), dict)
