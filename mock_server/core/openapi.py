"""A provider's OpenAPI document, completed with what FastAPI cannot see.

FastAPI derives paths and query and path parameters from the routes. It cannot see the rest:
handlers read raw bodies (so a bad body gets the provider's own answer, not FastAPI's), auth runs
in the pipeline before routing, and every rejection is rendered by the provider's
``render_error``. So each provider completes the document: request bodies (``json_body``, given
to a route as ``openapi_extra``), its credentials (security schemes and header parameters), and
its error answers (``add_errors``), whose examples ``render_error`` itself renders
(``rendered``), so the document shows exactly what the sandbox answers.

The document is built on first request and kept (``app.openapi_schema``): start-up pays nothing.
"""

import json
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from starlette.requests import Request

from mock_server.core.errors import ProviderError
from mock_server.core.provider import RenderError

Document = dict[str, Any]
Operation = dict[str, Any]
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options", "trace"})
# FastAPI's own 422 answer, which no provider gives: each renders invalid parameters itself.
FASTAPI_VALIDATION = ("HTTPValidationError", "ValidationError")
# The field-by-field list every provider's error body carries for a body that fails validation.
FIELD_ERRORS = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
    },
}


class Extension(Protocol):
    """Operations the routes do not declare (a provider's stubs), added before ``complete``."""

    def signature(self) -> object:
        """Changes whenever the operations do: the document is rebuilt then."""
        ...

    def extend(self, document: Document) -> None: ...


# Beside the apps, not in their state: an app's state is for what its requests share.
_EXTENSIONS: "weakref.WeakKeyDictionary[FastAPI, Extension]" = weakref.WeakKeyDictionary()


def extend(app: FastAPI, extension: Extension) -> None:
    """Add ``extension``'s operations to the document ``install`` gave ``app``."""
    _EXTENSIONS[app] = extension


def install(app: FastAPI, complete: Callable[[Document], None]) -> None:
    """Make ``app.openapi()`` FastAPI's document completed by ``complete``, built once, lazily
    (and again when an ``extend``-ed app's extension changes)."""
    built_for: list[object] = [None]

    def document() -> Document:
        extension = _EXTENSIONS.get(app)
        signature = extension.signature() if extension is not None else None
        if app.openapi_schema is None or built_for[0] != signature:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
            )
            _drop_fastapi_validation(schema)
            if extension is not None:
                extension.extend(schema)
            complete(schema)
            app.openapi_schema, built_for[0] = schema, signature
        return app.openapi_schema

    # The method is assigned on the instance (FastAPI's documented way), hence the ignore.
    app.openapi = document  # type: ignore[method-assign]


def _drop_fastapi_validation(document: Document) -> None:
    for _, _, operation in operations(document):
        answer = operation.get("responses", {}).get("422", {})
        if "HTTPValidationError" in json.dumps(answer):
            del operation["responses"]["422"]
    schemas = document.get("components", {}).get("schemas", {})
    for name in FASTAPI_VALIDATION:
        schemas.pop(name, None)
    if "components" in document and not schemas:
        document["components"].pop("schemas", None)


def operations(document: Document) -> Iterator[tuple[str, str, Operation]]:
    """``(METHOD, path, operation)`` for every operation of the document."""
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield method.upper(), path, operation


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def json_body(
    model: type[BaseModel] | str,
    example: Any,
    *,
    required: bool = True,
    description: str | None = None,
) -> dict[str, Any]:
    """A route's ``openapi_extra`` for a JSON body the handler parses itself. ``model``: the
    pydantic model (added by ``add_models``), or the name of a schema the provider adds."""
    name = model if isinstance(model, str) else model.__name__
    content = {"application/json": {"schema": ref(name), "example": example}}
    body: dict[str, Any] = {"required": required, "content": content}
    if description:
        body["description"] = description
    return {"requestBody": body}


def add_models(document: Document, models: Iterable[type[BaseModel]]) -> None:
    """The body models, under ``components/schemas`` (their nested models beside them)."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for model in models:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema


def add_schemas(document: Document, schemas: Mapping[str, Any]) -> None:
    document.setdefault("components", {}).setdefault("schemas", {}).update(schemas)


def add_security_schemes(document: Document, schemes: Mapping[str, Any]) -> None:
    document.setdefault("components", {}).setdefault("securitySchemes", {}).update(schemes)


def add_parameters(operation: Operation, parameters: Sequence[dict[str, Any]]) -> None:
    """Header parameters, after the route's own (none is added twice)."""
    present = {(p["in"], p["name"].lower()) for p in operation.get("parameters", [])}
    for parameter in parameters:
        if (parameter["in"], parameter["name"].lower()) not in present:
            operation.setdefault("parameters", []).append(parameter)


def header(name: str, description: str, schema: dict[str, Any], *, required: bool = True) -> Any:
    return {
        "name": name,
        "in": "header",
        "required": required,
        "description": description,
        "schema": schema,
    }


@dataclass(frozen=True)
class ErrorAnswer:
    """One way an operation is refused: its status, the schema of the body, and an example."""

    status: int
    description: str
    schema: str  # a name under components/schemas
    example: Any
    key: str = ""  # names the example where one status has several (the journal's rule)


def add_errors(
    operation: Operation,
    answers: Iterable[ErrorAnswer],
    media_types: Sequence[str] = ("application/json",),
) -> None:
    """The answers, under ``responses``: one entry per status, one example per answer (under
    the first media type: an example is written in one)."""
    responses = operation.setdefault("responses", {})
    for answer in answers:
        entry = responses.setdefault(str(answer.status), {"description": answer.description})
        if answer.description not in entry["description"].split("; "):
            entry["description"] += "; " + answer.description
        content = entry.setdefault("content", {})
        for media in media_types:
            content.setdefault(media, {"schema": ref(answer.schema)})
        key = answer.key or str(answer.status)
        content[media_types[0]].setdefault("examples", {})[key] = {
            "summary": answer.description,
            "value": answer.example,
        }
    operation["responses"] = dict(sorted(responses.items()))


def rendered(
    render_error: RenderError,
    err: ProviderError,
    *,
    path: str = "/",
    headers: Mapping[str, str] | None = None,
) -> Any:
    """What the provider answers ``err`` with, as JSON: the example is the real answer."""
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
    }
    response = render_error(err, Request(scope))
    return json.loads(bytes(response.body))


def answer(
    render_error: RenderError,
    schema: str,
    err: ProviderError,
    description: str,
    *,
    path: str = "/",
    headers: Mapping[str, str] | None = None,
) -> ErrorAnswer:
    """``err`` as an operation's documented answer, its example rendered by ``render_error``."""
    example = rendered(render_error, err, path=path, headers=headers)
    return ErrorAnswer(err.status, description, schema, example, err.rule)


# The pipeline's own answers, the same for every provider (each renders them in its shape).
def pipeline_errors() -> dict[str, ProviderError]:
    return {
        "body_too_large": ProviderError(
            413,
            "body_too_large",
            "Payload Too Large",
            detail="the request body is 2000000 bytes; the limit is 1048576 bytes",
        ),
        "rate_limit": ProviderError(
            429,
            "rate_limit",
            "Too Many Requests",
            detail="more than 60 requests in 60 s from this client",
        ),
        "fault": ProviderError(
            503, "fault", "Service Unavailable", detail="injected by fault rule 1"
        ),
    }
