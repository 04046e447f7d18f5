"""The x-app-key API's conventions as an ``httpx.Auth``: app key, a fresh request id, the
language, and the right bearer for each operation, logging in and renewing as needed.

    with httpx.Client(base_url="http://127.0.0.1:7102", auth=AppKeyAuth()) as client:
        client.get("/api/v1/users/me")          # logs in first, then sends both tokens

Which bearer goes where (the doc's rule; the paths are the sandbox's choice):

- ``POST /api/v1/auth/login``: the app's private key
- ``POST /api/v1/auth/access-token``: the refresh token
- ``POST /api/v1/auth/refresh-token``: the x-user-token
- everything else: the access token, plus ``x-user-token`` on ``/api/v1/users/…``

An expired access token is renewed once with the refresh token and the request retried; an
expired or rotated-out refresh token means a new login.
"""

import json
import uuid
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import httpx

API = "/api/v1"


@dataclass
class AppKeyTokens:
    access_token: str
    refresh_token: str
    user_token: str


class AppKeyAuth(httpx.Auth):
    requires_request_body = True  # a request may be sent twice (after renewing the token)
    requires_response_body = True

    def __init__(
        self,
        app_key: str = "appkey-demo-public",
        private_key: str = "appkey-demo-private",
        username: str = "demo@example.com",
        password: str = "demo-password",
        *,
        language: str = "id",
    ) -> None:
        self.app_key = app_key
        self.private_key = private_key
        self.username = username
        self.password = password
        self.language = language
        self.tokens: AppKeyTokens | None = None

    # -- building requests -------------------------------------------------------------------
    def conventions(self, request: httpx.Request, bearer: str) -> httpx.Request:
        request.headers["x-app-key"] = self.app_key
        request.headers["x-request-id"] = str(uuid.uuid4())  # unique on every try, retries too
        request.headers["x-language"] = self.language
        request.headers["Authorization"] = f"Bearer {bearer}"
        return request

    def _auth_request(
        self, like: httpx.Request, path: str, bearer: str, body: Any = None
    ) -> httpx.Request:
        request = httpx.Request("POST", like.url.copy_with(path=path, query=None), json=body)
        return self.conventions(request, bearer)

    def login_request(self, like: httpx.Request) -> httpx.Request:
        body = {"username": self.username, "password": self.password}
        return self._auth_request(like, f"{API}/auth/login", self.private_key, body)

    # -- reading responses -------------------------------------------------------------------
    def remember_login(self, response: httpx.Response) -> None:
        data = response.json()["data"]
        self.tokens = AppKeyTokens(data["access_token"], data["refresh_token"], data["user_token"])

    @staticmethod
    def code_of(response: httpx.Response) -> str | None:
        try:
            code = json.loads(response.content).get("code")
        except (ValueError, AttributeError):
            return None
        return code if isinstance(code, str) else None

    # -- the flow ------------------------------------------------------------------------------
    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        path = request.url.path
        if path == f"{API}/auth/login":
            response = yield self.conventions(request, self.private_key)
            if response.status_code == 200:
                self.remember_login(response)
            return
        if self.tokens is None:
            login = yield self.login_request(request)
            if login.status_code != 200:
                return  # the caller gets the login's rejection
            self.remember_login(login)
        tokens = self.tokens
        assert tokens is not None
        if path == f"{API}/auth/access-token":
            response = yield self.conventions(request, tokens.refresh_token)
            if response.status_code == 200:
                tokens.access_token = response.json()["data"]["access_token"]
            return
        if path == f"{API}/auth/refresh-token":
            response = yield self.conventions(request, tokens.user_token)
            if response.status_code == 200:
                tokens.refresh_token = response.json()["data"]["refresh_token"]
            return
        request.headers["x-user-token"] = tokens.user_token
        response = yield self.conventions(request, tokens.access_token)
        if response.status_code == 401 and self.code_of(response) == "TOKEN_EXPIRED":
            renewed = yield self._auth_request(
                request, f"{API}/auth/access-token", tokens.refresh_token
            )
            if renewed.status_code == 200:
                tokens.access_token = renewed.json()["data"]["access_token"]
            else:  # the refresh token expired or was rotated out: log in again
                login = yield self.login_request(request)
                if login.status_code != 200:
                    return
                self.remember_login(login)
                tokens = self.tokens
                assert tokens is not None
                request.headers["x-user-token"] = tokens.user_token
            yield self.conventions(request, tokens.access_token)
