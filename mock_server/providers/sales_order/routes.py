"""Sales Order endpoints: the documented login, refresh and order creation, and what a partner
needs around them (list, detail, cancel, master data, the OpenAPI document).

Only login, refresh and ``POST`` of an order are documented (the doc omits the order path; the
mock's choice is ``/api/v1/sales-orders``). Everything else here is the mock's choice, named in
the doc's own words (customer_code, site_code, purchase_order_no, ProductDto).
"""

import hmac
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from sqlalchemy import and_, bindparam, func, select
from starlette.responses import JSONResponse, Response

from mock_server.core.deps import RecordDep
from mock_server.core.errors import ProviderError
from mock_server.core.pipeline import NO_TELEMETRY, install_error_handlers, note_rejection
from mock_server.core.provider import ProviderContext
from mock_server.core.db import IntegrityError
from mock_server.providers.sales_order import tokens
from mock_server.providers.sales_order.auth import LOGIN_PATH, OPEN_PATHS, REFRESH_PATH
from mock_server.providers.sales_order.errors import not_found, render_error, validation_failed
from mock_server.providers.sales_order.models import (
    Customer,
    Product,
    SalesOrder,
    SalesOrderClient,
    SalesOrderLine,
    Site,
)
from mock_server.providers.sales_order.schemas import (
    CancelRequest,
    LoginRequest,
    RefreshRequest,
    SalesOrderRequest,
    Status,
    field_name,
    order_json,
    parse_body,
    wib,
)

SO = SalesOrder.__table__.c  # type: ignore[attr-defined]
L = SalesOrderLine.__table__.c  # type: ignore[attr-defined]
C = Customer.__table__.c  # type: ignore[attr-defined]
S = Site.__table__.c  # type: ignore[attr-defined]
P = Product.__table__.c  # type: ignore[attr-defined]
K = SalesOrderClient.__table__.c  # type: ignore[attr-defined]

ORDER_ROWS = (
    select(
        SalesOrder.__table__,  # type: ignore[arg-type]
        C.name.label("customer_name"),
        S.name.label("site_name"),
    )
    .join_from(SalesOrder.__table__, Customer.__table__, SO.customer_code == C.code)  # type: ignore[arg-type]
    .join(Site.__table__, SO.site_code == S.code)  # type: ignore[arg-type]
)
SIGNED = [{"X-CLIENT-ID": [], "X-TIMESTAMP": [], "X-SIGNATURE": [], "JWT-auth": []}]
BODY_MODELS = (LoginRequest, RefreshRequest, SalesOrderRequest, CancelRequest)


def json_body(model: type, *, required: bool = True) -> dict[str, Any]:
    """OpenAPI for a body the handler parses itself (so bad bodies get this API's answers)."""
    ref = {"$ref": f"#/components/schemas/{model.__name__}"}
    content = {"application/json": {"schema": ref}}
    return {"requestBody": {"required": required, "content": content}}


def ok(message: str, data: Any, status: int = 200, **extra: Any) -> JSONResponse:
    return JSONResponse({"message": message, "data": data, **extra}, status_code=status)


def build_app(ctx: ProviderContext) -> FastAPI:
    settings, db, clock = ctx.settings, ctx.db, ctx.clock
    app = FastAPI(
        telemetry=NO_TELEMETRY,
        title="Sales Order API",
        version="1.0",
        description="Sandbox of the Sales Order partner API: JWT bearer tokens and RSA request "
        "signatures (X-SIGNATURE = base64 SHA256withRSA of client_id|X-TIMESTAMP).",
        docs_url=None,
        redoc_url=None,
        openapi_url="/v3/api-docs",  # springdoc's path, where the doc's download link points
    )
    install_error_handlers(app, render_error)

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        # Query and path parameters: 422 naming each, like the bodies (the core answers 400).
        assert isinstance(exc, RequestValidationError)
        err = validation_failed(
            [{"field": field_name(tuple(e["loc"][1:])), "message": e["msg"]} for e in exc.errors()]
        )
        record = request.scope.get("state", {}).get("mock")
        if record is not None:
            note_rejection(record, err)
        return render_error(err, request)

    app.add_exception_handler(RequestValidationError, on_validation_error)

    client_by_id = db.prepare(
        SalesOrderClient.__table__.select().where(K.client_id == bindparam("client_id"))  # type: ignore[attr-defined]
    )
    order_by_id = db.prepare(
        ORDER_ROWS.where(SO.id == bindparam("id"), SO.client_id == bindparam("client_id"))
    )
    order_by_no = db.prepare(
        ORDER_ROWS.where(SO.order_no == bindparam("no"), SO.client_id == bindparam("client_id"))
    )
    lines_of = db.prepare(
        SalesOrderLine.__table__.select().where(L.order_id == bindparam("id")).order_by(L.line_no)  # type: ignore[attr-defined]
    )
    master_cache = db.cache(ttl=1.0)

    def issue_token(client_id: str) -> JSONResponse:
        token, expired_at = tokens.issue(
            settings.jwt_secret, client_id, clock.timestamp(), settings.token_lifetime
        )
        return JSONResponse({"token": token, "expired_at": expired_at})

    def active_client(client_id: str) -> Any:
        client = client_by_id.first(client_id=client_id)
        if client is not None and not client.active:
            raise ProviderError(
                403,
                "client",
                "Client is deactivated",
                detail=f"client {client_id!r} is deactivated",
            )
        return client

    @app.post(LOGIN_PATH, openapi_extra=json_body(LoginRequest))
    async def login(record: RecordDep) -> JSONResponse:
        """Generate JWT token with client credentials."""
        body = parse_body(LoginRequest, record.body)
        client = active_client(body.client_id)
        if client is None or not hmac.compare_digest(
            client.client_secret.encode(), body.client_secret.encode()
        ):
            raise ProviderError(
                401,
                "credentials",
                "Invalid client credentials",
                detail="unknown client_id or wrong client_secret",
            )
        record.client_id = client.client_id
        return issue_token(client.client_id)

    @app.post(REFRESH_PATH, openapi_extra=json_body(RefreshRequest))
    async def refresh(record: RecordDep) -> JSONResponse:
        """Refresh JWT token: an expired one too, within the refresh window after expiry."""
        body = parse_body(RefreshRequest, record.body)
        claims = tokens.read(settings.jwt_secret, body.token)
        record.client_id = claims.client_id
        late = clock.timestamp() - claims.expires_at
        if late > settings.refresh_window:
            raise ProviderError(
                401,
                "refresh_window",
                "Token expired beyond refresh window",
                detail=f"the token expired {late:.0f} s ago; refresh accepts tokens up to "
                f"{settings.refresh_window} s after expiry: log in again with POST {LOGIN_PATH}",
            )
        if active_client(claims.client_id) is None:
            raise ProviderError(
                403, "client", "Client is deactivated", detail="the token's client is unknown"
            )
        return issue_token(claims.client_id)

    # -- orders ---------------------------------------------------------------------------------
    def owner(record: Any) -> str:
        """The client a new order belongs to. Strict auth only lets known clients through; lenient
        mode serves requests as X-CLIENT-ID (or the token's client_id) even when that client is
        unknown, and an order cannot be stored without an existing owner, so that one case is
        refused as auth would have refused it. Reads need no such check: an unknown client
        simply owns no orders."""
        client_id = record.client_id or ""
        if record.would_have_failed and client_by_id.first(client_id=client_id) is None:
            raise ProviderError(
                403,
                "client",
                "Client is deactivated",
                detail=f"client {client_id[:128]!r} is unknown: even in lenient mode an order "
                "needs an existing client to own it",
            )
        return client_id

    def order_or_404(client_id: str, ref: str) -> Any:
        row = None
        if ref.isdigit() and len(ref) <= 18:
            row = order_by_id.first(id=int(ref), client_id=client_id)
        if row is None:
            row = order_by_no.first(no=ref, client_id=client_id)
        if row is None:  # another client's order is not found either: no existence leak
            raise not_found("Sales order", ref[:64])
        return row

    def render_order(row: Any) -> dict[str, Any]:
        return order_json(row, lines_of.all(id=row.id), clock.timestamp(), settings.process_after)

    def check_master_data(body: SalesOrderRequest) -> dict[str, Any]:
        """Every unknown code is a 422 naming its field; returns the products by code."""
        conn = db.connection()
        errors = []
        if conn.execute(select(C.code).where(C.code == body.customer_code)).first() is None:
            errors.append({"field": "customer_code", "message": "unknown customer code"})
        if conn.execute(select(S.code).where(S.code == body.site_code)).first() is None:
            errors.append({"field": "site_code", "message": "unknown site code"})
        codes = {p.product_code for p in body.products}
        products = {
            r.code: r
            for r in conn.execute(select(Product.__table__).where(P.code.in_(codes)))  # type: ignore[arg-type]
        }
        for i, line in enumerate(body.products):
            product = products.get(line.product_code)
            if product is None:
                errors.append(
                    {"field": f"products[{i}].product_code", "message": "unknown product code"}
                )
            elif line.uom and line.uom.upper() != product.uom:
                errors.append(
                    {
                        "field": f"products[{i}].uom",
                        "message": f"{product.code} is sold per {product.uom}",
                    }
                )
        if errors:
            raise validation_failed(errors)
        return products

    def duplicate(purchase_order_no: str) -> ProviderError:
        return ProviderError(
            409,
            "duplicate",
            "Duplicate purchase order number",
            detail=f"purchase_order_no {purchase_order_no!r} was already used by this client",
        )

    @app.post(
        "/api/v1/sales-orders",
        status_code=201,
        openapi_extra=json_body(SalesOrderRequest),
        tags=["Sales Orders"],
    )
    async def create_sales_order(record: RecordDep) -> JSONResponse:
        """Create a new sales order."""
        client_id = owner(record)
        body = parse_body(SalesOrderRequest, record.body)
        products = check_master_data(body)
        now = clock.timestamp()
        lines = []
        for n, line in enumerate(body.products, start=1):
            product = products[line.product_code]
            price = product.price if line.unit_price is None else line.unit_price
            lines.append(
                {
                    "line_no": n,
                    "product_code": product.code,
                    "product_name": product.name,
                    "quantity": line.quantity,
                    "uom": product.uom,
                    "unit_price": price,
                    "line_total": price * line.quantity,
                    "notes": line.notes,
                }
            )
        po = body.purchase_order_no or None
        try:
            # The unique (client_id, purchase_order_no) key decides, so two workers racing with
            # the same number cannot both succeed. The order row goes in first: nothing else is
            # written when it is refused.
            with db.begin() as conn:
                result = conn.execute(
                    SalesOrder.__table__.insert().values(  # type: ignore[attr-defined]
                        client_id=client_id,
                        customer_code=body.customer_code,
                        site_code=body.site_code,
                        sales_name=body.sales_name,
                        address=body.address,
                        purchase_order_no=po,
                        total_amount=sum(line["line_total"] for line in lines),
                        created_at=now,
                    )
                )
                order_id = result.inserted_primary_key[0]
                order_no = f"SO-{wib(now)[:10].replace('-', '')}-{order_id:06d}"
                conn.execute(
                    SalesOrder.__table__.update()  # type: ignore[attr-defined]
                    .where(SO.id == order_id)
                    .values(order_no=order_no)
                )
                conn.execute(
                    SalesOrderLine.__table__.insert(),  # type: ignore[attr-defined]
                    [{"order_id": order_id, **line} for line in lines],
                )
        except (IntegrityError, db.IntegrityError):
            raise duplicate(po or "") from None
        row = order_by_id.first(id=order_id, client_id=client_id)
        return ok("Sales order created successfully", render_order(row), status=201)

    @app.get("/api/v1/sales-orders", tags=["Sales Orders"])
    async def list_sales_orders(
        record: RecordDep,
        page: Annotated[int, Query(ge=1, le=100_000)] = 1,
        size: Annotated[int, Query(ge=1, le=100)] = 20,
        status: Annotated[str | None, Query(max_length=16, description="PENDING, ...")] = None,
        purchase_order_no: Annotated[str | None, Query(max_length=64)] = None,
    ) -> JSONResponse:
        """Your own sales orders, newest first; filter by status and purchase_order_no."""
        now = clock.timestamp()
        conditions = [SO.client_id == record.client_id]
        if status:
            try:
                wanted = Status(status.strip().upper())
            except ValueError:
                raise validation_failed(
                    [
                        {
                            "field": "status",
                            "message": "must be one of " + ", ".join(s.value for s in Status),
                        }
                    ]
                ) from None
            conditions.append(status_clause(wanted, now, settings.process_after))
        if purchase_order_no:
            conditions.append(SO.purchase_order_no == purchase_order_no)
        query = ORDER_ROWS.where(*conditions)
        conn = db.connection()
        total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        rows = list(
            conn.execute(query.order_by(SO.id.desc()).limit(size).offset((page - 1) * size))
        )
        lines: dict[int, list[Any]] = {r.id: [] for r in rows}
        if rows:
            for line in conn.execute(
                SalesOrderLine.__table__.select()  # type: ignore[attr-defined]
                .where(L.order_id.in_(list(lines)))
                .order_by(L.order_id, L.line_no)
            ):
                lines[line.order_id].append(line)
        data = [order_json(r, lines[r.id], now, settings.process_after) for r in rows]
        meta = {
            "page": page,
            "size": size,
            "total": total,
            "total_pages": (total + size - 1) // size,
        }
        return ok("OK", data, meta=meta)

    @app.get("/api/v1/sales-orders/{order_ref}", tags=["Sales Orders"])
    async def get_sales_order(order_ref: str, record: RecordDep) -> JSONResponse:
        """One of your sales orders, by id or order number."""
        return ok("OK", render_order(order_or_404(record.client_id or "", order_ref)))

    @app.post(
        "/api/v1/sales-orders/{order_ref}/cancel",
        openapi_extra=json_body(CancelRequest, required=False),
        tags=["Sales Orders"],
    )
    async def cancel_sales_order(order_ref: str, record: RecordDep) -> JSONResponse:
        """Cancel one of your sales orders while it is not yet processed."""
        body = parse_body(CancelRequest, record.body, optional=True)
        row = order_or_404(record.client_id or "", order_ref)
        status = order_json(row, [], clock.timestamp(), settings.process_after)["status"]
        if status != Status.pending:
            raise ProviderError(
                409,
                "order_state",
                f"Sales order already {status.lower()}",
                detail=f"{row.order_no} is {status}; only PENDING orders can be cancelled",
            )
        with db.begin() as conn:
            conn.execute(
                SalesOrder.__table__.update()  # type: ignore[attr-defined]
                .where(SO.id == row.id)
                .values(cancelled_at=clock.timestamp(), cancel_reason=body.reason)
            )
        row = order_by_id.first(id=row.id, client_id=row.client_id)
        return ok("Sales order cancelled successfully", render_order(row))

    # -- master data ----------------------------------------------------------------------------
    def master(table: Any, order: Any, q: str | None) -> list[dict[str, Any]]:
        def load() -> list[dict[str, Any]]:
            return [
                dict(r._mapping) for r in db.connection().execute(table.select().order_by(order))
            ]

        rows = master_cache.get(table.name, load)
        if q and q.strip():
            needle = q.strip().lower()
            rows = [r for r in rows if any(needle in str(v).lower() for v in r.values())]
        return rows

    Q = Annotated[str | None, Query(max_length=100, description="free text")]

    @app.get("/api/v1/customers", tags=["Master data"])
    async def list_customers(q: Q = None) -> JSONResponse:
        """Customers: valid customer_code values."""
        return ok("OK", master(Customer.__table__, C.code, q))

    @app.get("/api/v1/sites", tags=["Master data"])
    async def list_sites(q: Q = None) -> JSONResponse:
        """Sites (warehouses, branches): valid site_code values."""
        return ok("OK", master(Site.__table__, S.code, q))

    @app.get("/api/v1/products", tags=["Master data"])
    async def list_products(q: Q = None) -> JSONResponse:
        """Products with unit (uom) and list price in IDR: valid product_code values."""
        rows = [r | {"currency": "IDR"} for r in master(Product.__table__, P.code, q)]
        return ok("OK", rows)

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi_alias() -> JSONResponse:
        return JSONResponse(app.openapi())

    def openapi() -> dict[str, Any]:
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

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def status_clause(status: Status, now: float, process_after: int) -> Any:
    live = SO.cancelled_at.is_(None)
    if status is Status.cancelled:
        return SO.cancelled_at.is_not(None)
    if not process_after:
        return live if status is Status.pending else SO.id.is_(None)
    due = SO.created_at <= now - process_after
    return and_(live, due) if status is Status.processed else and_(live, ~due)
