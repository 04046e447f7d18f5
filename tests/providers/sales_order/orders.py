"""A valid Sales Order create body, shared by the order tests and the doc-sample tests."""

ORDERS = "/api/v1/sales-orders"


def order_body(**overrides):
    body = {
        "customer_code": "CUST-001",
        "site_code": "SITE-001",
        "sales_name": "John Doe",
        "address": "Jl. Sudirman No. 1, Jakarta",
        "purchase_order_no": "PO-2025-00001",
        "products": [
            {"product_code": "PRD-001", "quantity": 2},
            {"product_code": "PRD-003", "quantity": 5, "unit_price": 30000, "notes": "promo"},
        ],
    }
    return body | overrides
