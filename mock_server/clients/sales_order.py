"""Sales Order request signing, as the provider's doc describes it.

    token       = POST /api/v1/auth/login {client_id, client_secret} -> {token, expired_at}
    X-SIGNATURE = base64(SHA256withRSA(private key, client_id + "|" + X-TIMESTAMP))

``SalesOrderAuth`` logs in on first use (or takes a ``token``), renews the token through
``/api/v1/auth/refresh`` once it has expired, and signs every request. Login and refresh go to
the same host as the request being signed.

``now``: the clock, in unix seconds, that ``X-TIMESTAMP`` is stamped from and token expiry is
judged by (default: the machine's, ``time.time``). After the sandbox clock jumps ahead the server
answers ``401 Token expired``, and the client refreshes and resends once by itself. The sandbox
accepts the machine's clock in ``X-TIMESTAMP`` even when its own is moved, unless it runs with
``MOCK_TIMESTAMP_CLOCK=sandbox``; then stamp the sandbox's time, e.g. with the pytest plugin
``SalesOrderAuth(now=lambda: mock_sandbox.clock.now().timestamp())``.
"""

import time
from collections.abc import Callable, Generator

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from mock_server.providers.sales_order import signing
from mock_server.providers.sales_order.signing import demo_private_key as demo_private_key

LOGIN_PATH = "/api/v1/auth/login"
REFRESH_PATH = "/api/v1/auth/refresh"


class SalesOrderAuth(httpx.Auth):
    requires_response_body = True

    def __init__(
        self,
        client_id: str = "partner-client-001",
        client_secret: str | None = "secret-key-123",
        private_key: rsa.RSAPrivateKey | bytes | str | None = None,
        *,
        token: str | None = None,
        now: Callable[[], float] = time.time,
    ) -> None:
        if private_key is None:
            private_key = signing.private_key(None)  # the demo key, loaded once per process
        if isinstance(private_key, str | bytes):
            pem = private_key.encode() if isinstance(private_key, str) else private_key
            loaded = load_pem_private_key(pem, password=None)
            if not isinstance(loaded, rsa.RSAPrivateKey):
                raise TypeError("SHA256withRSA needs an RSA private key")
            private_key = loaded
        self.client_id = client_id
        self.client_secret = client_secret
        self.private_key = private_key
        self.token = token
        self.expired_at: float | None = None
        self.now = now

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self.token is None or (self.expired_at is not None and self.now() >= self.expired_at):
            if self.token is not None:
                yield from self._obtain(request, REFRESH_PATH, {"token": self.token})
            if self.token is None or (self.expired_at or 0) <= self.now():
                if self.client_secret is None:
                    raise RuntimeError("no usable token and no client_secret to log in with")
                body = {"client_id": self.client_id, "client_secret": self.client_secret}
                yield from self._obtain(request, LOGIN_PATH, body)
        response = yield self._sign(request)
        if response.status_code == 401 and _message(response) == "Token expired":
            # The server's clock says so (a sandbox clock may run ahead): renew once and resend.
            yield from self._obtain(request, REFRESH_PATH, {"token": self.token or ""})
            if self.token is not None:
                yield self._sign(request)

    def _sign(self, request: httpx.Request) -> httpx.Request:
        timestamp = str(int(self.now()))
        request.headers["Authorization"] = f"Bearer {self.token}"
        request.headers["X-CLIENT-ID"] = self.client_id
        request.headers["X-TIMESTAMP"] = timestamp
        request.headers["X-SIGNATURE"] = signing.sign(self.private_key, self.client_id, timestamp)
        return request

    def _obtain(
        self, request: httpx.Request, path: str, body: dict[str, str]
    ) -> Generator[httpx.Request, httpx.Response, None]:
        response = yield httpx.Request(
            "POST", request.url.copy_with(path=path, query=None), json=body
        )
        if response.status_code != 200:
            self.token = None
            if path == LOGIN_PATH:
                raise httpx.HTTPStatusError(
                    f"{path} answered {response.status_code}: {response.text[:300]}",
                    request=response.request,
                    response=response,
                )
            return
        payload = response.json()
        self.token = payload["token"]
        self.expired_at = float(payload["expired_at"])


def _message(response: httpx.Response) -> object:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("message") if isinstance(body, dict) else None
