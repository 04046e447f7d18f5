"""JOSS auth: every rule rejects and accepts, in the documented order; the journal explains."""

import base64
import hashlib
import hmac
import json
import uuid
from datetime import timedelta

import pytest

from mock_server.core.redact import fingerprint
from mock_server.providers.joss.config import JossSettings
from tests.helpers import (
    FROZEN,
    joss_headers,
    joss_signature,
    joss_string_to_sign,
    joss_timestamp,
    journal_entry,
)
from tests.providers.joss.common import COMPANY_ID, company_body, send

COMPANIES = "/api/v1/companies"
COMPANY = f"{COMPANIES}/{COMPANY_ID}"
EXPIRED = "the given signature has been expired"


def put_company(client, **sign):
    return send(client, "PUT", COMPANY, company_body(), **sign)


# -- accepted ---------------------------------------------------------------------------------
def test_a_signed_get_without_digest_is_accepted(joss, sandbox):
    response = send(joss, "GET", COMPANIES)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    entry = journal_entry(sandbox, response)
    assert entry["outcome"] == "accepted"
    assert entry["client_id"] == "joss-sandbox-client"


def test_a_signed_put_with_digest_is_accepted(joss, sandbox):
    response = put_company(joss)
    assert response.status_code == 201, response.text
    assert response.json()["data"]["id"] == COMPANY_ID


def test_a_signed_delete_without_digest_is_accepted(joss):
    assert put_company(joss).status_code == 201
    response = send(joss, "DELETE", COMPANY)
    assert response.status_code == 200
    assert send(joss, "GET", COMPANY).status_code == 404


def test_the_string_to_sign_is_exactly_the_documented_lines(joss, sandbox):
    """Written out by hand: no trailing newline, Digest last, only with a body."""
    body = b'{"a":1}'
    request_id = "req-1"
    timestamp = "2025-10-31T06:00:12Z"
    digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
    text = (
        "Client-Id:joss-sandbox-client\n"
        "Request-Id:req-1\n"
        "Request-Timestamp:2025-10-31T06:00:12Z\n"
        f"Request-Target:{COMPANY}\n"
        f"Digest:{digest}"
    )
    assert joss_string_to_sign("joss-sandbox-client", request_id, timestamp, COMPANY, body) == text
    wrong = send(joss, "PUT", COMPANY, body, request_id=request_id, timestamp=timestamp, secret="x")
    assert journal_entry(sandbox, wrong)["diagnosis"]["string_to_sign"] == text


@pytest.mark.parametrize(
    "timestamp",
    [
        "2025-10-31T06:00:12Z",
        "2025-10-31T06:00:12.1Z",
        "2025-10-31T06:00:12.120Z",
        "2025-10-31T06:00:12.120456Z",
        "2025-10-31T06:00:12.120456789Z",
    ],
)
def test_timestamps_with_z_and_any_fraction_are_accepted(joss, timestamp):
    assert send(joss, "GET", COMPANIES, timestamp=timestamp).status_code == 200


def test_request_target_excludes_the_query_string(joss):
    response = send(joss, "GET", COMPANIES, query="page=1&per_page=2")
    assert response.status_code == 200
    assert response.json()["meta"]["per_page"] == 2


# -- 400: missing or malformed headers --------------------------------------------------------
@pytest.mark.parametrize("missing", ["Client-Id", "Request-Id", "Request-Timestamp", "Signature"])
def test_each_missing_header_is_named(joss, sandbox, missing):
    headers = joss_headers("GET", COMPANIES)
    del headers[missing]
    response = joss.get(COMPANIES, headers=headers)
    assert response.status_code == 400
    assert response.json() == {
        "status": 400,
        "message": "Missing required headers",
        "detail": f"missing: {missing}",
        "errors": [{"field": missing, "message": "required"}],
    }
    assert journal_entry(sandbox, response)["rule"] == "missing_headers"


@pytest.mark.parametrize("method", ["PUT", "POST", "PATCH"])
def test_content_type_is_required_on_put_post_patch(joss, method):
    body = json.dumps(company_body()).encode()
    headers = joss_headers(method, COMPANY, body)
    del headers["Content-Type"]
    response = joss.request(method, COMPANY, content=body, headers=headers)
    assert response.status_code == 400
    assert response.json()["detail"] == "missing: Content-Type"


def test_content_type_is_not_required_on_get_and_delete(joss):
    headers = joss_headers("DELETE", COMPANY)
    assert "Content-Type" not in headers
    assert joss.delete(COMPANY, headers=headers).status_code == 404  # signed; nothing to delete


def test_an_empty_header_counts_as_missing_and_all_are_named(joss):
    response = joss.get(COMPANIES, headers={"Client-Id": " "})
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "missing: Client-Id, Request-Id, Request-Timestamp, Signature"
    )


@pytest.mark.parametrize(
    "timestamp",
    [
        "2022-09-22T08:51:00+07:00",  # WIB: the doc says subtract 7 hours and send Z
        "2022-09-22T01:51:00",
        "2022-09-22 01:51:00Z",
        "2022-09-22T01:51:00z",
        "2022-13-45T01:51:00Z",
        "1663811460",
    ],
)
def test_a_timestamp_not_iso_utc_with_z_is_400_naming_it(joss, sandbox, timestamp):
    response = send(joss, "GET", COMPANIES, timestamp=timestamp)
    assert response.status_code == 400
    body = response.json()
    assert body["errors"][0]["field"] == "Request-Timestamp"
    assert "2022-09-22T01:51:00Z" in body["detail"]
    assert journal_entry(sandbox, response)["rule"] == "header_format"


@pytest.mark.parametrize("request_id", ["has space", "x" * 129])
def test_a_malformed_request_id_is_400_naming_it(joss, request_id):
    response = send(joss, "GET", COMPANIES, request_id=request_id)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "Request-Id"


def test_any_printable_request_id_is_accepted(joss):
    assert send(joss, "PUT", COMPANY, company_body(), request_id="req#0001:a/b").status_code == 201


# -- 415 and 406 ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/xml", "application/x-www-form-urlencoded"]
)
def test_a_body_that_is_not_json_is_415(joss, sandbox, content_type):
    response = send(joss, "PUT", COMPANY, company_body(), headers={"Content-Type": content_type})
    assert response.status_code == 415
    assert response.json()["message"] == "Unsupported Media Type"
    assert journal_entry(sandbox, response)["rule"] == "content_type"


def test_json_with_a_charset_is_accepted(joss):
    headers = {"Content-Type": "application/json; charset=utf-8"}
    assert send(joss, "PUT", COMPANY, company_body(), headers=headers).status_code == 201


@pytest.mark.parametrize("accept", ["text/html", "text/xml", "application/json;q=0"])
def test_an_accept_other_than_json_or_xml_is_406_in_json(joss, sandbox, accept):
    response = send(joss, "GET", COMPANIES, accept=accept)
    assert response.status_code == 406
    assert response.headers["content-type"] == "application/json"
    assert response.json()["message"] == "Not Acceptable"
    assert journal_entry(sandbox, response)["rule"] == "accept"


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        (None, "application/json"),
        ("*/*", "application/json"),
        ("application/json, text/plain, */*", "application/json"),  # axios's default
        ("application/xml", "application/xml"),
        ("text/html, application/xml;q=0.9", "application/xml"),
        ("application/xml;q=0.5, application/json", "application/json"),
    ],
)
def test_json_or_xml_is_chosen_by_accept(joss, accept, media):
    response = send(joss, "GET", COMPANIES, accept=accept)
    assert response.status_code == 200
    assert response.headers["content-type"] == media


# -- 401: the window ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "skew", [timedelta(seconds=301), timedelta(seconds=-301), timedelta(hours=7)]
)
def test_a_timestamp_outside_the_window_is_401_expired(joss, sandbox, skew):
    response = send(joss, "GET", COMPANIES, skew=skew)
    assert response.status_code == 401
    assert response.json()["message"] == EXPIRED
    entry = journal_entry(sandbox, response)
    assert entry["rule"] == "timestamp_window"
    assert entry["diagnosis"]["skew_seconds"] == pytest.approx(skew.total_seconds(), abs=0.01)


@pytest.mark.parametrize("skew", [timedelta(seconds=299), timedelta(seconds=-299)])
def test_a_timestamp_inside_the_window_is_accepted(joss, skew):
    assert send(joss, "GET", COMPANIES, skew=skew).status_code == 200


def test_the_window_is_configurable(make_sandbox, client_for):
    sandbox = make_sandbox({"joss": JossSettings(timestamp_window=10)})
    client = client_for("joss", sandbox)
    assert send(client, "GET", COMPANIES, skew=timedelta(seconds=11)).status_code == 401
    assert send(client, "GET", COMPANIES, skew=timedelta(seconds=9)).status_code == 200


# -- 401: client, environment, signature ------------------------------------------------------
def test_an_unknown_client_is_401(joss, sandbox):
    response = send(joss, "GET", COMPANIES, client_id="no-such-client", secret="whatever")
    assert response.status_code == 401
    assert response.json()["message"] == "Invalid signature"
    assert "unknown Client-Id" in response.json()["detail"]
    assert journal_entry(sandbox, response)["rule"] == "client"


def test_a_production_credential_on_staging_is_401_saying_so(joss, sandbox):
    response = send(joss, "GET", COMPANIES, client_id="joss-production-client")
    assert response.status_code == 401
    detail = response.json()["detail"]
    assert "production credential" in detail
    assert "staging" in detail
    assert "--joss-environment production" in detail
    assert journal_entry(sandbox, response)["rule"] == "environment"


def test_the_production_environment_takes_production_credentials_only(make_sandbox, client_for):
    sandbox = make_sandbox({"joss": JossSettings(environment="production")})
    client = client_for("joss", sandbox)
    accepted = send(client, "GET", COMPANIES, client_id="joss-production-client")
    assert accepted.status_code == 200
    rejected = send(client, "GET", COMPANIES)
    assert rejected.status_code == 401
    assert "staging credential" in rejected.json()["detail"]
    assert "https://joss.kemnaker.go.id" in rejected.json()["detail"]


def test_a_wrong_signature_is_401_and_the_journal_explains_without_the_secret(joss, sandbox):
    response = send(joss, "GET", COMPANIES, secret="wrong-secret")
    assert response.status_code == 401
    assert response.json()["message"] == "Invalid signature"
    entry = journal_entry(sandbox, response)
    assert entry["rule"] == "signature"
    diagnosis = entry["diagnosis"]
    sent = response.request.headers
    expected_text = joss_string_to_sign(
        "joss-sandbox-client", sent["Request-Id"], sent["Request-Timestamp"], COMPANIES, b""
    )
    assert diagnosis["string_to_sign"] == expected_text
    assert "Digest" not in diagnosis["string_to_sign"]
    assert diagnosis["expected_signature"] == joss_signature("joss-sandbox-secret", expected_text)
    assert diagnosis["received_signature"] == sent["Signature"]
    assert diagnosis["key_fingerprint"] == fingerprint("joss-sandbox-secret")
    assert "hints" not in diagnosis
    assert "joss-sandbox-secret" not in json.dumps(entry)
    assert "joss-sandbox-secret" not in response.text


def test_a_tampered_body_fails_the_digest(joss, sandbox):
    signed_body = json.dumps(company_body()).encode()
    headers = joss_headers("PUT", COMPANY, signed_body)
    response = joss.put(
        COMPANY, content=signed_body.replace(b"PT Testing", b"PT Tempered"), headers=headers
    )
    assert response.status_code == 401
    assert "and Digest" in response.json()["detail"]
    diagnosis = journal_entry(sandbox, response)["diagnosis"]
    assert diagnosis["body_digest"] in diagnosis["string_to_sign"]


def _resign(headers: dict[str, str], text: str, *, raw: bool = False) -> dict[str, str]:
    mac = hmac.new(b"joss-sandbox-secret", text.encode(), hashlib.sha256).digest()
    value = mac.hex() if raw else "HMACSHA256=" + base64.b64encode(mac).decode()
    return headers | {"Signature": value}


def _lines(headers: dict[str, str], target: str, body: bytes = b"") -> str:
    return joss_string_to_sign(
        headers["Client-Id"], headers["Request-Id"], headers["Request-Timestamp"], target, body
    )


@pytest.mark.parametrize(
    ("mistake", "hint"),
    [
        ("no-prefix", "must start with 'HMACSHA256='"),
        ("hex", "sent as hex"),
        ("trailing-newline", "ended with a newline"),
        ("crlf", "joined with \\r\\n"),
        ("query", "Request-Target had the query string"),
        ("full-url", "Request-Target was the full URL"),
        ("real-host-url", "Request-Target was the full URL"),
        ("digest-on-get", "Digest line was signed for a request without a body"),
    ],
)
def test_near_misses_get_a_hint(joss, sandbox, mistake, hint):
    headers = joss_headers("GET", COMPANIES)
    text = _lines(headers, COMPANIES)
    query = ""
    if mistake == "no-prefix":
        headers["Signature"] = headers["Signature"].removeprefix("HMACSHA256=")
    elif mistake == "hex":
        headers = _resign(headers, text, raw=True)
    elif mistake == "trailing-newline":
        headers = _resign(headers, text + "\n")
    elif mistake == "crlf":
        headers = _resign(headers, text.replace("\n", "\r\n"))
    elif mistake == "query":
        query = "page=2"
        headers = _resign(headers, _lines(headers, f"{COMPANIES}?page=2"))
    elif mistake == "full-url":
        headers = _resign(headers, _lines(headers, f"http://testserver{COMPANIES}"))
    elif mistake == "real-host-url":
        url = f"https://sandbox.joss.kemnaker.go.id{COMPANIES}"
        headers = _resign(headers, _lines(headers, url))
    elif mistake == "digest-on-get":
        empty = base64.b64encode(hashlib.sha256(b"").digest()).decode()
        headers = _resign(headers, f"{text}\nDigest:{empty}")
    response = joss.get(f"{COMPANIES}?{query}" if query else COMPANIES, headers=headers)
    assert response.status_code == 401
    hints = journal_entry(sandbox, response)["diagnosis"]["hints"]
    assert any(hint in h for h in hints), hints


@pytest.mark.parametrize(
    ("mistake", "hint"),
    [("no-digest", "Digest line was left out"), ("hex-digest", "Digest was hex")],
)
def test_digest_near_misses_get_a_hint(joss, sandbox, mistake, hint):
    body = json.dumps(company_body()).encode()
    headers = joss_headers("PUT", COMPANY, body)
    text = _lines(headers, COMPANY)
    if mistake == "hex-digest":
        text += f"\nDigest:{hashlib.sha256(body).hexdigest()}"
    response = joss.put(COMPANY, content=body, headers=_resign(headers, text))
    assert response.status_code == 401
    assert any(hint in h for h in journal_entry(sandbox, response)["diagnosis"]["hints"])


def test_the_signature_prefix_is_case_sensitive(joss):
    headers = joss_headers("GET", COMPANIES)
    headers["Signature"] = headers["Signature"].replace("HMACSHA256=", "hmacsha256=")
    assert joss.get(COMPANIES, headers=headers).status_code == 401


# -- 403: inactive ----------------------------------------------------------------------------
def test_an_inactive_client_is_403_once_correctly_signed(joss, sandbox):
    response = send(joss, "GET", COMPANIES, client_id="joss-inactive-client")
    assert response.status_code == 403
    assert "inactive" in response.json()["detail"]
    assert journal_entry(sandbox, response)["rule"] == "client_inactive"


def test_an_inactive_client_with_a_wrong_signature_is_401(joss):
    """The signature is checked first: only the secret's holder learns the client is inactive."""
    response = send(joss, "GET", COMPANIES, client_id="joss-inactive-client", secret="wrong")
    assert response.status_code == 401


# -- 409: Request-Id replay on non-GET ------------------------------------------------------
def test_a_reused_request_id_on_put_is_409(joss, sandbox):
    request_id = str(uuid.uuid4())
    assert put_company(joss, request_id=request_id).status_code == 201
    again = put_company(joss, request_id=request_id)
    assert again.status_code == 409
    assert again.json()["message"] == "Conflict"
    assert request_id in again.json()["detail"]
    assert journal_entry(sandbox, again)["rule"] == "replay"


def test_a_reused_request_id_on_delete_is_409(joss):
    assert put_company(joss).status_code == 201
    request_id = str(uuid.uuid4())
    assert send(joss, "DELETE", COMPANY, request_id=request_id).status_code == 200
    assert send(joss, "DELETE", COMPANY, request_id=request_id).status_code == 409


def test_a_reused_request_id_on_get_is_accepted(joss):
    request_id = str(uuid.uuid4())
    assert send(joss, "GET", COMPANIES, request_id=request_id).status_code == 200
    assert send(joss, "GET", COMPANIES, request_id=request_id).status_code == 200


def test_request_ids_are_per_client(joss):
    request_id = str(uuid.uuid4())
    assert put_company(joss, request_id=request_id).status_code == 201
    other = send(
        joss,
        "PUT",
        f"{COMPANIES}/{uuid.uuid4()}",
        company_body(),
        client_id="joss-other-client",
        request_id=request_id,
    )
    assert other.status_code == 201


def test_a_rejected_request_does_not_burn_its_request_id(joss):
    request_id = str(uuid.uuid4())
    assert put_company(joss, request_id=request_id, secret="wrong").status_code == 401
    assert put_company(joss, request_id=request_id, skew=timedelta(hours=1)).status_code == 401
    assert put_company(joss, request_id=request_id).status_code == 201


# -- the order --------------------------------------------------------------------------------
def test_check_order(joss):
    """Each request breaks two rules; the earlier one in the documented order answers."""
    body = json.dumps(company_body()).encode()
    # missing header before 415
    headers = joss_headers("PUT", COMPANY, body) | {"Content-Type": "text/plain"}
    del headers["Signature"]
    assert joss.put(COMPANY, content=body, headers=headers).status_code == 400
    # 415 before 406
    headers = joss_headers("PUT", COMPANY, body, accept="text/html")
    headers["Content-Type"] = "text/plain"
    assert joss.put(COMPANY, content=body, headers=headers).status_code == 415
    # 406 before the window
    late = timedelta(hours=1)
    assert send(joss, "GET", COMPANIES, accept="text/html", skew=late).status_code == 406
    # the window before the client
    expired = send(joss, "GET", COMPANIES, client_id="nobody", skew=late)
    assert expired.json()["message"] == EXPIRED
    # the environment before the signature
    wrong_env = send(joss, "GET", COMPANIES, client_id="joss-production-client", secret="x")
    assert "production credential" in wrong_env.json()["detail"]
    # the signature before inactive, and before replay (tested above)


def test_the_timestamp_format_is_checked_before_the_window(joss):
    # A WIB timestamp is "in the window" only if read as UTC+7: it gets 400, not 401.
    wib = joss_timestamp(FROZEN + timedelta(hours=7), fraction=False).replace("Z", "+07:00")
    assert send(joss, "GET", COMPANIES, timestamp=wib).status_code == 400
