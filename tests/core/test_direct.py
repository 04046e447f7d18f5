"""Handlers that take only the request's context are called without FastAPI's per-request
machinery: the same handler FastAPI would pick, the same answer, and everything else left to
FastAPI."""

import json
import sqlite3
from typing import Annotated, Any

import pytest
from fastapi import FastAPI, Query
from starlette.responses import JSONResponse, Response
from starlette.routing import Match

from mock_server.app import Sandbox
from mock_server.core.context import ContextDep
from mock_server.core.direct import DirectRoutes, direct_routes
from mock_server.core.errors import ProviderError
from tests.helpers import digitalent_headers, journal_entry

AKADEMI = "/api/public/pelatihan/akademi"


def synthetic_app() -> FastAPI:
    app = FastAPI()

    @app.get("/items/{item}")
    async def by_id(item: str, ctx: ContextDep) -> JSONResponse:
        return JSONResponse({"item": item})

    @app.get("/items/special")  # shadowed: the parameter route above takes it first
    async def special(ctx: ContextDep) -> JSONResponse:
        return JSONResponse({})

    @app.get("/plain")
    async def plain_get(ctx: ContextDep) -> JSONResponse:
        return JSONResponse({})

    @app.post("/plain")  # another method on the same path: its own route
    async def plain_post(ctx: ContextDep) -> Response:
        return Response(b"")

    @app.get("/query")
    async def with_query(ctx: ContextDep, page: Annotated[int, Query()] = 1) -> JSONResponse:
        return JSONResponse({})

    @app.get("/dict")  # FastAPI serializes what it returns: not called directly
    async def returns_dict(ctx: ContextDep) -> dict[str, Any]:
        return {}

    @app.get("/sync")
    def not_async(ctx: ContextDep) -> JSONResponse:
        return JSONResponse({})

    return app


def test_only_context_only_routes_that_fastapi_would_pick_are_direct() -> None:
    direct = direct_routes(synthetic_app())
    assert {key: handler.__name__ for key, (handler, _) in direct.items()} == {
        ("GET", "/plain"): "plain_get",
        ("POST", "/plain"): "plain_post",
    }
    assert {name for _, name in direct.values()} == {"ctx"}


def test_every_direct_route_of_every_provider_is_the_one_fastapi_routes_to(
    sandbox: Sandbox,
) -> None:
    seen = 0
    for name in sandbox.provider_apps:
        app = sandbox.provider_apps[name]
        assert isinstance(app, FastAPI)
        for (method, path), (handler, _) in direct_routes(app).items():
            scope = {"type": "http", "path": path, "root_path": "", "method": method}
            first = next(r for r in app.router.routes if r.matches(scope)[0] == Match.FULL)
            assert getattr(first, "endpoint", None) is handler, (name, method, path)
            seen += 1
    # Digitalent's documented POST and the token endpoints of three providers among them.
    assert seen >= 10


def answers(sandbox: Sandbox, client_for: Any, requests: list[tuple[str, bytes]]) -> list[Any]:
    client = client_for("digitalent", sandbox)
    out = []
    for method, body in requests:
        response = client.request(
            method, AKADEMI, content=body, headers=digitalent_headers(method, AKADEMI, body)
        )
        entry = journal_entry(sandbox, response)
        headers = {k: v for k, v in response.headers.items() if k != "x-mock-journal-id"}
        out.append((response.status_code, response.content, headers, entry["rule"]))
    return out


REQUESTS = [
    ("POST", b'{"id": 1}'),  # the documented request: the cached detail
    ("POST", b'{"id": 999}'),  # unknown academy: the handler's ProviderError
    ("POST", b'{"id": "satu"}'),  # a body the handler refuses
    ("GET", b""),  # the list (a JSONResponse)
]


def test_the_direct_answer_is_fastapis_answer(make_sandbox: Any, client_for: Any) -> None:
    direct = make_sandbox()
    through_fastapi = make_sandbox()
    pipeline: Any = through_fastapi.apps["digitalent"]
    routes = pipeline.app.app
    assert isinstance(routes, DirectRoutes)
    assert ("POST", AKADEMI) in routes.routes
    routes.routes = {}  # every request through FastAPI's routing, as before
    got = answers(direct, client_for, REQUESTS)
    expected = answers(through_fastapi, client_for, REQUESTS)
    assert got == expected
    statuses = [status for status, *_ in got]
    assert statuses == [200, 404, 400, 200]
    assert json.loads(got[1][1])["success"] is False
    assert got[1][3] is not None  # the rejection is journaled with its rule, either way


def test_a_handler_error_outside_the_provider_shape_is_still_the_providers_500(
    make_sandbox: Any, client_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = make_sandbox()
    routes = sandbox.apps["digitalent"].app.app  # type: ignore[attr-defined]

    async def broken(ctx: Any) -> Response:
        raise RuntimeError("a bug")

    routes.routes[("POST", AKADEMI)] = (broken, "ctx")
    body = b'{"id": 1}'
    response = client_for("digitalent", sandbox).post(
        AKADEMI, content=body, headers=digitalent_headers("POST", AKADEMI, body)
    )
    assert response.status_code == 500
    assert response.json()["success"] is False
    assert "Traceback" not in response.text


def test_provider_errors_raised_directly_keep_their_headers(
    make_sandbox: Any, client_for: Any
) -> None:
    sandbox = make_sandbox()
    routes = sandbox.apps["digitalent"].app.app  # type: ignore[attr-defined]

    async def limited(ctx: Any) -> Response:
        raise ProviderError(429, "rate_limit", "Too Many Requests", headers={"Retry-After": "7"})

    routes.routes[("POST", AKADEMI)] = (limited, "ctx")
    body = b'{"id": 1}'
    response = client_for("digitalent", sandbox).post(
        AKADEMI, content=body, headers=digitalent_headers("POST", AKADEMI, body)
    )
    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"
    assert journal_entry(sandbox, response)["rule"] == "rate_limit"


@pytest.mark.parametrize("direct", [True, False], ids=["direct", "through FastAPI"])
def test_a_locked_database_is_503_database_busy_on_either_path(
    make_sandbox: Any, client_for: Any, monkeypatch: pytest.MonkeyPatch, direct: bool
) -> None:
    """Another process holding the state file's write lock: 503 with Retry-After, whichever
    way the handler was reached (through FastAPI it was a 500)."""
    sandbox = make_sandbox()
    routes = sandbox.apps["digitalent"].app.app  # type: ignore[attr-defined]
    if not direct:
        routes.routes = {}
    backend = sandbox.apps["digitalent"].backend  # type: ignore[attr-defined]

    def locked(*args: Any) -> Any:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(backend, "akademi_list", locked)
    response = client_for("digitalent", sandbox).get(
        AKADEMI, headers=digitalent_headers("GET", AKADEMI)
    )
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert response.json()["success"] is False
    assert journal_entry(sandbox, response)["rule"] == "database_busy"
