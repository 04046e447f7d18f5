"""Digitalent endpoints: the documented academy detail, and what a catalogue client needs around it.

Only ``POST /api/public/pelatihan/akademi`` is documented. The other paths, the response envelope
(``{"success": true, "message": "OK", "data": …, "meta": …}``) and every field name are the mock's
choice, in the programme's own words (akademi, tema, pelatihan).
"""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Path, Query
from starlette.responses import JSONResponse, Response

from mock_server.core.apps import provider_app
from mock_server.core.context import RequestContext, request_context
from mock_server.providers.digitalent.catalogue import Catalogue, PelatihanFilter
from mock_server.providers.digitalent.errors import render_error
from mock_server.providers.digitalent.schemas import IdBody, Status, parse_body

DbId = Annotated[int, Path(ge=1, le=2_147_483_647)]
# The request, and through it the catalogue: one dependency per handler.
Call = Annotated[RequestContext[Catalogue], Depends(request_context)]

router = APIRouter()


def ok(data: Any, meta: dict[str, Any] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"success": True, "message": "OK", "data": data}
    if meta is not None:
        body["meta"] = meta
    return JSONResponse(body)


def ok_bytes(data: Any) -> bytes:
    """The ``ok`` envelope, encoded once so a cached answer is not re-encoded per request."""
    return bytes(JSONResponse({"success": True, "message": "OK", "data": data}).body)


@router.get("/api/public/pelatihan/akademi")
async def list_akademi(ctx: Call) -> JSONResponse:
    """Every academy, with how many trainings it has and how many are open for registration."""
    return ok(ctx.backend.akademi_list(ctx.now))


@router.post("/api/public/pelatihan/akademi")
async def akademi_detail(ctx: Call) -> Response:
    """Academy detail by ``{"id": N}`` (the documented endpoint), with its themes."""
    body = parse_body(IdBody, ctx.body)
    content = ctx.backend.rendered.get(
        ("akademi", body.id), lambda: ok_bytes(ctx.backend.akademi_detail(body.id))
    )
    return Response(content, media_type="application/json")


@router.get("/api/public/pelatihan/akademi/{akademi_id}/tema")
async def list_tema(akademi_id: DbId, ctx: Call) -> JSONResponse:
    """The themes of one academy."""
    return ok(ctx.backend.tema_of(akademi_id))


@router.get("/api/public/pelatihan")
async def list_pelatihan(
    ctx: Call,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
    akademi_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    akademi: Annotated[str | None, Query(max_length=16, description="slug, e.g. FGA")] = None,
    tema_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    status: Status | None = None,
    metode: Literal["online", "offline"] | None = None,
    kota: Annotated[str | None, Query(max_length=100)] = None,
    q: Annotated[str | None, Query(max_length=200, description="free text")] = None,
) -> JSONResponse:
    """Trainings, filtered and paginated; status follows the sandbox clock."""
    wanted = PelatihanFilter(page, per_page, akademi_id, akademi, tema_id, status, metode, kota, q)
    data, meta = ctx.backend.pelatihan_list(wanted, ctx.now)
    return ok(data, meta)


@router.post("/api/public/pelatihan/detail")
async def pelatihan_detail(ctx: Call) -> JSONResponse:
    """Training detail by ``{"id": N}``, in the style of the documented academy endpoint."""
    body = parse_body(IdBody, ctx.body)
    return ok(ctx.backend.pelatihan(body.id, ctx.now))


@router.get("/api/public/pelatihan/{pelatihan_id}")
async def get_pelatihan(pelatihan_id: DbId, ctx: Call) -> JSONResponse:
    """Training detail by id."""
    return ok(ctx.backend.pelatihan(pelatihan_id, ctx.now))


def build_app(catalogue: Catalogue) -> FastAPI:
    return provider_app(
        [router],
        render_error,
        title="Digitalent Public API (sandbox)",
        summary="Digital Talent Scholarship training catalogue. Every request is HMAC-signed.",
        openapi_url=None,
    )
