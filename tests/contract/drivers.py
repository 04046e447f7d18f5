"""What the shared contract suite needs to know of each provider: how to sign a request, one
request that must succeed, and how its errors look. A provider added to the registry without a
driver here fails the suite."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tests.helpers import digitalent_headers
from tests.providers.sales_order.signing import signed_headers


@dataclass(frozen=True)
class Driver:
    # headers for (method, path, body, sandbox time, request id)
    sign: Callable[[str, str, bytes, datetime, str], dict[str, str]]
    accepted: tuple[str, str, bytes]  # a request that succeeds once signed
    secret: str  # the demo secret, which must never reach the journal
    is_error: Callable[[Any], bool]  # the provider's error shape
    window: Callable[[Any], int]  # the time window (seconds) from the provider's settings
    replay_status: int | None  # None: the provider has no request ids
    expired_status: int
    bad_signature_status: int
    signature_header: str = "signature"  # the header the suite corrupts to break a signature


def sales_order_sign(
    method: str, path: str, body: bytes, at: datetime, request_id: str
) -> dict[str, str]:
    # The signature covers client_id|X-TIMESTAMP only: method, path, body and request id are not
    # signed, and the API has no request ids (so no replay check).
    return signed_headers(at) | {"Content-Type": "application/json"}


def digitalent_sign(
    method: str, path: str, body: bytes, at: datetime, request_id: str
) -> dict[str, str]:
    return digitalent_headers(method, path, body, at=at, request_id=request_id)


DRIVERS: dict[str, Driver] = {
    "digitalent": Driver(
        sign=digitalent_sign,
        accepted=("POST", "/api/public/pelatihan/akademi", b'{"id":1}'),
        secret="dts-demo-secret",
        is_error=lambda body: body.get("success") is False and isinstance(body.get("message"), str),
        window=lambda settings: settings.timestamp_window,
        replay_status=409,
        expired_status=408,
        bad_signature_status=401,
    ),
    "sales_order": Driver(
        sign=sales_order_sign,
        # No purchase_order_no, so sending it twice never hits the duplicate check.
        accepted=(
            "POST",
            "/api/v1/sales-orders",
            b'{"customer_code":"CUST-001","site_code":"SITE-001","sales_name":"John Doe",'
            b'"address":"Jl. Sudirman No. 1, Jakarta",'
            b'"products":[{"product_code":"PRD-001","quantity":2}]}',
        ),
        secret="secret-key-123",
        is_error=lambda body: isinstance(body.get("message"), str) and "data" not in body,
        window=lambda settings: settings.timestamp_window,
        replay_status=None,
        expired_status=401,
        bad_signature_status=401,
        signature_header="x-signature",
    ),
}
