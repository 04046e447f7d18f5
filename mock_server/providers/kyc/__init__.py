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

from typing import Any

from mock_server.core.contract import Contract, Example
from mock_server.core.provider import DemoCredential, Provider, SignInput
from mock_server.providers.kyc.admin import build_admin_router
from mock_server.providers.kyc.auth import VALIDATION_WEB, build_authenticate
from mock_server.providers.kyc.cli import add_cli
from mock_server.providers.kyc.config import KycSettings
from mock_server.providers.kyc.credentials import KycCredentials
from mock_server.providers.kyc.envelope import BEGIN
from mock_server.providers.kyc.errors import TOKEN_PATH, render_error
from mock_server.providers.kyc.routes import FORM, build_app
from mock_server.providers.kyc.seed import seed
from mock_server.providers.kyc.state import KycState

DEMO_CLIENT_ID = "kyc-demo-client"
DEMO_CLIENT_SECRET = "kyc-demo-secret"
# A challenge-code request for a patient the sandbox creates on first use.
EXAMPLE_BODY = (
    b'{"metadata":{"method":"request_per_nik"},'
    b'"data":{"nik":"3171014101900001","name":"Budi Santoso"}}'
)


class SignError(RuntimeError):
    """The sandbox refused the credentials or could not be reached; says which."""


def sign(request: SignInput) -> dict[str, str]:
    """Headers for a KYC request: a fresh bearer from the token endpoint, and the Content-Type
    the path takes.

    The body decides the generate-url form: an encrypted message (it starts with the BEGIN line)
    goes as ``text/plain``, anything else as ``application/json``. The token endpoint itself
    needs no bearer, only its form Content-Type; the validation page's calls need none either.
    """
    path = request.path.split("?", 1)[0]
    if path == TOKEN_PATH:
        return {"Content-Type": FORM}
    if request.body.lstrip().startswith(BEGIN.encode()):
        content_type = "text/plain"
    else:
        content_type = "application/json"
    if path.startswith(VALIDATION_WEB):
        return {"Content-Type": content_type}
    client_id = request.client_id or DEMO_CLIENT_ID
    secret = request.secret
    if secret is None:
        # The demo secret goes with the demo client only; another client without one is a slip.
        if request.client_id not in (None, DEMO_CLIENT_ID):
            raise SignError(f"give the client_secret of {client_id!r}")
        secret = DEMO_CLIENT_SECRET
    token = fetch_token(request, client_id, secret)
    return {"Authorization": f"Bearer {token}", "Content-Type": content_type}


def fetch_token(request: SignInput, client_id: str, secret: str) -> str:
    """A bearer from the token endpoint: through ``request.http`` when given (a client already
    pointed at the provider), else over a new connection to ``base_url``."""
    import httpx  # only signing needs it: the server never pays for the import

    url = request.base_url.rstrip("/") + TOKEN_PATH
    params = {"grant_type": "client_credentials"}
    form = {"client_id": client_id, "client_secret": secret}
    try:
        if request.http is not None:
            response = request.http.post(TOKEN_PATH, params=params, data=form)
        else:
            response = httpx.post(url, params=params, data=form, timeout=10)
    except httpx.HTTPError as exc:
        raise SignError(f"could not get a token from {url}: {exc}") from None
    if response.status_code != 200:
        raise SignError(
            f"the token endpoint refused {client_id!r}: HTTP {response.status_code} "
            f"{response.text[:300]}"
        )
    return str(response.json()["access_token"])


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
    settings_cls=KycSettings,
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
    sign=sign,
    # The doc's staging and development gateways, and production's.
    hosts=(
        "api-satusehat-stg.dto.kemkes.go.id",
        "api-satusehat-dev.dto.kemkes.go.id",
        "api-satusehat.kemkes.go.id",
    ),
)
