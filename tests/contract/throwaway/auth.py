"""The throwaway provider's auth, in its (invented) documented order: headers, client, window,
signature, request id."""

import hashlib
import hmac

from mock_server.core import auth
from mock_server.core.context import Principal, RequestContext
from mock_server.core.errors import ProviderError
from mock_server.core.provider import Authenticate
from tests.contract.throwaway.models import Clients

HEADERS = ("X-Client", "X-Request-Id", "X-Timestamp", "X-Signature")


def string_to_sign(method: str, path: str, timestamp: str, request_id: str) -> bytes:
    return f"{method}\n{path}\n{timestamp}\n{request_id}".encode()


def build_authenticate(clients: Clients) -> Authenticate:
    window = clients.ctx.settings.timestamp_window

    async def authenticate(req: RequestContext) -> Principal:
        values = auth.require_headers(
            req, HEADERS, status=400, rule="missing_headers", message="Missing headers"
        )
        client_id, timestamp = values["X-Client"], values["X-Timestamp"]
        client = clients.get(client_id) if client_id else None
        auth.client_active(
            req, client, client_id, status=403, rule="client", message="Unknown client"
        )
        if client is None:
            return Principal(None, "hmac")
        req.identify(client_id)
        if timestamp.isascii() and timestamp.isdigit():
            auth.timestamp_window(
                req,
                int(timestamp),
                window=window,
                header="X-Timestamp",
                status=401,
                rule="timestamp_window",
                message="Stale request",
            )
        message = string_to_sign(req.method, req.path, timestamp, values["X-Request-Id"])
        expected = hmac.new(client.client_secret.encode(), message, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected.encode(), values["X-Signature"].encode("latin-1")):
            req.reject(ProviderError(401, "signature", "Bad signature"))
        await auth.request_id_unused(
            req,
            client_id,
            values["X-Request-Id"],
            status=409,
            rule="replay",
            message="Replayed request",
            detail="this X-Request-Id was used before",
        )
        return Principal(client_id, "hmac")

    return authenticate
