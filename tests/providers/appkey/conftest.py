"""Helpers for the x-app-key tests: the conventions written out by hand, as a client would."""

import uuid
from typing import Any

import pytest

APP_KEY = "appkey-demo-public"
PRIVATE_KEY = "appkey-demo-private"
USERNAME, PASSWORD = "demo@example.com", "demo-password"
OTHER_USERNAME, OTHER_PASSWORD = "other@example.com", "other-password"


def conventions(
    bearer: str | None = None,
    *,
    app_key: str | None = APP_KEY,
    request_id: str | None = None,
    language: str | None = None,
    user_token: str | None = None,
) -> dict[str, str]:
    headers = {"x-request-id": request_id or str(uuid.uuid4())}
    if app_key is not None:
        headers["x-app-key"] = app_key
    if bearer is not None:
        headers["Authorization"] = f"Bearer {bearer}"
    if language is not None:
        headers["x-language"] = language
    if user_token is not None:
        headers["x-user-token"] = user_token
    return headers


def login(
    client: Any,
    username: str = USERNAME,
    password: str = PASSWORD,
    *,
    app_key: str = APP_KEY,
    private_key: str = PRIVATE_KEY,
    **kwargs: Any,
) -> Any:
    return client.post(
        "/api/v1/auth/login",
        json={"username": username, "password": password},
        headers=conventions(private_key, app_key=app_key, **kwargs),
    )


def tokens_of(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return response.json()["data"]


def me(client: Any, tokens: dict[str, Any], **kwargs: Any) -> Any:
    return client.get(
        "/api/v1/users/me",
        headers=conventions(tokens["access_token"], user_token=tokens["user_token"], **kwargs),
    )


@pytest.fixture
def ak(client_for):
    return client_for("appkey")


@pytest.fixture
def tokens(ak) -> dict[str, Any]:
    """A fresh login of the demo user through the demo app."""
    return tokens_of(login(ak))
