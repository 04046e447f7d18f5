"""Sales Order's error shape.

The doc shows only the success body (``{"message": …, "data": …}``). The mock's choice for errors
is the same envelope without ``data``: ``{"message": <what failed>, "detail": <exactly what>,
"errors": [{"field", "message"}]}``, ``detail`` and ``errors`` only when there is something to say.
"""

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from mock_server.core.errors import ProviderError


def render_error(err: ProviderError, request: Request) -> JSONResponse:
    if err.body is not None:
        return JSONResponse(err.body, status_code=err.status)
    body: dict[str, Any] = {"message": err.message}
    if err.detail:
        body["detail"] = err.detail
    if err.errors:
        body["errors"] = err.errors
    return JSONResponse(body, status_code=err.status)


def bad_request(detail: str) -> ProviderError:
    """The body cannot be read at all (not JSON, not UTF-8, not an object)."""
    return ProviderError(400, "bad_body", "Malformed request body", detail=detail)


def validation_failed(errors: list[dict[str, Any]]) -> ProviderError:
    fields = ", ".join(dict.fromkeys(e["field"] for e in errors))
    return ProviderError(
        422, "validation", "Validation failed", detail=f"invalid fields: {fields}", errors=errors
    )


def not_found(what: str, ident: object) -> ProviderError:
    return ProviderError(404, "not_found", f"{what} not found", detail=f"no {what.lower()} {ident}")
