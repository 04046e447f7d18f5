"""Redaction reads a JSON body as the server does: an escaped key is the key it spells."""

import pytest

from mock_server.core.redact import redact_text


@pytest.mark.parametrize(
    "body",
    [
        '{"client\\u005fsecret": "s3cr3t-value"}',
        '{"pass\\u0077ord": "s3cr3t-value"}',
        '{"\\u0070assword": "s3cr3t-value"}',
        '{"user": {"clientSecret": "s3cr3t-value"}}',
        '[{"token": "s3cr3t-value"}]',
        # cut short (an excerpt): by pattern, escapes decoded
        '{"client\\u005fsecret": "s3cr3t-value", "more": "',
    ],
)
def test_secret_fields_are_redacted_however_spelled(body):
    redacted = redact_text(body)
    assert "s3cr3t-value" not in redacted
    assert "<redacted>" in redacted


def test_other_fields_are_kept():
    body = '{"client_id": "partner-client-001", "note": "caf\\u00e9"}'
    assert "partner-client-001" in redact_text(body)
    assert redact_text('{"nama": "Budi"}') == '{"nama": "Budi"}'
