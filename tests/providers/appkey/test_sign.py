"""The sign hook behind `mock-server sign appkey …`, against the real process: the headers it gives
are accepted as they are, with the bearer each operation takes."""

import dataclasses
from datetime import UTC, datetime

import httpx
import pytest

from mock_server.core.provider import SignInput
from mock_server.providers.appkey import provider
from mock_server.providers.appkey.config import AppKeySettings
from mock_server.providers.appkey.tokens import kind_of
from tests.server import running_server


def sign_input(method: str, path: str, base_url: str, body: bytes = b"") -> SignInput:
    return SignInput(
        method=method,
        path=path,
        body=body,
        client_id=None,
        secret=None,
        key_file=None,
        now=datetime.now(UTC),
        base_url=base_url,
        settings=AppKeySettings(),
    )


def bearer_of(headers: dict[str, str]) -> str:
    scheme, _, credential = headers["Authorization"].partition(" ")
    assert scheme == "Bearer"
    return credential


def test_sign_gives_accepted_headers_for_every_kind_of_operation_or_says_why_not():
    assert provider.sign is not None
    sign = provider.sign
    with running_server(None) as server:
        base = server.url("appkey")

        def send(method: str, path: str, body: bytes = b"") -> httpx.Response:
            headers = sign(sign_input(method, path, base, body))
            assert headers["x-app-key"] == "appkey-demo-public"
            assert headers["x-language"] == "id"
            if body:
                headers["Content-Type"] = "application/json"
            return httpx.request(method, base + path, headers=headers, content=body)

        # login: the private key, no login needed to sign it
        login_headers = sign(sign_input("POST", "/api/v1/auth/login", base))
        assert bearer_of(login_headers) == "appkey-demo-private"
        body = b'{"username": "demo@example.com", "password": "demo-password"}'
        assert send("POST", "/api/v1/auth/login", body).status_code == 200

        # each operation gets the token kind auth expects, and x-user-token only on user data
        expected = {
            "/api/v1/auth/access-token": ("refresh", False),
            "/api/v1/auth/refresh-token": ("user", False),
            "/api/v1/users/me": ("access", True),
            "/api/v1/users/me/addresses?page=1": ("access", True),
            "/api/v1/provinces/32": ("access", False),
        }
        for path, (kind, user_token) in expected.items():
            headers = sign(sign_input("GET", path, base))
            assert kind_of(bearer_of(headers)) == kind, path
            assert ("x-user-token" in headers) is user_token, path
            if user_token:
                assert kind_of(headers["x-user-token"]) == "user"

        for method, path in [
            ("POST", "/api/v1/auth/access-token"),
            ("POST", "/api/v1/auth/refresh-token"),
            ("GET", "/api/v1/users/me"),
            ("GET", "/api/v1/users/me/addresses"),
            ("GET", "/api/v1/provinces/32"),
            ("POST", "/api/v1/auth/logout"),
        ]:
            response = send(method, path)
            assert response.status_code == 200, (path, response.text)
            assert "x-mock-would-have-failed" not in response.headers

        # a fresh request id each time: signing twice never replays
        first = sign(sign_input("GET", "/api/v1/provinces", base))
        second = sign(sign_input("GET", "/api/v1/provinces", base))
        assert first["x-request-id"] != second["x-request-id"]

        # a login the sandbox refuses is an error that says why, not headers that fail later
        wrong = dataclasses.replace(sign_input("GET", "/api/v1/users/me", base), secret="nope")
        with pytest.raises(RuntimeError, match=r"401 .*PRIVATE_KEY"):
            sign(wrong)
