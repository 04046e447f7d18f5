"""The provider routes whose handler takes nothing but the request's context, called directly.

Most handlers are ``async def handler(ctx: Call) -> Response``: the pipeline has already read the
body, authenticated the client and built the ``RequestContext``, and the handler parses what it
needs itself. For those, FastAPI's per-request machinery (its middleware stack, route matching,
the request object, dependency solving) costs more than the handler, so a request whose method
and path name such a route exactly is handed to it here. Everything else, and every route with
path, query, header or body parameters, goes through FastAPI as before; FastAPI still declares all
of them (the OpenAPI document is unchanged).

The answer is the same either way: the handler's own ``Response``, or its ``ProviderError``
rendered as FastAPI's installed handler renders it (``pipeline.render_rejection``).
"""

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.routing import APIRoute
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from mock_server.core.context import context_of, request_context
from mock_server.core.errors import ProviderError
from mock_server.core.pipeline import render_rejection
from mock_server.core.provider import RenderError

Handler = Callable[..., Awaitable[Response]]


class DirectRoutes:
    """The provider's FastAPI app, with its context-only static routes called directly."""

    def __init__(self, app: FastAPI, render_error: RenderError) -> None:
        self.app = app
        self.router = app.router  # what the stub router matches a path against
        self.render_error = render_error
        self.routes = direct_routes(app)
        # The app's own middleware (appkey's Content-Language) wraps the direct call too, in
        # the order Starlette stacks it.
        direct: ASGIApp = self.call_direct
        for cls, args, kwargs in reversed(app.user_middleware):
            direct = cls(direct, *args, **kwargs)
        self.direct = direct

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Dependency overrides (a test's) are FastAPI's to apply.
        if (
            scope["type"] == "http"
            and not scope.get("root_path")
            and (scope["method"], scope["path"]) in self.routes
            and context_of(scope) is not None
            and not self.app.dependency_overrides
        ):
            await self.direct(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def call_direct(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler, name = self.routes[(scope["method"], scope["path"])]
        try:
            response = await handler(**{name: context_of(scope)})
        except ProviderError as err:
            response = render_rejection(Request(scope), err, self.render_error)
        await response(scope, receive, send)


def direct_routes(app: FastAPI) -> dict[tuple[str, str], tuple[Handler, str]]:
    """``(method, path)`` -> the handler and the name of its context parameter, for each route
    FastAPI would match to that exact method and path, and whose handler takes only the
    context and says it returns a ``Response`` (so FastAPI would send it as it is)."""
    direct: dict[tuple[str, str], tuple[Handler, str]] = {}
    routes = list(app.router.routes)
    for at, route in enumerate(routes):
        if not isinstance(route, APIRoute) or (name := context_only(route)) is None:
            continue
        for method in route.methods or ():
            # Starlette takes the first route that matches method and path in full (a route
            # with a parameter, declared earlier, would win): then FastAPI keeps the request.
            if not any(full_match(r, method, route.path) for r in routes[:at]):
                direct.setdefault((method, route.path), (route.endpoint, name))
    return direct


def context_only(route: APIRoute) -> str | None:
    """The context parameter's name, if it is all the handler takes; else None."""
    dependant = route.dependant
    if "{" in route.path or route.dependencies:
        return None
    if not inspect.iscoroutinefunction(route.endpoint) or not _returns_response(route):
        return None
    params = (
        dependant.path_params,
        dependant.query_params,
        dependant.header_params,
        dependant.cookie_params,
        dependant.body_params,
    )
    if any(params) or dependant.request_param_name or dependant.response_param_name:
        return None
    if dependant.background_tasks_param_name or dependant.security_scopes_param_name:
        return None
    if dependant.websocket_param_name or dependant.http_connection_param_name:
        return None
    if len(dependant.dependencies) != 1:
        return None
    (sub,) = dependant.dependencies
    return sub.name if sub.call is request_context and not sub.dependencies else None


def _returns_response(route: APIRoute) -> bool:
    returns = route.endpoint.__annotations__.get("return")
    return isinstance(returns, type) and issubclass(returns, Response)


def full_match(route: Any, method: str, path: str) -> bool:
    scope = {"type": "http", "path": path, "root_path": "", "method": method}
    match, _ = route.matches(scope)
    return bool(match == Match.FULL)
