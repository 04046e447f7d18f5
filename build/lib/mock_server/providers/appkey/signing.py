"""Which bearer each operation takes, and the headers of a request that carries it, apart from
``auth.py``: ``mock-server sign appkey`` needs only these, and loads nothing of the server."""

import re
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mock_server.core.provider import SignInput

if TYPE_CHECKING:
    import httpx

API = "/api/v1"


@dataclass(frozen=True)
class Requirement:
    bearer: str  # private_key, access, refresh or user
    user_token: bool = False


# By path, whatever the method: a wrong method on a known path is checked as that path, then 405.
REQUIREMENTS: tuple[tuple[re.Pattern[str], Requirement], ...] = tuple(
    (re.compile(pattern), requirement)
    for pattern, requirement in (
        (rf"{API}/auth/login", Requirement("private_key")),
        (rf"{API}/auth/access-token", Requirement("refresh")),
        (rf"{API}/auth/refresh-token", Requirement("user")),
        (rf"{API}/auth/logout", Requirement("access", user_token=True)),
        # the profile and everything the user owns
        (rf"{API}/users/me(/.*)?", Requirement("access", user_token=True)),
        # app-level data: the access token alone
        (rf"{API}/provinces(/[^/]*)?", Requirement("access")),
    )
)
# Anywhere else no operation is known, so no kind can be expected: any genuine credential of
# this app (its private key or a live token of any kind) passes, and the router answers 404.
UNKNOWN_PATH = Requirement("any")


def requirement_for(path: str) -> Requirement:
    path = path.rstrip("/") or "/"
    for pattern, requirement in REQUIREMENTS:
        if pattern.fullmatch(path):
            return requirement
    return UNKNOWN_PATH


DEMO_APP_KEY, DEMO_PRIVATE_KEY = "appkey-demo-public", "appkey-demo-private"
DEMO_USERNAME, DEMO_PASSWORD = "demo@example.com", "demo-password"
LOGIN_PATH = f"{API}/auth/login"


def conventions(app_key: str, bearer: str, request_id: str | None = None) -> dict[str, str]:
    return {
        "x-app-key": app_key,
        "x-request-id": request_id or str(uuid.uuid4()),  # fresh on every call: a reused one is 409
        "x-language": "id",  # the documented default
        "Authorization": f"Bearer {bearer}",
    }


def sign_request(request: SignInput) -> dict[str, str]:
    """The conventions' headers and the bearer the operation at ``request.path`` takes, chosen by
    the same table auth checks against. For anything but login, it logs the demo user in over
    HTTP first (a new login each time, so the tokens are fresh by the sandbox clock)."""
    app_key = request.client_id or DEMO_APP_KEY
    private_key = request.secret or DEMO_PRIVATE_KEY
    need = requirement_for(request.path.split("?", 1)[0])
    if need.bearer == "private_key":
        return conventions(app_key, private_key, request.request_id)
    tokens = log_in(request, app_key, private_key)
    # "any" (an unknown path) takes any live credential: the access token, as for data.
    bearer = {"refresh": "refresh_token", "user": "user_token"}.get(need.bearer, "access_token")
    headers = conventions(app_key, tokens[bearer], request.request_id)
    if need.user_token:
        headers["x-user-token"] = tokens["user_token"]
    return headers


def log_in(request: SignInput, app_key: str, private_key: str) -> dict[str, Any]:
    """The demo user's tokens, from a login through ``request.http`` or a new connection. The
    login has a request id of its own: the one asked for is the signed request's."""
    import httpx  # only the CLI and tests sign: the server never pays for the import

    url = f"{request.base_url.rstrip('/')}{LOGIN_PATH}"
    body = {"username": DEMO_USERNAME, "password": DEMO_PASSWORD}
    headers = conventions(app_key, private_key) | {"x-language": "en"}
    try:
        if request.http is not None:
            response = request.http.post(LOGIN_PATH, json=body, headers=headers)
        else:
            response = httpx.post(url, json=body, headers=headers, timeout=10)
    except httpx.HTTPError as exc:
        raise RuntimeError(f"cannot log in at {url}: {exc}; is the sandbox running?") from exc
    if response.status_code != 200:
        raise RuntimeError(f"login at {url} answered {response.status_code} ({refusal(response)})")
    data: dict[str, Any] = response.json()["data"]
    return data


def refusal(response: "httpx.Response") -> str:
    try:
        body = response.json()
        reason = f"{body.get('code')}: {body.get('message')} {body.get('detail') or ''}"
    except ValueError:
        reason = response.text[:200]
    return reason.strip()
