"""The per-client rate limit on the x-app-key API: per app, in this API's shape and language; and
a rate-limited request (auth ran, the handler never did) leaves nothing behind."""

from tests.providers.appkey.conftest import conventions, login, tokens_of

PROVINCES = "/api/v1/provinces"


def test_the_rate_limit_is_per_app_in_this_apis_shape(ak, tokens, client_for, sandbox):
    client_for("admin").post("/__admin/providers/appkey/control", json={"rate_limit": 1})
    assert ak.get(PROVINCES, headers=conventions(tokens["access_token"])).status_code == 200
    limited = ak.get(PROVINCES, headers=conventions(tokens["access_token"], language="en"))
    assert limited.status_code == 429
    assert limited.json()["code"] == "RATE_LIMIT"
    assert limited.headers["content-language"] == "en"
    assert int(limited.headers["retry-after"]) >= 1
    other = tokens_of(login(ak, app_key="appkey-other-public", private_key="appkey-other-private"))
    assert (
        ak.get(
            PROVINCES, headers=conventions(other["access_token"], app_key="appkey-other-public")
        ).status_code
        == 429  # ...and was its one request
    )
    sandbox.services.clock.advance(60)
    assert ak.get(PROVINCES, headers=conventions(tokens["access_token"])).status_code == 200


def test_a_rate_limited_request_leaves_nothing_behind(ak, tokens, client_for, sandbox):
    client_for("admin").post("/__admin/providers/appkey/control", json={"rate_limit": 1})
    for _ in range(3):  # auth ran for each, then the 429: the handler never saw them
        ak.get(PROVINCES, headers=conventions(tokens["access_token"]))
    # Auth's result lives on each request's own context: the app keeps nothing per request.
    assert list(sandbox.provider_apps["appkey"].state._state) == []
