"""The dashboard and the providers' own admin routes are built when a request first reaches
them (mock_server/admin/lazy.py): the admin protocol's own routes, the health check among
them, do not pay for them, and
each answers, refuses a wrong method and is documented as if it had been there all along."""

from fastapi import FastAPI

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
    assert admin.get("/__admin/ui/nothing-here").status_code == 404
    page = admin.get("/")
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert built(sandbox.apps["admin"]) == {""}


def test_the_openapi_document_lists_routes_no_request_has_built(
    sandbox: Sandbox, client_for
) -> None:
    paths = client_for("admin").get("/__admin/openapi.json").json()["paths"]
    assert "/__admin/sales-order/clients" in paths
    assert "/__admin/kyc/public-key" in paths
    assert "/__admin/health" in paths


def test_build_all_builds_the_lazy_routes_before_workers_fork(sandbox: Sandbox) -> None:
    sandbox.build_all()
    assert lazy_routes(sandbox.apps["admin"]) == {}  # replaced by what they built
