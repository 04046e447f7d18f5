"""The dashboard's pages and fragments in process: what they show, what they change, and that
they keep the control plane's access rule."""

import re
import shlex

import pytest
from fastapi.testclient import TestClient

from mock_server.app import Sandbox
from tests.helpers import digitalent_headers, journal_entry

AKADEMI = "/api/public/pelatihan/akademi"


@pytest.fixture
def admin(client_for) -> TestClient:
    return client_for("admin")


def test_the_dashboard_is_served_at_the_root_and_under_admin_ui(admin: TestClient) -> None:
    for path in ("/", "/__admin/ui"):
        page = admin.get(path)
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert 'id="journal-rows"' in page.text
        assert "sandbox time" in page.text


def test_every_asset_comes_from_the_package(admin: TestClient) -> None:
    pages = [admin.get(p).text for p in ("/", "/__admin/docs", "/__admin/docs/kyc")]
    for text in pages:
        sources = re.findall(r'(?:src|href)="([^"]+)"', text) + re.findall(r"url: ?'([^']+)'", text)
        assert sources
        assert all(s.startswith(("/", "#")) for s in sources), sources
    for asset in ("htmx.min.js", "json-enc.js", "swagger-ui/swagger-ui-bundle.js"):
        assert admin.get(f"/__admin/ui/static/{asset}").status_code == 200


def test_only_packaged_files_are_served_as_assets(admin: TestClient) -> None:
    for path in ("nothing.js", "../routes.py", "..%2Froutes.py", "../templates/base.html"):
        assert admin.get(f"/__admin/ui/static/{path}").status_code == 404


def test_a_request_shows_in_the_rows_with_its_rule_and_filters_narrow_them(
    sandbox: Sandbox, client_for, admin: TestClient
) -> None:
    digitalent = client_for("digitalent")
    rejected = digitalent.get(AKADEMI)  # unsigned
    accepted = digitalent.get(AKADEMI, headers=digitalent_headers("GET", AKADEMI))
    rows = admin.get("/__admin/ui/rows").text
    assert rejected.headers["x-mock-journal-id"] in rows
    assert accepted.headers["x-mock-journal-id"] in rows
    assert journal_entry(sandbox, rejected)["rule"] in rows

    only_rejected = admin.get("/__admin/ui/rows", params={"outcome": "rejected"}).text
    assert rejected.headers["x-mock-journal-id"] in only_rejected
    assert accepted.headers["x-mock-journal-id"] not in only_rejected
    other_provider = admin.get("/__admin/ui/rows", params={"provider": "joss"}).text
    assert "data-seq" not in other_provider


def test_a_bad_filter_is_a_clear_400(admin: TestClient) -> None:
    response = admin.get("/__admin/ui/rows", params={"status": "abc"})
    assert response.status_code == 400
    assert "not an HTTP status code" in response.json()["detail"]


def test_the_detail_shows_the_explanation_and_redacted_headers(
    client_for, admin: TestClient
) -> None:
    headers = digitalent_headers("GET", AKADEMI) | {"Signature": "AAAA" + "A" * 40}
    response = client_for("digitalent").get(AKADEMI, headers=headers)
    assert response.status_code == 401
    detail = admin.get(f"/__admin/ui/requests/{response.headers['x-mock-journal-id']}").text
    assert "what the server signed" in detail
    assert f"GET:{AKADEMI}::" in detail  # the string to sign: METHOD:path:body:...

    bearer = "Bearer a-token-that-must-not-show-1234567890"
    kyc = client_for("kyc").post("/kyc/v1/challenge-code", headers={"Authorization": bearer})
    detail = admin.get(f"/__admin/ui/requests/{kyc.headers['x-mock-journal-id']}").text
    assert "<dt>authorization</dt>" in detail
    assert "a-token-that-must-not-show" not in detail


def test_the_detail_shows_the_answer_with_its_tokens_redacted(
    client_for, admin: TestClient
) -> None:
    form = {"client_id": "kyc-demo-client", "client_secret": "kyc-demo-secret"}
    response = client_for("kyc").post(
        "/oauth2/v1/accesstoken?grant_type=client_credentials", data=form
    )
    detail = admin.get(f"/__admin/ui/requests/{response.headers['x-mock-journal-id']}").text
    assert '<pre id="response-body">' in detail
    assert "access_token" in detail
    assert response.json()["access_token"] not in detail
    assert "<dt>content-type</dt>" in detail


def test_copy_as_curl_is_freshly_signed_and_passes(client_for, admin: TestClient) -> None:
    digitalent = client_for("digitalent")
    first = digitalent.post(
        AKADEMI, content=b'{"id":1}', headers=digitalent_headers("POST", AKADEMI, '{"id":1}')
    )
    assert first.status_code == 200
    shown = admin.get(f"/__admin/ui/requests/{first.headers['x-mock-journal-id']}/curl").text
    command = re.search(r'<pre id="curl-command">(.*?)</pre>', shown, re.S)
    assert command is not None
    argv = shlex.split(command.group(1).replace("&#39;", "'").replace("&#34;", '"'))
    assert argv[:4] == ["curl", "-sS", "-X", "POST"]
    headers = dict(argv[i + 1].split(": ", 1) for i, a in enumerate(argv) if a == "-H")
    body = argv[argv.index("--data-binary") + 1]
    # A new request id: sent again, the copied request is not a replay.
    again = digitalent.post(AKADEMI, content=body.encode(), headers=headers)
    assert again.status_code == 200, again.text
    assert headers["Request-Id"] != first.request.headers["Request-Id"]


def test_clock_controls_answer_the_clock_panel(admin: TestClient) -> None:
    frozen = admin.post("/__admin/ui/clock", json={"action": "freeze", "at": ""})
    assert frozen.status_code == 200
    assert 'data-frozen="true"' in frozen.text
    before = admin.get("/__admin/clock").json()["now"]
    advanced = admin.post("/__admin/ui/clock", json={"action": "advance", "seconds": "3600"})
    assert advanced.status_code == 200
    after = admin.get("/__admin/clock").json()["now"]
    assert after[:13] != before[:13]
    assert after in advanced.text
    refused = admin.post("/__admin/ui/clock", json={"action": "advance", "seconds": "soon"})
    assert refused.status_code == 400
    assert admin.get("/__admin/clock").json()["now"] == after


def test_a_fault_preset_answers_in_the_providers_shape_and_can_be_removed(
    client_for, admin: TestClient
) -> None:
    added = admin.post(
        "/__admin/ui/faults", json={"provider": "digitalent", "preset": "outage-503", "times": ""}
    )
    assert added.status_code == 200
    rule_id = re.search(r'data-fault="([^"]+)"', added.text)
    assert rule_id is not None
    failed = client_for("digitalent").get(AKADEMI, headers=digitalent_headers("GET", AKADEMI))
    assert failed.status_code == 503
    assert failed.json()["success"] is False  # Digitalent's own error shape
    removed = admin.delete(f"/__admin/ui/faults/{rule_id.group(1)}")
    assert "No fault is set" in removed.text
    passed = client_for("digitalent").get(AKADEMI, headers=digitalent_headers("GET", AKADEMI))
    assert passed.status_code == 200
    unknown = admin.post("/__admin/ui/faults", json={"provider": "digitalent", "preset": "x"})
    assert unknown.status_code == 400


def test_credentials_show_a_new_secret_once(admin: TestClient) -> None:
    made = admin.post(
        "/__admin/ui/providers/digitalent/clients", json={"client_id": "partner-a", "name": ""}
    )
    assert made.status_code == 200
    secret = re.search(r"client_secret: (\S+)", made.text)
    assert secret is not None
    listed = admin.get("/__admin/ui/providers/digitalent/clients").text
    assert "partner-a" in listed
    assert secret.group(1) not in listed
    rotated = admin.post("/__admin/ui/providers/digitalent/clients/partner-a/rotate")
    new = re.search(r"client_secret: (\S+)", rotated.text)
    assert new is not None
    assert new.group(1) != secret.group(1)
    off = admin.post(
        "/__admin/ui/providers/digitalent/clients/partner-a/active", json={"active": False}
    )
    assert re.search(r"partner-a</code></td><td></td><td>inactive", off.text)


def test_auth_mode_and_rate_limit(admin: TestClient) -> None:
    changed = admin.post(
        "/__admin/ui/providers/joss/control",
        json={"auth_mode": "lenient", "rate_limit": "5", "rate_limit_window": "60"},
    )
    assert changed.status_code == 200
    state = admin.get("/__admin/providers/joss/control").json()
    assert state["auth_mode"] == "lenient"
    assert state["rate_limit"] == 5
    refused = admin.post("/__admin/ui/providers/joss/control", json={"rate_limit": "-1"})
    assert refused.status_code == 422
    assert "rate_limit" in refused.json()["detail"]


def test_the_dashboard_keeps_the_control_planes_guard(admin: TestClient) -> None:
    before = admin.get("/__admin/clock").json()
    cross_site = admin.post(
        "/__admin/ui/clock",
        json={"action": "advance", "seconds": 60},
        headers={"Origin": "https://attacker.example"},
    )
    assert cross_site.status_code == 403
    form = admin.post(
        "/__admin/ui/clock",
        content=b"action=advance&seconds=60",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert form.status_code == 415
    rebound = admin.get("/", headers={"Host": "attacker.example"})
    assert rebound.status_code == 421
    assert admin.get("/__admin/clock").json() == before
    other_port = admin.post(
        "/__admin/ui/clock",
        json={"action": "advance", "seconds": 60},
        headers={"Origin": "http://127.0.0.1:8080"},  # another server on this machine
    )
    assert other_port.status_code == 403
    same_site = admin.post(
        "/__admin/ui/clock",
        json={"action": "advance", "seconds": 60},
        headers={"Origin": "http://127.0.0.1"},  # the client's own origin: base_url
    )
    assert same_site.status_code == 200


def test_with_a_token_the_dashboard_needs_it_too(make_sandbox) -> None:
    sandbox = make_sandbox(admin_token="s3cret-token")
    client = TestClient(sandbox.apps["admin"], base_url="http://127.0.0.1")
    for path in ("/", "/__admin/ui/controls", "/__admin/docs", "/__admin/ui/static/htmx.min.js"):
        assert client.get(path).status_code == 401
        authorized = client.get(path, headers={"Authorization": "Bearer s3cret-token"})
        assert authorized.status_code == 200


def test_with_a_token_a_browser_logs_in_once_and_keeps_it_in_a_strict_cookie(
    make_sandbox,
) -> None:
    sandbox = make_sandbox(admin_token="s3cret-token")
    browser = TestClient(sandbox.apps["admin"], base_url="http://127.0.0.1:7100")
    page = browser.get("/", headers={"Accept": "text/html"})
    assert page.status_code == 401
    assert '<form action="/__admin/ui/login" method="post">' in page.text  # not a JSON 401
    wrong = browser.post("/__admin/ui/login", data={"token": "guess"}, follow_redirects=False)
    assert wrong.status_code == 401
    assert "That is not the token" in wrong.text
    assert "set-cookie" not in wrong.headers
    # In the query string it would sit in the browser's history: only the form's body counts.
    by_url = browser.get("/__admin/ui/login?token=s3cret-token", follow_redirects=False)
    assert by_url.status_code == 401
    login = browser.post(
        "/__admin/ui/login", data={"token": "s3cret-token"}, follow_redirects=False
    )
    assert login.status_code == 303
    assert login.headers["location"] == "/__admin/ui"
    cookie = login.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    assert browser.get("/__admin/ui").status_code == 200
    assert browser.get("/__admin/requests").status_code == 200
    change = {"action": "advance", "seconds": 60}
    own = {"Origin": "http://127.0.0.1:7100"}
    assert browser.post("/__admin/ui/clock", json=change, headers=own).status_code == 200
    # The cookie alone carries no state change: not without the page's own Origin, not from
    # another site, and not from another port of the same host (SameSite lets that one through).
    assert browser.post("/__admin/ui/clock", json=change).status_code == 401
    for origin in ("http://evil.example", "http://127.0.0.1:8080", "http://127.0.0.1"):
        refused = browser.post("/__admin/reset", headers={"Origin": origin})
        assert refused.status_code == 401, origin
    # Another app's odd cookie on localhost (cookies are shared across ports) does not hide it.
    token = browser.cookies["mock_admin_token"]
    browser.cookies.clear()
    shared = {"Cookie": f'prefs={{"a":1}}; theme=dark mode; mock_admin_token={token}'}
    assert browser.get("/__admin/requests", headers=shared).status_code == 200
    browser.cookies.set("mock_admin_token", "guess")
    assert browser.get("/__admin/requests").status_code == 401


def test_reset_one_provider_or_all(admin: TestClient) -> None:
    created = {"client_id": "partner-b", "name": ""}
    admin.post("/__admin/ui/providers/digitalent/clients", json=created)
    one = admin.post("/__admin/ui/reset", json={"provider": "digitalent"})
    assert one.status_code == 200
    assert "digitalent is back to its seed" in one.text
    assert "partner-b" not in admin.get("/__admin/ui/providers/digitalent/clients").text
    every = admin.post("/__admin/ui/reset", json={"provider": ""})
    assert "every provider is back to its seed" in every.text
    assert admin.get("/__admin/requests/count").json()["count"] == 0
    unknown = admin.post("/__admin/ui/reset", json={"provider": "nobody"})
    assert unknown.status_code == 404


def test_copy_as_curl_says_where_the_journal_redacted_a_credential(
    client_for, admin: TestClient
) -> None:
    page = client_for("kyc").get("/kyc/v1/validation-web/0b5d7a5e-3f7c-4a7e-9a51-3c2f4f0f7a01")
    shown = admin.get(f"/__admin/ui/requests/{page.headers['x-mock-journal-id']}/curl").text
    assert "0b5d7a5e-3f7c-4a7e-9a51-3c2f4f0f7a01" not in shown
    assert "redacted a credential in the URL" in shown
