"""The dashboard and the providers' own admin routes are built when a request first reaches
them (mock_server/admin/lazy.py): the admin protocol's own routes, the health check among
them, do not pay for them, and
each answers, refuses a wrong method and is documented as if it had been there all along."""

import pytest
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient

from mock_server.admin.lazy import BuiltOnFirstMatch
from mock_server.app import Sandbox


def lazy_routes(app: object) -> dict[str, BuiltOnFirstMatch]:
    assert isinstance(app, FastAPI)
    return {r.prefix: r for r in app.router.routes if isinstance(r, BuiltOnFirstMatch)}


def built(app: object) -> set[str]:
    return {prefix for prefix, r in lazy_routes(app).items() if r._routes is not None}


def test_the_admin_protocol_builds_neither_the_dashboard_nor_the_provider_routes(
    sandbox: Sandbox, client_for
) -> None:
    admin = client_for("admin")
    assert admin.get("/__admin/faults").json() == []
    assert admin.get("/__admin/health").status_code == 503  # not serving: no ports bound
    assert set(lazy_routes(sandbox.apps["admin"])) == {
        "",
        "/__admin/kyc",
        "/__admin/sales-order",
    }
    assert built(sandbox.apps["admin"]) == set()


def test_a_provider_route_answers_on_its_first_request_and_alone_is_built(
    sandbox: Sandbox, client_for
) -> None:
    admin = client_for("admin")
    clients = admin.get("/__admin/sales-order/clients")
    assert clients.status_code == 200
    assert "partner-client-001" in {c["client_id"] for c in clients.json()}
    assert built(sandbox.apps["admin"]) == {"/__admin/sales-order"}
    # Its path with a method it does not take: 405, as a route built up front answers.
    assert admin.delete("/__admin/sales-order/clients").status_code == 405
    assert admin.get("/__admin/sales-order/nothing-here").status_code == 404


def test_the_dashboard_is_built_by_its_first_page(sandbox: Sandbox, client_for) -> None:
    admin = client_for("admin")
    # A path under the dashboard's that none of its routes serve: built, then 404.
    assert admin.get("/__admin/ui/nothing-here").status_code == 404
    assert built(sandbox.apps["admin"]) == {""}
    page = admin.get("/")
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert admin.get("/__admin/ui/", follow_redirects=False).status_code == 307  # as before


def test_every_route_built_lies_under_the_paths_its_placeholder_claims(sandbox: Sandbox) -> None:
    """A dashboard or provider admin path outside its placeholder's claim would be a 404."""
    for lazy in lazy_routes(sandbox.apps["admin"]).values():
        paths = [lazy.prefix + route.path for route in lazy._build().routes]  # type: ignore[attr-defined]
        assert paths, lazy.prefix
        assert [p for p in paths if not lazy._owns(p)] == [], lazy.prefix


def test_the_lazy_routes_answer_below_a_root_path(sandbox: Sandbox) -> None:
    """Mounted in a user's app (or behind uvicorn --root-path), as they did when built up front."""
    host = Starlette(routes=[Mount("/sandbox", app=sandbox.apps["admin"])])
    with TestClient(host, base_url="http://127.0.0.1") as client:
        assert client.get("/sandbox/__admin/sales-order/clients").status_code == 200
        assert client.get("/sandbox/__admin/ui").status_code == 200
        assert client.get("/sandbox/__admin/faults").json() == []


@pytest.mark.parametrize("path", ["/__admin/ui", "/__admin/kyc/patients"])
def test_with_a_token_the_lazy_routes_are_guarded_on_their_first_request(
    make_sandbox, client_for, path
) -> None:
    sandbox = make_sandbox(admin_token="s3cret-token")
    admin = client_for("admin", sandbox)
    assert admin.get(path, headers={"accept": "application/json"}).status_code == 401
    answer = admin.get(path, headers={"authorization": "Bearer s3cret-token"})
    assert answer.status_code == 200


def test_the_lazy_routes_are_included_into_the_apps_own_router(
    sandbox: Sandbox, client_for
) -> None:
    """Included into the app's own router, as include_router did: its settings apply."""
    admin_app = sandbox.apps["admin"]
    assert isinstance(admin_app, FastAPI)
    lazy = lazy_routes(admin_app)["/__admin/sales-order"]
    assert lazy.into is admin_app.router


def test_the_openapi_document_lists_routes_no_request_has_built(
    sandbox: Sandbox, client_for
) -> None:
    paths = client_for("admin").get("/__admin/openapi.json").json()["paths"]
    assert "/__admin/sales-order/clients" in paths
    assert "/__admin/kyc/public-key" in paths
    assert "/__admin/health" in paths


def test_build_all_builds_the_lazy_routes_before_workers_fork(sandbox: Sandbox, client_for) -> None:
    sandbox.build_all()
    assert lazy_routes(sandbox.apps["admin"]) == {}  # replaced by what they built
    admin = client_for("admin")
    assert admin.get("/__admin/sales-order/clients").status_code == 200
    assert admin.get("/").status_code == 200
