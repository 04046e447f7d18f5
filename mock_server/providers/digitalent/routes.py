"""Digitalent endpoints: the documented academy detail, and what a catalogue client needs around it.

Only ``POST /api/public/pelatihan/akademi`` is documented. The other paths, the response envelope
(``{"success": true, "message": "OK", "data": …, "meta": …}``) and every field name are the mock's
choice, in the programme's own words (akademi, tema, pelatihan).
"""

from typing import Annotated, Any, Literal

from fastapi import FastAPI, Path, Query, Request
from sqlalchemy import Integer, Select, and_, bindparam, func, or_, select
from starlette.responses import JSONResponse, Response

from mock_server.core.pipeline import NO_TELEMETRY, install_error_handlers
from mock_server.core.provider import ProviderContext
from mock_server.providers.digitalent.errors import not_found, render_error
from mock_server.providers.digitalent.models import Akademi, Pelatihan, Tema
from mock_server.providers.digitalent.schemas import (
    IdBody,
    Status,
    akademi_json,
    parse_body,
    pelatihan_json,
)

DbId = Annotated[int, Path(ge=1, le=2_147_483_647)]

A = Akademi.__table__.c  # type: ignore[attr-defined]
T = Tema.__table__.c  # type: ignore[attr-defined]
P = Pelatihan.__table__.c  # type: ignore[attr-defined]

PELATIHAN_ROWS = (
    select(
        Pelatihan.__table__,  # type: ignore[arg-type]
        A.slug.label("akademi_slug"),
        A.nama.label("akademi_nama"),
        T.nama.label("tema_nama"),
    )
    .join_from(Pelatihan.__table__, Akademi.__table__, P.akademi_id == A.id)  # type: ignore[arg-type]
    .join(Tema.__table__, P.tema_id == T.id)  # type: ignore[arg-type]
)  # type: ignore[arg-type]


def ok(data: Any, meta: dict[str, Any] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"success": True, "message": "OK", "data": data}
    if meta is not None:
        body["meta"] = meta
    return JSONResponse(body)


def ok_bytes(data: Any) -> bytes:
    """The ``ok`` envelope, encoded once so a cached answer is not re-encoded per request."""
    return JSONResponse({"success": True, "message": "OK", "data": data}).body


def request_body(request: Request) -> bytes:
    """The body the pipeline already read (and signed)."""
    return request.scope["state"]["mock"].body


def status_clause(status: Status, now: float) -> Any:
    return {
        Status.segera_dibuka: P.pendaftaran_mulai > now,
        Status.pendaftaran_dibuka: and_(P.pendaftaran_mulai <= now, P.pendaftaran_selesai >= now),
        Status.pendaftaran_ditutup: and_(P.pendaftaran_selesai < now, P.pelatihan_mulai > now),
        Status.berjalan: and_(P.pelatihan_mulai <= now, P.pelatihan_selesai >= now),
        Status.selesai: P.pelatihan_selesai < now,
    }[status]


def build_app(ctx: ProviderContext) -> FastAPI:
    app = FastAPI(
        telemetry=NO_TELEMETRY,
        title="Digitalent Public API (sandbox)",
        summary="Digital Talent Scholarship training catalogue. Every request is HMAC-signed.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    install_error_handlers(app, render_error)
    db, clock = ctx.db, ctx.clock
    akademi_by_id = db.prepare(Akademi.__table__.select().where(A.id == bindparam("id")))  # type: ignore[attr-defined]
    pelatihan_by_id = db.prepare(PELATIHAN_ROWS.where(P.id == bindparam("id")))
    tema_with_counts = db.prepare(
        select(T.id, T.nama, func.count(P.id).label("jumlah_pelatihan"))
        .select_from(Tema.__table__)  # type: ignore[arg-type]
        .outerjoin(Pelatihan.__table__, P.tema_id == T.id)  # type: ignore[arg-type]
        .where(T.akademi_id == bindparam("akademi_id"))
        .group_by(T.id, T.nama)
        .order_by(T.id)
    )

    catalogue_cache = db.cache(ttl=1.0)

    def tema_of(akademi_id: int) -> list[dict[str, Any]]:
        rows = tema_with_counts.all(akademi_id=akademi_id)
        return [{"id": r.id, "nama": r.nama, "jumlah_pelatihan": r.jumlah_pelatihan} for r in rows]

    def akademi_or_404(akademi_id: int) -> Any:
        row = akademi_by_id.first(id=akademi_id)
        if row is None:
            raise not_found("Akademi", akademi_id)
        return row

    def pelatihan_or_404(pelatihan_id: int) -> dict[str, Any]:
        row = pelatihan_by_id.first(id=pelatihan_id)
        if row is None:
            raise not_found("Pelatihan", pelatihan_id)
        return pelatihan_json(row, clock.timestamp())

    @app.get("/api/public/pelatihan/akademi")
    async def list_akademi() -> JSONResponse:
        """Every academy, with how many trainings it has and how many are open for registration."""
        now = clock.timestamp()
        open_now = func.sum(
            func.cast(and_(P.pendaftaran_mulai <= now, P.pendaftaran_selesai >= now), Integer)
        )
        query = (
            select(Akademi.__table__, func.count(P.id).label("n"), open_now.label("open"))  # type: ignore[arg-type]
            .outerjoin(Pelatihan.__table__, P.akademi_id == A.id)  # type: ignore[arg-type]
            .group_by(A.id)
            .order_by(A.id)
        )
        data = [
            akademi_json(r) | {"jumlah_pelatihan": r.n, "jumlah_pendaftaran_dibuka": r.open or 0}
            for r in db.connection().execute(query)
        ]
        return ok(data)

    def akademi_detail_json(akademi_id: int) -> dict[str, Any]:
        row = akademi_or_404(akademi_id)
        tema = tema_of(row.id)
        total = sum(t["jumlah_pelatihan"] for t in tema)
        return akademi_json(row) | {"jumlah_pelatihan": total, "tema": tema}

    @app.post("/api/public/pelatihan/akademi")
    async def akademi_detail(request: Request) -> Response:
        """Academy detail by ``{"id": N}`` (the documented endpoint), with its themes."""
        body = parse_body(IdBody, request_body(request))
        # The catalogue is read-only: a second's cache spares two queries and the encoding.
        content = catalogue_cache.get(
            ("akademi", body.id), lambda: ok_bytes(akademi_detail_json(body.id))
        )
        return Response(content, media_type="application/json")

    @app.get("/api/public/pelatihan/akademi/{akademi_id}/tema")
    async def list_tema(akademi_id: DbId) -> JSONResponse:
        """The themes of one academy."""
        row = akademi_or_404(akademi_id)
        return ok(tema_of(row.id))

    @app.get("/api/public/pelatihan")
    async def list_pelatihan(
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
        now = clock.timestamp()
        conditions = []
        if akademi_id is not None:
            conditions.append(P.akademi_id == akademi_id)
        if akademi:
            conditions.append(func.lower(A.slug) == akademi.lower())
        if tema_id is not None:
            conditions.append(P.tema_id == tema_id)
        if status is not None:
            conditions.append(status_clause(status, now))
        if metode:
            conditions.append(P.metode == metode)
        if kota:
            conditions.append(func.lower(P.kota) == kota.lower())
        if q and q.strip():
            needle = q.strip().lower()
            conditions.append(
                or_(
                    *(
                        func.lower(col).contains(needle, autoescape=True)
                        for col in (P.nama, P.deskripsi, P.mitra, T.nama)
                    )
                )
            )
        query: Select[Any] = PELATIHAN_ROWS.where(*conditions)
        conn = db.connection()
        total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        rows = conn.execute(query.order_by(P.id).limit(per_page).offset((page - 1) * per_page))
        data = [pelatihan_json(r, now) for r in rows]
        meta = {
            "page": page,
            "per_page": per_page,
            "total": total,
            "total_pages": (total + per_page - 1) // per_page,
        }
        return ok(data, meta)

    @app.post("/api/public/pelatihan/detail")
    async def pelatihan_detail(request: Request) -> JSONResponse:
        """Training detail by ``{"id": N}``, in the style of the documented academy endpoint."""
        body = parse_body(IdBody, request_body(request))
        return ok(pelatihan_or_404(body.id))

    @app.get("/api/public/pelatihan/{pelatihan_id}")
    async def get_pelatihan(
        pelatihan_id: DbId,
    ) -> JSONResponse:
        """Training detail by id."""
        return ok(pelatihan_or_404(pelatihan_id))

    return app
