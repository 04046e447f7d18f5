"""SATUSEHAT KYC (Kemenkes DTO): patient identity validation for hospital and clinic systems.

What is emulated
    ``POST /oauth2/v1/accesstoken?grant_type=client_credentials`` with the documented reply and
    ``OperationOutcome`` errors; the gateway's bearer check with the documented ``fault``;
    ``POST /kyc/v1/generate-url`` in both forms (the hybrid RSA-OAEP/AES-256-GCM envelope, and
    clear JSON); ``POST /kyc/v1/challenge-code``; and ``GET /kyc/v1/validation-web/{token}``, a
    real page walking the operator's flow. Validation sessions are visible on the control plane
    (``/__admin/kyc/sessions``), with the server public key (``/__admin/kyc/public-key``).

Auth
    OAuth2 client_credentials; see ``auth.py``. Demo client ``kyc-demo-client`` /
    ``kyc-demo-secret``. The envelope is encrypted to this sandbox's own key pair
    (``fixtures/kyc_server_public_key.pem``), never the real SATUSEHAT key.

Control plane
    Lenient mode covers the bearer check (not the token endpoint's credentials); the OAuth
    clients are listed, created, rotated and (de)activated through ``credentials.py``; ``sign``
    below gives ``mock-server sign kyc`` a fresh bearer. See ``docs/providers/kyc.md``.

Known gaps
    The doc gives no validation-page API, session lifetime or page design: those are the mock's
    choices, listed in ``docs/providers/kyc.md``.
"""

from typing import TYPE_CHECKING, Any

from mock_server.core.contract import Contract, Example
from mock_server.core.provider import DemoCredential, Provider, lazy
from mock_server.providers.kyc.cli import add_cli
from mock_server.providers.kyc.signing import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    SignError,
    sign_request,
)

# The server's parts load when the sandbox builds the provider, not when the CLI lists it.
if TYPE_CHECKING:
    from mock_server.providers.kyc.admin import build_admin_router
    from mock_server.providers.kyc.auth import build_authenticate
    from mock_server.providers.kyc.credentials import KycCredentials
    from mock_server.providers.kyc.errors import render_error
    from mock_server.providers.kyc.routes import build_app
    from mock_server.providers.kyc.seed import seed
    from mock_server.providers.kyc.state import KycState
else:
    build_admin_router = lazy("mock_server.providers.kyc.admin", "build_admin_router")
    build_authenticate = lazy("mock_server.providers.kyc.auth", "build_authenticate")
    KycCredentials = lazy("mock_server.providers.kyc.credentials", "KycCredentials")
    render_error = lazy("mock_server.providers.kyc.errors", "render_error")
    build_app = lazy("mock_server.providers.kyc.routes", "build_app")
    seed = lazy("mock_server.providers.kyc.seed", "seed")
    KycState = lazy("mock_server.providers.kyc.state", "KycState")

__all__ = ["DEMO_CLIENT_ID", "DEMO_CLIENT_SECRET", "SignError", "provider"]

# A challenge-code request for a patient the sandbox creates on first use.
EXAMPLE_BODY = (
    b'{"metadata":{"method":"request_per_nik"},'
    b'"data":{"nik":"3171014101900001","name":"Budi Santoso"}}'
)


def is_error(body: Any) -> bool:
    """One of KYC's three documented shapes: the fault, an OperationOutcome, or metadata."""
    if not isinstance(body, dict):
        return False
    if "fault" in body:
        return str(body["fault"].get("detail", {}).get("errorcode", "")).startswith(
            "keymanagement."
        )
    if body.get("resourceType") == "OperationOutcome":
        return bool(body.get("issue"))
    code = (body.get("metadata") or {}).get("code")
    return isinstance(code, str) and code != "200" and isinstance(body.get("data"), dict)


def spoil_bearer(headers: dict[str, str]) -> dict[str, str]:
    """A token one character longer: one the sandbox never issued."""
    return headers | {"Authorization": headers["Authorization"] + "x"}


provider = Provider(
    name="kyc",
    title="SATUSEHAT KYC",
    auth="OAuth2 bearer; RSA-OAEP + AES-256-GCM envelope",
    settings_class="mock_server.providers.kyc.config:KycSettings",
    backend=KycState,
    routes=build_app,
    authenticate=build_authenticate,
    render_error=render_error,
    seed=seed,
    demo_credentials=(DemoCredential("client", DEMO_CLIENT_ID, DEMO_CLIENT_SECRET),),
    contract=Contract(
        example=Example("POST", "/kyc/v1/challenge-code", EXAMPLE_BODY),
        secret=DEMO_CLIENT_SECRET,
        is_error=is_error,
        spoil=spoil_bearer,
        bad_signature_status=401,
        # No request timestamp: the window that moves with the clock is the token's lifetime.
        window=lambda settings: settings.token_lifetime,
        timestamped=False,
        expired_status=401,
        replay_status=None,  # KYC requests carry no request id
    ),
    # The validation page's session token is its only credential, and it is in the path.
    secret_path=r"^/kyc/v1/validation-web/([^/?]+)",
    admin_router=build_admin_router,
    add_cli=add_cli,
    credentials=KycCredentials,
    sign=sign_request,
    models="mock_server.providers.kyc.models",
    postman=lazy("mock_server.providers.kyc.postman", "spec"),
    # The doc's staging and development gateways, and production's.
    hosts=(
        "api-satusehat-stg.dto.kemkes.go.id",
        "api-satusehat-dev.dto.kemkes.go.id",
        "api-satusehat.kemkes.go.id",
    ),
)
