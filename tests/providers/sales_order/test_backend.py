"""The backend without HTTP: the ERP's partners, master data and order book called directly, over
the same database the provider's port serves."""

import pytest

from mock_server.core.errors import ProviderError
from mock_server.providers.sales_order.erp import Erp
from mock_server.providers.sales_order.orders import OrderQuery
from mock_server.providers.sales_order.schemas import SalesOrderRequest, Status
from tests.helpers import FROZEN
from tests.providers.sales_order.signing import DEMO_CLIENT, DEMO_SECRET, new_key, public_pem

NOW = FROZEN.timestamp()
OTHER = "partner-client-002"


@pytest.fixture
def erp(sandbox) -> Erp:
    return Erp(sandbox.services.context("sales_order"))


def order(**overrides) -> SalesOrderRequest:
    body = {
        "customer_code": "CUST-001",
        "site_code": "SITE-001",
        "sales_name": "John Doe",
        "address": "Jl. Sudirman No. 1, Jakarta",
        "purchase_order_no": "PO-DIRECT-1",
        "products": [{"product_code": "PRD-001", "quantity": 3}],
    }
    return SalesOrderRequest.model_validate(body | overrides)


def test_an_order_created_directly_is_served_over_http(erp, so, signed):
    created = erp.orders.create(DEMO_CLIENT, order(), NOW)
    price = next(p for p in erp.master_data.products() if p["code"] == "PRD-001")["price"]
    assert created["status"] == "PENDING"
    assert created["total_amount"] == 3 * price
    fetched = so.get(f"/api/v1/sales-orders/{created['order_no']}", headers=signed())
    assert fetched.json()["data"] == created
    # Another client neither sees it nor can cancel it.
    assert erp.orders.page(OTHER, OrderQuery(), NOW) == (
        [],
        {"page": 1, "size": 20, "total": 0, "total_pages": 0},
    )
    with pytest.raises(ProviderError) as refused:
        erp.orders.cancel(OTHER, str(created["id"]), None, NOW)
    assert refused.value.status == 404


def test_status_follows_the_now_it_is_given(erp):
    created = erp.orders.create(DEMO_CLIENT, order(), NOW)
    ref = str(created["id"])
    assert erp.orders.get(DEMO_CLIENT, ref, NOW + 3599)["status"] == "PENDING"
    assert erp.orders.get(DEMO_CLIENT, ref, NOW + 3600)["status"] == "PROCESSED"
    later = OrderQuery(status=Status.processed)
    assert [o["id"] for o in erp.orders.page(DEMO_CLIENT, later, NOW + 3600)[0]] == [created["id"]]
    with pytest.raises(ProviderError) as refused:
        erp.orders.cancel(DEMO_CLIENT, ref, "too late", NOW + 3600)
    assert (refused.value.status, refused.value.message) == (409, "Sales order already processed")
    cancelled = erp.orders.cancel(DEMO_CLIENT, ref, "in time", NOW + 60)
    assert (cancelled["status"], cancelled["cancel_reason"]) == ("CANCELLED", "in time")


def test_a_duplicate_purchase_order_no_leaves_nothing_behind(erp):
    erp.orders.create(DEMO_CLIENT, order(), NOW)
    with pytest.raises(ProviderError) as refused:
        erp.orders.create(DEMO_CLIENT, order(), NOW)
    assert refused.value.rule == "duplicate"
    assert erp.orders.page(DEMO_CLIENT, OrderQuery(), NOW)[1]["total"] == 1


def test_unknown_master_data_names_each_field(erp):
    with pytest.raises(ProviderError) as refused:
        erp.orders.create(DEMO_CLIENT, order(customer_code="CUST-999", site_code="SITE-999"), NOW)
    assert refused.value.status == 422
    assert [e["field"] for e in refused.value.errors or []] == ["customer_code", "site_code"]


def test_login_then_refresh_by_the_given_clock(erp, sandbox):
    lifetime = sandbox.services.provider_settings["sales_order"].token_lifetime
    token = erp.partners.login(DEMO_CLIENT, DEMO_SECRET, NOW)
    assert token.expired_at == int(NOW) + lifetime
    claims = erp.partners.claims(token.token, NOW)
    renewed = erp.partners.refresh(claims, NOW + lifetime + 60)  # expired, inside the window
    assert renewed.expired_at == int(NOW) + 2 * lifetime + 60
    with pytest.raises(ProviderError) as refused:
        erp.partners.refresh(claims, NOW + lifetime + 8 * 86_400)
    assert refused.value.rule == "refresh_window"
    with pytest.raises(ProviderError) as wrong:
        erp.partners.login(DEMO_CLIENT, "wrong", NOW)
    assert wrong.value.status == 401


def test_a_registered_key_is_what_signatures_are_checked_against(erp, so, signed):
    assert erp.partners.signing_client(OTHER).key is None
    key = new_key()
    result = erp.partners.register_key(OTHER, public_pem(key))
    assert erp.partners.signing_client(OTHER).fingerprint == result["key_fingerprint"]
    assert so.get("/api/v1/products", headers=signed(client_id=OTHER, key=key)).status_code == 200
    with pytest.raises(LookupError):
        erp.partners.register_key("nobody", public_pem(key))
