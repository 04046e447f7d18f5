"""The x-app-key API's Postman collection: the conventions and the token chain (login, new
access token, new refresh token), a new address read back, and logout last."""

from typing import Any

from mock_server.core.postman import NO_BODY, PostmanSpec, Step, Variable

# The lifetimes are in every answer: each token is kept with when it expires, as the
# collection's pre-request script keeps those it fetches itself.
KEEP = """function keep(data, kind) {
  if (data[kind] === undefined) return;
  pm.environment.set(kind, data[kind]);
  const expiresAt = Date.now() + Number(data[kind + "_expires_in"]) * 1000;
  pm.environment.set(kind + "_expires_at", String(expiresAt));
}
if (pm.response.code === 200) {
  const data = pm.response.json().data;
  ["access_token", "refresh_token", "user_token"].forEach(function (kind) { keep(data, kind); });
}"""
KEEP_ADDRESS = """if (pm.response.code === 201) {
  pm.environment.set("address_id", String(pm.response.json().data.id));
}"""
FORGET_LOGIN = """if (pm.response.code === 200) {
  ["access_token", "refresh_token", "user_token"].forEach(function (kind) {
    pm.environment.unset(kind);
    pm.environment.unset(kind + "_expires_at");
  });
}"""
WEST_JAVA = "32"  # a province code (Indonesia's BPS codes)


def spec(settings: Any) -> PostmanSpec:
    """``settings``: the provider's, which this collection does not depend on."""
    return PostmanSpec(
        package=__package__ or "mock_server.providers.appkey",
        script="postman.js",
        description="Every endpoint of the sandbox's x-app-key API. The collection's pre-request "
        "script adds x-app-key, a fresh x-request-id and x-language, and the bearer each "
        "operation takes; it logs the demo user in first when no token is kept yet.",
        variables=(
            Variable("app_key", "appkey-demo-public", description="x-app-key: the public key"),
            Variable("private_key", "appkey-demo-private", secret=True),
            Variable("username", "demo@example.com"),
            Variable("password", "demo-password", secret=True),
            Variable("language", "id", description="x-language: id or en"),
            Variable("access_token", "", secret=True),
            Variable("refresh_token", "", secret=True),
            Variable("user_token", "", secret=True),
            Variable("access_token_expires_at", "", description="ms since the epoch"),
            Variable("refresh_token_expires_at", "", description="ms since the epoch"),
            Variable("user_token_expires_at", "", description="ms since the epoch"),
            Variable("address_id", "", description="set by Create Address"),
        ),
        # The profile first: with no token kept yet, the pre-request script logs in by itself.
        order=(
            "GET /api/v1/users/me",
            "POST /api/v1/auth/login",
            "POST /api/v1/auth/access-token",
            "POST /api/v1/auth/refresh-token",
            "POST /api/v1/users/me/addresses",
            "GET /api/v1/users/me/addresses",
            "GET /api/v1/users/me/addresses/{address_id}",
            "GET /api/v1/provinces",
            "GET /api/v1/provinces/{code}",
            "POST /api/v1/auth/logout",
        ),
        steps={
            "POST /api/v1/auth/login": Step(
                body={"username": "{{username}}", "password": "{{password}}"}, test=KEEP
            ),
            "POST /api/v1/auth/access-token": Step(body=NO_BODY, test=KEEP),
            "POST /api/v1/auth/refresh-token": Step(body=NO_BODY, test=KEEP),
            "POST /api/v1/users/me/addresses": Step(test=KEEP_ADDRESS),
            "GET /api/v1/users/me/addresses/{address_id}": Step(
                path="/api/v1/users/me/addresses/{{address_id}}"
            ),
            "GET /api/v1/provinces/{code}": Step(path=f"/api/v1/provinces/{WEST_JAVA}"),
            "POST /api/v1/auth/logout": Step(body=NO_BODY, test=FORGET_LOGIN),
        },
    )
