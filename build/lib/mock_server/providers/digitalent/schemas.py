"""Request bodies and the JSON the Digitalent endpoints answer with (the mock's choice)."""

import json
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mock_server.core import jsonbody
from mock_server.core.clock import WIB
from mock_server.providers.digitalent.errors import bad_request

ModelT = TypeVar("ModelT", bound=BaseModel)


class IdBody(BaseModel):
    """``{"id": 10}``, as in the doc's example."""

    model_config = ConfigDict(extra="ignore")
    id: int = Field(ge=1, le=2_147_483_647)


class Status(StrEnum):
    """Where a training stands, by the sandbox clock."""

    segera_dibuka = "segera_dibuka"
    pendaftaran_dibuka = "pendaftaran_dibuka"
    pendaftaran_ditutup = "pendaftaran_ditutup"
    berjalan = "berjalan"
    selesai = "selesai"


STATUS_LABELS = {
    Status.segera_dibuka: "Segera Dibuka",
    Status.pendaftaran_dibuka: "Pendaftaran Dibuka",
    Status.pendaftaran_ditutup: "Pendaftaran Ditutup",
    Status.berjalan: "Pelatihan Berjalan",
    Status.selesai: "Selesai",
}


def parse_body(model: type[ModelT], body: bytes) -> ModelT:
    """Validate a JSON body; every failure is a 400 in Digitalent's shape."""
    if not body.strip():
        raise bad_request('a JSON body is required, e.g. {"id": 10}')
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise bad_request(f"the body is not valid UTF-8 (byte {exc.start})") from None
    try:
        payload = jsonbody.loads(text)
    except json.JSONDecodeError as exc:
        raise bad_request(
            f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    if not isinstance(payload, dict):
        raise bad_request('the body must be a JSON object, e.g. {"id": 10}')
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"]) or "body", "message": e["msg"]}
            for e in exc.errors(include_url=False)
        ]
        raise bad_request("invalid fields", errors) from None


def wib(timestamp: float) -> str:
    """Dates are shown in Western Indonesia Time, where the programme runs."""
    return datetime.fromtimestamp(timestamp, UTC).astimezone(WIB).isoformat()


def status_at(row: Any, now: float) -> Status:
    if now < row.pendaftaran_mulai:
        return Status.segera_dibuka
    if now <= row.pendaftaran_selesai:
        return Status.pendaftaran_dibuka
    if now < row.pelatihan_mulai:
        return Status.pendaftaran_ditutup
    if now <= row.pelatihan_selesai:
        return Status.berjalan
    return Status.selesai


def akademi_json(row: Any) -> dict[str, Any]:
    return {"id": row.id, "slug": row.slug, "nama": row.nama, "deskripsi": row.deskripsi}


def pelatihan_json(row: Any, now: float) -> dict[str, Any]:
    status = status_at(row, now)
    return {
        "id": row.id,
        "nama": row.nama,
        "akademi": {"id": row.akademi_id, "slug": row.akademi_slug, "nama": row.akademi_nama},
        "tema": {"id": row.tema_id, "nama": row.tema_nama},
        "mitra": row.mitra,
        "level": row.level,
        "deskripsi": row.deskripsi,
        "metode": row.metode,
        "lokasi": {"kota": row.kota, "provinsi": row.provinsi, "alamat": row.alamat},
        "kuota": row.kuota,
        "jumlah_jp": row.jumlah_jp,
        "biaya": 0,
        "pendaftaran": {
            "mulai": wib(row.pendaftaran_mulai),
            "selesai": wib(row.pendaftaran_selesai),
        },
        "pelaksanaan": {"mulai": wib(row.pelatihan_mulai), "selesai": wib(row.pelatihan_selesai)},
        "status": status.value,
        "status_label": STATUS_LABELS[status],
    }
