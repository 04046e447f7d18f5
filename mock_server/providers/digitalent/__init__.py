"""Digitalent Public API (Digital Talent Scholarship, Kominfo/Komdigi): the training catalogue.

What is emulated
    The documented auth (four headers, HMAC-SHA256 over ``METHOD:urlPath:body:timestamp:requestId``)
    with the documented check order and messages, and the documented endpoint
    ``POST /api/public/pelatihan/akademi`` ``{"id": N}``. Around it, as the mock's choice: academy
    list, an academy's themes, a filtered and paginated training list, and training detail, seeded
    with the real academy names (FGA, VSGA, TA, ProA, GTA, DEA, TSA, DLA).

Auth
    See ``auth.py``. Both standard and URL-safe base64 signatures verify, padded or not.

Known gaps
    The real base URL, response bodies, error body and time window are not documented; the mock's
    choices are listed in the README. Registration for a training is not emulated: the public API
    documents none.
"""

from typing import TYPE_CHECKING, Any

from mock_server.core.contract import Contract, Example, spoil_header
from mock_server.core.provider import DemoCredential, Provider, lazy
from mock_server.providers.digitalent.signing import sign_request

# The server's parts load when the sandbox builds the provider, not when the CLI lists it.
if TYPE_CHECKING:
    from mock_server.providers.digitalent.auth import build_authenticate
    from mock_server.providers.digitalent.catalogue import Catalogue
    from mock_server.providers.digitalent.credentials import DigitalentCredentials
    from mock_server.providers.digitalent.errors import render_error
    from mock_server.providers.digitalent.routes import build_app
    from mock_server.providers.digitalent.seed import seed
else:
    build_authenticate = lazy("mock_server.providers.digitalent.auth", "build_authenticate")
    Catalogue = lazy("mock_server.providers.digitalent.catalogue", "Catalogue")
    DigitalentCredentials = lazy(
        "mock_server.providers.digitalent.credentials", "DigitalentCredentials"
    )
    render_error = lazy("mock_server.providers.digitalent.errors", "render_error")
    build_app = lazy("mock_server.providers.digitalent.routes", "build_app")
    seed = lazy("mock_server.providers.digitalent.seed", "seed")


def is_error(body: Any) -> bool:
    return (
        isinstance(body, dict)
        and body.get("success") is False
        and isinstance(body.get("message"), str)
    )


provider = Provider(
    name="digitalent",
    title="Digitalent Public API",
    auth="HMAC-SHA256 of METHOD:urlPath:body:timestamp:requestId",
    settings_class="mock_server.providers.digitalent.config:DigitalentSettings",
    backend=Catalogue,
    routes=build_app,
    authenticate=build_authenticate,
    render_error=render_error,
    seed=seed,
    demo_credentials=(
        DemoCredential("active", "dts-demo-client", "dts-demo-secret"),
        DemoCredential("inactive", "dts-inactive-client", "dts-inactive-secret"),
    ),
    contract=Contract(
        example=Example("POST", "/api/public/pelatihan/akademi", b'{"id":1}'),
        secret="dts-demo-secret",
        is_error=is_error,
        spoil=spoil_header("Signature"),
        bad_signature_status=401,
        window=lambda settings: settings.timestamp_window,
        expired_status=408,
        replay_status=409,
    ),
    credentials=DigitalentCredentials,
    sign=sign_request,
    models="mock_server.providers.digitalent.models",
    postman=lazy("mock_server.providers.digitalent.postman", "spec"),
    # The doc names no host: a reserved .test name, which never reaches a real server.
    hosts=("digitalent.mock.test",),
)
