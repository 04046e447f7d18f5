"""The x-app-key partner API: app keys, request ids, two languages, and three kinds of token.

What is emulated
    The documented conventions on every request: ``x-app-key`` (the client's public key),
    ``x-request-id`` (unique per client), ``x-language`` (``id`` default, ``en``),
    ``Authorization: Bearer <token>`` with the token the doc assigns to each operation, and
    ``x-user-token`` where data belongs to a user. Login with the app's private key as the bearer
    yields a user token, an access token and a refresh token; a refresh token buys a new access
    token; a user token buys a new refresh token and retires the old one. Around them, as the
    mock's choice: the user's profile, their saved addresses (create and read), logout, and the
    provinces as app-level data.

Auth
    See ``auth.py`` for the check order, why, and lenient mode. Tokens: see ``tokens.py``.
    Lifetimes follow the sandbox clock and are settings. Apps are managed from the control plane
    (``credentials.py``); ``sign`` gives ``mock-server sign`` the headers of a request.

Known gaps
    The doc names no endpoint, body, error shape, lifetime or token format: every one here is the
    mock's choice, listed in ``docs/providers/appkey.md``. Staging and production URLs are blank in
    the doc.
"""

import uuid
from typing import TYPE_CHECKING, Any

from mock_server.core.contract import Contract, Example
from mock_server.core.provider import DemoCredential, Provider, SignInput
from mock_server.providers.appkey.accounts import Accounts
from mock_server.providers.appkey.auth import API, build_authenticate, requirement_for
from mock_server.providers.appkey.config import AppKeySettings
from mock_server.providers.appkey.credentials import AppKeyCredentials
from mock_server.providers.appkey.errors import render_error
from mock_server.providers.appkey.routes import build_app
from mock_server.providers.appkey.seed import seed

if TYPE_CHECKING:
    import httpx

DEMO_APP_KEY, DEMO_PRIVATE_KEY = "appkey-demo-public", "appkey-demo-private"
DEMO_USERNAME, DEMO_PASSWORD = "demo@example.com", "demo-password"
LOGIN_PATH = f"{API}/auth/login"


def conventions(app_key: str, bearer: str, request_id: str | None = None) -> dict[str, str]:
    return {
        "x-app-key": app_key,
        "x-request-id": request_id or str(uuid.uuid4()),  # fresh on every call: a reused one is 409
        "x-language": "id",  # the documented default
        "Authorization": f"Bearer {bearer}",
    }


def sign(request: SignInput) -> dict[str, str]:
    """The conventions' headers and the bearer the operation at ``request.path`` takes, chosen by
    the same table auth checks against. For anything but login, it logs the demo user in over
    HTTP first (a new login each time, so the tokens are fresh by the sandbox clock)."""
    app_key = request.client_id or DEMO_APP_KEY
    private_key = request.secret or DEMO_PRIVATE_KEY
    need = requirement_for(request.path.split("?", 1)[0])
    if need.bearer == "private_key":
        return conventions(app_key, private_key, request.request_id)
    tokens = log_in(request, app_key, private_key)
    # "any" (an unknown path) takes any live credential: the access token, as for data.
    bearer = {"refresh": "refresh_token", "user": "user_token"}.get(need.bearer, "access_token")
    headers = conventions(app_key, tokens[bearer], request.request_id)
    if need.user_token:
        headers["x-user-token"] = tokens["user_token"]
    return headers


def log_in(request: SignInput, app_key: str, private_key: str) -> dict[str, Any]:
    """The demo user's tokens, from a login through ``request.http`` or a new connection. The
    login has a request id of its own: the one asked for is the signed request's."""
    import httpx  # only the CLI and tests sign: the server never pays for the import

    url = f"{request.base_url.rstrip('/')}{LOGIN_PATH}"
    body = {"username": DEMO_USERNAME, "password": DEMO_PASSWORD}
    headers = conventions(app_key, private_key) | {"x-language": "en"}
    try:
        if request.http is not None:
            response = request.http.post(LOGIN_PATH, json=body, headers=headers)
        else:
            response = httpx.post(url, json=body, headers=headers, timeout=10)
    except httpx.HTTPError as exc:
        raise RuntimeError(f"cannot log in at {url}: {exc}; is the sandbox running?") from exc
    if response.status_code != 200:
        raise RuntimeError(f"login at {url} answered {response.status_code} ({refusal(response)})")
    data: dict[str, Any] = response.json()["data"]
    return data


def refusal(response: "httpx.Response") -> str:
    try:
        body = response.json()
        reason = f"{body.get('code')}: {body.get('message')} {body.get('detail') or ''}"
    except ValueError:
        reason = response.text[:200]
    return reason.strip()


def is_error(body: Any) -> bool:
    return (
        isinstance(body, dict)
        and body.get("success") is False
        and isinstance(body.get("message"), str)
        and isinstance(body.get("code"), str)
    )


def spoil_private_key(headers: dict[str, str]) -> dict[str, str]:
    return headers | {"Authorization": f"Bearer {DEMO_PRIVATE_KEY[:-1]}X"}


provider = Provider(
    name="appkey",
    title="x-app-key partner API",
    auth="x-app-key + Bearer private key / access / refresh / x-user-token",
    settings_cls=AppKeySettings,
    backend=Accounts,
    routes=build_app,
    authenticate=build_authenticate,
    render_error=render_error,
    seed=seed,
    demo_credentials=(
        DemoCredential("app key / private key", DEMO_APP_KEY, DEMO_PRIVATE_KEY),
        DemoCredential("demo user", DEMO_USERNAME, DEMO_PASSWORD),
    ),
    contract=Contract(
        # Login: the private key is the bearer, so no token has to be fetched first.
        example=Example(
            "POST", LOGIN_PATH, b'{"username":"demo@example.com","password":"demo-password"}'
        ),
        secret=DEMO_PRIVATE_KEY,
        is_error=is_error,
        spoil=spoil_private_key,
        bad_signature_status=401,
        # Nothing is signed and nothing carries a time: no window moves with the clock.
        window=None,
        timestamped=False,
        replay_status=409,
    ),
    credentials=AppKeyCredentials,
    sign=sign,
    # The doc names no host: a reserved .test name, which never reaches a real server.
    hosts=("appkey.mock.test",),
)
