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

from mock_server.core.provider import (
    DemoCredential,
    Provider,
    ProviderContext,
    ProviderParts,
    SignInput,
)
from mock_server.providers.appkey.auth import API, Handoff, build_authenticate, requirement_for
from mock_server.providers.appkey.config import AppKeySettings
from mock_server.providers.appkey.credentials import AppKeyCredentials
from mock_server.providers.appkey.errors import render_error
from mock_server.providers.appkey.routes import build_app
from mock_server.providers.appkey.seed import seed
from mock_server.providers.appkey.tokens import TokenStore

DEMO_APP_KEY, DEMO_PRIVATE_KEY = "appkey-demo-public", "appkey-demo-private"
DEMO_USERNAME, DEMO_PASSWORD = "demo@example.com", "demo-password"


def conventions(app_key: str, bearer: str) -> dict[str, str]:
    return {
        "x-app-key": app_key,
        "x-request-id": str(uuid.uuid4()),  # fresh on every call: a reused one is 409
        "x-language": "id",  # the documented default
        "Authorization": f"Bearer {bearer}",
    }


def sign(request: SignInput) -> dict[str, str]:
    """The conventions' headers and the bearer the operation at ``request.path`` takes, chosen by
    the same table auth checks against. For anything but login, it logs the demo user in over
    HTTP first (a new login each time, so the tokens are fresh by the sandbox clock)."""
    import httpx  # only the CLI signs: the server never pays for the import

    app_key = request.client_id or DEMO_APP_KEY
    private_key = request.secret or DEMO_PRIVATE_KEY
    need = requirement_for(request.path.split("?", 1)[0])
    if need.bearer == "private_key":
        return conventions(app_key, private_key)
    url = f"{request.base_url.rstrip('/')}{API}/auth/login"
    try:
        response = httpx.post(
            url,
            json={"username": DEMO_USERNAME, "password": DEMO_PASSWORD},
            headers=conventions(app_key, private_key) | {"x-language": "en"},
            timeout=10,
        )
    except httpx.HTTPError as exc:
        raise RuntimeError(f"cannot log in at {url}: {exc}; is the sandbox running?") from exc
    if response.status_code != 200:
        try:
            body = response.json()
            reason = f"{body.get('code')}: {body.get('message')} {body.get('detail') or ''}"
        except ValueError:
            reason = response.text[:200]
        raise RuntimeError(f"login at {url} answered {response.status_code} ({reason.strip()})")
    tokens = response.json()["data"]
    # "any" (an unknown path) takes any live credential: the access token, as for data.
    bearer = {"refresh": "refresh_token", "user": "user_token"}.get(need.bearer, "access_token")
    headers = conventions(app_key, tokens[bearer])
    if need.user_token:
        headers["x-user-token"] = tokens["user_token"]
    return headers


def build(ctx: ProviderContext) -> ProviderParts:
    tokens, handoff = TokenStore(ctx), Handoff()
    return ProviderParts(
        app=build_app(ctx, tokens, handoff),
        authenticate=build_authenticate(ctx, tokens, handoff),
    )


provider = Provider(
    name="appkey",
    title="x-app-key partner API",
    auth="x-app-key + Bearer private key / access / refresh / x-user-token",
    settings_cls=AppKeySettings,
    build=build,
    render_error=render_error,
    seed=seed,
    demo_credentials=(
        DemoCredential("app key / private key", "appkey-demo-public", "appkey-demo-private"),
        DemoCredential("demo user", "demo@example.com", "demo-password"),
    ),
    credentials=AppKeyCredentials,
    sign=sign,
)
