"""Sales Order's OpenAPI document: the doc's request samples, its four security schemes (named
as its Authorizations line names them) on every signed path, and the error answers.

Every example error is what ``render_error`` answers.
"""

from typing import Any

from mock_server.core import openapi
from mock_server.core.errors import ProviderError
from mock_server.core.openapi import Document, ErrorAnswer
from mock_server.providers.sales_order.auth import OPEN_PATHS
from mock_server.providers.sales_order.errors import render_error
from mock_server.providers.sales_order.partners import LOGIN_PATH, REFRESH_PATH
from mock_server.providers.sales_order.schemas import (
    CancelRequest,
    LoginRequest,
    RefreshRequest,
    SalesOrderRequest,
)

BODY_MODELS = (LoginRequest, RefreshRequest, SalesOrderRequest, CancelRequest)
# The doc's request samples (its products list is folded; one line of the seeded catalogue).
LOGIN_EXAMPLE = {"client_id": "partner-client-001", "client_secret": "secret-key-123"}
REFRESH_EXAMPLE = {"token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9..."}
ORDER_EXAMPLE: dict[str, Any] = {
    "customer_code": "CUST-001",
    "site_code": "SITE-001",
    "sales_name": "John Doe",
    "address": "Jl. Sudirman No. 1, Jakarta",
    "purchase_order_no": "PO-2025-00001",
    "products": [{"product_code": "PRD-001", "quantity": 2}],
}
CANCEL_EXAMPLE = {"reason": "customer withdrew the order"}

SIGNED: list[dict[str, list[str]]] = [
    {"X-CLIENT-ID": [], "X-TIMESTAMP": [], "X-SIGNATURE": [], "JWT-auth": []}
]
SECURITY_SCHEMES = {
    "JWT-auth": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "Authorization: Bearer <JWT_TOKEN> from /api/v1/auth/login (valid 12 "
        "hours; renew with /api/v1/auth/refresh). Its client_id must match X-CLIENT-ID.",
    },
    "X-CLIENT-ID": {
        "type": "apiKey",
        "in": "header",
        "name": "X-CLIENT-ID",
        "description": "your client_id; the one embedded in the JWT",
    },
    "X-TIMESTAMP": {
        "type": "apiKey",
        "in": "header",
        "name": "X-TIMESTAMP",
        "description": "the current unix timestamp (seconds), the one used when generating "
        "the signature",
    },
    "X-SIGNATURE": {
        "type": "apiKey",
        "in": "header",
        "name": "X-SIGNATURE",
        "description": "base64 of SHA256withRSA (RSASSA-PKCS1-v1_5, SHA-256) by your private "
        'key over client_id + "|" + X-TIMESTAMP, verified against your registered public key.',
    },
}
ERROR_SCHEMA = {
    "type": "object",
    "description": "The success envelope without data (the mock's choice; the doc shows no "
    "error body).",
    "required": ["message"],
    "properties": {
        "message": {"type": "string", "description": "what failed"},
        "detail": {"type": "string", "description": "exactly what"},
        "errors": openapi.FIELD_ERRORS,
    },
}


def _errors() -> dict[str, ErrorAnswer]:
    e = ProviderError
    errors = {
        "missing_headers": e(
            400, "missing_headers", "Missing required headers", detail="missing: X-SIGNATURE"
        ),
        "bad_body": e(
            400,
            "bad_body",
            "Malformed request body",
            detail="malformed JSON: Expecting value at line 1 column 1",
        ),
        "token": e(401, "token", "Invalid token", detail="the JWT's signature does not verify"),
        "token_expired": e(
            401, "token_expired", "Token expired", detail="the token expired 60 s ago"
        ),
        "signature": e(
            401,
            "signature",
            "Invalid signature",
            detail='SHA256withRSA over client_id + "|" + X-TIMESTAMP does not verify against '
            "the registered public key",
        ),
        "credentials": e(
            401,
            "credentials",
            "Invalid client credentials",
            detail="client_secret does not match this client_id",
        ),
        "refresh_window": e(
            401,
            "refresh_window",
            "Token expired beyond refresh window",
            detail="the token expired more than the refresh window ago",
        ),
        "client_mismatch": e(
            403,
            "client_mismatch",
            "Client ID mismatch",
            detail="the JWT's client_id is not X-CLIENT-ID",
        ),
        "client": e(
            403,
            "client",
            "Client is deactivated",
            detail="client 'partner-client-inactive' is deactivated",
        ),
        "not_found": e(
            404, "not_found", "Sales order not found", detail="no sales order SO-20250101-0001"
        ),
        "duplicate": e(
            409,
            "duplicate",
            "Duplicate purchase order number",
            detail="purchase_order_no PO-2025-00001 is already on another order",
        ),
        "order_state": e(409, "order_state", "Sales order already processed"),
        "validation": e(
            422,
            "validation",
            "Validation failed",
            detail="invalid fields: products[0].quantity",
            errors=[
                {
                    "field": "products[0].quantity",
                    "message": "Input should be greater than or equal to 1",
                }
            ],
        ),
        **openapi.pipeline_errors(),
    }
    return {
        rule: openapi.answer(render_error, "Error", err, err.message)
        for rule, err in errors.items()
    }


def complete(document: Document) -> None:
    openapi.add_models(document, BODY_MODELS)
    openapi.add_schemas(document, {"Error": ERROR_SCHEMA})
    openapi.add_security_schemes(document, SECURITY_SCHEMES)
    answers = _errors()
    for method, path, operation in openapi.operations(document):
        rules: list[str] = []
        if path in (LOGIN_PATH, REFRESH_PATH):
            rules += ["bad_body", "validation"]
            rules.append("credentials" if path == LOGIN_PATH else "refresh_window")
            rules.append("client")
        elif path not in OPEN_PATHS:
            operation["security"] = SIGNED
            rules += ["missing_headers", "token", "token_expired", "signature"]
            rules += ["client_mismatch", "client"]
            if operation.get("parameters") or "requestBody" in operation:
                rules.append("validation")
            if "requestBody" in operation:
                rules.append("bad_body")
            if "{" in path:
                rules.append("not_found")
            if path.endswith("/cancel"):
                rules.append("order_state")
            elif method == "POST":
                rules.append("duplicate")
        rules += ["rate_limit", "fault"]
        if method == "POST":
            rules.append("body_too_large")
        openapi.add_errors(operation, (answers[r] for r in rules))
