"""The signed-request rules, in order: each one rejects with its own status and message, and a
correct request passes. Bad signatures carry a diagnosis in the journal naming the near miss."""

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from mock_server.providers.sales_order.config import SalesOrderSettings
from tests.helpers import FROZEN, journal_entry
from tests.providers.sales_order.signing import (
    DEMO_CLIENT,
    demo_private_key,
    mint_token,
    new_key,
    sign,
)

PATH = "/api/v1/customers"
NOW = int(FROZEN.timestamp())


def test_a_correctly_signed_request_passes(so, signed, sandbox):
    response = so.get(PATH, headers=signed())
    assert response.status_code == 200
    assert response.json()["data"][0]["code"] == "CUST-001"
    entry = journal_entry(sandbox, response)
    assert entry["client_id"] == DEMO_CLIENT
    assert entry["outcome"] == "accepted"


@pytest.mark.parametrize("header", ["Authorization", "X-CLIENT-ID", "X-TIMESTAMP", "X-SIGNATURE"])
def test_each_missing_header_is_400_naming_it(so, signed, header):
    headers = {k: v for k, v in signed().items() if k != header}
    response = so.get(PATH, headers=headers)
    assert response.status_code == 400
    assert response.json() == {
        "message": "Missing required headers",
        "detail": f"missing: {header}",
    }


def test_a_non_bearer_authorization_is_401(so, signed):
    response = so.get(PATH, headers=signed() | {"Authorization": "Basic abc"})
    assert response.status_code == 401
    assert "Bearer" in response.json()["detail"]


@pytest.mark.parametrize("value", ["2025-10-31T06:00:12Z", "17000.5", "-5", "abc"])
def test_a_timestamp_that_is_not_unix_seconds_is_400(so, signed, value):
    response = so.get(PATH, headers=signed(timestamp=value))
    assert response.status_code == 400
    assert response.json()["message"] == "Invalid X-TIMESTAMP"


def test_the_tokens_client_must_match_x_client_id(so, sandbox):
    headers = {
        "Authorization": f"Bearer {mint_token('partner-client-002', iat=NOW)}",
        "X-CLIENT-ID": DEMO_CLIENT,
        "X-TIMESTAMP": str(NOW),
        "X-SIGNATURE": sign(demo_private_key(), f"{DEMO_CLIENT}|{NOW}"),
    }
    response = so.get(PATH, headers=headers)
    assert response.status_code == 403
    assert response.json()["message"] == "Client ID mismatch"
    assert journal_entry(sandbox, response)["rule"] == "client_mismatch"


def test_a_deactivated_client_is_403(so, signed):
    response = so.get(PATH, headers=signed(client_id="partner-client-inactive"))
    assert response.status_code == 403
    assert response.json()["message"] == "Client is deactivated"


@pytest.mark.parametrize("skew", [301, -301])
def test_a_timestamp_outside_the_window_is_401(so, signed, sandbox, skew):
    ts = str(NOW + skew)
    response = so.get(PATH, headers=signed(timestamp=ts))
    assert response.status_code == 401
    assert response.json()["message"] == "Request timestamp out of range"
    assert abs(journal_entry(sandbox, response)["diagnosis"]["skew_seconds"] - skew) < 1


def test_the_window_is_configurable(make_sandbox, client_for):
    from tests.providers.sales_order.signing import signed_headers

    sandbox = make_sandbox({"sales_order": SalesOrderSettings(timestamp_window=10)})
    so = client_for("sales_order", sandbox)
    assert so.get(PATH, headers=signed_headers(FROZEN, timestamp=str(NOW - 9))).status_code == 200
    assert so.get(PATH, headers=signed_headers(FROZEN, timestamp=str(NOW - 11))).status_code == 401


def test_a_millisecond_timestamp_is_401_with_a_hint(so, signed, sandbox):
    response = so.get(PATH, headers=signed(timestamp=str(NOW * 1000)))
    assert response.status_code == 401
    hints = journal_entry(sandbox, response)["diagnosis"]["hints"]
    assert any("milliseconds" in h for h in hints)


def test_a_client_without_a_registered_key_is_401(so, signed):
    response = so.get(PATH, headers=signed(client_id="partner-client-002"))
    assert response.status_code == 401
    assert response.json()["message"] == "Public key not registered"
    assert "register-key" in response.json()["detail"]


def pss(message: str, algorithm=None) -> str:
    algorithm = algorithm or hashes.SHA256()
    raw = demo_private_key().sign(
        message.encode(), padding.PSS(padding.MGF1(algorithm), padding.PSS.MAX_LENGTH), algorithm
    )
    return base64.b64encode(raw).decode()


def urlsafe(message: str) -> str:
    # A signature whose base64 has a '+' or '/', so base64url visibly differs.
    value = sign(demo_private_key(), message)
    assert "+" in value or "/" in value
    return value.replace("+", "-").replace("/", "_").rstrip("=")


GOOD = f"{DEMO_CLIENT}|{NOW}"
NEAR_MISSES = {
    "colon": (lambda: sign(demo_private_key(), f"{DEMO_CLIENT}:{NOW}"), "separator is a pipe"),
    "milliseconds": (
        lambda: sign(demo_private_key(), f"{DEMO_CLIENT}|{NOW * 1000 + 120}"),
        "milliseconds",
    ),
    "other-timestamp": (lambda: sign(demo_private_key(), f"{DEMO_CLIENT}|{NOW - 5}"), "must match"),
    "newline": (lambda: sign(demo_private_key(), GOOD + "\n"), "trailing newline"),
    "sha1": (lambda: sign(demo_private_key(), GOOD, hashes.SHA1()), "SHA-1"),
    "pss": (lambda: pss(GOOD), "PSS"),
    "base64url": (lambda: urlsafe(GOOD), "base64url"),
    "hex": (
        lambda: base64.b64decode(sign(demo_private_key(), GOOD)).hex(),
        "hex",
    ),
    "twice": (
        lambda: base64.b64encode(sign(demo_private_key(), GOOD).encode()).decode(),
        "twice",
    ),
    "other-key": (lambda: sign(new_key(), GOOD), "another private key"),
    "other-string": (lambda: sign(demo_private_key(), "something else"), "another string"),
    "not-base64": (lambda: "***", "not base64"),
}


@pytest.mark.parametrize("case", list(NEAR_MISSES))
def test_a_bad_signature_is_401_and_the_journal_names_the_near_miss(so, signed, sandbox, case):
    make, hint = NEAR_MISSES[case]
    response = so.get(PATH, headers=signed() | {"X-SIGNATURE": make()})
    assert response.status_code == 401
    assert response.json()["message"] == "Invalid signature"
    diagnosis = journal_entry(sandbox, response)["diagnosis"]
    assert diagnosis["string_to_sign"] == GOOD
    assert any(hint in h for h in diagnosis["hints"]), diagnosis["hints"]


def test_the_diagnosis_fingerprint_is_openssls(so, signed, sandbox):
    response = so.get(PATH, headers=signed() | {"X-SIGNATURE": sign(new_key(), GOOD)})
    der = (
        demo_private_key()
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    diagnosis = journal_entry(sandbox, response)["diagnosis"]
    assert diagnosis["key_fingerprint"] == "sha256:" + hashlib.sha256(der).hexdigest()
    assert "PRIVATE" not in str(diagnosis)


def test_an_unsigned_request_to_an_unknown_path_is_400_and_a_signed_one_404(so, signed):
    assert so.get("/api/v1/nothing").status_code == 400
    response = so.get("/api/v1/nothing", headers=signed())
    assert response.status_code == 404
    assert response.json()["message"] == "Not Found"
