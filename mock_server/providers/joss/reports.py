"""The JOSS backend: what each client reported (companies and industrial vacancies), the
reference data reports refer to, and the issued credentials, over the database.

Plain objects, no HTTP: ``routes.py`` is a thin face over these methods, and a test can call them
directly. Every method acts for one client (``client_id``) and sees only what that client
reported: another client's id raises the provider's 403, an unknown one its 404, a malformed one
its 422. The empty client id is the anonymous client lenient mode serves requests without any
Client-Id as; no seeded or created client has it.
"""

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Table, bindparam, func, select

from mock_server.core.clock import isoformat_z
from mock_server.core.credentials import client_lookup
from mock_server.core.errors import ProviderError
from mock_server.core.provider import ProviderContext
from mock_server.providers.joss.errors import NOT_FOUND, forbidden, not_found, validation_error
from mock_server.providers.joss.models import JossClient, JossCompany, JossReference, JossVacancy
from mock_server.providers.joss.schemas import (
    COMPANY_REFERENCES,
    COMPANY_REGIONS,
    VACANCY_REFERENCES,
    VACANCY_REGIONS,
    Company,
    IndustrialVacancy,
    parse_json,
    validate,
)

REFERENCE_KINDS = ("regions", "industries", "education-levels", "job-functions", "employment-types")
COMPANIES, VACANCIES, REFERENCES = (
    JossCompany,
    JossVacancy,
    JossReference,
)

# By kind, by id: each item as the reference endpoint answers it.
References = dict[str, dict[str, dict[str, Any]]]
# One page of resources, and its ``meta``.
Page = tuple[list[dict[str, Any]], dict[str, int]]


def canonical_id(value: str) -> str:
    """Ids are uuids chosen by the client; stored and answered in canonical lower case."""
    try:
        return str(UUID(value))
    except ValueError:
        raise validation_error([{"field": "id", "message": "must be a UUID"}]) from None


def when(timestamp: float) -> str:
    return isoformat_z(datetime.fromtimestamp(timestamp, UTC))


def resource_json(row: Any) -> dict[str, Any]:
    return resource(row.id, json.loads(row.document), row.created_at, row.updated_at)


def resource(
    ident: str, document: dict[str, Any], created_at: float, updated_at: float
) -> dict[str, Any]:
    return (
        {"id": ident} | document | {"created_at": when(created_at), "updated_at": when(updated_at)}
    )


class Store:
    """Prepared statements for one resource table, and the upsert / ownership rules."""

    def __init__(self, ctx: ProviderContext, table: Table, what: str, columns: list[str]) -> None:
        db = ctx.db
        self.db = db
        self.table = table
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

    def remove(self, ident: str, client_id: str) -> dict[str, Any]:
        """Delete this client's row; the resource as it was."""
        row = self.owned(ident, client_id)
        self.delete.run(ident=row.id)
        return resource_json(row)

    def page(self, conditions: list[Any], page: int, per_page: int) -> Page:
        """The rows matching, oldest first (then by id), one page of them."""
        table = self.table
        conn = self.db.connection()
        query = select(table).where(*conditions)
        total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        rows = conn.execute(
            query.order_by(table.c.created_at, table.c.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
        meta = {
            "page": page,
            "per_page": per_page,
            "total": total,
            "total_pages": (total + per_page - 1) // per_page,
        }
        return [resource_json(r) for r in rows], meta


class Reports:
    def __init__(self, ctx: ProviderContext) -> None:
        self.ctx = ctx
        db = ctx.db
        self.client: Callable[[str], Any] = client_lookup(db, JossClient)
        self.companies = Store(ctx, COMPANIES, "company", ["name", "document"])
        self.vacancies = Store(
            ctx, VACANCIES, "job vacancy", ["employer_id", "status", "title", "document"]
        )
        self._reference_rows = db.prepare(select(REFERENCES))
        # Reference data changes only on reset (which clears every cache).
        self._reference_cache = db.cache(ttl=60.0)

    # -- reference data ------------------------------------------------------------------------
    def references(self) -> References:
        cached: References = self._reference_cache.get("all", self._load_references)
        return cached

    def _load_references(self) -> References:
        by_kind: References = {kind: {} for kind in REFERENCE_KINDS}
        for row in self._reference_rows.all():
            item = {"id": row.id, "name": row.name}
            if row.kind == "regions":
                item |= {"type": row.type, "parent_id": row.parent_id}
            by_kind.setdefault(row.kind, {})[row.id] = item
        return by_kind

    def reference_list(
        self, kind: str, region_type: str | None = None, parent_id: str | None = None
    ) -> list[dict[str, Any]]:
        """One kind of reference data; regions filter by type and by parent (a province)."""
        if kind not in REFERENCE_KINDS:
            raise ProviderError(
                404,
                "not_found",
                NOT_FOUND,
                detail=f"no reference kind {kind[:64]!r}; known: {', '.join(REFERENCE_KINDS)}",
            )
        items = list(self.references()[kind].values())
        if region_type is not None:
            items = [i for i in items if i.get("type") == region_type]
        if parent_id is not None:
            items = [i for i in items if i.get("parent_id") == parent_id]
        return items

    # -- companies -----------------------------------------------------------------------------
    def put_company(
        self, client_id: str, company_id: str, report: bytes, now: float
    ) -> tuple[bool, dict[str, Any]]:
        """Create or update a company from the report as sent: (created, the company).

        The id is checked, then who owns it, then the report: another client's company is 403
        whatever the body holds.
        """
        ident = canonical_id(company_id)
        existing = self.companies.check_owner(ident, client_id)
        company = validate(
            Company, parse_json(report), self.references(), COMPANY_REFERENCES, COMPANY_REGIONS
        )
        if company.id is not None and str(company.id) != ident:
            raise validation_error([{"field": "id", "message": f"must be the path's id {ident}"}])
        return self.companies.upsert(
            ident,
            client_id,
            existing,
            company.model_dump(mode="json", exclude={"id"}),
            {"name": company.name},
            now,
        )

    def company(self, client_id: str, company_id: str) -> dict[str, Any]:
        return resource_json(self.companies.owned(canonical_id(company_id), client_id))

    def delete_company(self, client_id: str, company_id: str) -> dict[str, Any]:
        """The deleted company. Its vacancies keep their employer (a copy in each report)."""
        return self.companies.remove(canonical_id(company_id), client_id)

    def companies_of(self, client_id: str, page: int = 1, per_page: int = 20) -> Page:
        """This client's companies, oldest first."""
        return self.companies.page([COMPANIES.c.client_id == client_id], page, per_page)

    # -- industrial vacancies ------------------------------------------------------------------
    def put_vacancy(
        self, client_id: str, job_id: str, report: bytes, now: float
    ) -> tuple[bool, dict[str, Any]]:
        """Create or update an industrial vacancy from the report as sent: (created, it)."""
        ident = canonical_id(job_id)
        existing = self.vacancies.check_owner(ident, client_id)
        vacancy = validate(
            IndustrialVacancy,
            parse_json(report),
            self.references(),
            VACANCY_REFERENCES,
            VACANCY_REGIONS,
        )
        employer_id = str(vacancy.employer.id)
        # A portal may report for employers it has not registered as companies; it may not
        # report for another client's company.
        self.companies.check_owner(employer_id, client_id)
        return self.vacancies.upsert(
            ident,
            client_id,
            existing,
            vacancy.model_dump(mode="json"),
            {"employer_id": employer_id, "status": vacancy.status, "title": vacancy.title},
            now,
        )

    def vacancy(self, client_id: str, job_id: str) -> dict[str, Any]:
        return resource_json(self.vacancies.owned(canonical_id(job_id), client_id))

    def delete_vacancy(self, client_id: str, job_id: str) -> dict[str, Any]:
        return self.vacancies.remove(canonical_id(job_id), client_id)

    def vacancies_of(
        self,
        client_id: str,
        page: int = 1,
        per_page: int = 20,
        company_id: str | None = None,
        status: str | None = None,
    ) -> Page:
        """This client's vacancies, oldest first; of one company, in one status."""
        t = VACANCIES.c
        conditions = [t.client_id == client_id]
        if company_id is not None:
            conditions.append(t.employer_id == company_id)
        if status is not None:
            conditions.append(t.status == status)
        return self.vacancies.page(conditions, page, per_page)
