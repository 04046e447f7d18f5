from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class SalesOrderClient(SQLModel, table=True):
    """A partner application: credentials from the integration team and its registered key."""

    __tablename__ = "sales_order_client"
    client_id: str = Field(primary_key=True, max_length=128)
    client_secret: str = Field(max_length=256)
    active: bool = True
    name: str = ""
    public_key_pem: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class Customer(SQLModel, table=True):
    __tablename__ = "sales_order_customer"
    code: str = Field(primary_key=True, max_length=32)
    name: str
    address: str
    city: str
    phone: str


class Site(SQLModel, table=True):
    """A warehouse or branch an order ships from."""

    __tablename__ = "sales_order_site"
    code: str = Field(primary_key=True, max_length=32)
    name: str
    city: str
    address: str


class Product(SQLModel, table=True):
    __tablename__ = "sales_order_product"
    code: str = Field(primary_key=True, max_length=32)
    name: str
    uom: str = Field(max_length=8, description="unit of measure the product is sold in")
    price: int = Field(description="list price in IDR per uom")


class SalesOrder(SQLModel, table=True):
    """One order. Its status follows the sandbox clock: pending until ``process_after`` seconds
    have passed, then processed; cancelled when the partner cancels it first."""

    __tablename__ = "sales_order_order"
    __table_args__ = (UniqueConstraint("client_id", "purchase_order_no"),)
    id: int | None = Field(default=None, primary_key=True)
    order_no: str | None = Field(default=None, unique=True, max_length=32)
    client_id: str = Field(foreign_key="sales_order_client.client_id", index=True)
    customer_code: str = Field(foreign_key="sales_order_customer.code")
    site_code: str = Field(foreign_key="sales_order_site.code")
    sales_name: str
    address: str = Field(sa_column=Column(Text, nullable=False))
    purchase_order_no: str | None = Field(default=None, max_length=64)
    total_amount: int
    created_at: float = Field(description="unix seconds, sandbox clock")
    cancelled_at: float | None = None
    cancel_reason: str | None = None


class SalesOrderLine(SQLModel, table=True):
    __tablename__ = "sales_order_line"
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="sales_order_order.id", index=True)
    line_no: int
    product_code: str = Field(foreign_key="sales_order_product.code")
    product_name: str
    quantity: int
    uom: str
    unit_price: int
    line_total: int
    notes: str | None = None
