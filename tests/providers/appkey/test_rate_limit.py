"""The per-client rate limit on the x-app-key API: per app, in this API's shape and language; and
the auth-to-handler handoff does not keep what a rate-limited request left behind."""

from mock_server.providers.appkey.auth import Handoff, Principal
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


def test_entries_left_by_requests_that_never_reach_the_app_are_dropped():
    now = [0.0]
    handoff = Handoff(now=lambda: now[0])
    principal = Principal("appkey-demo-public", None, None)
    handoff.put("rate-limited", principal)  # auth ran, then the 429: never popped
    now[0] += Handoff.STALE_SECONDS - 1
    handoff.put("in-flight", principal)
    assert len(handoff) == 2
    now[0] += 1
    handoff.put("next", principal)
    assert len(handoff) == 2
    assert handoff.pop("rate-limited") is None
    assert handoff.pop("in-flight") is principal
    assert handoff.pop("next") is principal
    assert len(handoff) == 0
