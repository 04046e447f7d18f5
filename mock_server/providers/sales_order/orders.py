"""Sales orders and the master data they are checked against (customers, sites, products).

Each order belongs to the client that created it: every read takes the client id, and another
client's order is simply not found. An order's status follows the sandbox clock (``now``): pending
until ``process_after`` seconds have passed, then processed; cancelled if cancelled first.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, and_, bindparam, func, select

from mock_server.core.db import IntegrityError
from mock_server.core.errors import ProviderError
from mock_server.core.provider import ProviderContext
from mock_server.providers.sales_order.errors import not_found, validation_failed
from mock_server.providers.sales_order.models import (
    Customer,
    Product,
    SalesOrder,
    SalesOrderLine,
    Site,
)
from mock_server.providers.sales_order.schemas import (
    SalesOrderRequest,
    Status,
    order_json,
    status_at,
    wib,
)

ORDER, LINE = SalesOrder, SalesOrderLine
CUSTOMER, SITE, PRODUCT = Customer, Site, Product
SO, L, C, S, P = ORDER.c, LINE.c, CUSTOMER.c, SITE.c, PRODUCT.c

ORDER_ROWS = (
    select(ORDER, C.name.label("customer_name"), S.name.label("site_name"))
    .join_from(ORDER, CUSTOMER, SO.customer_code == C.code)
    .join(SITE, SO.site_code == S.code)
)


def status_clause(status: Status, now: float, process_after: int) -> Any:
    live = SO.cancelled_at.is_(None)
    if status is Status.cancelled:
        return SO.cancelled_at.is_not(None)
    if not process_after:
        return live if status is Status.pending else SO.id.is_(None)
    due = SO.created_at <= now - process_after
    return and_(live, due) if status is Status.processed else and_(live, ~due)


def duplicate(purchase_order_no: str) -> ProviderError:
    return ProviderError(
        409,
        "duplicate",
        "Duplicate purchase order number",
        detail=f"purchase_order_no {purchase_order_no!r} was already used by this client",
    )


@dataclass(frozen=True)
class OrderQuery:
    """The order list's filters and page."""

    page: int = 1
    size: int = 20
    status: Status | None = None
    purchase_order_no: str | None = None


class MasterData:
    """Customers, sites and products: read-only, so a second's cache of each list spares the
    query on every look-up."""

    def __init__(self, ctx: ProviderContext) -> None:
        self.db = ctx.db
        self._cache = ctx.db.cache(ttl=1.0)

    def customers(self, q: str | None = None) -> list[dict[str, Any]]:
        return self._search(CUSTOMER, C.code, q)

    def sites(self, q: str | None = None) -> list[dict[str, Any]]:
        return self._search(SITE, S.code, q)

    def products(self, q: str | None = None) -> list[dict[str, Any]]:
        return [r | {"currency": "IDR"} for r in self._search(PRODUCT, P.code, q)]

    def _search(self, table: Table, order: Any, q: str | None) -> list[dict[str, Any]]:
        def load() -> list[dict[str, Any]]:
            rows = self.db.connection().execute(table.select().order_by(order))
            return [dict(r._mapping) for r in rows]

        rows: list[dict[str, Any]] = self._cache.get(table.name, load)
        if q and q.strip():
            needle = q.strip().lower()
            rows = [r for r in rows if any(needle in str(v).lower() for v in r.values())]
        return rows

    def check(self, body: SalesOrderRequest) -> dict[str, Any]:
        """Every unknown code is a 422 naming its field; returns the products by code."""
        conn = self.db.connection()
        errors = []
        if conn.execute(select(C.code).where(C.code == body.customer_code)).first() is None:
            errors.append({"field": "customer_code", "message": "unknown customer code"})
        if conn.execute(select(S.code).where(S.code == body.site_code)).first() is None:
            errors.append({"field": "site_code", "message": "unknown site code"})
        codes = {p.product_code for p in body.products}
        products = {r.code: r for r in conn.execute(select(PRODUCT).where(P.code.in_(codes)))}
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


class OrderBook:
    def __init__(self, ctx: ProviderContext, master_data: MasterData) -> None:
        self.db = ctx.db
        self.process_after: int = ctx.settings.process_after
        self.master_data = master_data
        self._by_id = ctx.db.prepare(
            ORDER_ROWS.where(SO.id == bindparam("id"), SO.client_id == bindparam("client_id"))
        )
        self._by_no = ctx.db.prepare(
            ORDER_ROWS.where(SO.order_no == bindparam("no"), SO.client_id == bindparam("client_id"))
        )
        self._lines_of = ctx.db.prepare(
            LINE.select().where(L.order_id == bindparam("id")).order_by(L.line_no)
        )

    def create(self, client_id: str, body: SalesOrderRequest, now: float) -> dict[str, Any]:
        """A new order of ``client_id``, priced from the master data unless a line says
        otherwise; 409 when the client already used its purchase_order_no."""
        products = self.master_data.check(body)
        lines = [
            priced_line(n, products[line.product_code], line.quantity, line.unit_price, line.notes)
            for n, line in enumerate(body.products, start=1)
        ]
        po = body.purchase_order_no or None
        try:
            # The unique (client_id, purchase_order_no) key decides, so two workers racing with
            # the same number cannot both succeed. The order row goes in first: nothing else is
            # written when it is refused.
            with self.db.begin() as conn:
                order_id = self._insert(conn, client_id, body, po, lines, now)
        except (IntegrityError, self.db.IntegrityError):
            raise duplicate(po or "") from None
        return self.render(self._by_id.first(id=order_id, client_id=client_id), now)

    def _insert(
        self,
        conn: Connection,
        client_id: str,
        body: SalesOrderRequest,
        po: str | None,
        lines: list[dict[str, Any]],
        now: float,
    ) -> int:
        result = conn.execute(
            ORDER.insert().values(
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
        key = result.inserted_primary_key
        assert key is not None  # typed optional; an insert of one row always has its key
        order_id = int(key[0])
        order_no = f"SO-{wib(now)[:10].replace('-', '')}-{order_id:06d}"
        conn.execute(ORDER.update().where(SO.id == order_id).values(order_no=order_no))
        conn.execute(LINE.insert(), [{"order_id": order_id, **line} for line in lines])
        return order_id

    def page(
        self, client_id: str, query: OrderQuery, now: float
    ) -> tuple[list[dict[str, Any]], dict[str, int]]:
        """One page of the client's orders, newest first, and its ``meta``."""
        conditions = [SO.client_id == client_id]
        if query.status is not None:
            conditions.append(status_clause(query.status, now, self.process_after))
        if query.purchase_order_no:
            conditions.append(SO.purchase_order_no == query.purchase_order_no)
        rows_query = ORDER_ROWS.where(*conditions)
        conn = self.db.connection()
        total = conn.execute(select(func.count()).select_from(rows_query.subquery())).scalar_one()
        size = query.size
        rows = list(
            conn.execute(
                rows_query.order_by(SO.id.desc()).limit(size).offset((query.page - 1) * size)
            )
        )
        lines = self._lines_of_orders(conn, [r.id for r in rows])
        data = [order_json(r, lines[r.id], now, self.process_after) for r in rows]
        meta = {
            "page": query.page,
            "size": size,
            "total": total,
            "total_pages": (total + size - 1) // size,
        }
        return data, meta

    def _lines_of_orders(self, conn: Connection, order_ids: list[int]) -> dict[int, list[Any]]:
        lines: dict[int, list[Any]] = {order_id: [] for order_id in order_ids}
        if order_ids:
            for line in conn.execute(
                LINE.select().where(L.order_id.in_(order_ids)).order_by(L.order_id, L.line_no)
            ):
                lines[line.order_id].append(line)
        return lines

    def get(self, client_id: str, ref: str, now: float) -> dict[str, Any]:
        """One of the client's orders, by id or order number."""
        return self.render(self.row(client_id, ref), now)

    def cancel(self, client_id: str, ref: str, reason: str | None, now: float) -> dict[str, Any]:
        """Cancel one of the client's orders while it is still pending (409 after)."""
        row = self.row(client_id, ref)
        status = status_at(row, now, self.process_after)
        if status is not Status.pending:
            raise ProviderError(
                409,
                "order_state",
                f"Sales order already {status.lower()}",
                detail=f"{row.order_no} is {status}; only PENDING orders can be cancelled",
            )
        with self.db.begin() as conn:
            conn.execute(
                ORDER.update().where(SO.id == row.id).values(cancelled_at=now, cancel_reason=reason)
            )
        return self.render(self._by_id.first(id=row.id, client_id=row.client_id), now)

    def row(self, client_id: str, ref: str) -> Any:
        row = None
        if ref.isdigit() and len(ref) <= 18:
            row = self._by_id.first(id=int(ref), client_id=client_id)
        if row is None:
            row = self._by_no.first(no=ref, client_id=client_id)
        if row is None:  # another client's order is not found either: no existence leak
            raise not_found("Sales order", ref[:64])
        return row

    def render(self, row: Any, now: float) -> dict[str, Any]:
        return order_json(row, self._lines_of.all(id=row.id), now, self.process_after)


def priced_line(
    line_no: int, product: Any, quantity: int, unit_price: int | None, notes: str | None
) -> dict[str, Any]:
    """An order line: the product's list price unless the partner sent its own."""
    price = product.price if unit_price is None else unit_price
    return {
        "line_no": line_no,
        "product_code": product.code,
        "product_name": product.name,
        "quantity": quantity,
        "uom": product.uom,
        "unit_price": price,
        "line_total": price * quantity,
        "notes": notes,
    }
