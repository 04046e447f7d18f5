"""A throwaway provider, defined under tests/ only: one HMAC-signed GET.

It proves that a new provider is "a folder and one line": run the shared contract suite against
it with ``pytest tests/contract --contract-provider tests.contract.throwaway:provider`` and every
case applies, with no file outside this folder knowing it exists (``test_a_new_provider.py``).
"""

import hashlib
import hmac
import uuid

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from mock_server.core.contract import Contract, Example, spoil_header
from mock_server.core.provider import DemoCredential, Provider, SignInput
from mock_server.core.provider_settings import ProviderSettings
from tests.contract.throwaway.auth import build_authenticate, string_to_sign
from tests.contract.throwaway.errors import is_error, render_error
from tests.contract.throwaway.models import Clients, seed
from tests.contract.throwaway.routes import build_app


class PingSettings(ProviderSettings):
    model_config = SettingsConfigDict(env_prefix="MOCK_THROWAWAY_", extra="ignore")
    port: int = Field(7199, ge=0, le=65535)
    timestamp_window: int = Field(120, ge=1)


def sign(request: SignInput) -> dict[str, str]:
    timestamp = str(int(request.now.timestamp()))
    request_id = request.request_id or str(uuid.uuid4())
    message = string_to_sign(request.method, request.path, timestamp, request_id)
    secret = (request.secret or "ping-secret").encode()
    return {
        "X-Client": request.client_id or "ping-client",
        "X-Request-Id": request_id,
        "X-Timestamp": timestamp,
        "X-Signature": hmac.new(secret, message, hashlib.sha256).hexdigest(),
    }


provider = Provider(
    name="throwaway",
    title="Throwaway ping API",
    auth="hex HMAC-SHA256 of METHOD, path, timestamp, request id",
    settings_class="tests.contract.throwaway:PingSettings",
    backend=Clients,
    routes=build_app,
    authenticate=build_authenticate,
    render_error=render_error,
    seed=seed,
    demo_credentials=(DemoCredential("active", "ping-client", "ping-secret"),),
    contract=Contract(
        example=Example("GET", "/v1/ping", parses_body=False),
        secret="ping-secret",
        is_error=is_error,
        spoil=spoil_header("X-Signature"),
        bad_signature_status=401,
        window=lambda settings: settings.timestamp_window,
        expired_status=401,
        replay_status=409,
    ),
    sign=sign,
)
