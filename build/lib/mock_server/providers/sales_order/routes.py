"""Sales Order endpoints: the documented login, refresh and order creation, and what a partner
needs around them (list, detail, cancel, master data, the OpenAPI document).

Only login, refresh and ``POST`` of an order are documented (the doc omits the order path; the
mock's choice is ``/api/v1/sales-orders``). Everything else here is the mock's choice, named in
the doc's own words (customer_code, site_code, purchase_order_no, ProductDto).

Handlers are a thin face over the backend (``erp.py``): they parse the body, pass the client auth
served the request as, and wrap the answer in the ``{"message", "data"}`` envelope.
"""

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from starlette.responses import JSONResponse, Response

from mock_server.core.apps import provider_app
from mock_server.core.context import RequestContext, context_of, request_context
from mock_server.core.errors import ProviderError
from mock_server.core.pipeline import note_rejection
from mock_server.providers.sales_order.auth import OPEN_PATHS
from mock_server.providers.sales_order.erp import Erp
from mock_server.providers.sales_order.errors import render_error, validation_failed
from mock_server.providers.sales_order.orders import OrderQuery
from mock_server.providers.sales_order.partners import LOGIN_PATH, REFRESH_PATH
from mock_server.providers.sales_order.schemas import (
    CancelRequest,
    LoginRequest,
    RefreshRequest,
    SalesOrderRequest,
    Status,
    field_name,
    parse_body,
)

SIGNED: list[dict[str, list[str]]] = [
    {"X-CLIENT-ID": [], "X-TIMESTAMP": [], "X-SIGNATURE": [], "JWT-auth": []}
]
BODY_MODELS: tuple[type[BaseModel], ...] = (
    LoginRequest,
    RefreshRequest,
    SalesOrderRequest,
    CancelRequest,
)

# The request, and through it the ERP backend: one dependency per handler.
Call = Annotated[RequestContext[Erp], Depends(request_context)]
Q = Annotated[str | None, Query(max_length=100, description="free text")]

router = APIRouter()


def partner_id(ctx: RequestContext[Erp]) -> str:
    """The client auth serves the request as; "" for nobody (lenient mode), who owns no orders."""
    return ctx.principal.client_id or ""


def order_owner(ctx: RequestContext[Erp]) -> str:
    """The client a new order belongs to. Strict auth only lets known clients through; lenient
    mode serves requests as X-CLIENT-ID (or the token's client_id) even when that client is
    unknown, and an order cannot be stored without an existing owner, so that one case is
    refused as auth would have refused it. Reads need no such check: an unknown client simply
    owns no orders."""
    client_id = partner_id(ctx)
    if ctx.record.would_have_failed and ctx.backend.partners.client(client_id) is None:
        raise ProviderError(
            403,
            "client",
            "Client is deactivated",
            detail=f"client {client_id[:128]!r} is unknown: even in lenient mode an order "
            "needs an existing client to own it",
        )
    return client_id


def json_body(model: type, *, required: bool = True) -> dict[str, Any]:
    """OpenAPI for a body the handler parses itself (so bad bodies get this API's answers)."""
    ref = {"$ref": f"#/components/schemas/{model.__name__}"}
    content = {"application/json": {"schema": ref}}
    return {"requestBody": {"required": required, "content": content}}


def ok(message: str, data: Any, status: int = 200, **extra: Any) -> JSONResponse:
    return JSONResponse({"message": message, "data": data, **extra}, status_code=status)


def wanted_status(status: str | None) -> Status | None:
    if not status:
        return None
    try:
        return Status(status.strip().upper())
    except ValueError:
        raise validation_failed(
            [{"field": "status", "message": "must be one of " + ", ".join(s.value for s in Status)}]
        ) from None


# -- tokens -------------------------------------------------------------------------------------
@router.post(LOGIN_PATH, openapi_extra=json_body(LoginRequest))
async def login(ctx: Call) -> JSONResponse:
    """Generate JWT token with client credentials."""
    body = parse_body(LoginRequest, ctx.body)
    token = ctx.backend.partners.login(body.client_id, body.client_secret, ctx.now)
    ctx.identify(token.client_id)
    return JSONResponse(token.json())


@router.post(REFRESH_PATH, openapi_extra=json_body(RefreshRequest))
async def refresh(ctx: Call) -> JSONResponse:
    """Refresh JWT token: an expired one too, within the refresh window after expiry."""
    body = parse_body(RefreshRequest, ctx.body)
    claims = ctx.backend.partners.claims(body.token, ctx.now)
    ctx.identify(claims.client_id)  # before the window and client checks, which it explains
    return JSONResponse(ctx.backend.partners.refresh(claims, ctx.now).json())


# -- orders -------------------------------------------------------------------------------------
@router.post(
    "/api/v1/sales-orders",
    status_code=201,
    openapi_extra=json_body(SalesOrderRequest),
    tags=["Sales Orders"],
)
async def create_sales_order(ctx: Call) -> JSONResponse:
    """Create a new sales order."""
    owner = order_owner(ctx)  # before the body: auth would have refused an unknown client first
    body = parse_body(SalesOrderRequest, ctx.body)
    order = ctx.backend.orders.create(owner, body, ctx.now)
    return ok("Sales order created successfully", order, status=201)


@router.get("/api/v1/sales-orders", tags=["Sales Orders"])
async def list_sales_orders(
    ctx: Call,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
    status: Annotated[str | None, Query(max_length=16, description="PENDING, ...")] = None,
    purchase_order_no: Annotated[str | None, Query(max_length=64)] = None,
) -> JSONResponse:
    """Your own sales orders, newest first; filter by status and purchase_order_no."""
    query = OrderQuery(page, size, wanted_status(status), purchase_order_no)
    data, meta = ctx.backend.orders.page(partner_id(ctx), query, ctx.now)
    return ok("OK", data, meta=meta)


@router.get("/api/v1/sales-orders/{order_ref}", tags=["Sales Orders"])
async def get_sales_order(order_ref: str, ctx: Call) -> JSONResponse:
    """One of your sales orders, by id or order number."""
    return ok("OK", ctx.backend.orders.get(partner_id(ctx), order_ref, ctx.now))


@router.post(
    "/api/v1/sales-orders/{order_ref}/cancel",
    openapi_extra=json_body(CancelRequest, required=False),
    tags=["Sales Orders"],
)
async def cancel_sales_order(order_ref: str, ctx: Call) -> JSONResponse:
    """Cancel one of your sales orders while it is not yet processed."""
    body = parse_body(CancelRequest, ctx.body, optional=True)
    order = ctx.backend.orders.cancel(partner_id(ctx), order_ref, body.reason, ctx.now)
    return ok("Sales order cancelled successfully", order)


# -- master data --------------------------------------------------------------------------------
@router.get("/api/v1/customers", tags=["Master data"])
async def list_customers(ctx: Call, q: Q = None) -> JSONResponse:
    """Customers: valid customer_code values."""
    return ok("OK", ctx.backend.master_data.customers(q))


@router.get("/api/v1/sites", tags=["Master data"])
async def list_sites(ctx: Call, q: Q = None) -> JSONResponse:
    """Sites (warehouses, branches): valid site_code values."""
    return ok("OK", ctx.backend.master_data.sites(q))


@router.get("/api/v1/products", tags=["Master data"])
async def list_products(ctx: Call, q: Q = None) -> JSONResponse:
    """Products with unit (uom) and list price in IDR: valid product_code values."""
    return ok("OK", ctx.backend.master_data.products(q))


# -- the OpenAPI document -----------------------------------------------------------------------
@router.get("/openapi.json", include_in_schema=False)
async def openapi_alias(request: Request) -> JSONResponse:
    return JSONResponse(request.app.openapi())


def openapi_document(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, plus the body models the handlers parse themselves and the doc's
    security schemes (a JWT bearer and the three signature headers) on every signed path."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for model in BODY_MODELS:
        model_schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(model_schema.pop("$defs", {}))
        schemas[model.__name__] = model_schema
    components["securitySchemes"] = {
        "JWT-auth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
        **{
            name: {"type": "apiKey", "in": "header", "name": name}
            for name in ("X-CLIENT-ID", "X-TIMESTAMP", "X-SIGNATURE")
        },
    }
    for path, item in schema.get("paths", {}).items():
        if path not in OPEN_PATHS:
            for operation in item.values():
                operation["security"] = SIGNED
    app.openapi_schema = schema
    return schema


async def on_validation_error(request: Request, exc: Exception) -> Response:
    """Query and path parameters: 422 naming each, like the bodies (the core answers 400)."""
    assert isinstance(exc, RequestValidationError)
    err = validation_failed(
        [{"field": field_name(tuple(e["loc"][1:])), "message": e["msg"]} for e in exc.errors()]
    )
    ctx = context_of(request.scope)
    if ctx is not None:
        note_rejection(ctx.record, err)
    return render_error(err, request)


def build_app(erp: Erp) -> FastAPI:
    app = provider_app(
        [router],
        render_error,
        title="Sales Order API",
        version="1.0",
        description="Sandbox of the Sales Order partner API: JWT bearer tokens and RSA request "
        "signatures (X-SIGNATURE = base64 SHA256withRSA of client_id|X-TIMESTAMP).",
        openapi_url="/v3/api-docs",  # springdoc's path, where the doc's download link points
    )
    app.add_exception_handler(RequestValidationError, on_validation_error)
    # FastAPI builds its document in ``openapi``; this API's replaces it (built on first use, so
    # start-up does not pay for it). The method is assigned on the instance, hence the ignore.
    app.openapi = partial(openapi_document, app)  # type: ignore[method-assign]
    return app
