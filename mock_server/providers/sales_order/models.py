from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from mock_server.core.db import METADATA

# A partner application: credentials from the integration team and its registered key.
SalesOrderClient = Table(
    "sales_order_client",
    METADATA,
    Column("client_id", String(128), primary_key=True),
    Column("client_secret", String(256), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("name", String, nullable=False, default=""),
    Column("public_key_pem", Text),
)


Customer = Table(
    "sales_order_customer",
    METADATA,
    Column("code", String(32), primary_key=True),
    Column("name", String, nullable=False),
    Column("address", String, nullable=False),
    Column("city", String, nullable=False),
    Column("phone", String, nullable=False),
)


# A warehouse or branch an order ships from.
Site = Table(
    "sales_order_site",
    METADATA,
    Column("code", String(32), primary_key=True),
    Column("name", String, nullable=False),
    Column("city", String, nullable=False),
    Column("address", String, nullable=False),
)


Product = Table(
    "sales_order_product",
    METADATA,
    Column("code", String(32), primary_key=True),
    Column("name", String, nullable=False),
    Column("uom", String(8), nullable=False),  # unit of measure the product is sold in
    Column("price", Integer, nullable=False),  # list price in IDR per uom
)


# One order. Its status follows the sandbox clock: pending until ``process_after`` seconds
# have passed, then processed; cancelled when the partner cancels it first.
SalesOrder = Table(
    "sales_order_order",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("order_no", String(32), unique=True),
    Column(
        "client_id", String, ForeignKey("sales_order_client.client_id"), nullable=False, index=True
    ),
    Column("customer_code", String, ForeignKey("sales_order_customer.code"), nullable=False),
    Column("site_code", String, ForeignKey("sales_order_site.code"), nullable=False),
    Column("sales_name", String, nullable=False),
    Column("address", Text, nullable=False),
    Column("purchase_order_no", String(64)),
    Column("total_amount", Integer, nullable=False),
    Column("created_at", Float, nullable=False),  # unix seconds, sandbox clock
    Column("cancelled_at", Float),
    Column("cancel_reason", String),
    UniqueConstraint("client_id", "purchase_order_no"),
)


SalesOrderLine = Table(
    "sales_order_line",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("order_id", Integer, ForeignKey("sales_order_order.id"), nullable=False, index=True),
    Column("line_no", Integer, nullable=False),
    Column("product_code", String, ForeignKey("sales_order_product.code"), nullable=False),
    Column("product_name", String, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("uom", String, nullable=False),
    Column("unit_price", Integer, nullable=False),
    Column("line_total", Integer, nullable=False),
    Column("notes", String),
)
