import json

import pytest

from mock_server.core.journal import PRUNE_EVERY, Journal, Record, console_line, new_journal_id
from mock_server.core.redact import redact_header, redact_text

# On SQLite and on PostgreSQL (tests/conftest.py).
pytestmark = pytest.mark.both_databases


def record(**overrides) -> Record:
    fields = {
        "id": new_journal_id(),
        "at": 1761890412.12,
        "provider": "digitalent",
        "method": "POST",
        "path": "/api/public/pelatihan/akademi",
        "query": "",
        "headers": [(b"client-id", b"dts-demo-client"), (b"content-type", b"application/json")],
        "body": b'{"id":1}',
        "status": 200,
    }
    return Record(**(fields | overrides))


def test_recorded_entries_are_readable_after_a_flush(sandbox):
    rec = record(client_id="dts-demo-client")
    sandbox.services.journal.record(rec)
    entry = sandbox.services.journal.get(rec.id)
    assert entry["provider"] == "digitalent"
    assert entry["outcome"] == "accepted"
    assert entry["at"] == "2025-10-31T06:00:12.120000Z"
    assert entry["request_headers"] == {
        "client-id": "dts-demo-client",
        "content-type": "application/json",
    }
    assert entry["body_excerpt"] == '{"id":1}'


def test_rejections_carry_their_rule(sandbox):
    rec = record(status=401, rule="signature", message="Invalid signature", diagnosis={"k": 1})
    sandbox.services.journal.record(rec)
    entry = sandbox.services.journal.get(rec.id)
    assert (entry["outcome"], entry["rule"], entry["diagnosis"]) == (
        "rejected",
        "signature",
        {"k": 1},
    )


def test_journal_ids_are_unique():
    assert len({new_journal_id() for _ in range(10_000)}) == 10_000


def test_secret_headers_are_redacted_but_distinguishable(sandbox):
    rec = record(
        headers=[
            (b"authorization", b"Bearer eyJhbGciOiJIUzI1NiJ9.secret-token"),
            (b"x-user-token", b"user-token-value"),
            (b"cookie", b"session=abc"),
            (b"x-custom", b"kept"),
        ],
        secret_headers=frozenset({"x-custom-secret"}),
    )
    sandbox.services.journal.record(rec)
    headers = sandbox.services.journal.get(rec.id)["request_headers"]
    assert headers["authorization"].startswith("Bearer <redacted sha256:")
    assert "secret-token" not in json.dumps(headers)
    assert "user-token-value" not in json.dumps(headers)
    assert "abc" not in headers["cookie"]
    assert headers["x-custom"] == "kept"


def test_provider_secret_headers_are_redacted(sandbox):
    rec = record(headers=[(b"x-private", b"hunter2")], secret_headers=frozenset({"x-private"}))
    sandbox.services.journal.record(rec)
    assert "hunter2" not in sandbox.services.journal.get(rec.id)["request_headers"]["x-private"]


@pytest.mark.parametrize(
    ("body", "secret"),
    [
        (b'{"client_id": "a", "client_secret": "s3cr3t-value"}', "s3cr3t-value"),
        (b'{"username": "u", "password": "pa\\"ss-word"}', "ss-word"),
        (b"client_id=a&client_secret=s3cr3t-value&grant_type=x", "s3cr3t-value"),
        (b'{"refresh_token": "rt-123456"}', "rt-123456"),
        (
            b"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n"
            b"-----END PRIVATE KEY-----",
            "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
        ),
        (
            b'{"key": "-----BEGIN RSA PRIVATE KEY-----\\nMIIEowIBAAKCAQEA'
            b'\\n-----END RSA PRIVATE KEY-----"}',
            "MIIEowIBAAKCAQEA",
        ),
        (b'{"client_secret": "cut-off-mid-val', "cut-off-mid-val"),
    ],
)
def test_secrets_in_bodies_are_redacted(sandbox, body, secret):
    rec = record(body=body)
    sandbox.services.journal.record(rec)
    excerpt = sandbox.services.journal.get(rec.id)["body_excerpt"]
    assert secret not in excerpt
    assert "<redacted>" in excerpt


def test_public_keys_are_kept():
    pem = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBg\n-----END PUBLIC KEY-----"
    assert redact_text(pem) == pem


def test_body_excerpt_is_bounded(sandbox):
    rec = record(body=b"x" * 100_000)
    sandbox.services.journal.record(rec)
    entry = sandbox.services.journal.get(rec.id)
    assert len(entry["body_excerpt"]) == sandbox.settings.journal_body_excerpt
    assert entry["body_bytes"] == 100_000


def test_retention_is_bounded(sandbox):
    journal = Journal(sandbox.services.db, retention=100, excerpt_bytes=64)
    journal.clear()
    for _ in range(5):
        for _ in range(300):
            journal.record(record())
        journal.flush()
    journal.prune()
    assert journal.count() == 100
    newest = journal.latest(limit=1)[0]
    assert newest["id"] == journal.latest(limit=100)[0]["id"]


def test_flushes_alone_keep_the_journal_within_retention_and_one_prune_interval(sandbox):
    journal = Journal(sandbox.services.db, retention=50, excerpt_bytes=64)
    journal.clear()
    counts = []
    for _ in range(4 * PRUNE_EVERY // 10):
        for _ in range(10):
            journal.record(record())
        journal.flush()
        counts.append(journal.count())
    assert max(counts) <= 50 + PRUNE_EVERY
    assert counts[-1] < 4 * PRUNE_EVERY  # pruned along the way, with no prune() of its own


def test_console_line_names_the_rule_and_journal_id():
    line = console_line(
        record(status=401, rule="signature", message="Invalid signature", query="a=1")
    )
    assert "digitalent" in line
    assert "POST" in line
    assert "/api/public/pelatihan/akademi?a=1 -> 401" in line
    assert "rejected by signature: Invalid signature" in line
    assert line.startswith("06:00:12")
    assert "[journal " in line


def test_redact_header_keeps_the_scheme():
    assert redact_header("Bearer abc").startswith("Bearer <redacted sha256:")
    assert redact_header("opaque").startswith("<redacted sha256:")
    assert redact_header("Bearer abc") != redact_header("Bearer abd")


def test_secret_query_parameters_are_redacted(sandbox):
    rec = record(query="page=1&access_token=tok-123&clientSecret=cs-456")
    sandbox.services.journal.record(rec)
    entry = sandbox.services.journal.get(rec.id)
    assert entry["query"] == "page=1&access_token=<redacted>&clientSecret=<redacted>"
    assert "tok-123" not in console_line(rec)


@pytest.mark.parametrize(
    "body",
    [
        b'{"clientSecret": "cs-456"}',
        b'{"client-secret": "cs-456"}',
        b'{"CLIENT_SECRET": "cs-456"}',
        b'--b\r\nContent-Disposition: form-data; name="client_secret"\r\n\r\ncs-456\r\n--b--',
    ],
    ids=["camel", "kebab", "upper", "multipart"],
)
def test_other_spellings_and_multipart_bodies_are_redacted(sandbox, body):
    rec = record(body=body)
    sandbox.services.journal.record(rec)
    assert "cs-456" not in sandbox.services.journal.get(rec.id)["body_excerpt"]
