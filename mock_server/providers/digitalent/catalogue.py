"""The Digitalent backend: the training catalogue and the partner clients, over the database.

Plain objects, no HTTP: ``routes.py`` is a thin face over these methods, and a test can call them
directly. Lookups raise the provider's own ``not_found``.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, Select, and_, bindparam, func, or_, select

from mock_server.core.credentials import client_lookup
from mock_server.core.db import TTLCache
from mock_server.core.provider import ProviderContext
from mock_server.providers.digitalent.errors import not_found
from mock_server.providers.digitalent.models import Akademi, DigitalentClient, Pelatihan, Tema
from mock_server.providers.digitalent.schemas import Status, akademi_json, pelatihan_json

AKADEMI, TEMA, PELATIHAN = Akademi, Tema, Pelatihan
A, T, P = AKADEMI.c, TEMA.c, PELATIHAN.c

PELATIHAN_ROWS = (
    select(
        PELATIHAN,
        A.slug.label("akademi_slug"),
        A.nama.label("akademi_nama"),
        T.nama.label("tema_nama"),
    )
    .join_from(PELATIHAN, AKADEMI, P.akademi_id == A.id)
    .join(TEMA, P.tema_id == T.id)
)


def status_clause(status: Status, now: float) -> Any:
    return {
        Status.segera_dibuka: P.pendaftaran_mulai > now,
        Status.pendaftaran_dibuka: and_(P.pendaftaran_mulai <= now, P.pendaftaran_selesai >= now),
        Status.pendaftaran_ditutup: and_(P.pendaftaran_selesai < now, P.pelatihan_mulai > now),
        Status.berjalan: and_(P.pelatihan_mulai <= now, P.pelatihan_selesai >= now),
        Status.selesai: P.pelatihan_selesai < now,
    }[status]


@dataclass(frozen=True)
class PelatihanFilter:
    """The training list's filters and page, every one optional but the page."""

    page: int = 1
    per_page: int = 20
    akademi_id: int | None = None
    akademi: str | None = None  # slug, any case
    tema_id: int | None = None
    status: Status | None = None
    metode: str | None = None
    kota: str | None = None
    q: str | None = None  # free text over names, description, partner and theme


class Catalogue:
    def __init__(self, ctx: ProviderContext) -> None:
        self.ctx = ctx
        db = ctx.db
        self.client = client_lookup(db, DigitalentClient)
        self._akademi_by_id = db.prepare(AKADEMI.select().where(A.id == bindparam("id")))
        self._pelatihan_by_id = db.prepare(PELATIHAN_ROWS.where(P.id == bindparam("id")))
        self._tema_with_counts = db.prepare(
            select(T.id, T.nama, func.count(P.id).label("jumlah_pelatihan"))
            .select_from(TEMA)
            .outerjoin(PELATIHAN, P.tema_id == T.id)
            .where(T.akademi_id == bindparam("akademi_id"))
            .group_by(T.id, T.nama)
            .order_by(T.id)
        )
        # The catalogue is read-only: a second's cache of encoded answers spares the queries and
        # the encoding on the hot path (the documented endpoint).
        self.rendered: TTLCache = db.cache(ttl=1.0)

    def akademi_list(self, now: float) -> list[dict[str, Any]]:
        """Every academy, with how many trainings it has and how many are open for registration."""
        open_now = func.sum(
            func.cast(and_(P.pendaftaran_mulai <= now, P.pendaftaran_selesai >= now), Integer)
        )
        query = (
            select(AKADEMI, func.count(P.id).label("n"), open_now.label("open"))
            .outerjoin(PELATIHAN, P.akademi_id == A.id)
            .group_by(A.id)
            .order_by(A.id)
        )
        return [
            akademi_json(r) | {"jumlah_pelatihan": r.n, "jumlah_pendaftaran_dibuka": r.open or 0}
            for r in self.ctx.db.connection().execute(query)
        ]

    def akademi(self, akademi_id: int) -> Any:
        row = self._akademi_by_id.first(id=akademi_id)
        if row is None:
            raise not_found("Akademi", akademi_id)
        return row

    def tema_of(self, akademi_id: int) -> list[dict[str, Any]]:
        """The themes of an academy (404 when there is none), with their training counts."""
        return self._tema(self.akademi(akademi_id).id)

    def _tema(self, akademi_id: int) -> list[dict[str, Any]]:
        return [
            {"id": r.id, "nama": r.nama, "jumlah_pelatihan": r.jumlah_pelatihan}
            for r in self._tema_with_counts.all(akademi_id=akademi_id)
        ]

    def akademi_detail(self, akademi_id: int) -> dict[str, Any]:
        row = self.akademi(akademi_id)
        tema = self._tema(row.id)
        total = sum(t["jumlah_pelatihan"] for t in tema)
        return akademi_json(row) | {"jumlah_pelatihan": total, "tema": tema}

    def pelatihan(self, pelatihan_id: int, now: float) -> dict[str, Any]:
        row = self._pelatihan_by_id.first(id=pelatihan_id)
        if row is None:
            raise not_found("Pelatihan", pelatihan_id)
        return pelatihan_json(row, now)

    def pelatihan_list(
        self, wanted: PelatihanFilter, now: float
    ) -> tuple[list[dict[str, Any]], dict[str, int]]:
        """One page of trainings, by id, and its ``meta``; status follows ``now``."""
        conditions = []
        if wanted.akademi_id is not None:
            conditions.append(P.akademi_id == wanted.akademi_id)
        if wanted.akademi:
            conditions.append(func.lower(A.slug) == wanted.akademi.lower())
        if wanted.tema_id is not None:
            conditions.append(P.tema_id == wanted.tema_id)
        if wanted.status is not None:
            conditions.append(status_clause(wanted.status, now))
        if wanted.metode:
            conditions.append(P.metode == wanted.metode)
        if wanted.kota:
            conditions.append(func.lower(P.kota) == wanted.kota.lower())
        if wanted.q and wanted.q.strip():
            needle = wanted.q.strip().lower()
            conditions.append(
                or_(
                    *(
                        func.lower(col).contains(needle, autoescape=True)
                        for col in (P.nama, P.deskripsi, P.mitra, T.nama)
                    )
                )
            )
        query: Select[Any] = PELATIHAN_ROWS.where(*conditions)
        conn = self.ctx.db.connection()
        total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        per_page = wanted.per_page
        rows = conn.execute(
            query.order_by(P.id).limit(per_page).offset((wanted.page - 1) * per_page)
        )
        meta = {
            "page": wanted.page,
            "per_page": per_page,
            "total": total,
            "total_pages": (total + per_page - 1) // per_page,
        }
        return [pelatihan_json(r, now) for r in rows], meta
