"""Behaviour every provider shares, checked for each one in the registry: replay, time window,
journal, error shape, and no secret in the journal."""

import json
import uuid
from datetime import timedelta

import pytest

from mock_server.registry import PROVIDERS
from tests.contract.drivers import DRIVERS, Driver
from tests.helpers import journal_entry

NAMES = [p.name for p in PROVIDERS]
NO_WINDOW = "this provider sends no timestamp, so it has no time window (request ids only)"


@pytest.fixture(params=NAMES)
def provider(request, sandbox, client_for):
    name = request.param
    if name not in DRIVERS:
        pytest.fail(f"provider {name!r} has no contract driver in tests/contract/drivers.py")
    driver, client = DRIVERS[name], client_for(name)
    if driver.bind is not None:
        driver = driver.bind(client)
    return name, driver, client, sandbox


def send(
    client,
    driver: Driver,
    sandbox,
    *,
    request_id=None,
    skew=0.0,
    secret_ok=True,
    body=None,
    path=None,
):
    method, accepted_path, accepted_body = driver.accepted
    path = path or accepted_path
    body = accepted_body if body is None else body
    headers = driver.sign(
        method,
        path,
        body,
        sandbox.clock.now() + timedelta(seconds=skew),
        request_id or str(uuid.uuid4()),
    )
    if not secret_ok and driver.tamper is not None:
        headers = driver.tamper(headers)
    elif not secret_ok:
        headers = {
            k: (v[:-6] + "AAAAA=" if k.lower() == driver.signature_header else v)
            for k, v in headers.items()
        }
    return client.request(method, path, content=body, headers=headers)


def test_every_registered_provider_has_a_driver():
    assert set(NAMES) <= set(DRIVERS), set(NAMES) - set(DRIVERS)


def test_a_signed_request_is_accepted_and_journaled(provider):
    name, driver, client, sandbox = provider
    response = send(client, driver, sandbox)
    assert 200 <= response.status_code < 300, response.text
    entry = journal_entry(sandbox, response)
    assert entry["provider"] == name
    assert entry["outcome"] == "accepted"
    assert entry["rule"] is None
    assert entry["status"] == response.status_code
    assert entry["method"] == driver.accepted[0]
    assert entry["path"] == driver.accepted[1]


def test_a_reused_request_id_is_rejected(provider):
    _, driver, client, sandbox = provider
    if driver.replay_status is None:
        pytest.skip("this provider has no request ids")
    request_id = str(uuid.uuid4())
    assert send(client, driver, sandbox, request_id=request_id).status_code < 300
    again = send(client, driver, sandbox, request_id=request_id)
    assert again.status_code == driver.replay_status
    assert driver.is_error(again.json())
    assert journal_entry(sandbox, again)["rule"] == "replay"


def test_a_bad_signature_does_not_consume_the_request_id(provider):
    _, driver, client, sandbox = provider
    request_id = str(uuid.uuid4())
    bad = send(client, driver, sandbox, request_id=request_id, secret_ok=False)
    assert bad.status_code == driver.bad_signature_status
    assert driver.is_error(bad.json())
    assert send(client, driver, sandbox, request_id=request_id).status_code < 300


@pytest.mark.parametrize("direction", [1, -1])
def test_the_time_window_edges(provider, direction):
    name, driver, client, sandbox = provider
    if driver.window is None:
        pytest.skip(NO_WINDOW)
    if not driver.timestamped:
        pytest.skip("requests carry no timestamp; token expiry is the window that moves")
    window = driver.window(sandbox.provider_settings[name])
    outside = send(client, driver, sandbox, skew=direction * (window + 1))
    assert outside.status_code == driver.expired_status
    assert driver.is_error(outside.json())
    inside = send(client, driver, sandbox, skew=direction * (window - 1))
    assert inside.status_code < 300


def test_moving_the_clock_moves_the_window(provider):
    name, driver, client, sandbox = provider
    if driver.window is None:
        pytest.skip(NO_WINDOW)
    method, path, body = driver.accepted
    signed_at = sandbox.clock.now()
    headers = driver.sign(method, path, body, signed_at, str(uuid.uuid4()))
    sandbox.clock.advance(driver.window(sandbox.provider_settings[name]) + 1)
    response = client.request(method, path, content=body, headers=headers)
    assert response.status_code == driver.expired_status


def test_unsigned_requests_get_the_providers_error_shape(provider):
    _, driver, client, sandbox = provider
    method, path, body = driver.accepted
    response = client.request(method, path, content=body)
    assert 400 <= response.status_code < 500
    assert driver.is_error(response.json())
    assert response.headers["x-mock-journal-id"]
    assert journal_entry(sandbox, response)["outcome"] == "rejected"


def test_unknown_paths_get_the_providers_error_shape(provider):
    _, driver, client, sandbox = provider
    response = send(client, driver, sandbox, path=driver.accepted[1] + "/no-such-endpoint-here")
    assert response.status_code in (404, 405)
    assert driver.is_error(response.json())


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"\xff\xfe\xfd", b"[]", b'{"id": {"nested": true}}', b"null"],
    ids=["malformed", "not-utf8", "array", "wrong-type", "null"],
)
def test_bad_bodies_are_4xx_in_the_providers_shape(provider, body):
    _, driver, client, sandbox = provider
    response = send(client, driver, sandbox, body=body)
    assert 400 <= response.status_code < 500, response.text
    assert driver.is_error(response.json())


def test_huge_bodies_are_413_in_the_providers_shape(provider):
    _, driver, client, sandbox = provider
    response = send(client, driver, sandbox, body=b"x" * (sandbox.settings.max_body_bytes + 1))
    assert response.status_code == 413
    assert driver.is_error(response.json())


def test_the_secret_never_reaches_the_journal(provider):
    _, driver, client, sandbox = provider
    before = sandbox.journal.count()  # a bound driver's credential request is journaled too
    send(client, driver, sandbox)
    send(client, driver, sandbox, secret_ok=False)
    send(client, driver, sandbox, skew=10_000)
    entries = sandbox.journal.latest(limit=10)
    assert sandbox.journal.count() == before + 3
    assert driver.secret not in json.dumps(entries)


@pytest.mark.parametrize("status", [429, 503])
def test_injected_faults_answer_in_the_providers_shape(provider, status):
    name, driver, client, sandbox = provider
    rule = sandbox.faults.add(provider=name, action="status", status=status, retry_after=3)
    response = send(client, driver, sandbox)
    assert response.status_code == status
    assert driver.is_error(response.json()), response.text
    assert response.headers["retry-after"] == "3"
    entry = journal_entry(sandbox, response)
    assert entry["rule"] == "fault"
    assert entry["diagnosis"]["faults"] == [rule["id"]]


def test_the_rate_limit_answers_the_providers_429(provider):
    name, driver, client, sandbox = provider
    sandbox.controls.set(name, rate_limit=1, rate_limit_window=60)
    first = send(client, driver, sandbox)
    assert first.status_code < 300
    if not journal_entry(sandbox, first)["client_id"]:
        pytest.skip("this request names no client, so there is nothing to limit per client")
    limited = send(client, driver, sandbox)
    assert limited.status_code == 429
    assert driver.is_error(limited.json()), limited.text
    assert int(limited.headers["retry-after"]) >= 1
