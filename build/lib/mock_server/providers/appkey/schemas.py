"""Request bodies and response JSON of the x-app-key API (all the mock's choice)."""

import json
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr, ValidationError

from mock_server.core import jsonbody
from mock_server.core.clock import WIB, isoformat_z
from mock_server.providers.appkey.errors import bad_request
from mock_server.providers.appkey.messages import FIELD_MESSAGES, both
from mock_server.providers.appkey.tokens import Issued

ModelT = TypeVar("ModelT", bound=BaseModel)


class LoginBody(BaseModel):
    """``{"username": "demo@example.com", "password": "demo-password"}``."""

    model_config = ConfigDict(extra="ignore")
    username: StrictStr = Field(min_length=1, max_length=254)
    password: StrictStr = Field(min_length=1, max_length=256)


class AddressBody(BaseModel):
    """A new saved address. Strict types: a number where text belongs is a client bug."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    label: StrictStr = Field(min_length=1, max_length=50)
    recipient_name: StrictStr = Field(min_length=1, max_length=100)
    phone: StrictStr = Field(pattern=r"^(\+62|62|0)8[0-9]{7,12}$")
    street: StrictStr = Field(min_length=1, max_length=200)
    city: StrictStr = Field(min_length=1, max_length=100)
    province_code: StrictStr = Field(pattern=r"^[0-9]{2}$")
    postal_code: StrictStr = Field(pattern=r"^[0-9]{5}$")
    is_primary: StrictBool = False


def parse_body(model: type[ModelT], body: bytes, example: str) -> ModelT:
    """Validate a JSON body; every failure is a 400 in this API's shape, in both languages."""
    if not body.strip():
        raise bad_request(
            both(
                f"body JSON wajib diisi, mis. {example}", f"a JSON body is required, e.g. {example}"
            )
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise bad_request(
            both(
                f"body bukan UTF-8 yang valid (byte {exc.start})",
                f"the body is not valid UTF-8 (byte {exc.start})",
            )
        ) from None
    try:
        payload = jsonbody.loads(text)
    except json.JSONDecodeError as exc:
        where = f"baris {exc.lineno} kolom {exc.colno}", f"line {exc.lineno} column {exc.colno}"
        raise bad_request(
            both(
                f"JSON tidak valid: {exc.msg} di {where[0]}",
                f"malformed JSON: {exc.msg} at {where[1]}",
            )
        ) from None
    if not isinstance(payload, dict):
        raise bad_request(
            both(
                f"body harus berupa objek JSON, mis. {example}",
                f"the body must be a JSON object, e.g. {example}",
            )
        )
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        errors = [
            {
                "field": ".".join(str(p) for p in e["loc"]) or "body",
                "message": FIELD_MESSAGES.get(e["type"], both("nilai tidak valid", e["msg"])),
            }
            for e in exc.errors(include_url=False)
        ]
        raise bad_request(both("isian tidak valid", "invalid fields"), errors) from None


def iso_utc(timestamp: float) -> str:
    return isoformat_z(datetime.fromtimestamp(timestamp, UTC))


def token_json(prefix: str, token: Issued, now: float) -> dict[str, Any]:
    return {
        prefix: token.text,
        f"{prefix}_expires_in": int(token.expires_at - now),
        f"{prefix}_expires_at": iso_utc(token.expires_at),
    }


def wib(timestamp: float) -> str:
    """Record dates in Western Indonesia Time, as an Indonesian API would show them."""
    return datetime.fromtimestamp(timestamp, UTC).astimezone(WIB).isoformat(timespec="seconds")


def user_json(row: Any) -> dict[str, Any]:
    return {
        "user_id": row.user_id,
        "username": row.username,
        "full_name": row.full_name,
        "email": row.email,
        "phone": row.phone,
        "birth_date": row.birth_date,
        "city": row.city,
        "created_at": wib(row.created_at),
    }


def address_json(row: Any, province_name: str | None) -> dict[str, Any]:
    return {
        "id": row.id,
        "label": row.label,
        "recipient_name": row.recipient_name,
        "phone": row.phone,
        "street": row.street,
        "city": row.city,
        "province": {"code": row.province_code, "name": province_name},
        "postal_code": row.postal_code,
        "is_primary": bool(row.is_primary),
        "created_at": wib(row.created_at),
    }
