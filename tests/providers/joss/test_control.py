"""JOSS on the control plane: lenient mode, clients through the admin endpoints, the sign hook,
and the time-window diagnosis."""

import json
import uuid
from datetime import timedelta

import pytest

from mock_server.core.provider import SignInput
from mock_server.core.redact import fingerprint
from mock_server.providers.joss import provider
from mock_server.providers.joss.config import JossSettings
from tests.helpers import FROZEN, joss_headers, joss_timestamp, journal_entry
from tests.providers.joss.common import COMPANY_ID, company_body, send

COMPANIES = "/api/v1/companies"
COMPANY = f"{COMPANIES}/{COMPANY_ID}"
CONTROL = "/__admin/providers/joss/control"
CLIENTS = "/__admin/providers/joss/clients"


@pytest.fixture
def admin(client_for):
    return client_for("admin")


@pytest.fixture
def lenient(admin):
    assert admin.post(CONTROL, json={"auth_mode": "lenient"}).json()["auth_mode"] == "lenient"


def rules(sandbox, response) -> list[str]:
    """The rules that would have failed, in the order auth ran them, from the journal; each is
    named in the X-Mock-Would-Have-Failed header too. (The header joins notes with "; ", which
    some details contain, so the journal's list is the one to read the order from.)"""
    notes = journal_entry(sandbox, response)["would_have_failed"]
    names = [note.split(":")[0] for note in notes]
    header = response.headers["x-mock-would-have-failed"]
    assert header.startswith(f"{names[0]}: ")
    assert all(f"{name}: " in header for name in names)
    return names


def put_company(client, ident=COMPANY_ID, **sign):
    return send(client, "PUT", f"{COMPANIES}/{ident}", company_body(), **sign)


# -- lenient mode ---------------------------------------------------------------------------------
def test_lenient_serves_a_bad_signature_and_says_so(joss, sandbox, lenient):
    response = put_company(joss, secret="wrong")
    assert response.status_code == 201, response.text
    assert rules(sandbox, response) == ["signature"]
    entry = journal_entry(sandbox, response)
    assert entry["outcome"] == "accepted"
    assert entry["client_id"] == "joss-sandbox-client"
    assert [w.split(":")[0] for w in entry["would_have_failed"]] == ["signature"]
    assert "string_to_sign" in entry["diagnosis"]["signature"]
    # Served as the client it claimed to be: its own company, visible to it.
    assert send(joss, "GET", COMPANY).status_code == 200


def test_lenient_serves_an_expired_timestamp(joss, sandbox, lenient):
    response = send(joss, "GET", COMPANIES, skew=timedelta(hours=1))
    assert response.status_code == 200
    assert rules(sandbox, response) == ["timestamp_window"]
    entry = journal_entry(sandbox, response)
    assert entry["would_have_failed"][0].startswith("timestamp_window: ")
    assert entry["diagnosis"]["timestamp_window"]["skew_seconds"] == pytest.approx(3600, abs=0.01)


def test_lenient_serves_a_replayed_request_id(joss, sandbox, lenient):
    request_id = str(uuid.uuid4())
    first = put_company(joss, request_id=request_id)
    assert first.status_code == 201
    assert "x-mock-would-have-failed" not in first.headers
    again = put_company(joss, request_id=request_id)
    assert again.status_code == 200  # the upsert, served a second time
    assert rules(sandbox, again) == ["replay"]
    assert "duplicate Request-Id" in journal_entry(sandbox, again)["would_have_failed"][0]


def test_lenient_runs_every_check_it_can(joss, sandbox, lenient):
    request_id = str(uuid.uuid4())
    assert put_company(joss, request_id=request_id).status_code == 201
    response = put_company(
        joss, request_id=request_id, secret="wrong", skew=timedelta(hours=1), accept="text/html"
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"  # a 406 served in JSON
    assert rules(sandbox, response) == ["accept", "timestamp_window", "signature", "replay"]


def test_lenient_notes_environment_and_inactive_clients(joss, sandbox, lenient):
    production = send(joss, "GET", COMPANIES, client_id="joss-production-client")
    assert production.status_code == 200
    assert rules(sandbox, production) == ["environment"]
    inactive = send(joss, "GET", COMPANIES, client_id="joss-inactive-client")
    assert inactive.status_code == 200
    assert rules(sandbox, inactive) == ["client_inactive"]


def test_lenient_serves_an_unknown_client_as_the_id_it_claimed(joss, sandbox, lenient):
    created = put_company(joss, client_id="not-issued", secret="anything")
    assert created.status_code == 201
    assert rules(sandbox, created) == ["client"]
    assert journal_entry(sandbox, created)["client_id"] == "not-issued"
    listed = send(joss, "GET", COMPANIES, client_id="not-issued", secret="anything")
    assert [c["id"] for c in listed.json()["data"]] == [COMPANY_ID]
    # The demo client's data stays its own.
    assert send(joss, "GET", COMPANY).status_code == 403


def test_lenient_without_any_client_id_acts_as_an_anonymous_client(joss, sandbox, lenient):
    headers = joss_headers("GET", COMPANIES)
    del headers["Client-Id"], headers["Signature"]
    response = joss.get(COMPANIES, headers=headers)
    assert response.status_code == 200
    assert response.json()["data"] == []
    assert rules(sandbox, response) == ["missing_headers"]
    assert "Client-Id, Signature" in response.headers["x-mock-would-have-failed"]
    assert journal_entry(sandbox, response)["client_id"] is None


def test_lenient_leaves_good_requests_unmarked(joss, admin, sandbox, lenient):
    response = put_company(joss)
    assert response.status_code == 201
    assert "x-mock-would-have-failed" not in response.headers
    assert journal_entry(sandbox, response)["would_have_failed"] is None
    count = admin.get("/__admin/requests/count", params={"would_have_failed": True}).json()
    assert count == {"count": 0}


def test_back_to_strict_rejects_again(joss, admin, lenient):
    assert put_company(joss, secret="wrong").status_code == 201
    admin.post(CONTROL, json={"auth_mode": "strict"})
    response = put_company(joss, secret="wrong")
    assert response.status_code == 401
    assert "x-mock-would-have-failed" not in response.headers
    assert send(joss, "GET", COMPANIES, skew=timedelta(hours=1)).status_code == 401


def test_lenient_from_settings(make_sandbox, client_for):
    sandbox = make_sandbox({"joss": JossSettings(auth_mode="lenient")})
    response = send(client_for("joss", sandbox), "GET", COMPANIES, secret="wrong")
    assert response.status_code == 200
    assert rules(sandbox, response) == ["signature"]


# -- clients --------------------------------------------------------------------------------------
def test_clients_are_listed_without_secrets(admin):
    clients = admin.get(CLIENTS).json()
    assert [c["client_id"] for c in clients] == [
        "joss-inactive-client",
        "joss-other-client",
        "joss-production-client",
        "joss-sandbox-client",
    ]
    assert "secret" not in str([c.keys() for c in clients]).replace("secret_fingerprint", "")
    assert "joss-sandbox-secret" not in str(clients)
    by_id = {c["client_id"]: c for c in clients}
    assert by_id["joss-sandbox-client"]["secret_fingerprint"] == fingerprint("joss-sandbox-secret")
    assert by_id["joss-production-client"]["environment"] == "production"
    assert by_id["joss-inactive-client"]["active"] is False


def test_create_rotate_deactivate(joss, admin):
    created = admin.post(CLIENTS, json={"client_id": "portal-x", "name": "Portal X"})
    assert created.status_code == 201
    created = created.json()
    assert created["environment"] == "staging"  # the environment the sandbox emulates
    secret = created["client_secret"]
    assert created["secret_fingerprint"] == fingerprint(secret)
    assert "client_secret" not in str(admin.get(CLIENTS).json())
    assert put_company(joss, client_id="portal-x", secret=secret).status_code == 201

    rotated = admin.post(f"{CLIENTS}/portal-x/rotate").json()
    assert rotated["client_secret"] != secret
    old = send(joss, "GET", COMPANIES, client_id="portal-x", secret=secret)
    assert old.status_code == 401  # at once, not when a cache expires
    new = rotated["client_secret"]
    assert send(joss, "GET", COMPANIES, client_id="portal-x", secret=new).status_code == 200

    deactivated = admin.post(f"{CLIENTS}/portal-x/active", json={"active": False}).json()
    assert deactivated["active"] is False
    assert send(joss, "GET", COMPANIES, client_id="portal-x", secret=new).status_code == 403
    admin.post(f"{CLIENTS}/portal-x/active", json={"active": True})
    assert send(joss, "GET", COMPANIES, client_id="portal-x", secret=new).status_code == 200


def test_a_created_client_gets_an_id_when_none_is_given(joss, admin):
    created = admin.post(CLIENTS, json={}).json()
    assert created["client_id"].startswith("joss-")
    headers = {"client_id": created["client_id"], "secret": created["client_secret"]}
    assert send(joss, "GET", COMPANIES, **headers).status_code == 200


def test_created_clients_belong_to_the_emulated_environment(make_sandbox, client_for):
    sandbox = make_sandbox({"joss": JossSettings(environment="production")})
    admin, joss = client_for("admin", sandbox), client_for("joss", sandbox)
    created = admin.post(CLIENTS, json={"client_id": "prod-portal"}).json()
    assert created["environment"] == "production"
    secret = created["client_secret"]
    assert send(joss, "GET", COMPANIES, client_id="prod-portal", secret=secret).status_code == 200


def test_client_errors(admin):
    assert admin.post(CLIENTS, json={"client_id": "joss-sandbox-client"}).status_code == 409
    assert admin.post(f"{CLIENTS}/nobody/rotate").status_code == 404
    assert admin.post(f"{CLIENTS}/nobody/active", json={"active": False}).status_code == 404


def test_reset_restores_the_seeded_clients(joss, admin):
    admin.post(f"{CLIENTS}/joss-sandbox-client/rotate")
    assert send(joss, "GET", COMPANIES).status_code == 401
    admin.post("/__admin/providers/joss/reset")
    assert send(joss, "GET", COMPANIES).status_code == 200


# -- sign hook ------------------------------------------------------------------------------------
def sign_input(sandbox, method, path, body=b"", **kwargs):
    return SignInput(
        method=method,
        path=path,
        body=body,
        client_id=kwargs.get("client_id"),
        secret=kwargs.get("secret"),
        key_file=None,
        now=sandbox.services.clock.now(),
        base_url="http://testserver",
        settings=kwargs.get("settings", JossSettings()),
        request_id=kwargs.get("request_id"),
    )


def test_signed_headers_are_accepted(joss, sandbox):
    assert provider.sign is not None
    headers = provider.sign(sign_input(sandbox, "GET", f"{COMPANIES}?page=1&per_page=5"))
    assert headers["Client-Id"] == "joss-sandbox-client"
    response = joss.get(f"{COMPANIES}?page=1&per_page=5", headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["meta"]["per_page"] == 5


def test_signed_headers_for_a_body_are_accepted(joss, sandbox):
    body = json.dumps(company_body()).encode()
    headers = provider.sign(sign_input(sandbox, "PUT", COMPANY, body))  # type: ignore[misc]
    assert headers["Content-Type"] == "application/json"
    assert joss.put(COMPANY, content=body, headers=headers).status_code == 201
    # The Digest covers the exact bytes: the same document re-serialised is refused.
    headers = provider.sign(sign_input(sandbox, "PUT", COMPANY, body))  # type: ignore[misc]
    reformatted = json.dumps(company_body(), indent=2).encode()
    assert joss.put(COMPANY, content=reformatted, headers=headers).status_code == 401


def test_signed_headers_with_given_credentials(joss, sandbox, admin):
    created = admin.post(CLIENTS, json={"client_id": "hooked"}).json()
    given = {"client_id": "hooked", "secret": created["client_secret"]}
    headers = provider.sign(sign_input(sandbox, "DELETE", COMPANY, **given))  # type: ignore[misc]
    assert headers["Client-Id"] == "hooked"
    assert "Content-Type" not in headers
    assert joss.delete(COMPANY, headers=headers).status_code == 404  # authenticated; no such id
    with pytest.raises(ValueError, match="no secret"):
        provider.sign(sign_input(sandbox, "GET", COMPANIES, client_id="hooked"))  # type: ignore[misc]


def test_signed_headers_follow_the_emulated_environment(make_sandbox, client_for):
    sandbox = make_sandbox({"joss": JossSettings(environment="production")})
    settings = JossSettings(environment="production")
    headers = provider.sign(sign_input(sandbox, "GET", COMPANIES, settings=settings))  # type: ignore[misc]
    assert headers["Client-Id"] == "joss-production-client"
    assert client_for("joss", sandbox).get(COMPANIES, headers=headers).status_code == 200


def test_signed_headers_use_the_sandbox_time(joss, sandbox):
    sandbox.services.clock.advance(3600)
    headers = provider.sign(sign_input(sandbox, "GET", COMPANIES))  # type: ignore[misc]
    assert headers["Request-Timestamp"] == joss_timestamp(
        FROZEN + timedelta(hours=1), fraction=False
    )
    assert joss.get(COMPANIES, headers=headers).status_code == 200


def test_signed_headers_carry_the_given_request_id(joss, sandbox):
    body = json.dumps(company_body()).encode()
    request_id = str(uuid.uuid4())
    first = provider.sign(sign_input(sandbox, "PUT", COMPANY, body, request_id=request_id))  # type: ignore[misc]
    assert first["Request-Id"] == request_id
    assert joss.put(COMPANY, content=body, headers=first).status_code == 201
    again = provider.sign(sign_input(sandbox, "PUT", COMPANY, body, request_id=request_id))  # type: ignore[misc]
    assert joss.put(COMPANY, content=body, headers=again).status_code == 409
    fresh = provider.sign(sign_input(sandbox, "PUT", COMPANY, body))  # type: ignore[misc]
    assert fresh["Request-Id"] != request_id


# -- explain: the time window ---------------------------------------------------------------------
@pytest.mark.parametrize(("hours", "zone"), [(7, "WIB"), (8, "WITA"), (9, "WIT")])
def test_hint_for_local_time_sent_as_utc(joss, sandbox, hours, zone):
    response = send(joss, "GET", COMPANIES, skew=timedelta(hours=hours))
    assert response.status_code == 401
    diagnosis = journal_entry(sandbox, response)["diagnosis"]
    assert diagnosis["skew_seconds"] == pytest.approx(hours * 3600, abs=0.01)
    assert diagnosis["window_seconds"] == 300
    assert len(diagnosis["hints"]) == 1
    assert f"{hours} h ahead" in diagnosis["hints"][0]
    assert zone in diagnosis["hints"][0]


def test_no_hint_for_an_unrelated_skew(joss, sandbox):
    response = send(joss, "GET", COMPANIES, skew=timedelta(minutes=-20))
    diagnosis = journal_entry(sandbox, response)["diagnosis"]
    assert diagnosis["skew_seconds"] == pytest.approx(-1200, abs=0.01)
    assert "hints" not in diagnosis


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"client_id": "nobody", "secret": "x"}, "client"),
        ({"client_id": "joss-production-client"}, "environment"),
        ({"client_id": "joss-inactive-client"}, "client_inactive"),
        ({"accept": "text/html"}, "accept"),
        ({"timestamp": "2025-10-31 06:00:12"}, "header_format"),
    ],
)
def test_every_rejection_says_what_to_fix(joss, sandbox, change, rule):
    response = send(joss, "GET", COMPANIES, **change)
    assert response.status_code in (400, 401, 403, 406)
    entry = journal_entry(sandbox, response)
    assert entry["rule"] == rule
    assert response.json()["detail"] in entry["message"]
    if rule in ("client", "client_inactive"):
        assert "/__admin/providers/joss/clients" in entry["diagnosis"]["hints"][0]
    if rule == "environment":
        # Beside it, the frozen test clock's word on which clock the timestamp matched.
        assert entry["diagnosis"]["timestamp_clock"]["matched"] == "sandbox clock"
        assert {k: v for k, v in entry["diagnosis"].items() if k != "timestamp_clock"} == {
            "client_environment": "production",
            "sandbox_environment": "staging",
        }


def test_replay_says_to_send_a_fresh_request_id(joss, sandbox):
    request_id = str(uuid.uuid4())
    assert put_company(joss, request_id=request_id).status_code == 201
    response = put_company(joss, request_id=request_id)
    assert response.status_code == 409
    assert "fresh Request-Id" in journal_entry(sandbox, response)["diagnosis"]["hints"][0]
