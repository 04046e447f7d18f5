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

from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from mock_server.core.contract import Contract, Example, spoil_header
from mock_server.core.provider import DemoCredential, Provider, SignInput
from mock_server.providers.sales_order import signature, tokens
from mock_server.providers.sales_order.admin import build_admin_router
from mock_server.providers.sales_order.auth import build_authenticate
from mock_server.providers.sales_order.cli import add_cli
from mock_server.providers.sales_order.config import NAME, SalesOrderSettings
from mock_server.providers.sales_order.credentials import SalesOrderCredentials
from mock_server.providers.sales_order.erp import Erp
from mock_server.providers.sales_order.errors import render_error
from mock_server.providers.sales_order.routes import build_app
from mock_server.providers.sales_order.seed import demo_private_key, seed

DEMO_CLIENT = "partner-client-001"


def sign(request: SignInput) -> dict[str, str]:
    """Headers of a correctly signed request, for ``mock-server sign sales_order …``.

    The JWT is minted here with the settings' ``jwt_secret`` rather than fetched from
    ``/api/v1/auth/login``: the sandbox issues exactly such tokens (``tokens.issue``), so this
    works with no server running (a curl command for a CI script, a server not started yet) and
    dates the token by ``request.now``, the sandbox clock, even when it is frozen or moved. The
    client secret is therefore not needed; the client must still exist, be active and have the
    key's public half registered when the request is sent. The cost: the signer must know the
    server's ``jwt_secret`` (``MOCK_SALES_ORDER_JWT_SECRET``; the documented demo default
    otherwise). The body is not signed by this API, and it has no request ids, so
    ``request.request_id`` does not apply; nothing is fetched, so neither does ``request.http``.
    """
    client_id = request.client_id or DEMO_CLIENT
    key = private_key(request.key_file)
    now = request.now.timestamp()
    token, _ = tokens.issue(
        request.settings.jwt_secret, client_id, now, request.settings.token_lifetime
    )
    timestamp = str(int(now))
    return {
        "Authorization": f"Bearer {token}",
        "X-CLIENT-ID": client_id,
        "X-TIMESTAMP": timestamp,
        "X-SIGNATURE": signature.sign(key, client_id, timestamp),
        "Content-Type": "application/json",
    }


def private_key(key_file: str | None) -> rsa.RSAPrivateKey:
    """The key in ``key_file``, or the demo key (DEMO ONLY; registered for partner-client-001)."""
    if key_file:
        with open(key_file, "rb") as f:
            pem = f.read()
    else:
        pem = demo_private_key()
    key = load_pem_private_key(pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("SHA256withRSA needs an RSA private key")
    return key


def is_error(body: Any) -> bool:
    """The mock's error shape: the success envelope's ``message`` without its ``data``."""
    return isinstance(body, dict) and isinstance(body.get("message"), str) and "data" not in body


provider = Provider(
    name=NAME,
    title="Sales Order API",
    auth="JWT bearer + X-SIGNATURE = SHA256withRSA of client_id|X-TIMESTAMP",
    settings_cls=SalesOrderSettings,
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
    sign=sign,
    # The doc names no host: a reserved .test name, which never reaches a real server.
    hosts=("sales-order.mock.test",),
)
