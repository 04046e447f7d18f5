"""JOSS endpoints: companies, industrial vacancies and reference data, at the doc's paths.

The doc names put / find / delete for companies and job vacancies; PUT is an idempotent upsert
keyed by an id the client chooses (201 when created, 200 when updated). The lists, the reference
endpoint and every response body are the mock's choice:
``{"status": 200, "message": "OK", "data": …, "meta": {"page", "per_page", "total",
"total_pages"}}`` (``meta`` on lists), in JSON or XML by Accept.

A client sees and changes only what it reported (``reports.py``): another client's id answers 403.
"""

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from starlette.responses import Response

from mock_server.core.apps import provider_app
from mock_server.core.context import RequestContext, context_of, request_context
from mock_server.core.pipeline import note_rejection
from mock_server.providers.joss.errors import render_error, validation_error
from mock_server.providers.joss.render import JSON, negotiate, render
from mock_server.providers.joss.reports import Reports
from mock_server.providers.joss.schemas import field_path

PageNumber = Annotated[int, Query(ge=1, le=100_000)]
PerPage = Annotated[int, Query(ge=1, le=100)]
# The request, and through it the reports: one dependency per handler.
Call = Annotated[RequestContext[Reports], Depends(request_context)]


def caller(ctx: RequestContext[Reports]) -> str:
    """Whose companies and vacancies this request sees and changes.

    In strict mode auth has verified the Client-Id. In lenient mode it is the Client-Id as
    claimed, verified or not (so the code under test sees what it would with correct auth); a
    request without any Client-Id acts as an anonymous client, the empty id, which owns only what
    such requests reported. No seeded or created client has the empty id.
    """
    return ctx.principal.client_id or ""


def answer_media(ctx: RequestContext[Reports]) -> str:
    """JSON or XML, read from the first Accept header as ``render_error`` reads it, so a success
    and an error to the same request come in the same media type. Lenient mode serves an
    unacceptable Accept (a 406 in strict mode) in JSON."""
    return negotiate(ctx.first_header("accept")) or JSON


router = APIRouter()


def reply(media: str, data: Any, status: int = 200, meta: Any = None) -> Response:
    body: dict[str, Any] = {"status": status, "message": "OK", "data": data}
    if meta is not None:
        body["meta"] = meta
    return render(body, status, media)


# -- companies -------------------------------------------------------------------------------
@router.put("/api/v1/companies/{company_id}")
async def put_company(company_id: str, ctx: Call) -> Response:
    """Create or update a company (201 when created, 200 when updated)."""
    created, data = ctx.backend.put_company(caller(ctx), company_id, ctx.body, ctx.now)
    return reply(answer_media(ctx), data, 201 if created else 200)


@router.get("/api/v1/companies/{company_id}")
async def find_company(company_id: str, ctx: Call) -> Response:
    """One company this client reported."""
    return reply(answer_media(ctx), ctx.backend.company(caller(ctx), company_id))


@router.delete("/api/v1/companies/{company_id}")
async def delete_company(company_id: str, ctx: Call) -> Response:
    """Delete a company; answers the deleted company. Its vacancies keep their employer."""
    return reply(answer_media(ctx), ctx.backend.delete_company(caller(ctx), company_id))


@router.get("/api/v1/companies")
async def list_companies(
    ctx: Call,
    page: PageNumber = 1,
    per_page: PerPage = 20,
) -> Response:
    """This client's companies, oldest first, paginated."""
    data, meta = ctx.backend.companies_of(caller(ctx), page, per_page)
    return reply(answer_media(ctx), data, meta=meta)


# -- job vacancies ---------------------------------------------------------------------------
@router.put("/api/v1/jobs/{job_id}/industrial-vacancy")
async def put_industrial_vacancy(job_id: str, ctx: Call) -> Response:
    """Create or update an industrial vacancy report (201 when created, 200 when updated)."""
    created, data = ctx.backend.put_vacancy(caller(ctx), job_id, ctx.body, ctx.now)
    return reply(answer_media(ctx), data, 201 if created else 200)


@router.get("/api/v1/jobs/{job_id}")
async def find_job_vacancy(job_id: str, ctx: Call) -> Response:
    """One vacancy this client reported."""
    return reply(answer_media(ctx), ctx.backend.vacancy(caller(ctx), job_id))


@router.delete("/api/v1/jobs/{job_id}")
async def delete_job_vacancy(job_id: str, ctx: Call) -> Response:
    """Delete a vacancy; answers the deleted vacancy."""
    return reply(answer_media(ctx), ctx.backend.delete_vacancy(caller(ctx), job_id))


@router.get("/api/v1/jobs")
async def list_job_vacancies(
    ctx: Call,
    page: PageNumber = 1,
    per_page: PerPage = 20,
    company_id: UUID | None = None,
    status: Literal["open", "filled", "closed"] | None = None,
) -> Response:
    """This client's vacancies, oldest first, paginated; filter by company and status."""
    employer_id = None if company_id is None else str(company_id)
    data, meta = ctx.backend.vacancies_of(caller(ctx), page, per_page, employer_id, status)
    return reply(answer_media(ctx), data, meta=meta)


# -- reference data --------------------------------------------------------------------------
@router.get("/api/v1/references/{kind}")
async def list_references(
    kind: str,
    ctx: Call,
    type: Literal["province", "city"] | None = None,
    parent_id: UUID | None = None,
) -> Response:
    """Reference data by kind; regions filter by ``type`` and ``parent_id`` (a province)."""
    parent = None if parent_id is None else str(parent_id)
    items = ctx.backend.reference_list(kind, type, parent)
    return reply(answer_media(ctx), items, meta={"total": len(items)})


async def on_validation_error(request: Request, exc: Exception) -> Response:
    """JOSS answers validation errors with 422 (the doc's table), query strings included."""
    assert isinstance(exc, RequestValidationError)
    errors = [{"field": field_path(e["loc"][1:]), "message": e["msg"]} for e in exc.errors()]
    err = validation_error(errors)
    ctx = context_of(request.scope)
    if ctx is not None:
        note_rejection(ctx.record, err)
    return render_error(err, request)


def build_app(reports: Reports) -> FastAPI:
    app = provider_app(
        [router],
        render_error,
        title="JOSS, Job Offer Single Submission (sandbox)",
        summary="Vacancy reporting to the Ministry of Manpower. Every request is HMAC-signed.",
        openapi_url=None,
    )
    # Replaces the shared 400 for invalid parameters.
    app.add_exception_handler(RequestValidationError, on_validation_error)
    return app
