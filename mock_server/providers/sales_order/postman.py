"""The Sales Order API's Postman collection: login for the JWT, X-SIGNATURE from the control
plane's signing endpoint (Postman cannot sign with RSA), and a run that reads the master data,
creates an order, reads it back and cancels it."""

from typing import Any

from mock_server.core.postman import PostmanSpec, Step, Variable
from mock_server.providers.sales_order.signing import DEMO_CLIENT

KEEP_TOKEN = """if (pm.response.code === 200) {
  const body = pm.response.json();
  pm.environment.set("token", body.token);
  pm.environment.set("token_expired_at", String(body.expired_at));
}"""
KEEP_ORDER = """if (pm.response.code === 201) {
  const order = pm.response.json().data;
  pm.environment.set("order_ref", String(order.order_no || order.id));
}"""
ORDER = "/api/v1/sales-orders/{{order_ref}}"


def spec(settings: Any) -> PostmanSpec:
    """``settings``: the provider's, which this collection does not depend on."""
    return PostmanSpec(
        package=__package__ or "mock_server.providers.sales_order",
        script="postman.js",
        description="Every endpoint of the sandbox's Sales Order API. The collection's "
        "pre-request script logs in for the JWT and asks the sandbox's control plane for "
        "X-SIGNATURE (POST /__admin/sales-order/sign), since Postman cannot sign with RSA: it "
        "signs with the demo key only, for the demo client.",
        variables=(
            Variable("client_id", DEMO_CLIENT, description="the demo client, its key registered"),
            Variable("client_secret", "secret-key-123", secret=True),
            Variable("admin_token", "", secret=True, description="MOCK_ADMIN_TOKEN, if set"),
            Variable("token", "", secret=True, description="the JWT, set by the login"),
            Variable("token_expired_at", "", description="unix seconds"),
            Variable("order_ref", "", description="set by Create Sales Order"),
        ),
        order=(
            "POST /api/v1/auth/login",
            "POST /api/v1/auth/refresh",
            "GET /api/v1/customers",
            "GET /api/v1/sites",
            "GET /api/v1/products",
            "POST /api/v1/sales-orders",
            "GET /api/v1/sales-orders",
            "GET /api/v1/sales-orders/{order_ref}",
            "POST /api/v1/sales-orders/{order_ref}/cancel",
        ),
        steps={
            "POST /api/v1/auth/login": Step(
                body={"client_id": "{{client_id}}", "client_secret": "{{client_secret}}"},
                test=KEEP_TOKEN,
            ),
            "POST /api/v1/auth/refresh": Step(body={"token": "{{token}}"}, test=KEEP_TOKEN),
            "POST /api/v1/sales-orders": Step(
                body={
                    "customer_code": "CUST-001",
                    "site_code": "SITE-001",
                    "sales_name": "John Doe",
                    "address": "Jl. Sudirman No. 1, Jakarta",
                    # Unique per client: a fixed one would be 409 from the second run on.
                    "purchase_order_no": "PO-{{$timestamp}}-{{$randomInt}}",
                    "products": [{"product_code": "PRD-001", "quantity": 2}],
                },
                test=KEEP_ORDER,
            ),
            "GET /api/v1/sales-orders/{order_ref}": Step(path=ORDER),
            "POST /api/v1/sales-orders/{order_ref}/cancel": Step(path=ORDER + "/cancel"),
        },
    )
