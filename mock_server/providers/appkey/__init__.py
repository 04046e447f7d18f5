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
    See ``auth.py`` for the check order and why. Tokens: see ``tokens.py``. Lifetimes follow the
    sandbox clock and are settings.

Known gaps
    The doc names no endpoint, body, error shape, lifetime or token format: every one here is the
    mock's choice, listed in ``docs/providers/appkey.md``. Staging and production URLs are blank in
    the doc.
"""

from mock_server.core.provider import DemoCredential, Provider, ProviderContext, ProviderParts
from mock_server.providers.appkey.auth import Handoff, build_authenticate
from mock_server.providers.appkey.config import AppKeySettings
from mock_server.providers.appkey.credentials import AppKeyCredentials
from mock_server.providers.appkey.errors import render_error
from mock_server.providers.appkey.routes import build_app
from mock_server.providers.appkey.seed import seed
from mock_server.providers.appkey.tokens import TokenStore


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
)
