"""Digitalent auth: every documented rule rejects, and accepts, in the documented order."""

import base64
import json
import uuid
from datetime import timedelta

import pytest

from mock_server.providers.digitalent.config import DigitalentSettings
from tests.helpers import FROZEN, digitalent_headers, journal_entry, postman_signature, to_iso

DETAIL = "/api/public/pelatihan/akademi"
BODY = '{"id":10}'  # the doc's example body, byte for byte
BODY_1 = '{"id":1}'


@pytest.fixture
def dts(client_for):
    return client_for("digitalent")


def post(client, body=BODY_1, **sign_kwargs):
    headers = digitalent_headers("POST", DETAIL, body, **sign_kwargs)
    return client.post(DETAIL, content=body, headers=headers | {"Content-Type": "application/json"})


def test_signed_as_the_postman_script_is_accepted(dts, sandbox):
    response = post(dts)
    assert response.status_code == 200
    assert response.json()["data"]["slug"] == "FGA"
    entry = journal_entry(sandbox, response)
    assert entry["outcome"] == "accepted"
    assert entry["client_id"] == "dts-demo-client"


def test_the_docs_example_string_to_sign_verifies(dts, sandbox):
    """The doc's own base string example, with its timestamp and request id."""
    request_id = "af01c41a-788a-4db1-a08c-14b7982c2d9a"
    timestamp = "2025-10-31T06:00:12.120Z"
    signature = postman_signature("dts-demo-secret", "POST", DETAIL, BODY, timestamp, request_id)
    response = dts.post(
        DETAIL,
        content=BODY,
        headers={
            "Client-Id": "dts-demo-client",
            "Request-Id": request_id,
            "Request-Timestamp": timestamp,
            "Signature": signature,
        },
    )
    # The doc's example asks for academy 10: the seed has it, so the first request a user
    # copies from the doc is a 200.
    assert response.status_code == 200, response.text
    assert response.json()["data"]["id"] == 10
    assert journal_entry(sandbox, response)["outcome"] == "accepted"


@pytest.mark.parametrize("missing", ["Client-Id", "Request-Id", "Request-Timestamp", "Signature"])
def test_each_missing_header_is_named(dts, sandbox, missing):
    headers = digitalent_headers("POST", DETAIL, BODY_1)
    del headers[missing]
    response = dts.post(DETAIL, content=BODY_1, headers=headers)
    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "message": "Missing required headers",
        "detail": f"missing: {missing}",
    }
    assert journal_entry(sandbox, response)["rule"] == "missing_headers"


def test_all_missing_headers_are_named_in_order(dts):
    response = dts.get(DETAIL)
    assert response.status_code == 400
    assert (
        response.json()["detail"] == "missing: Client-Id, Request-Id, Request-Timestamp, Signature"
    )


def test_an_empty_header_counts_as_missing(dts):
    headers = digitalent_headers("POST", DETAIL, BODY_1) | {"Signature": ""}
    response = dts.post(DETAIL, content=BODY_1, headers=headers)
    assert response.status_code == 400
    assert response.json()["detail"] == "missing: Signature"


def test_request_id_must_be_a_uuid(dts):
    response = post(dts, request_id="req-0001")
    assert response.status_code == 400
    assert response.json()["message"] == "Invalid Request-Id"
    assert "req-0001" in response.json()["detail"]


def test_upper_case_uuid_request_id_is_accepted(dts):
    assert post(dts, request_id=str(uuid.uuid4()).upper()).status_code == 200


def test_unknown_client_is_403(dts, sandbox):
    response = post(dts, client_id="no-such-client", secret="whatever")
    assert response.status_code == 403
    assert response.json()["message"] == "Invalid or inactive Client ID"
    assert "unknown" in response.json()["detail"]
    assert journal_entry(sandbox, response)["rule"] == "client"


def test_inactive_client_is_403_even_when_correctly_signed(dts):
    response = post(dts, client_id="dts-inactive-client", secret="dts-inactive-secret")
    assert response.status_code == 403
    assert response.json()["message"] == "Invalid or inactive Client ID"
    assert "inactive" in response.json()["detail"]


@pytest.mark.parametrize(
    "skew", [timedelta(seconds=301), timedelta(seconds=-301), timedelta(hours=7)]
)
def test_timestamp_outside_the_window_is_408(dts, sandbox, skew):
    response = post(dts, skew=skew)
    assert response.status_code == 408
    assert response.json()["message"] == "Request timestamp expired"
    entry = journal_entry(sandbox, response)
    assert entry["rule"] == "timestamp_window"
    assert entry["diagnosis"]["skew_seconds"] == pytest.approx(skew.total_seconds(), abs=0.01)


@pytest.mark.parametrize("skew", [timedelta(seconds=299), timedelta(seconds=-299), timedelta(0)])
def test_timestamp_inside_the_window_is_accepted(dts, skew):
    assert post(dts, skew=skew).status_code == 200


@pytest.mark.parametrize("timestamp", ["yesterday", "1761890412", "2025-13-45T99:00:00Z"])
def test_unparseable_timestamp_is_408(dts, timestamp):
    request_id = str(uuid.uuid4())
    headers = {
        "Client-Id": "dts-demo-client",
        "Request-Id": request_id,
        "Request-Timestamp": timestamp,
        "Signature": postman_signature(
            "dts-demo-secret", "POST", DETAIL, BODY_1, timestamp, request_id
        ),
    }
    response = dts.post(DETAIL, content=BODY_1, headers=headers)
    assert response.status_code == 408
    assert "not ISO 8601" in response.json()["detail"]


def test_timestamp_with_offset_or_without_milliseconds_is_accepted(dts):
    for timestamp in ["2025-10-31T13:00:12+07:00", "2025-10-31T06:00:12Z"]:
        request_id = str(uuid.uuid4())
        signature = postman_signature(
            "dts-demo-secret", "POST", DETAIL, BODY_1, timestamp, request_id
        )
        headers = {
            "Client-Id": "dts-demo-client",
            "Request-Id": request_id,
            "Request-Timestamp": timestamp,
            "Signature": signature,
        }
        assert dts.post(DETAIL, content=BODY_1, headers=headers).status_code == 200, timestamp


def test_window_is_configurable(make_sandbox, client_for):
    narrow = make_sandbox({"digitalent": DigitalentSettings(timestamp_window=10)})
    client = client_for("digitalent", narrow)
    assert post(client, skew=timedelta(seconds=11)).status_code == 408
    assert post(client, skew=timedelta(seconds=9)).status_code == 200


def test_wrong_secret_is_401(dts, sandbox):
    response = post(dts, secret="not-the-secret")
    assert response.status_code == 401
    assert response.json()["message"] == "Invalid signature"
    entry = journal_entry(sandbox, response)
    assert entry["rule"] == "signature"
    diagnosis = entry["diagnosis"]
    assert diagnosis["string_to_sign"].startswith(f"POST:{DETAIL}:{BODY_1}:")
    assert diagnosis["received_signature"] != diagnosis["expected_signature"]
    assert diagnosis["key_fingerprint"].startswith("sha256:")
    assert "dts-demo-secret" not in json.dumps(entry)


def test_body_changed_after_signing_is_401(dts):
    headers = digitalent_headers("POST", DETAIL, '{"id":1}')
    response = dts.post(DETAIL, content='{"id":2}', headers=headers)
    assert response.status_code == 401


def test_reserialised_body_is_401_because_the_raw_bytes_are_signed(dts):
    headers = digitalent_headers("POST", DETAIL, '{"id":1}')
    assert dts.post(DETAIL, content='{"id": 1}', headers=headers).status_code == 401


def test_signing_the_query_string_is_401_with_a_hint(dts, sandbox):
    path = "/api/public/pelatihan"
    headers = digitalent_headers("GET", f"{path}?page=2")
    response = dts.get(path, params={"page": 2}, headers=headers)
    assert response.status_code == 401
    hints = journal_entry(sandbox, response)["diagnosis"]["hints"]
    assert hints == ["the path was signed with its query string; sign the path alone"]


def test_path_is_signed_without_the_query_string(dts):
    path = "/api/public/pelatihan"
    response = dts.get(path, params={"page": 2}, headers=digitalent_headers("GET", path))
    assert response.status_code == 200
    assert response.json()["meta"]["page"] == 2


def test_signing_the_method_in_lower_case_is_401(dts):
    request_id, timestamp = str(uuid.uuid4()), to_iso(FROZEN)
    base = f"post:{DETAIL}:{BODY_1}:{timestamp}:{request_id}"
    import hashlib
    import hmac

    signature = base64.b64encode(
        hmac.new(b"dts-demo-secret", base.encode(), hashlib.sha256).digest()
    ).decode()
    headers = {
        "Client-Id": "dts-demo-client",
        "Request-Id": request_id,
        "Request-Timestamp": timestamp,
        "Signature": signature,
    }
    assert dts.post(DETAIL, content=BODY_1, headers=headers).status_code == 401


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda s: s, id="standard-padded"),
        pytest.param(lambda s: s.rstrip("="), id="standard-unpadded"),
        pytest.param(lambda s: s.replace("+", "-").replace("/", "_"), id="urlsafe-padded"),
        pytest.param(
            lambda s: s.replace("+", "-").replace("/", "_").rstrip("="), id="urlsafe-unpadded"
        ),
    ],
)
def test_every_base64_form_of_the_signature_verifies(dts, encode):
    # Search for a request id whose signature contains both + and /, so the alphabets differ.
    while True:
        headers = digitalent_headers("POST", DETAIL, BODY_1)
        if "+" in headers["Signature"] and "/" in headers["Signature"]:
            break
    headers["Signature"] = encode(headers["Signature"])
    assert dts.post(DETAIL, content=BODY_1, headers=headers).status_code == 200


def test_truncated_signature_is_401(dts):
    headers = digitalent_headers("POST", DETAIL, BODY_1)
    headers["Signature"] = headers["Signature"][:-4]
    assert dts.post(DETAIL, content=BODY_1, headers=headers).status_code == 401


def test_non_ascii_signature_is_401_not_500(dts):
    headers = digitalent_headers("POST", DETAIL, BODY_1)
    headers["Signature"] = "ÿÿÿÿ"
    response = dts.post(
        DETAIL, content=BODY_1, headers={k: v.encode("latin-1") for k, v in headers.items()}
    )
    assert response.status_code == 401


def test_reused_request_id_is_409(dts, sandbox):
    request_id = str(uuid.uuid4())
    assert post(dts, request_id=request_id).status_code == 200
    again = post(dts, request_id=request_id)
    assert again.status_code == 409
    assert again.json()["message"] == "Duplicate Request-Id"
    assert journal_entry(sandbox, again)["rule"] == "replay"


def test_reused_request_id_on_get_is_409_too(dts):
    path = "/api/public/pelatihan/akademi"
    request_id = str(uuid.uuid4())
    assert (
        dts.get(path, headers=digitalent_headers("GET", path, request_id=request_id)).status_code
        == 200
    )
    assert (
        dts.get(path, headers=digitalent_headers("GET", path, request_id=request_id)).status_code
        == 409
    )


def test_request_id_is_per_client(dts, sandbox):
    """Another client may use the same id: uniqueness is per (client, request id)."""
    request_id = str(uuid.uuid4())
    assert post(dts, request_id=request_id).status_code == 200
    with sandbox.services.db.begin() as conn:
        from mock_server.providers.digitalent.models import DigitalentClient

        conn.execute(
            DigitalentClient.insert().values(
                client_id="second", client_secret="second-secret", active=True
            )
        )
    assert (
        post(dts, request_id=request_id, client_id="second", secret="second-secret").status_code
        == 200
    )


def test_a_rejected_signature_does_not_burn_the_request_id(dts):
    request_id = str(uuid.uuid4())
    assert post(dts, request_id=request_id, secret="wrong").status_code == 401
    assert post(dts, request_id=request_id).status_code == 200


def test_an_expired_request_does_not_burn_the_request_id(dts):
    request_id = str(uuid.uuid4())
    assert post(dts, request_id=request_id, skew=timedelta(minutes=10)).status_code == 408
    assert post(dts, request_id=request_id).status_code == 200


# -- the documented order -------------------------------------------------------------------------
def test_missing_headers_come_before_the_client_check(dts):
    headers = digitalent_headers("POST", DETAIL, BODY_1, client_id="nobody")
    del headers["Signature"]
    assert dts.post(DETAIL, content=BODY_1, headers=headers).status_code == 400


def test_client_check_comes_before_the_timestamp(dts):
    response = post(dts, client_id="dts-inactive-client", secret="x", skew=timedelta(hours=1))
    assert response.status_code == 403


def test_timestamp_comes_before_the_signature(dts):
    response = post(dts, secret="wrong", skew=timedelta(hours=1))
    assert response.status_code == 408


def test_signature_comes_before_the_replay_check(dts):
    request_id = str(uuid.uuid4())
    assert post(dts, request_id=request_id).status_code == 200
    assert post(dts, request_id=request_id, secret="wrong").status_code == 401


def test_auth_runs_before_routing(dts):
    """An unsigned request learns nothing about which paths exist."""
    assert dts.get("/api/public/no-such-thing").status_code == 400
    path = "/api/public/no-such-thing"
    response = dts.get(path, headers=digitalent_headers("GET", path))
    assert response.status_code == 404
    assert response.json()["success"] is False
