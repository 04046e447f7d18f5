"""Each explain hint, against a deliberately wrong client."""

import base64
import hashlib
import hmac
import json
import uuid
from datetime import timedelta

import pytest

from tests.helpers import FROZEN, digitalent_headers, journal_entry, to_iso

PATH = "/api/public/pelatihan/akademi"


@pytest.fixture
def dts(client_for):
    return client_for("digitalent")


def hmac_b64(base: str) -> str:
    return base64.b64encode(
        hmac.new(b"dts-demo-secret", base.encode(), hashlib.sha256).digest()
    ).decode()


def hints_for(sandbox, response):
    assert response.status_code in (401, 408), response.text
    return journal_entry(sandbox, response)["diagnosis"].get("hints", [])


def test_hint_for_a_signed_query_string(dts, sandbox):
    headers = digitalent_headers("GET", "/api/public/pelatihan?page=1")
    response = dts.get("/api/public/pelatihan", params={"page": 1}, headers=headers)
    assert hints_for(sandbox, response) == [
        "the path was signed with its query string; sign the path alone"
    ]


def test_hint_for_a_signed_full_url(dts, sandbox):
    headers = digitalent_headers("GET", f"http://testserver{PATH}")
    assert hints_for(sandbox, dts.get(PATH, headers=headers)) == [
        f"the full URL was signed; sign the path alone ({PATH})"
    ]


def test_hint_for_a_body_changed_after_signing(dts, sandbox):
    signed_body = json.dumps({"id": 1})  # '{"id": 1}'
    sent = '{"id":1}'
    response = dts.post(PATH, content=sent, headers=digitalent_headers("POST", PATH, signed_body))
    assert hints_for(sandbox, response) == [
        "the body changed after signing (it was re-serialised); sign the exact bytes sent"
    ]


def test_hint_for_an_empty_body_signed(dts, sandbox):
    response = dts.post(PATH, content='{"id":1}', headers=digitalent_headers("POST", PATH, ""))
    assert hints_for(sandbox, response) == ["an empty body was signed, but the request has one"]


@pytest.mark.parametrize(("hours", "zone"), [(7, "WIB"), (8, "WITA"), (9, "WIT")])
def test_hint_for_local_time_sent_as_utc(dts, sandbox, hours, zone):
    response = dts.get(PATH, headers=digitalent_headers("GET", PATH, skew=timedelta(hours=hours)))
    hints = hints_for(sandbox, response)
    assert len(hints) == 1
    assert f"{hours} h ahead" in hints[0]
    assert zone in hints[0]


def test_no_hint_for_an_unrelated_skew(dts, sandbox):
    response = dts.get(PATH, headers=digitalent_headers("GET", PATH, skew=timedelta(minutes=20)))
    diagnosis = journal_entry(sandbox, response)["diagnosis"]
    assert diagnosis["skew_seconds"] == pytest.approx(1200, abs=0.01)
    assert "hints" not in diagnosis


def test_no_hint_for_a_wrong_secret(dts, sandbox):
    assert (
        hints_for(sandbox, dts.get(PATH, headers=digitalent_headers("GET", PATH, secret="x"))) == []
    )


def test_the_other_base64_alphabet_is_not_a_failure_here(dts):
    request_id, timestamp = str(uuid.uuid4()), to_iso(FROZEN)
    signature = hmac_b64(f"GET:{PATH}::{timestamp}:{request_id}")
    urlsafe = signature.replace("+", "-").replace("/", "_")
    headers = {"Client-Id": "dts-demo-client", "Request-Id": request_id,
               "Request-Timestamp": timestamp, "Signature": urlsafe}  # fmt: skip
    assert dts.get(PATH, headers=headers).status_code == 200
