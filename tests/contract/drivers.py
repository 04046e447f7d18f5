"""What the shared contract suite needs to know of each provider: how to sign a request, one
request that must succeed, and how its errors look. A provider added to the registry without a
driver here fails the suite."""

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from tests.helpers import digitalent_headers, joss_headers, joss_reference_id
from tests.providers.kyc.reference import KYC_ACCEPTED_BODY, kyc_token
from tests.providers.sales_order.signing import signed_headers


@dataclass(frozen=True)
class Driver:
    # headers for (method, path, body, sandbox time, request id)
    sign: Callable[[str, str, bytes, datetime, str], dict[str, str]]
    accepted: tuple[str, str, bytes]  # a request that succeeds once signed
    secret: str  # the demo secret, which must never reach the journal
    is_error: Callable[[Any], bool]  # the provider's error shape
    # the time window (seconds) from the provider's settings; None: the provider has no
    # timestamp window (its window tests are skipped)
    window: Callable[[Any], int] | None
    replay_status: int | None  # None: the provider has no request ids
    expired_status: int | None  # None with window None
    bad_signature_status: int  # status when the credential is spoiled (see `tamper`)
    # For providers whose credential the sandbox issues (a bearer token): given the provider's
    # test client, returns this driver with ``sign`` bound to a fresh credential.
    bind: Callable[[Any], "Driver"] | None = None
    # How to spoil a signed request's credential; None: alter the Signature header.
    tamper: Callable[[dict[str, str]], dict[str, str]] | None = None
    # False when requests carry no timestamp: no window around a request's own time exists.
    timestamped: bool = True
    signature_header: str = "signature"  # the header the default tamper corrupts


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


def joss_sign(method: str, path: str, body: bytes, at: datetime, request_id: str) -> dict[str, str]:
    return joss_headers(method, path, body, at=at, request_id=request_id)


# JOSS consumes Request-Ids on every method but GET, so its accepted request is a PUT (an upsert:
# 201 the first time, 200 after).
JOSS_COMPANY = {
    "region": {
        "type": "city",
        "id": joss_reference_id("city", "DKI Jakarta/Jakarta Selatan"),
        "country_code": "ID",
    },
    "name": "PT Kontrak Uji",
    "postal_code": "12850",
    "address": "Jl. Semanggi Raya No. 1A, Jakarta Selatan",
    "license_number": "9120001234567",
    "industry": joss_reference_id("industry", "Informasi dan Komunikasi"),
}

APPKEY_LOGIN = b'{"username":"demo@example.com","password":"demo-password"}'


def appkey_sign(
    method: str, path: str, body: bytes, at: datetime, request_id: str
) -> dict[str, str]:
    """The x-app-key conventions for a login: app key, request id, the private key as bearer.
    Nothing is signed and nothing carries a time, so `at` does not apply."""
    return {
        "x-app-key": "appkey-demo-public",
        "x-request-id": request_id,
        "Authorization": "Bearer appkey-demo-private",
        "Content-Type": "application/json",
    }


def appkey_spoil(headers: dict[str, str]) -> dict[str, str]:
    return headers | {"Authorization": "Bearer appkey-demo-privatX"}


def kyc_is_error(body: Any) -> bool:
    """One of KYC's three documented shapes: the fault, an OperationOutcome, or metadata."""
    if not isinstance(body, dict):
        return False
    if "fault" in body:
        return body["fault"].get("detail", {}).get("errorcode", "").startswith("keymanagement.")
    if body.get("resourceType") == "OperationOutcome":
        return bool(body.get("issue"))
    code = (body.get("metadata") or {}).get("code")
    return isinstance(code, str) and code != "200" and isinstance(body.get("data"), dict)


def kyc_bind(driver: Driver) -> Callable[[Any], Driver]:
    def bind(client: Any) -> Driver:
        token = kyc_token(client)

        def sign(method: str, path: str, body: bytes, at: datetime, rid: str) -> dict[str, str]:
            return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

        return replace(driver, sign=sign, bind=None)

    return bind


def kyc_driver() -> Driver:
    unbound = Driver(
        sign=lambda *_: {},
        accepted=("POST", "/kyc/v1/challenge-code", KYC_ACCEPTED_BODY),
        secret="kyc-demo-secret",
        is_error=kyc_is_error,
        # No request timestamp: the window that moves with the clock is the token's lifetime.
        window=lambda settings: settings.token_lifetime,
        replay_status=None,  # KYC requests carry no request id
        expired_status=401,
        bad_signature_status=401,
        tamper=lambda headers: headers | {"Authorization": headers["Authorization"] + "x"},
        timestamped=False,
    )
    return replace(unbound, bind=kyc_bind(unbound))


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
    "joss": Driver(
        sign=joss_sign,
        accepted=(
            "PUT",
            "/api/v1/companies/0b5d7a5e-3f7c-4a7e-9a51-3c2f4f0f7a01",
            json.dumps(JOSS_COMPANY).encode(),
        ),
        secret="joss-sandbox-secret",
        is_error=lambda body: (
            isinstance(body.get("status"), int)
            and body["status"] >= 400
            and isinstance(body.get("message"), str)
        ),
        window=lambda settings: settings.timestamp_window,
        replay_status=409,
        expired_status=401,
        bad_signature_status=401,
    ),
    "appkey": Driver(
        sign=appkey_sign,
        accepted=("POST", "/api/v1/auth/login", APPKEY_LOGIN),
        secret="appkey-demo-private",
        is_error=lambda body: (
            body.get("success") is False
            and isinstance(body.get("message"), str)
            and isinstance(body.get("code"), str)
        ),
        window=None,
        replay_status=409,
        expired_status=None,
        bad_signature_status=401,
        tamper=appkey_spoil,
        timestamped=False,
    ),
    "kyc": kyc_driver(),
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
