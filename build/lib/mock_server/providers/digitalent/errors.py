"""Digitalent's error shape.

The doc gives only the messages ("Missing required headers", "Invalid or inactive Client ID",
"Request timestamp expired", "Invalid signature"), not a body. The mock's choice:
``{"success": false, "message": <documented message>, "detail": <what exactly>, "errors": [...]}``,
the same envelope as successes (``success``, ``message``, ``data``). ``detail`` and ``errors``
appear only when there is something to say.
"""

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from mock_server.core.errors import ProviderError


def render_error(err: ProviderError, request: Request) -> JSONResponse:
    if err.body is not None:
        return JSONResponse(err.body, status_code=err.status)
    body: dict[str, Any] = {"success": False, "message": err.message}
    if err.detail:
        body["detail"] = err.detail
    if err.errors:
        body["errors"] = err.errors
    return JSONResponse(body, status_code=err.status)


def bad_request(detail: str, errors: list[dict[str, Any]] | None = None) -> ProviderError:
    return ProviderError(400, "validation", "Bad Request", detail=detail, errors=errors)


def not_found(what: str, ident: object) -> ProviderError:
    return ProviderError(
        404, "not_found", f"{what} not found", detail=f"no {what.lower()} with id {ident}"
    )
