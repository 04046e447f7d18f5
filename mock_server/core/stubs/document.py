"""A provider's stubs in its OpenAPI document: one operation each, added before the provider
completes the document, so that each gets the provider's security, headers and error answers as
a built-in operation does. A stub on a built-in's method and path replaces its operation."""

import re
from typing import Any

from mock_server.core.openapi import Document
from mock_server.core.stubs.book import StubBook
from mock_server.core.stubs.model import CompiledStub, shape_of

_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


class StubOperations:
    """``core.openapi.Extension`` for one provider's stubs."""

    def __init__(self, book: StubBook, provider: str) -> None:
        self.book = book
        self.provider = provider

    def signature(self) -> object:
        return self.book.signature(self.provider)

    def extend(self, document: Document) -> None:
        paths = document.setdefault("paths", {})
        for stub in self.book.listed(self.provider):
            path, names = path_key(paths, stub)
            paths.setdefault(path, {})[stub.method.lower()] = operation(stub, names)


def path_key(paths: dict[str, Any], stub: CompiledStub) -> tuple[str, list[str]]:
    """Where the operation goes: under a built-in's path of the same shape (a document may not
    hold ``/x/{id}`` and ``/x/{nik}`` both), with that path's parameter names."""
    shape = shape_of(stub.path)
    for path in paths:
        if shape_of(path) == shape:
            return path, _PARAM.findall(path)
    return stub.path, list(stub.params)


def operation(stub: CompiledStub, names: list[str]) -> dict[str, Any]:
    spec = stub.stub
    described = {
        "GET": "answers",
        "DELETE": "forgets",
        "POST": "stores",
        "PUT": "stores",
        "PATCH": "stores",
    }
    description = f"A stub ({stub.source}), served behind the provider's own authentication."
    if spec.state is not None:
        description += (
            f" Stateful: it {described[spec.method]} what is stored under the path parameter "
            f"{names[list(stub.params).index(spec.state.key)]}; 404 when nothing is."
        )
    answer: dict[str, Any] = {"description": f"the stub's answer ({spec.response.status})"}
    if spec.response.body is not None:
        kind = "text/plain" if isinstance(spec.response.body, str) else "application/json"
        answer["content"] = {kind: {"schema": {}, "example": spec.response.body}}
    op: dict[str, Any] = {
        "tags": ["stubs"],
        "summary": spec.summary or f"{spec.method} {spec.path} (stub)",
        "description": description,
        "operationId": "stub_" + re.sub(r"[^A-Za-z0-9_]", "_", stub.id),
        "responses": {str(spec.response.status): answer},
    }
    if names:
        op["parameters"] = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in names
        ]
    if spec.request is not None and (spec.request.body is not None or spec.request.body_schema):
        media: dict[str, Any] = {"schema": spec.request.body_schema or {}}
        if spec.request.body is not None:
            media["example"] = spec.request.body
        op["requestBody"] = {"required": True, "content": {"application/json": media}}
    return op
