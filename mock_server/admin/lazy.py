"""Control-plane routes built when a request first reaches them.

The dashboard and the providers' own admin routes close over one sandbox, so FastAPI analyses
their ~30 signatures for each sandbox it builds: ~25 ms before a served sandbox's first health
answer (the health check builds the admin app), and again in every test that talks to the
control plane without opening the dashboard. ``BuiltOnFirstMatch`` stands where they go in
the app's route list and builds them when a request's path is first theirs, or when the
OpenAPI document is first asked for (``materialize``)."""

import threading
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import APIRouter, FastAPI
from starlette._utils import get_route_path  # what Starlette's own routes match on
from starlette.datastructures import URLPath
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import Receive, Scope, Send


class BuiltOnFirstMatch(BaseRoute):
    """The routes ``build()`` returns, under ``prefix``, for the paths ``owns`` says are theirs
    (by default, the paths below ``prefix``)."""

    def __init__(
        self,
        prefix: str,
        build: Callable[[], APIRouter],
        owns: Callable[[str], bool] | None = None,
    ) -> None:
        self.prefix, self._build, self._owns = prefix, build, owns or under(prefix)
        self._routes: list[BaseRoute] | None = None
        self._lock = threading.Lock()  # two threads' first requests must not build twice
        self.into: APIRouter | None = None  # the app's router, set by build_admin

    @property
    def routes(self) -> list[BaseRoute]:
        if self._routes is None:
            with self._lock:
                if self._routes is None:
                    self._routes = self._included()
        return self._routes

    def _included(self) -> list[BaseRoute]:
        """The built router included into the app's own router, as ``app.include_router``
        does (so app.dependency_overrides and the router's settings apply to its routes),
        then lifted back out of the end of its route list to stand in this route's place."""
        into = self.into if self.into is not None else APIRouter()
        before = len(into.routes)
        into.include_router(self._build(), prefix=self.prefix)
        included = into.routes[before:]
        del into.routes[before:]
        return included

    def _match(self, scope: Scope) -> tuple[Match, Scope, BaseRoute | None]:
        """As Starlette's router picks: the first full match, else the first partial one (a
        path whose method is not allowed: 405)."""
        # The path below the app's root_path (a Mount, uvicorn --root-path), as Starlette's
        # own routes match it.
        if scope["type"] not in ("http", "websocket") or not self._owns(get_route_path(scope)):
            return Match.NONE, {}, None
        partial: tuple[Scope, BaseRoute] | None = None
        for route in self.routes:
            match, child = route.matches(scope)
            if match is Match.FULL:
                return match, child, route
            if match is Match.PARTIAL and partial is None:
                partial = child, route
        if partial is not None:
            return Match.PARTIAL, *partial
        return Match.NONE, {}, None

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child, _ = self._match(scope)
        return match, child

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        _, _, route = self._match(scope)
        assert route is not None  # the router handles only what matches() accepted
        await route.handle(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        for route in self.routes:
            try:
                return route.url_path_for(name, **path_params)
            except NoMatchFound:
                pass
        raise NoMatchFound(name, path_params)


def under(prefix: str) -> Callable[[str], bool]:
    """The paths below ``prefix``."""
    below = prefix.rstrip("/") + "/"
    return lambda path: path.startswith(below)


def materialize(app: FastAPI) -> None:
    """Put every lazy route's built routes in its place: FastAPI documents APIRoutes only."""
    app.router.routes[:] = list(_expanded(app.router.routes))


def _expanded(routes: list[BaseRoute]) -> Iterator[BaseRoute]:
    for route in routes:
        if isinstance(route, BuiltOnFirstMatch):
            yield from route.routes
        else:
            yield route
