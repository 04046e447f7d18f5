"""Sales Order API 1.0 (an Indonesian ERP vendor's partner API): JWT login and refresh, RSA-signed
partner requests, and sales orders with real state.

What is emulated
    ``POST /api/v1/auth/login`` and ``POST /api/v1/auth/refresh`` as documented (HS256 JWTs that
    carry ``client_id``, 12 h by the sandbox clock, refreshable after expiry within a window), and
    every sales-order request's two layers: ``Authorization: Bearer <JWT>`` plus ``X-CLIENT-ID``,
    ``X-TIMESTAMP`` and ``X-SIGNATURE`` = base64 SHA256withRSA over ``client_id|X-TIMESTAMP``,
    verified against the client's registered X.509 public key. Orders: create (the documented
    body, with ProductDto as the mock defines it), list, detail, cancel, and the master data
    (customers, sites, products) a partner needs to find valid codes. The OpenAPI document is at
    ``/v3/api-docs``.

Auth
    See ``auth.py`` for the check order and statuses, ``signature.py`` for the near-miss
    diagnoses. Keys are registered with ``mock-server sales-order register-key`` or
    ``PUT /__admin/sales-order/clients/{client_id}/public-key``.

Known gaps
    The doc omits the order path, ProductDto, the error body, the time window, the refresh window
    and everything after creation; the mock's choices are in ``docs/providers/sales-order.md``.
    Nothing processes an order but the clock: it counts as processed ``process_after`` sandbox
    seconds after creation.
"""

from typing import TYPE_CHECKING, Any

from mock_server.core.contract import Contract, Example, spoil_header
from mock_server.core.provider import DemoCredential, Provider, lazy
from mock_server.providers.sales_order.cli import add_cli
from mock_server.providers.sales_order.name import NAME
from mock_server.providers.sales_order.signing import DEMO_CLIENT, private_key, sign_request

# The server's parts load when the sandbox builds the provider, not when the CLI lists it.
if TYPE_CHECKING:
    from mock_server.providers.sales_order.admin import build_admin_router
    from mock_server.providers.sales_order.auth import build_authenticate
    from mock_server.providers.sales_order.credentials import SalesOrderCredentials
    from mock_server.providers.sales_order.erp import Erp
    from mock_server.providers.sales_order.errors import render_error
    from mock_server.providers.sales_order.routes import build_app
    from mock_server.providers.sales_order.seed import seed
else:
    build_admin_router = lazy("mock_server.providers.sales_order.admin", "build_admin_router")
    build_authenticate = lazy("mock_server.providers.sales_order.auth", "build_authenticate")
    SalesOrderCredentials = lazy(
        "mock_server.providers.sales_order.credentials", "SalesOrderCredentials"
    )
    Erp = lazy("mock_server.providers.sales_order.erp", "Erp")
    render_error = lazy("mock_server.providers.sales_order.errors", "render_error")
    build_app = lazy("mock_server.providers.sales_order.routes", "build_app")
    seed = lazy("mock_server.providers.sales_order.seed", "seed")

__all__ = ["DEMO_CLIENT", "private_key", "provider"]


def is_error(body: Any) -> bool:
    """The mock's error shape: the success envelope's ``message`` without its ``data``."""
    return isinstance(body, dict) and isinstance(body.get("message"), str) and "data" not in body


provider = Provider(
    name=NAME,
    title="Sales Order API",
    auth="JWT bearer + X-SIGNATURE = SHA256withRSA of client_id|X-TIMESTAMP",
    settings_class="mock_server.providers.sales_order.config:SalesOrderSettings",
    backend=Erp,
    routes=build_app,
    authenticate=build_authenticate,
    render_error=render_error,
    seed=seed,
    demo_credentials=(
        DemoCredential("active, demo key", DEMO_CLIENT, "secret-key-123"),
        DemoCredential("active, no key", "partner-client-002", "secret-key-456"),
        DemoCredential("deactivated", "partner-client-inactive", "secret-key-789"),
    ),
    contract=Contract(
        # No purchase_order_no, so sending it twice never hits the duplicate check.
        example=Example(
            "POST",
            "/api/v1/sales-orders",
            b'{"customer_code":"CUST-001","site_code":"SITE-001","sales_name":"John Doe",'
            b'"address":"Jl. Sudirman No. 1, Jakarta",'
            b'"products":[{"product_code":"PRD-001","quantity":2}]}',
        ),
        secret="secret-key-123",
        is_error=is_error,
        spoil=spoil_header("X-SIGNATURE"),
        bad_signature_status=401,
        window=lambda settings: settings.timestamp_window,
        expired_status=401,
        replay_status=None,  # the doc has no request ids: the time window alone limits replays
    ),
    secret_headers=frozenset({"x-signature"}),
    admin_router=build_admin_router,
    add_cli=add_cli,
    credentials=SalesOrderCredentials,
    sign=sign_request,
    models="mock_server.providers.sales_order.models",
    postman=lazy("mock_server.providers.sales_order.postman", "spec"),
    # The doc names no host: a reserved .test name, which never reaches a real server.
    hosts=("sales-order.mock.test",),
)
