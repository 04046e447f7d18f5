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

from typing import TYPE_CHECKING, Any

from mock_server.core.contract import Contract, Example
from mock_server.core.provider import DemoCredential, Provider, lazy
from mock_server.providers.appkey.signing import (
    DEMO_APP_KEY,
    DEMO_PASSWORD,
    DEMO_PRIVATE_KEY,
    DEMO_USERNAME,
    LOGIN_PATH,
    conventions,
    sign_request,
)

# The server's parts load when the sandbox builds the provider, not when the CLI lists it.
if TYPE_CHECKING:
    from mock_server.providers.appkey.accounts import Accounts
    from mock_server.providers.appkey.auth import build_authenticate
    from mock_server.providers.appkey.credentials import AppKeyCredentials
    from mock_server.providers.appkey.errors import render_error
    from mock_server.providers.appkey.routes import build_app
    from mock_server.providers.appkey.seed import seed
else:
    Accounts = lazy("mock_server.providers.appkey.accounts", "Accounts")
    build_authenticate = lazy("mock_server.providers.appkey.auth", "build_authenticate")
    AppKeyCredentials = lazy("mock_server.providers.appkey.credentials", "AppKeyCredentials")
    render_error = lazy("mock_server.providers.appkey.errors", "render_error")
    build_app = lazy("mock_server.providers.appkey.routes", "build_app")
    seed = lazy("mock_server.providers.appkey.seed", "seed")

__all__ = ["DEMO_APP_KEY", "DEMO_PRIVATE_KEY", "LOGIN_PATH", "conventions", "provider"]


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
    settings_class="mock_server.providers.appkey.config:AppKeySettings",
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
    sign=sign_request,
    models="mock_server.providers.appkey.models",
    postman=lazy("mock_server.providers.appkey.postman", "spec"),
    # The doc names no host: a reserved .test name, which never reaches a real server.
    hosts=("appkey.mock.test",),
)
