"""Request bodies (the doc's, plus ProductDto, which the doc leaves empty) and the JSON answers.

ProductDto is the mock's choice: ``product_code`` (required), ``quantity`` (required, a whole
number > 0, in the product's unit), ``unit_price`` (optional, IDR, defaults to the list price),
``uom`` (optional; when given it must be the product's unit) and ``notes`` (optional).
"""

import json
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mock_server.core import jsonbody
from mock_server.core.clock import WIB
from mock_server.providers.sales_order.errors import bad_request, validation_failed

ModelT = TypeVar("ModelT", bound=BaseModel)
Code = Annotated[str, Field(min_length=1, max_length=32)]


class Body(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class LoginRequest(Body):
    client_id: str = Field(min_length=1, max_length=128, description="Client ID")
    client_secret: str = Field(min_length=1, max_length=256, description="Client Secret")


class RefreshRequest(Body):
    token: str = Field(min_length=1, max_length=8192, description="JWT Token")


class ProductDto(Body):
    product_code: Code = Field(description="a product code from GET /api/v1/products")
    # Strict: true, 2.5 or "2" are refused rather than read as 1, 2 or 2. The bounds keep an
    # order's total (200 lines) inside a 64-bit integer column.
    quantity: int = Field(
        gt=0, le=1_000_000, strict=True, description="in the product's unit of measure"
    )
    unit_price: int | None = Field(
        None,
        ge=0,
        le=10_000_000_000,
        strict=True,
        description="IDR per unit; default: the list price",
    )
    uom: str | None = Field(None, max_length=8, description="must be the product's unit if given")
    notes: str | None = Field(None, max_length=500)


class SalesOrderRequest(Body):
    customer_code: Code = Field(description="Customer code")
    site_code: Code = Field(description="Site code")
    sales_name: str = Field(min_length=1, max_length=100, description="Sales person name")
    address: str = Field(min_length=1, max_length=500, description="Delivery address")
    purchase_order_no: str | None = Field(
        None,
        max_length=64,
        description="Purchase order number from the external partner system",
    )
    products: list[ProductDto] = Field(min_length=1, max_length=200, description="List of products")


class CancelRequest(Body):
    reason: str | None = Field(None, max_length=500)


class Status(StrEnum):
    """Where an order stands, by the sandbox clock."""

    pending = "PENDING"
    processed = "PROCESSED"
    cancelled = "CANCELLED"


def field_name(loc: tuple[int | str, ...]) -> str:
    """``("products", 0, "quantity")`` -> ``products[0].quantity``, as a Java client names it."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "body"


def parse_body(model: type[ModelT], body: bytes, *, optional: bool = False) -> ModelT:
    """Unreadable bodies are 400; readable ones with bad fields are 422 naming each field."""
    if not body.strip():
        if optional:
            return model()
        raise bad_request("a JSON body is required")
    try:
        payload = jsonbody.loads(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise bad_request(f"the body is not valid UTF-8 (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise bad_request(
            f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    if not isinstance(payload, dict):
        raise bad_request(f"the body must be a JSON object, not {type(payload).__name__}")
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        raise validation_failed(
            [
                {"field": field_name(e["loc"]), "message": e["msg"]}
                for e in exc.errors(include_url=False)
            ]
        ) from None


def wib(timestamp: float) -> str:
    """Times in Western Indonesia Time, as an Indonesian ERP shows them."""
    return datetime.fromtimestamp(timestamp, UTC).astimezone(WIB).isoformat(timespec="seconds")


def status_at(order: Any, now: float, process_after: int) -> Status:
    if order.cancelled_at is not None:
        return Status.cancelled
    if process_after and now >= order.created_at + process_after:
        return Status.processed
    return Status.pending


def order_json(order: Any, lines: list[Any], now: float, process_after: int) -> dict[str, Any]:
    status = status_at(order, now, process_after)
    processed_at = order.created_at + process_after if status is Status.processed else None
    updated_at = order.cancelled_at or processed_at or order.created_at
    return {
        "id": order.id,
        "order_no": order.order_no,
        "status": status.value,
        "purchase_order_no": order.purchase_order_no,
        "customer": {"code": order.customer_code, "name": order.customer_name},
        "site": {"code": order.site_code, "name": order.site_name},
        "sales_name": order.sales_name,
        "address": order.address,
        "products": [
            {
                "line_no": line.line_no,
                "product_code": line.product_code,
                "product_name": line.product_name,
                "quantity": line.quantity,
                "uom": line.uom,
                "unit_price": line.unit_price,
                "line_total": line.line_total,
                "notes": line.notes,
            }
            for line in lines
        ],
        "total_quantity": sum(line.quantity for line in lines),
        "total_amount": order.total_amount,
        "currency": "IDR",
        "created_at": wib(order.created_at),
        "updated_at": wib(updated_at),
        "processed_at": wib(processed_at) if processed_at is not None else None,
        "cancelled_at": wib(order.cancelled_at) if order.cancelled_at is not None else None,
        "cancel_reason": order.cancel_reason,
    }
