"""Orders end to end: create with master-data validation, read back, list with filters, cancel
while pending, duplicates, and bad input that must never be a 500."""

import json

import pytest

from mock_server.providers.sales_order.config import SalesOrderSettings
from tests.helpers import journal_entry
from tests.providers.sales_order.orders import ORDERS, order_body
from tests.providers.sales_order.signing import new_key, public_pem, signed_headers


def create(so, signed, **overrides):
    return so.post(ORDERS, json=order_body(**overrides), headers=signed())


def list_price(so, signed, code):
    products = so.get("/api/v1/products", headers=signed()).json()["data"]
    return next(p for p in products if p["code"] == code)


def test_create_returns_201_with_the_documented_envelope(so, signed):
    response = create(so, signed)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["message"] == "Sales order created successfully"
    order = body["data"]
    assert order["order_no"] == f"SO-20251031-{order['id']:06d}"
    assert order["status"] == "PENDING"
    assert order["purchase_order_no"] == "PO-2025-00001"
    assert order["customer"]["code"] == "CUST-001"
    assert order["customer"]["name"]
    assert order["site"]["code"] == "SITE-001"
    first, second = order["products"]
    price = list_price(so, signed, "PRD-001")
    assert first["unit_price"] == price["price"]  # defaults to the master price
    assert first["uom"] == price["uom"]
    assert first["line_total"] == 2 * price["price"]
    assert second["unit_price"] == 30000
    assert second["line_total"] == 150000
    assert second["notes"] == "promo"
    assert order["total_amount"] == first["line_total"] + 150000
    assert order["currency"] == "IDR"
    assert order["created_at"] == "2025-10-31T13:00:12+07:00"


def test_an_order_can_be_read_back_by_id_and_by_order_no(so, signed):
    created = create(so, signed).json()["data"]
    by_id = so.get(f"{ORDERS}/{created['id']}", headers=signed())
    by_no = so.get(f"{ORDERS}/{created['order_no']}", headers=signed())
    assert by_id.status_code == by_no.status_code == 200
    assert by_id.json()["data"] == created == by_no.json()["data"]


def test_a_purchase_order_no_is_unique_per_client(so, signed, sandbox, client_for):
    assert create(so, signed).status_code == 201
    again = create(so, signed)
    assert again.status_code == 409
    assert again.json()["message"] == "Duplicate purchase order number"
    assert journal_entry(sandbox, again)["rule"] == "duplicate"
    listed = so.get(ORDERS, params={"purchase_order_no": "PO-2025-00001"}, headers=signed())
    assert listed.json()["meta"]["total"] == 1  # the refused order left nothing behind
    # Another client may use the same number.
    key = new_key()
    admin = client_for("admin")
    admin.put("/__admin/sales-order/clients/partner-client-002/public-key", content=public_pem(key))
    other = so.post(
        ORDERS,
        json=order_body(),
        headers=signed_headers(
            sandbox.services.clock.now(), client_id="partner-client-002", key=key
        ),
    )
    assert other.status_code == 201
    # Orders without a purchase_order_no never collide.
    assert create(so, signed, purchase_order_no=None).status_code == 201
    assert create(so, signed, purchase_order_no=None).status_code == 201


def test_listing_shows_own_orders_newest_first_with_filters_and_pages(
    so, signed, sandbox, client_for
):
    for n in range(1, 6):
        assert create(so, signed, purchase_order_no=f"PO-{n}").status_code == 201
    key = new_key()
    client_for("admin").put(
        "/__admin/sales-order/clients/partner-client-002/public-key", content=public_pem(key)
    )
    other = signed_headers(sandbox.services.clock.now(), client_id="partner-client-002", key=key)
    theirs = so.post(ORDERS, json=order_body(purchase_order_no="THEIRS"), headers=other).json()

    page = so.get(ORDERS, params={"size": 2, "page": 1}, headers=signed()).json()
    assert [o["purchase_order_no"] for o in page["data"]] == ["PO-5", "PO-4"]
    assert page["meta"] == {"page": 1, "size": 2, "total": 5, "total_pages": 3}
    last = so.get(ORDERS, params={"size": 2, "page": 3}, headers=signed()).json()
    assert [o["purchase_order_no"] for o in last["data"]] == ["PO-1"]
    one = so.get(ORDERS, params={"purchase_order_no": "PO-3"}, headers=signed()).json()
    assert [o["purchase_order_no"] for o in one["data"]] == ["PO-3"]
    # Another client's order is invisible, listed or fetched.
    assert (
        so.get(ORDERS, params={"purchase_order_no": "THEIRS"}, headers=signed()).json()["data"]
        == []
    )
    assert so.get(f"{ORDERS}/{theirs['data']['id']}", headers=signed()).status_code == 404


def test_cancel_while_pending_then_not_again(so, signed):
    order = create(so, signed).json()["data"]
    response = so.post(
        f"{ORDERS}/{order['id']}/cancel", json={"reason": "salah input"}, headers=signed()
    )
    assert response.status_code == 200
    assert response.json()["message"] == "Sales order cancelled successfully"
    assert response.json()["data"]["status"] == "CANCELLED"
    assert response.json()["data"]["cancel_reason"] == "salah input"
    again = so.post(f"{ORDERS}/{order['id']}/cancel", headers=signed())
    assert again.status_code == 409
    assert again.json()["message"] == "Sales order already cancelled"
    listed = so.get(ORDERS, params={"status": "cancelled"}, headers=signed()).json()["data"]
    assert [o["id"] for o in listed] == [order["id"]]


def test_an_order_is_processed_after_an_hour_of_sandbox_time_and_cannot_be_cancelled(
    so, signed, sandbox
):
    order = create(so, signed).json()["data"]
    sandbox.services.clock.advance(3600)
    fetched = so.get(f"{ORDERS}/{order['id']}", headers=signed()).json()["data"]
    assert fetched["status"] == "PROCESSED"
    assert fetched["processed_at"] == "2025-10-31T14:00:12+07:00"
    refused = so.post(f"{ORDERS}/{order['id']}/cancel", headers=signed())
    assert refused.status_code == 409
    assert refused.json()["message"] == "Sales order already processed"
    assert so.get(ORDERS, params={"status": "PENDING"}, headers=signed()).json()["data"] == []
    processed = so.get(ORDERS, params={"status": "PROCESSED"}, headers=signed()).json()["data"]
    assert [o["id"] for o in processed] == [order["id"]]


def test_process_after_zero_keeps_orders_pending(make_sandbox, client_for):
    sandbox = make_sandbox({"sales_order": SalesOrderSettings(process_after=0)})
    so = client_for("sales_order", sandbox)
    headers = signed_headers(sandbox.services.clock.now())
    order = so.post(ORDERS, json=order_body(), headers=headers).json()["data"]
    sandbox.services.clock.advance(86_400 * 30)
    headers = signed_headers(sandbox.services.clock.now())
    assert so.get(f"{ORDERS}/{order['id']}", headers=headers).json()["data"]["status"] == "PENDING"


def test_unknown_master_data_is_422_naming_each_field(so, signed):
    response = create(
        so,
        signed,
        customer_code="CUST-999",
        site_code="SITE-999",
        products=[
            {"product_code": "PRD-001", "quantity": 1},
            {"product_code": "NOPE", "quantity": 1},
            {"product_code": "PRD-002", "quantity": 1, "uom": "GRAM"},
        ],
    )
    assert response.status_code == 422
    fields = [e["field"] for e in response.json()["errors"]]
    assert fields == ["customer_code", "site_code", "products[1].product_code", "products[2].uom"]


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"customer_code": None, "sales_name": ""}, {"customer_code", "sales_name"}),
        ({"products": []}, {"products"}),
        ({"products": [{"quantity": 0}]}, {"products[0].product_code", "products[0].quantity"}),
        ({"products": [{"product_code": "PRD-001", "quantity": "lots"}]}, {"products[0].quantity"}),
        (
            {"products": [{"product_code": 1, "quantity": 1, "unit_price": -1}]},
            {"products[0].product_code", "products[0].unit_price"},
        ),
        ({"address": 12, "purchase_order_no": ["x"]}, {"address", "purchase_order_no"}),
        ({"products": "PRD-001"}, {"products"}),
        ({"products": [{"product_code": "PRD-001", "quantity": True}]}, {"products[0].quantity"}),
        ({"products": [{"product_code": "PRD-001", "quantity": 2.5}]}, {"products[0].quantity"}),
        (
            {"products": [{"product_code": "PRD-001", "quantity": 1, "unit_price": 10**13}]},
            {"products[0].unit_price"},
        ),
    ],
)
def test_invalid_fields_are_422_naming_each(so, signed, overrides, fields):
    response = create(so, signed, **overrides)
    assert response.status_code == 422, response.text
    assert response.json()["message"] == "Validation failed"
    assert {e["field"] for e in response.json()["errors"]} == fields


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"\xff\xfe\xfd", b"[]", b"null", b"", b"[" * 100_000, b'"text"'],
    ids=["malformed", "not-utf8", "array", "null", "empty", "deep", "string"],
)
def test_unreadable_bodies_are_400(so, signed, body):
    response = so.post(ORDERS, content=body, headers=signed())
    assert response.status_code == 400, response.text
    assert response.json()["message"] == "Malformed request body"


def test_the_largest_order_still_fits(so, signed):
    line = {"product_code": "PRD-001", "quantity": 1_000_000, "unit_price": 10_000_000_000}
    response = create(so, signed, products=[line] * 200)
    assert response.status_code == 201, response.text
    assert response.json()["data"]["total_amount"] == 200 * 10**16


def test_a_huge_body_is_413(so, signed, sandbox):
    body = json.dumps(order_body(address="x" * (sandbox.settings.max_body_bytes + 1)))
    assert so.post(ORDERS, content=body, headers=signed()).status_code == 413


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": 0}, "page"),
        ({"size": 500}, "size"),
        ({"status": "DONE"}, "status"),
        ({"page": "x"}, "page"),
    ],
)
def test_bad_list_parameters_are_422(so, signed, params, field):
    response = so.get(ORDERS, params=params, headers=signed())
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


@pytest.mark.parametrize("ref", ["999999", "SO-20251031-999999", "abc", "9" * 40])
def test_unknown_orders_are_404(so, signed, ref):
    response = so.get(f"{ORDERS}/{ref}", headers=signed())
    assert response.status_code == 404
    assert response.json()["message"] == "Sales order not found"
    assert so.post(f"{ORDERS}/{ref}/cancel", headers=signed()).status_code == 404


def test_master_data_lists_valid_codes(so, signed):
    customers = so.get("/api/v1/customers", headers=signed()).json()["data"]
    sites = so.get("/api/v1/sites", headers=signed()).json()["data"]
    products = so.get("/api/v1/products", headers=signed()).json()["data"]
    assert len(customers) == 30
    assert len(sites) == 8
    assert len(products) == 40
    assert all(p["price"] > 0 and p["price"] % 500 == 0 and p["uom"] for p in products)
    found = so.get("/api/v1/products", params={"q": "beras"}, headers=signed()).json()["data"]
    assert found
    assert all("beras" in p["name"].lower() for p in found)


def test_the_openapi_document_downloads_without_auth(so):
    for path in ("/v3/api-docs", "/openapi.json"):
        response = so.get(path)
        assert response.status_code == 200
        spec = response.json()
        assert "/api/v1/sales-orders" in spec["paths"]
        assert "ProductDto" in spec["components"]["schemas"]
        assert set(spec["components"]["securitySchemes"]) == {
            "JWT-auth",
            "X-CLIENT-ID",
            "X-TIMESTAMP",
            "X-SIGNATURE",
        }
