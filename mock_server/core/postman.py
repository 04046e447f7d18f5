"""A provider's Postman v2.1 collection and environment, built from its served OpenAPI document.

Every operation of the document becomes a request (user-declared stubs too: they are in the
document), with the document's example body. What the document cannot say, each provider says in
its ``PostmanSpec`` (``providers/<name>/postman.py``): the pre-request script that signs as its doc
says, the order in which a run succeeds (create before get, delete last), the ids that exist in
the seed, and the scripts that keep what a response hands out (a token, a new order's id) in the
environment for the requests after it.

Postman resolves ``{{variables}}`` only after the pre-request script has run, so a script that
signs the path or the body reads them through ``pm.variables.replaceIn``; Digitalent's own script
reads them as they are, so its paths and bodies carry no variable.
"""

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

# Not from core.openapi, which imports FastAPI: a collection is built from a document alone.
Document = dict[str, Any]
Operation = dict[str, Any]
Export = dict[str, dict[str, Any]]
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")

SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
# Every request of a run must succeed: the collection checks it, so Postman's runner and newman
# say which one did not.
STATUS_TEST = 'pm.test("2xx", function () { pm.expect(pm.response.code).to.be.within(200, 299); });'
NO_BODY = object()  # a Step's body: send none, whatever the document's example


@dataclass(frozen=True)
class Variable:
    key: str
    value: str
    secret: bool = False  # shown masked in Postman
    description: str = ""


@dataclass(frozen=True)
class Step:
    """How one operation is sent, where the document's defaults would not succeed."""

    # The path as sent: seed ids, or {{variables}} a response before set. Default: the
    # template with each parameter's example (or its name as a {{variable}}).
    path: str | None = None
    body: Any = None  # JSON-able; None: the document's example; NO_BODY: none
    media_type: str | None = None  # which of the operation's request media types to send
    query: Mapping[str, str] = field(default_factory=dict)
    test: str = ""  # JavaScript run on the response: keep what later requests need
    description: str = ""


@dataclass(frozen=True)
class PostmanSpec:
    package: str  # where ``script`` lives, e.g. "mock_server.providers.joss"
    script: str  # the file of the collection's pre-request script in that package
    variables: tuple[Variable, ...]
    # "METHOD /path/template" in run order; operations not named follow in document order.
    order: tuple[str, ...] = ()
    steps: Mapping[str, Step] = field(default_factory=dict)
    description: str = ""

    def prerequest(self) -> str:
        return resources.files(self.package).joinpath(self.script).read_text("utf-8")


def operations(document: Document) -> list[tuple[str, str, Operation]]:
    """``(METHOD, path, operation)`` for every operation of the document."""
    return [
        (method.upper(), path, operation)
        for path, path_item in document.get("paths", {}).items()
        for method, operation in path_item.items()
        if method in HTTP_METHODS
    ]


def key(method: str, path: str) -> str:
    return f"{method.upper()} {path}"


def ordered(document: Document, order: Sequence[str]) -> list[tuple[str, str, Operation]]:
    found = {key(m, p): (m, p, op) for m, p, op in operations(document)}
    first = [found[k] for k in order if k in found]
    named = set(order)
    return first + [entry for k, entry in found.items() if k not in named]


def parameter_example(parameter: dict[str, Any]) -> Any:
    if "example" in parameter:
        return parameter["example"]
    schema = parameter.get("schema", {})
    if "example" in schema:
        return schema["example"]
    if schema.get("examples"):
        return schema["examples"][0]
    return None


def default_path(path: str, operation: Operation) -> str:
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "path":
            value = parameter_example(parameter)
            text = f"{{{{{parameter['name']}}}}}" if value is None else str(value)
            path = path.replace("{" + parameter["name"] + "}", text)
    return path


def body_example(media: dict[str, Any]) -> Any:
    if "example" in media:
        return media["example"]
    for example in media.get("examples", {}).values():
        if isinstance(example, dict) and "value" in example:
            return example["value"]
    return None


def request_body(operation: Operation, step: Step) -> tuple[str, Any] | None:
    """``(media type, example)`` of what the request sends, or None for no body."""
    if step.body is NO_BODY:
        return None
    content = operation.get("requestBody", {}).get("content", {})
    media_type = step.media_type or next(iter(content), None)
    if step.body is not None:
        return media_type or "application/json", step.body
    if media_type is None:
        return None
    example = body_example(content.get(media_type, {}))
    return None if example is None else (media_type, example)


def raw_body(media_type: str, example: Any) -> dict[str, Any]:
    if media_type == "application/x-www-form-urlencoded" and isinstance(example, dict):
        pairs = [{"key": k, "value": str(v)} for k, v in example.items()]
        return {"mode": "urlencoded", "urlencoded": pairs}
    text = example if isinstance(example, str) else json.dumps(example, ensure_ascii=False)
    body: dict[str, Any] = {"mode": "raw", "raw": text}
    if media_type == "application/json":
        body["options"] = {"raw": {"language": "json"}}
    return body


def url(path: str, query: Mapping[str, str], operation: Operation) -> dict[str, Any]:
    given = [{"key": k, "value": v} for k, v in query.items()]
    # The optional query parameters, listed but off: tick one in Postman to send it.
    offered = [
        {
            "key": p["name"],
            "value": "" if parameter_example(p) is None else str(parameter_example(p)),
            "disabled": True,
            "description": p.get("description", ""),
        }
        for p in operation.get("parameters", [])
        if p.get("in") == "query" and p["name"] not in query
    ]
    items = given + offered
    raw = "{{base_url}}" + path
    if given:
        raw += "?" + "&".join(f"{q['key']}={q['value']}" for q in given)
    out: dict[str, Any] = {
        "raw": raw,
        "host": ["{{base_url}}"],
        "path": [segment for segment in path.split("/") if segment],
    }
    if items:
        out["query"] = items
    return out


def item(method: str, path: str, operation: Operation, step: Step) -> dict[str, Any]:
    sent_path = step.path or default_path(path, operation)
    headers: list[dict[str, str]] = []
    request: dict[str, Any] = {"method": method, "header": headers}
    body = request_body(operation, step)
    if body is not None:
        media_type, example = body
        headers.append({"key": "Content-Type", "value": media_type})
        request["body"] = raw_body(media_type, example)
    request["url"] = url(sent_path, step.query, operation)
    description = "\n\n".join(
        part for part in (operation.get("description") or "", step.description) if part
    )
    if description:
        request["description"] = description
    entry: dict[str, Any] = {
        "name": operation.get("summary") or f"{method} {path}",
        "request": request,
    }
    if step.test:
        entry["event"] = [script_event("test", step.test)]
    return entry


def script_event(listen: str, source: str) -> dict[str, Any]:
    return {"listen": listen, "script": {"type": "text/javascript", "exec": source.splitlines()}}


def stable_id(*parts: str) -> str:
    """The same id for the same provider on every export, so a re-import replaces the old one."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "mock-server:" + ":".join(parts)))


def collection(
    name: str, title: str, document: Document, spec: PostmanSpec, base_url: str
) -> dict[str, Any]:
    """The Postman v2.1 collection of every operation of ``document``, in ``spec``'s order."""
    items = [
        item(method, path, operation, spec.steps.get(key(method, path), Step()))
        for method, path, operation in ordered(document, spec.order)
    ]
    return {
        "info": {
            "_postman_id": stable_id(name, "collection"),
            "name": f"{title} (mock-server)",
            "description": spec.description,
            "schema": SCHEMA,
        },
        "item": items,
        "event": [
            script_event("prerequest", spec.prerequest()),
            script_event("test", STATUS_TEST),
        ],
        # The environment's values win; these let the collection run on its own against the
        # sandbox it was exported from.
        "variable": [{"key": "base_url", "value": base_url}],
    }


def environment(
    name: str, title: str, spec: PostmanSpec, base_url: str, admin_url: str
) -> dict[str, Any]:
    """The environment: the provider's and the control plane's base URLs, demo credentials."""
    values = [
        Variable("base_url", base_url, description=f"{title} in the sandbox"),
        Variable("admin_url", admin_url, description="the sandbox's control plane"),
        *spec.variables,
    ]
    return {
        "id": stable_id(name, "environment"),
        "name": f"{title} (mock-server)",
        "values": [
            {
                "key": v.key,
                "value": v.value,
                "type": "secret" if v.secret else "default",
                "enabled": True,
                **({"description": v.description} if v.description else {}),
            }
            for v in values
        ],
        "_postman_variable_scope": "environment",
    }


def file_names(name: str) -> tuple[str, str]:
    """The files ``mock-server postman`` writes for a provider: collection, environment."""
    return f"{name}.postman_collection.json", f"{name}.postman_environment.json"


def export(
    name: str, title: str, spec: PostmanSpec, document: Document, base_url: str, admin_url: str
) -> Export:
    """``{"collection", "environment"}`` of a provider, from its served ``document``."""
    return {
        "collection": collection(name, title, document, spec, base_url),
        "environment": environment(name, title, spec, base_url, admin_url),
    }
