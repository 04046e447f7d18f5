"""JOSS endpoints: companies, industrial vacancies and reference data, at the doc's paths.

The doc names put / find / delete for companies and job vacancies; PUT is an idempotent upsert
keyed by an id the client chooses (201 when created, 200 when updated). The lists, the reference
endpoint and every response body are the mock's choice:
``{"status": 200, "message": "OK", "data": …, "meta": {"page", "per_page", "total",
"total_pages"}}`` (``meta`` on lists), in JSON or XML by Accept.

A client sees and changes only what it reported: another client's id answers 403.
"""

import json
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy import Table, bindparam, func, select
from starlette.responses import Response

from mock_server.core.clock import isoformat_z
from mock_server.core.deps import RecordDep
from mock_server.core.errors import ProviderError
from mock_server.core.journal import Record
from mock_server.core.pipeline import NO_TELEMETRY, install_error_handlers, note_rejection
from mock_server.core.provider import ProviderContext
from mock_server.core.db import Prepared
from mock_server.providers.joss.errors import (
    NOT_FOUND,
    forbidden,
    not_found,
    render_error,
    validation_error,
)
from mock_server.providers.joss.models import JossCompany, JossReference, JossVacancy
from mock_server.providers.joss.render import JSON, negotiate, render
from mock_server.providers.joss.schemas import (
    COMPANY_REFERENCES,
    COMPANY_REGIONS,
    VACANCY_REFERENCES,
    VACANCY_REGIONS,
    Company,
    IndustrialVacancy,
    field_path,
    parse_json,
    validate,
)

REFERENCE_KINDS = ("regions", "industries", "education-levels", "job-functions", "employment-types")
Page = Annotated[int, Query(ge=1, le=100_000)]
PerPage = Annotated[int, Query(ge=1, le=100)]


def reply(request: Request, data: Any, status: int = 200, meta: Any = None) -> Response:
    body: dict[str, Any] = {"status": status, "message": "OK", "data": data}
    if meta is not None:
        body["meta"] = meta
    return render(body, status, negotiate(request.headers.get("accept")) or JSON)


def caller(record: Record) -> str:
    """Whose companies and vacancies this request sees and changes.

    In strict mode auth has verified the Client-Id. In lenient mode it is the Client-Id as
    claimed, verified or not (so the code under test sees what it would with correct auth); a
    request without any Client-Id acts as an anonymous client, the empty id, which owns only what
    such requests reported. No seeded or created client has the empty id.
    """
    return record.client_id or ""


def path_id(value: str) -> str:
    """Ids are uuids chosen by the client; stored and answered in canonical lower case."""
    try:
        return str(UUID(value))
    except ValueError:
        raise validation_error([{"field": "id", "message": "must be a UUID"}]) from None


def when(timestamp: float) -> str:
    return isoformat_z(datetime.fromtimestamp(timestamp, UTC))


def resource_json(row: Any) -> dict[str, Any]:
    return resource(row.id, json.loads(row.document), row.created_at, row.updated_at)


def resource(ident: str, document: dict[str, Any], created_at: float, updated_at: float) -> Any:
    return (
        {"id": ident} | document | {"created_at": when(created_at), "updated_at": when(updated_at)}
    )


class Store:
    """Prepared statements for one resource table, and the upsert / ownership rules."""

    def __init__(self, ctx: ProviderContext, table: Table, what: str, columns: list[str]) -> None:
        db = ctx.db
        self.db = db
        self.what = what
        self.select = db.prepare(table.select().where(table.c.id == bindparam("ident")))
        self.insert = db.prepare(
            table.insert().values(
                {name: bindparam(name) for name in ["id", "client_id", "created_at", *columns]}
                | {"updated_at": bindparam("created_at")}
            )
        )
        self.update = db.prepare(
            table.update()
            .where(table.c.id == bindparam("ident"), table.c.client_id == bindparam("owner"))
            .values({name: bindparam(name) for name in [*columns, "updated_at"]})
        )
        self.delete = db.prepare(table.delete().where(table.c.id == bindparam("ident")))

    def owned(self, ident: str, client_id: str) -> Any:
        """The row, when it is this client's; 404 when absent, 403 when another's."""
        row = self.select.first(ident=ident)
        if row is None:
            raise not_found(self.what, ident)
        if row.client_id != client_id:
            raise forbidden(self.what, ident)
        return row

    def check_owner(self, ident: str, client_id: str) -> Any:
        """The row, or None when the id is free; 403 when another client's."""
        row = self.select.first(ident=ident)
        if row is not None and row.client_id != client_id:
            raise forbidden(self.what, ident)
        return row

    def upsert(
        self,
        ident: str,
        client_id: str,
        existing: Any,
        document: dict[str, Any],
        columns: dict[str, Any],
        now: float,
    ) -> tuple[bool, dict[str, Any]]:
        """(created, the resource as stored). ``existing``: what ``check_owner`` found.

        Two racing creates: the primary key decides, the loser updates (or gets 403). The update
        is scoped to the client, so another client's row can never be overwritten.
        """
        values = columns | {"document": json.dumps(document, ensure_ascii=False)}
        if existing is None:
            try:
                self.insert.run(id=ident, client_id=client_id, created_at=now, **values)
                return True, resource(ident, document, now, now)
            except self.db.IntegrityError:
                existing = self.check_owner(ident, client_id)
        self.update.run(ident=ident, owner=client_id, updated_at=now, **values)
        return False, resource(ident, document, existing.created_at, now)


def paged(
    ctx: ProviderContext, table: Table, conditions: list[Any], page: int, per_page: int
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    conn = ctx.db.connection()
    query = select(table).where(*conditions)
    total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = conn.execute(
        query.order_by(table.c.created_at, table.c.id).limit(per_page).offset((page - 1) * per_page)
    )
    meta = {
        "page": page,
        "per_page": per_page,
        "total": total,
        "total_pages": (total + per_page - 1) // per_page,
    }
    return [resource_json(r) for r in rows], meta


def build_app(ctx: ProviderContext) -> FastAPI:
    app = FastAPI(
        telemetry=NO_TELEMETRY,
        title="JOSS, Job Offer Single Submission (sandbox)",
        summary="Vacancy reporting to the Ministry of Manpower. Every request is HMAC-signed.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    install_error_handlers(app, render_error)

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        # JOSS answers validation errors with 422 (the doc's table), query strings included.
        assert isinstance(exc, RequestValidationError)
        errors = [{"field": field_path(e["loc"][1:]), "message": e["msg"]} for e in exc.errors()]
        err = validation_error(errors)
        rec = request.scope.get("state", {}).get("mock")
        if rec is not None:
            note_rejection(rec, err)
        return render_error(err, request)

    app.add_exception_handler(RequestValidationError, on_validation_error)

    db, clock = ctx.db, ctx.clock
    companies_table: Table = JossCompany.__table__  # type: ignore[assignment]
    vacancies_table: Table = JossVacancy.__table__  # type: ignore[assignment]
    companies = Store(ctx, companies_table, "company", ["name", "document"])
    vacancies = Store(
        ctx, vacancies_table, "job vacancy", ["employer_id", "status", "title", "document"]
    )
    reference_rows: Prepared = db.prepare(select(JossReference.__table__))  # type: ignore[call-overload]
    # Reference data changes only on reset (which clears every cache).
    reference_cache = db.cache(ttl=60.0)

    def load_references() -> dict[str, dict[str, dict[str, Any]]]:
        by_kind: dict[str, dict[str, dict[str, Any]]] = {kind: {} for kind in REFERENCE_KINDS}
        for row in reference_rows.all():
            item = {"id": row.id, "name": row.name}
            if row.kind == "regions":
                item |= {"type": row.type, "parent_id": row.parent_id}
            by_kind.setdefault(row.kind, {})[row.id] = item
        return by_kind

    def references() -> dict[str, dict[str, dict[str, Any]]]:
        return reference_cache.get("all", load_references)

    # -- companies ---------------------------------------------------------------------------
    @app.put("/api/v1/companies/{company_id}")
    async def put_company(company_id: str, request: Request, record: RecordDep) -> Response:
        """Create or update a company (201 when created, 200 when updated)."""
        ident = path_id(company_id)
        client_id = caller(record)
        existing = companies.check_owner(ident, client_id)
        company = validate(
            Company, parse_json(record.body), references(), COMPANY_REFERENCES, COMPANY_REGIONS
        )
        if company.id is not None and str(company.id) != ident:
            raise validation_error([{"field": "id", "message": f"must be the path's id {ident}"}])
        created, data = companies.upsert(
            ident,
            client_id,
            existing,
            company.model_dump(mode="json", exclude={"id"}),
            {"name": company.name},
            clock.timestamp(),
        )
        return reply(request, data, 201 if created else 200)

    @app.get("/api/v1/companies/{company_id}")
    async def find_company(company_id: str, request: Request, record: RecordDep) -> Response:
        """One company this client reported."""
        return reply(request, resource_json(companies.owned(path_id(company_id), caller(record))))

    @app.delete("/api/v1/companies/{company_id}")
    async def delete_company(company_id: str, request: Request, record: RecordDep) -> Response:
        """Delete a company; answers the deleted company. Its vacancies keep their employer."""
        row = companies.owned(path_id(company_id), caller(record))
        companies.delete.run(ident=row.id)
        return reply(request, resource_json(row))

    @app.get("/api/v1/companies")
    async def list_companies(
        request: Request, record: RecordDep, page: Page = 1, per_page: PerPage = 20
    ) -> Response:
        """This client's companies, oldest first, paginated."""
        data, meta = paged(
            ctx, companies_table, [companies_table.c.client_id == caller(record)], page, per_page
        )
        return reply(request, data, meta=meta)

    # -- job vacancies -----------------------------------------------------------------------
    @app.put("/api/v1/jobs/{job_id}/industrial-vacancy")
    async def put_industrial_vacancy(job_id: str, request: Request, record: RecordDep) -> Response:
        """Create or update an industrial vacancy report (201 when created, 200 when updated)."""
        ident = path_id(job_id)
        client_id = caller(record)
        existing = vacancies.check_owner(ident, client_id)
        vacancy = validate(
            IndustrialVacancy,
            parse_json(record.body),
            references(),
            VACANCY_REFERENCES,
            VACANCY_REGIONS,
        )
        employer_id = str(vacancy.employer.id)
        # A portal may report for employers it has not registered as companies; it may not
        # report for another client's company.
        companies.check_owner(employer_id, client_id)
        created, data = vacancies.upsert(
            ident,
            client_id,
            existing,
            vacancy.model_dump(mode="json"),
            {"employer_id": employer_id, "status": vacancy.status, "title": vacancy.title},
            clock.timestamp(),
        )
        return reply(request, data, 201 if created else 200)

    @app.get("/api/v1/jobs/{job_id}")
    async def find_job_vacancy(job_id: str, request: Request, record: RecordDep) -> Response:
        """One vacancy this client reported."""
        return reply(request, resource_json(vacancies.owned(path_id(job_id), caller(record))))

    @app.delete("/api/v1/jobs/{job_id}")
    async def delete_job_vacancy(job_id: str, request: Request, record: RecordDep) -> Response:
        """Delete a vacancy; answers the deleted vacancy."""
        row = vacancies.owned(path_id(job_id), caller(record))
        vacancies.delete.run(ident=row.id)
        return reply(request, resource_json(row))

    @app.get("/api/v1/jobs")
    async def list_job_vacancies(
        request: Request,
        record: RecordDep,
        page: Page = 1,
        per_page: PerPage = 20,
        company_id: UUID | None = None,
        status: Literal["open", "filled", "closed"] | None = None,
    ) -> Response:
        """This client's vacancies, oldest first, paginated; filter by company and status."""
        t = vacancies_table.c
        conditions = [t.client_id == caller(record)]
        if company_id is not None:
            conditions.append(t.employer_id == str(company_id))
        if status is not None:
            conditions.append(t.status == status)
        data, meta = paged(ctx, vacancies_table, conditions, page, per_page)
        return reply(request, data, meta=meta)

    # -- reference data ----------------------------------------------------------------------
    @app.get("/api/v1/references/{kind}")
    async def list_references(
        kind: str,
        request: Request,
        type: Literal["province", "city"] | None = None,
        parent_id: UUID | None = None,
    ) -> Response:
        """Reference data by kind; regions filter by ``type`` and ``parent_id`` (a province)."""
        if kind not in REFERENCE_KINDS:
            raise ProviderError(
                404,
                "not_found",
                NOT_FOUND,
                detail=f"no reference kind {kind[:64]!r}; known: {', '.join(REFERENCE_KINDS)}",
            )
        items = list(references()[kind].values())
        if type is not None:
            items = [i for i in items if i.get("type") == type]
        if parent_id is not None:
            items = [i for i in items if i.get("parent_id") == str(parent_id)]
        return reply(request, items, meta={"total": len(items)})

    return app
