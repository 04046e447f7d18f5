"""JOSS's error shape, in JSON or XML by Accept.

The doc lists status codes and their reasons but no error body. The mock's choice, the same
envelope as successes so one parser reads both:
``{"status": <code>, "message": <the doc's wording>, "detail": <what exactly>,
"errors": [{"field": <path>, "message": ...}]}`` (``detail`` and ``errors`` only when there is
something to say). A client that accepts neither JSON nor XML gets its 406 in JSON.
"""

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from mock_server.core.errors import ProviderError
from mock_server.providers.joss.render import JSON, negotiate, render

# Wording from the doc's status table.
NOT_FOUND = "The specified resource does not exist"
FORBIDDEN = "The access token permission does not have permission to process the request"
VALIDATION = "Validation error"


def render_error(err: ProviderError, request: Request) -> Response:
    media = negotiate(request.headers.get("accept")) or JSON
    if err.body is not None:
        return render(err.body, err.status, media)
    return render(error_body(err), err.status, media)


def error_body(err: ProviderError) -> dict[str, Any]:
    body: dict[str, Any] = {"status": err.status, "message": err.message}
    if err.detail:
        body["detail"] = err.detail
    if err.errors:
        body["errors"] = err.errors
    return body


def bad_request(detail: str, rule: str = "bad_request") -> ProviderError:
    return ProviderError(400, rule, "Bad Request", detail=detail)


def validation_error(errors: list[dict[str, Any]]) -> ProviderError:
    fields = ", ".join(e["field"] for e in errors[:10])
    return ProviderError(
        422, "validation", VALIDATION, detail=f"invalid fields: {fields}", errors=errors
    )


def not_found(what: str, ident: str) -> ProviderError:
    return ProviderError(404, "not_found", NOT_FOUND, detail=f"no {what} with id {ident}")


def forbidden(what: str, ident: str) -> ProviderError:
    return ProviderError(
        403,
        "ownership",
        FORBIDDEN,
        detail=f"{what} {ident} belongs to another client",
    )
