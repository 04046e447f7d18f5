"""Behaviour every provider shares, checked for each provider under contract (every registered
one): acceptance, replay, time window, journal, error shape, faults, rate limit, and no secret in
the journal. Each provider declares what the suite needs (``Provider.contract``) and signs with
its own ``sign`` hook; nothing here names a provider."""

import json
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from mock_server.app import Sandbox
from mock_server.core.contract import Contract
from mock_server.core.journal import JournalQuery
from mock_server.core.provider import Provider, SignInput
from tests.helpers import journal_entry

# On SQLite and on PostgreSQL (tests/conftest.py).
pytestmark = pytest.mark.both_databases

NO_WINDOW = "this provider's credentials carry no time, so nothing moves with the clock"
NO_TIMESTAMP = "requests carry no timestamp; token expiry is the window that moves"


@dataclass
class Subject:
    provider: Provider[Any]
    client: TestClient
    sandbox: Sandbox

    @property
    def contract(self) -> Contract:
        return self.provider.contract

    @property
    def settings(self) -> Any:
        return self.sandbox.services.provider_settings[self.provider.name]

    def sign(
        self,
        *,
        request_id: str | None = None,
        skew: float = 0.0,
        body: bytes | None = None,
        path: str | None = None,
    ) -> dict[str, str]:
        example = self.contract.example
        assert self.provider.sign is not None, f"{self.provider.name} has no sign hook"
        return self.provider.sign(
            SignInput(
                method=example.method,
                path=path or example.path,
                body=example.body if body is None else body,
                client_id=None,
                secret=None,
                key_file=None,
                now=self.sandbox.services.clock.now() + timedelta(seconds=skew),
                base_url=str(self.client.base_url),
                settings=self.settings,
                request_id=request_id or str(uuid.uuid4()),
                http=self.client,
            )
        )

    def send(
        self,
        headers: dict[str, str] | None = None,
        *,
        body: bytes | None = None,
        path: str | None = None,
        **signing: Any,
    ) -> Any:
        example = self.contract.example
        body = example.body if body is None else body
        path = path or example.path
        if headers is None:
            headers = self.sign(body=body, path=path, **signing)
        return self.client.request(example.method, path, content=body, headers=headers)

    def window(self) -> float:
        assert self.contract.window is not None
        return self.contract.window(self.settings)


@pytest.fixture
def subject(provider_name, contract_sandbox, contract_client) -> Subject:
    provider = next(p for p in contract_sandbox.providers if p.name == provider_name)
    return Subject(provider, contract_client(provider_name), contract_sandbox)


def test_a_signed_request_is_accepted_and_journaled(subject):
    response = subject.send()
    assert 200 <= response.status_code < 300, response.text
    entry = journal_entry(subject.sandbox, response)
    assert entry["provider"] == subject.provider.name
    assert entry["outcome"] == "accepted"
    assert entry["rule"] is None
    assert entry["status"] == response.status_code
    assert entry["method"] == subject.contract.example.method
    assert entry["path"] == subject.contract.example.path


def test_a_reused_request_id_is_rejected(subject):
    if subject.contract.replay_status is None:
        pytest.skip("this provider has no request ids")
    request_id = str(uuid.uuid4())
    assert subject.send(request_id=request_id).status_code < 300
    again = subject.send(request_id=request_id)
    assert again.status_code == subject.contract.replay_status
    assert subject.contract.is_error(again.json())
    assert journal_entry(subject.sandbox, again)["rule"] == "replay"


def test_a_bad_signature_does_not_consume_the_request_id(subject):
    request_id = str(uuid.uuid4())
    bad = subject.send(subject.contract.spoil(subject.sign(request_id=request_id)))
    assert bad.status_code == subject.contract.bad_signature_status
    assert subject.contract.is_error(bad.json())
    assert subject.send(request_id=request_id).status_code < 300


@pytest.mark.parametrize("direction", [1, -1])
def test_the_time_window_edges(subject, direction):
    if subject.contract.window is None:
        pytest.skip(NO_WINDOW)
    if not subject.contract.timestamped:
        pytest.skip(NO_TIMESTAMP)
    window = subject.window()
    outside = subject.send(skew=direction * (window + 1))
    assert outside.status_code == subject.contract.expired_status
    assert subject.contract.is_error(outside.json())
    inside = subject.send(skew=direction * (window - 1))
    assert inside.status_code < 300


def test_moving_the_clock_moves_the_window(subject):
    if subject.contract.window is None:
        pytest.skip(NO_WINDOW)
    headers = subject.sign()
    subject.sandbox.services.clock.advance(subject.window() + 1)
    response = subject.send(headers)
    assert response.status_code == subject.contract.expired_status


def test_unsigned_requests_get_the_providers_error_shape(subject):
    response = subject.send({})
    assert 400 <= response.status_code < 500
    assert subject.contract.is_error(response.json())
    assert response.headers["x-mock-journal-id"]
    assert journal_entry(subject.sandbox, response)["outcome"] == "rejected"


def test_unknown_paths_get_the_providers_error_shape(subject):
    response = subject.send(path=subject.contract.example.path + "/no-such-endpoint-here")
    assert response.status_code in (404, 405)
    assert subject.contract.is_error(response.json())


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"\xff\xfe\xfd", b"[]", b'{"id": {"nested": true}}', b"null"],
    ids=["malformed", "not-utf8", "array", "wrong-type", "null"],
)
def test_bad_bodies_are_4xx_in_the_providers_shape(subject, body):
    if not subject.contract.example.parses_body:
        pytest.skip("the example request reads no body")
    response = subject.send(body=body)
    assert 400 <= response.status_code < 500, response.text
    assert subject.contract.is_error(response.json())


def test_huge_bodies_are_413_in_the_providers_shape(subject):
    response = subject.send(body=b"x" * (subject.sandbox.settings.max_body_bytes + 1))
    assert response.status_code == 413
    assert subject.contract.is_error(response.json())


def test_the_secret_never_reaches_the_journal(subject):
    journal = subject.sandbox.services.journal
    at_example = JournalQuery(path=subject.contract.example.path, per_page=50)
    before = journal.count(at_example)
    subject.send()
    subject.send(subject.contract.spoil(subject.sign()))
    subject.send(skew=10_000)
    assert journal.count(at_example) == before + 3
    # Every entry, the credential exchanges a sign hook made (token requests) included.
    assert subject.contract.secret not in json.dumps(journal.latest(limit=50))


@pytest.mark.parametrize("status", [429, 503])
def test_injected_faults_answer_in_the_providers_shape(subject, status):
    headers = subject.sign()  # before the fault: a sign hook may fetch a token over HTTP
    faults = subject.sandbox.services.faults
    rule = faults.add(provider=subject.provider.name, action="status", status=status, retry_after=3)
    response = subject.send(headers)
    assert response.status_code == status
    assert subject.contract.is_error(response.json()), response.text
    assert response.headers["retry-after"] == "3"
    entry = journal_entry(subject.sandbox, response)
    assert entry["rule"] == "fault"
    assert entry["diagnosis"]["faults"] == [rule["id"]]


def test_the_rate_limit_answers_the_providers_429(subject):
    subject.sandbox.services.controls.set(subject.provider.name, rate_limit=1, rate_limit_window=60)
    first = subject.send()
    assert first.status_code < 300
    if not journal_entry(subject.sandbox, first)["client_id"]:
        pytest.skip("this request names no client, so there is nothing to limit per client")
    limited = subject.send()
    assert limited.status_code == 429
    assert subject.contract.is_error(limited.json()), limited.text
    assert int(limited.headers["retry-after"]) >= 1
