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

Known gaps
    The doc gives no validation-page API, session lifetime or page design: those are the mock's
    choices, listed in ``docs/providers/kyc.md``.
"""

from mock_server.core.provider import DemoCredential, Provider, ProviderContext, ProviderParts
from mock_server.providers.kyc.admin import build_admin_router
from mock_server.providers.kyc.auth import build_authenticate
from mock_server.providers.kyc.cli import add_cli
from mock_server.providers.kyc.config import KycSettings
from mock_server.providers.kyc.errors import render_error
from mock_server.providers.kyc.routes import build_app
from mock_server.providers.kyc.seed import seed


def build(ctx: ProviderContext) -> ProviderParts:
    return ProviderParts(app=build_app(ctx), authenticate=build_authenticate(ctx))


provider = Provider(
    name="kyc",
    title="SATUSEHAT KYC",
    auth="OAuth2 bearer; RSA-OAEP + AES-256-GCM envelope",
    settings_cls=KycSettings,
    build=build,
    render_error=render_error,
    seed=seed,
    demo_credentials=(DemoCredential("client", "kyc-demo-client", "kyc-demo-secret"),),
    admin_router=build_admin_router,
    add_cli=add_cli,
)
