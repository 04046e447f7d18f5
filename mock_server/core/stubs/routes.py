"""Stubs as the first routes of a provider's app: the pipeline runs journal, faults, body limit,
auth and rate limit, then hands the request here; a stub whose method and path match answers it,
anything else goes on to the provider's own routes. So a stub gets everything a built-in
endpoint gets, and a stub on a built-in's method and path answers in its place.

Every failure a stub can meet on a request is the request's (or the stub author's) to fix, never
the sandbox's: a value the template needs that the request lacks is 400, nothing stored under the
key is 404, a method the stubbed path does not take is 405; each in the provider's error shape,
with the reason in the journal.
"""

import json
import os
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from mock_server.core import jsonbody
from mock_server.core.context import RequestContext, context_of
from mock_server.core.errors import ProviderError
from mock_server.core.redact import ALWAYS_SECRET_HEADERS
from mock_server.core.stubs.book import StubBook
from mock_server.core.stubs.model import CompiledStub, shape_of
from mock_server.core.stubs.render import Fields, Render, RenderFailed, helpers, plain

NO_BODY = frozenset({204, 304})


class LazyFaker:
    """Faker (``id_ID``), made on first use: importing it is slow, and a sandbox whose stubs
    never call ``fake`` should not pay for it.

    Only Faker's data methods (``fake.name()``, ``fake.nik()``…) are reachable: its generator's
    own methods (``get_formatter``, ``format``, ``parse``, ``seed``, ``add_provider``) look up
    attributes by name with a plain ``getattr``, past Jinja2's sandbox, and would hand a
    template Python's internals."""

    _faker: Any = None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if LazyFaker._faker is None:
            from faker import Faker

            faker = Faker("id_ID")
            # A generator of its own, seeded in this process: unseeded Fakers share one
            # module-level Random, which forked --workers would share too (every worker
            # rendering the same names in the same order).
            faker.seed_instance(secrets.randbits(64))
            LazyFaker._faker = faker
        from faker.providers import BaseProvider

        target = getattr(LazyFaker._faker, name, None)
        if not callable(target) or not isinstance(getattr(target, "__self__", None), BaseProvider):
            raise AttributeError(f"fake.{name} is not one of Faker's data methods")
        return target


FAKE = LazyFaker()


def _forget_faker() -> None:
    LazyFaker._faker = None


os.register_at_fork(after_in_child=_forget_faker)  # each worker seeds its own on first use


class StubRouter:
    def __init__(self, app: ASGIApp, book: StubBook, provider: str) -> None:
        self.app = app
        self.book = book
        self.provider = provider

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ctx = context_of(scope) if scope["type"] == "http" else None
        stubs = self.book.of(self.provider) if ctx is not None else []
        if ctx is None or not stubs:
            await self.app(scope, receive, send)
            return
        allowed: list[str] = []
        for stub in stubs:
            params = stub.match(ctx.path)
            if params is None:
                continue
            if stub.method == ctx.method:
                response = self.answer(stub, params, ctx)
                await response(scope, receive, send)
                return
            allowed.append(stub.method)
        if allowed and not self.routed(scope):
            raise ProviderError(
                405,
                "method_not_allowed",
                "Method Not Allowed",
                detail=f"{ctx.method} is not allowed on {ctx.path} (its stubs take "
                f"{', '.join(sorted(set(allowed)))})",
                headers={"Allow": ", ".join(sorted(set(allowed)))},
            )
        await self.app(scope, receive, send)

    def routed(self, scope: Scope) -> bool:
        """Whether one of the provider's own routes takes this path (with any method)."""
        routes = getattr(getattr(self.app, "router", None), "routes", ())
        return any(route.matches(scope)[0] != Match.NONE for route in routes)

    # -- one stub, one request -----------------------------------------------------------------
    def answer(
        self, stub: CompiledStub, params: dict[str, str], ctx: RequestContext[Any]
    ) -> Response:
        # A value the journal's path hides (the KYC page token) stays hidden here too.
        shown = {k: v if v in ctx.record.path else "<redacted>" for k, v in params.items()}
        ctx.record.diagnosis["stub"] = {
            "id": stub.id,
            "source": stub.source,
            "matched": f"{stub.method} {stub.path}",
            **({"path_parameters": shown} if params else {}),
        }
        values = template_values(ctx, params)
        spec = stub.stub.state
        if spec is None:
            return self.render(stub, values)
        name = spec.name or shape_of(stub.path)
        key = params[spec.key]
        found, stored = self.book.read(self.provider, name, key)
        values["state"] = plain(stored)
        if ctx.method in ("GET", "DELETE"):
            if not found:
                raise nothing_stored(stub, spec.key, key)
            if stub.body is None and ctx.method == "GET":  # what was stored, as it was
                return self.send(stub, stored, values)
            response = self.render(stub, values)
            # Only once the answer is rendered: a refused DELETE forgets nothing.
            if ctx.method == "DELETE":
                self.book.remove(self.provider, name, key)
            return response
        if spec.store == "request":
            value = values["state"] = request_json(ctx, stub)
            response = self.render(stub, values)
        else:
            value = self.rendered_body(stub, values)
            response = self.send(stub, value, values)
        # Only once the answer is rendered: a refused request stores nothing.
        self.book.store(self.provider, name, key, value, ctx.now)
        ctx.record.diagnosis["stub"]["stored"] = f"{name} {spec.key}={shown[spec.key]}"
        return response

    def rendered_body(self, stub: CompiledStub, values: dict[str, Any]) -> Any:
        if stub.body is None:
            return None
        return attempt(stub, stub.body.render, values)

    def render(self, stub: CompiledStub, values: dict[str, Any]) -> Response:
        return self.send(stub, self.rendered_body(stub, values), values)

    def send(self, stub: CompiledStub, body: Any, values: dict[str, Any]) -> Response:
        headers = {
            name: header_value(stub, name, attempt(stub, render, values))
            for name, render in stub.headers.items()
        }
        status = stub.stub.response.status
        media_type: str | None = None
        if status in NO_BODY or body is None:
            content = b""
        elif isinstance(body, str):
            content, media_type = body.encode(), "text/plain; charset=utf-8"
        else:
            content = json.dumps(body, ensure_ascii=False).encode()
            media_type = "application/json"
        if any(name.lower() == "content-type" for name in headers):
            media_type = None  # the stub's own wins
        return Response(content, status_code=status, headers=headers, media_type=media_type)


def attempt(stub: CompiledStub, render: Render, values: Mapping[str, Any]) -> Any:
    try:
        return render(values)
    except RenderFailed as exc:
        raise template_error(stub, str(exc)) from None


def template_error(stub: CompiledStub, why: str) -> ProviderError:
    """The stub's 400: its answer could not be made from this request."""
    return ProviderError(
        400,
        "stub_template",
        "Bad Request",
        detail=f"{why} (the answer of stub {stub.id} needs it)",
        diagnosis={
            "hints": [
                f"stub {stub.id} ({stub.source}) renders its answer from the request; send "
                "what its templates read, or give the template a default "
                "(e.g. {{ body.nama | default('') }})"
            ]
        },
    )


def header_value(stub: CompiledStub, name: str, value: Any) -> str:
    """A rendered header as HTTP carries it safely: printable ASCII. A request
    value echoed into a header (``{{ query.q }}``) could hold a line break or a non-ASCII
    character, and the connection broke after the answer had started (or it was a 500)."""
    text = str(value)
    if any(not (c == "\t" or " " <= c <= "~") for c in text):
        raise template_error(stub, f"header {name} would carry {text[:40]!r}, which HTTP cannot")
    return text


def nothing_stored(stub: CompiledStub, param: str, key: str) -> ProviderError:
    return ProviderError(
        404,
        "stub_state",
        "Not Found",
        detail=f"nothing is stored under {param} {key!r} (POST or PUT it first)",
        diagnosis={"hints": [f"stub {stub.id} answers what a POST or PUT stored under {param}"]},
    )


def request_json(ctx: RequestContext[Any], stub: CompiledStub) -> Any:
    if not ctx.body.strip():
        return None
    try:
        return jsonbody.loads(ctx.body)
    except ValueError as exc:
        raise ProviderError(
            400,
            "stub_body",
            "Bad Request",
            detail=f"stub {stub.id} stores the request's JSON body; this one is not JSON ({exc})",
        ) from None


def request_body(ctx: RequestContext[Any]) -> Any:
    """The body as a template reads it: JSON, else a form, else its text."""
    if not ctx.body.strip():
        return Fields("body", {})
    try:
        parsed = jsonbody.loads(ctx.body)
    except ValueError:
        text = ctx.body.decode("utf-8", "replace")
        if "form-urlencoded" in ctx.headers.get("content-type", ""):
            return Fields("body", dict(parse_qsl(text, keep_blank_values=True)))
        return text
    return Fields("body", parsed) if isinstance(parsed, dict) else parsed


def visible_headers(ctx: RequestContext[Any]) -> dict[str, str]:
    """The request's headers but its credentials: an answer echoing one would put it in clear
    in the journal's excerpt of the answer."""
    hidden = ALWAYS_SECRET_HEADERS | ctx.record.secret_headers
    return {name: value for name, value in ctx.headers.items() if name not in hidden}


def template_values(ctx: RequestContext[Any], params: dict[str, str]) -> dict[str, Any]:
    query: dict[str, str] = {}
    for name, value in parse_qsl(ctx.query, keep_blank_values=True):
        query.setdefault(name, value)  # the first of each, as most frameworks read it
    return {
        **helpers(),
        "path": Fields("path", params),
        "query": Fields("query", query),
        "body": request_body(ctx),
        "headers": Fields("headers", visible_headers(ctx), fold_case=True),
        "fake": FAKE,
        "now": datetime.fromtimestamp(ctx.now, UTC),
        "state": None,
        "client_id": ctx.principal.client_id,
        "method": ctx.method,
    }
