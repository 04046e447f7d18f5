"""The control plane's endpoints: each one a thin HTTP face of one admin-protocol operation."""

import asyncio
import inspect
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Request
from starlette.responses import JSONResponse

from mock_server.admin.deps import AdminDep
from mock_server.admin.protocol import (
    ActiveIn,
    AdminError,
    ClientIn,
    ClockChange,
    ControlIn,
    FaultIn,
)
from mock_server.core.har import batches, har_log
from mock_server.core.jsonbody import JSONRoute
from mock_server.core.postman import file_names

# Bodies are read by the core JSON parser: NaN, Infinity and deep nesting are a 422, not a 500.
router = APIRouter(prefix="/__admin", route_class=JSONRoute)


# -- health and providers -------------------------------------------------------------------------
@router.get("/health", tags=["providers"])
async def health(admin: AdminDep) -> JSONResponse:
    """200 once every provider port is listening, 503 before. Needs no token."""
    body = admin.health()
    return JSONResponse(body, status_code=200 if body["status"] == "ok" else 503)


@router.get("/providers", tags=["providers"])
async def list_providers(admin: AdminDep) -> list[dict[str, Any]]:
    """Every emulated provider: port, auth scheme, demo client ids."""
    return admin.providers()


@router.get("/providers/{name}/openapi.json", tags=["providers"])
async def provider_openapi(name: str, admin: AdminDep) -> dict[str, Any]:
    """One provider's OpenAPI document (its auth headers are described in the README)."""
    return admin.openapi(name)


# -- journal --------------------------------------------------------------------------------------
async def journal_filters(
    request: Request,
    provider: str | None = None,
    client_id: str | None = None,
    method: str | None = None,
    path: Annotated[str | None, Query(description="exact, or a prefix ending in *")] = None,
    status: int | None = None,
    outcome: Literal["accepted", "rejected"] | None = None,
    rule: str | None = None,
    would_have_failed: bool | None = None,
    since: Annotated[str | None, Query(description="ISO 8601 or unix seconds")] = None,
    until: str | None = None,
    after_seq: int | None = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    # FastAPI ignores query parameters it was not told of: ?provder=joss would count everything.
    unknown = sorted(set(request.query_params) - set(JOURNAL_QUERY))
    if unknown:
        raise AdminError(
            f"unknown journal filter {', '.join(unknown)}; known: {', '.join(JOURNAL_QUERY)}"
        )
    given = {name: value for name, value in locals().items() if value is not None}
    return {name: given[name] for name in JOURNAL_QUERY if name in given}


JOURNAL_QUERY = sorted(set(inspect.signature(journal_filters).parameters) - {"request"})
FiltersDep = Annotated[dict[str, Any], Depends(journal_filters)]


@router.get("/requests", tags=["journal"])
async def list_requests(filters: FiltersDep, admin: AdminDep) -> dict[str, Any]:
    """Journal entries, newest first, filtered and paginated."""
    return admin.journal(**filters)


@router.get("/requests/count", tags=["journal"])
async def count_requests(filters: FiltersDep, admin: AdminDep) -> dict[str, int]:
    """How many entries match, for CI: "exactly one accepted POST to this path"."""
    return {"count": admin.count(**filters)}


@router.get("/requests.har", tags=["journal"])
async def requests_har(filters: FiltersDep, admin: AdminDep) -> JSONResponse:
    """Every matching entry as a HAR 1.2 log, oldest first, secrets redacted as in the journal:
    open it in a browser's network panel, Postman or Insomnia."""
    entries: list[dict[str, Any]] = []
    for batch in batches(admin.requests, filters):
        entries += batch
        await asyncio.sleep(0)  # thousands of entries: let every port answer in between
    return JSONResponse(
        har_log(entries),
        headers={"Content-Disposition": 'attachment; filename="mock-server.har"'},
    )


@router.get("/requests/{journal_id}", tags=["journal"])
async def one_request(journal_id: str, admin: AdminDep) -> dict[str, Any]:
    """One journal entry, by the id in a response's X-Mock-Journal-Id header."""
    return admin.request(journal_id)


@router.delete("/requests", tags=["journal"])
async def clear_requests(admin: AdminDep) -> dict[str, int]:
    """Forget every journal entry."""
    return {"deleted": admin.clear_journal()}


# -- clock ----------------------------------------------------------------------------------------
@router.get("/clock", tags=["clock"])
async def read_clock(admin: AdminDep) -> dict[str, Any]:
    """The sandbox's now, and whether it is frozen or offset."""
    return admin.clock()


@router.post("/clock", tags=["clock"])
async def change_clock(change: ClockChange, admin: AdminDep) -> dict[str, Any]:
    """Freeze, advance (frozen or not), or resume real time. Every window and expiry follows."""
    if change.freeze is not None:
        return admin.freeze(change.freeze)
    if change.advance_seconds is not None:
        return admin.advance(change.advance_seconds)
    return admin.resume()


# -- faults ---------------------------------------------------------------------------------------
@router.post("/faults", status_code=201, tags=["faults"])
async def add_fault(fault: FaultIn, admin: AdminDep) -> dict[str, Any]:
    """Add a rule; it applies before auth, as an outage would."""
    return admin.add_fault(**fault.model_dump(exclude_unset=True))


@router.get("/faults", tags=["faults"])
async def list_faults(admin: AdminDep, provider: str | None = None) -> list[dict[str, Any]]:
    """Every rule, with how many applications remain."""
    return admin.faults(provider)


@router.delete("/faults/{rule_id}", tags=["faults"])
async def delete_fault(rule_id: str, admin: AdminDep) -> dict[str, int]:
    return {"deleted": admin.delete_fault(rule_id)}


@router.delete("/faults", tags=["faults"])
async def delete_faults(admin: AdminDep) -> dict[str, int]:
    return {"deleted": admin.clear_faults()}


# -- per provider: switches, reset, clients -------------------------------------------------------
@router.get("/providers/{name}/control", tags=["providers"])
async def read_control(name: str, admin: AdminDep) -> dict[str, Any]:
    """Auth mode and rate limit in force."""
    return admin.control(name)


@router.post("/providers/{name}/control", tags=["providers"])
async def change_control(name: str, change: ControlIn, admin: AdminDep) -> dict[str, Any]:
    """Switch strict/lenient auth, set or lift the per-client rate limit."""
    changes = change.model_dump(exclude_none=True)
    # An empty change still answers what is in force, as a POST with nothing to change would.
    return admin.control(name, **changes)


@router.post("/reset", tags=["providers"])
async def reset_all(admin: AdminDep) -> dict[str, Any]:
    """Every provider back to its seed; journal and consumed ids dropped; clock kept."""
    return admin.reset()


@router.post("/providers/{name}/reset", tags=["providers"])
async def reset_one(name: str, admin: AdminDep) -> dict[str, Any]:
    """One provider back to its seed (its data and consumed request ids)."""
    return admin.reset(name)


STUB_EXAMPLE = {
    "method": "GET",
    "path": "/api/public/peserta/{nik}",
    "response": {"status": 200, "body": {"nik": "{{ path.nik }}"}},
}


# -- per provider: stubs (docs/stubs.md) ----------------------------------------------------------
@router.get("/providers/{name}/stubs", tags=["stubs"])
async def list_stubs(name: str, admin: AdminDep) -> list[dict[str, Any]]:
    """Every stub the provider serves: its files' (fixed) and the control plane's."""
    return admin.stubs(name)


@router.post("/providers/{name}/stubs", status_code=201, tags=["stubs"])
async def add_stub(
    name: str, stub: Annotated[Any, Body(examples=[STUB_EXAMPLE])], admin: AdminDep
) -> dict[str, Any]:
    """A stub (method, path, response, optional state), served behind the provider's auth at
    once, by every worker within a second. 400 names the field that is wrong."""
    if not isinstance(stub, dict):  # said as the other mistakes are, not as FastAPI's 422
        raise AdminError(f"invalid stub: a stub is a JSON object, got {type(stub).__name__}")
    return admin.add_stub(name, **stub)


@router.delete("/providers/{name}/stubs/{stub_id}", tags=["stubs"])
async def delete_stub(name: str, stub_id: str, admin: AdminDep) -> dict[str, int]:
    return {"deleted": admin.delete_stub(name, stub_id)}


@router.delete("/providers/{name}/stubs", tags=["stubs"])
async def delete_stubs(name: str, admin: AdminDep) -> dict[str, int]:
    """Every control-plane stub of the provider (its file stubs stay)."""
    return {"deleted": admin.clear_stubs(name)}


@router.get("/providers/{name}/clients", tags=["providers"])
async def list_clients(name: str, admin: AdminDep) -> list[dict[str, Any]]:
    return admin.clients(name)


@router.post("/providers/{name}/clients", status_code=201, tags=["providers"])
async def create_client(name: str, client: ClientIn, admin: AdminDep) -> dict[str, Any]:
    """A new client; its secret is in this answer only."""
    return admin.create_client(name, client.client_id, client.name)


@router.post("/providers/{name}/clients/{client_id}/rotate", tags=["providers"])
async def rotate_client(name: str, client_id: str, admin: AdminDep) -> dict[str, Any]:
    """A new secret; the old one stops working at once."""
    return admin.rotate_client(name, client_id)


@router.post("/providers/{name}/clients/{client_id}/active", tags=["providers"])
async def activate_client(
    name: str, client_id: str, body: ActiveIn, admin: AdminDep
) -> dict[str, Any]:
    """Deactivate (or reactivate) a client."""
    return admin.set_client_active(name, client_id, body.active)


# -- Postman --------------------------------------------------------------------------------------
def postman_export(name: str, request: Request, admin: AdminDep) -> dict[str, Any]:
    """Pointing at this sandbox as the caller reached it: the host it asked, the real ports."""
    host = request.url.hostname or "127.0.0.1"
    return admin.postman(name, host, str(request.base_url).rstrip("/"))


def attachment(body: Any, filename: str) -> JSONResponse:
    return JSONResponse(body, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/postman/{name}", tags=["postman"])
async def postman_both(name: str, request: Request, admin: AdminDep) -> dict[str, Any]:
    """``{"collection", "environment"}``: what ``mock-server postman`` writes."""
    return postman_export(name, request, admin)


@router.get("/postman/{name}/collection", tags=["postman"])
async def postman_collection(name: str, request: Request, admin: AdminDep) -> JSONResponse:
    """The provider's Postman v2.1 collection, every endpoint, pre-request script included."""
    export = postman_export(name, request, admin)
    return attachment(export["collection"], file_names(name)[0])


@router.get("/postman/{name}/environment", tags=["postman"])
async def postman_environment(name: str, request: Request, admin: AdminDep) -> JSONResponse:
    """Its environment: base URL, the control plane's URL, demo credentials."""
    export = postman_export(name, request, admin)
    return attachment(export["environment"], file_names(name)[1])
