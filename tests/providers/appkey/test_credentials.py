"""x-app-key apps through the control plane's generic client endpoints: listed without private
keys, created and rotated with the key shown once, deactivated; unknown apps are 404."""

import pytest

from mock_server.core.redact import fingerprint
from tests.helpers import journal_entry
from tests.providers.appkey.conftest import login, tokens_of

CLIENTS = "/__admin/providers/appkey/clients"


@pytest.fixture
def admin(client_for):
    return client_for("admin")


def test_apps_are_listed_with_a_fingerprint_and_no_private_key(admin):
    apps = admin.get(CLIENTS).json()
    assert [a["client_id"] for a in apps] == [
        "appkey-demo-public",
        "appkey-inactive-public",
        "appkey-other-public",
    ]
    assert [a["active"] for a in apps] == [True, False, True]
    assert "appkey-demo-private" not in str(apps)
    assert "private_key" not in apps[0]
    assert "client_secret" not in apps[0]
    # the same fingerprint the journal shows for a presented key, so the two can be compared
    assert apps[0]["secret_fingerprint"] == fingerprint("appkey-demo-private")


def test_a_created_app_logs_in_with_the_private_key_shown_once(admin, ak):
    created = admin.post(CLIENTS, json={"client_id": "shop-x", "name": "Shop X"})
    assert created.status_code == 201
    app = created.json()
    assert app["client_id"] == "shop-x"
    assert app["name"] == "Shop X"
    assert app["active"] is True
    assert app["private_key"] == app["client_secret"]
    assert app["secret_fingerprint"] == fingerprint(app["private_key"])
    assert login(ak, app_key="shop-x", private_key=app["private_key"]).status_code == 200
    listed = {a["client_id"]: a for a in admin.get(CLIENTS).json()}
    assert app["private_key"] not in str(listed)
    assert listed["shop-x"]["secret_fingerprint"] == app["secret_fingerprint"]


def test_a_created_app_without_an_id_gets_one(admin, ak):
    app = admin.post(CLIENTS, json={}).json()
    assert app["client_id"].startswith("appkey-")
    assert login(ak, app_key=app["client_id"], private_key=app["private_key"]).status_code == 200


def test_rotation_stops_the_old_private_key_at_once(admin, ak, sandbox):
    tokens = tokens_of(login(ak))  # also warms auth's app cache
    rotated = admin.post(f"{CLIENTS}/appkey-demo-public/rotate").json()
    assert rotated["private_key"] not in ("appkey-demo-private", "")
    assert rotated["secret_fingerprint"] == fingerprint(rotated["private_key"])
    old = login(ak, language="en")
    assert old.status_code == 401
    assert old.json()["code"] == "PRIVATE_KEY"
    diagnosis = journal_entry(sandbox, old)["diagnosis"]
    assert diagnosis["expected_fingerprint"] == rotated["secret_fingerprint"]
    assert diagnosis["presented_fingerprint"] == fingerprint("appkey-demo-private")
    assert login(ak, private_key=rotated["private_key"]).status_code == 200
    # tokens already issued live on: rotating the app's key does not log its users out
    assert (
        ak.get(
            "/api/v1/provinces",
            headers={
                "x-app-key": "appkey-demo-public",
                "x-request-id": "after-rotation",
                "Authorization": f"Bearer {tokens['access_token']}",
            },
        ).status_code
        == 200
    )


def test_deactivation_and_reactivation(admin, ak):
    off = admin.post(f"{CLIENTS}/appkey-demo-public/active", json={"active": False}).json()
    assert off["active"] is False
    assert "private_key" not in off
    refused = login(ak)
    assert refused.status_code == 401
    assert refused.json()["code"] == "APP_KEY_INACTIVE"
    admin.post(f"{CLIENTS}/appkey-demo-public/active", json={"active": True})
    assert login(ak).status_code == 200


def test_unknown_and_duplicate_apps(admin):
    assert admin.post(CLIENTS, json={"client_id": "appkey-demo-public"}).status_code == 409
    assert admin.post(f"{CLIENTS}/nobody/rotate").status_code == 404
    assert admin.post(f"{CLIENTS}/nobody/active", json={"active": False}).status_code == 404


def test_reset_restores_the_seeded_apps(admin, ak):
    admin.post(f"{CLIENTS}/appkey-demo-public/rotate")
    admin.post(CLIENTS, json={"client_id": "shop-x"})
    admin.post("/__admin/providers/appkey/reset")
    assert "shop-x" not in [a["client_id"] for a in admin.get(CLIENTS).json()]
    assert login(ak).status_code == 200
