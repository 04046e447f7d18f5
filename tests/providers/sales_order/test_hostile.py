"""Hand-made hostile input: each one a 500 once, each now a 4xx in this API's shape."""

import json

import jwt
import pytest

from tests.helpers import journal_entry, raw_request
from tests.providers.sales_order.signing import DEMO_CLIENT, DEMO_SECRET, JWT_SECRET

PROTECTED = "/api/v1/customers"
REFRESH = "/api/v1/auth/refresh"


@pytest.mark.parametrize("timestamp", [b"\xb2", b"\xb9\xb2\xb3", "١٧٠٤٠٦٧٢٠٠".encode()])
def test_a_non_ascii_digit_timestamp_is_invalid_not_a_crash(sandbox, signed, timestamp):
    # U+00B2 (superscript two), sent as the byte uvicorn decodes as latin-1, passes
    # str.isdigit() but not int().
    status, _, body = raw_request(
        sandbox.apps["sales_order"], "GET", PROTECTED, signed() | {"X-TIMESTAMP": timestamp}
    )
    assert status == 400
    assert body["message"] == "Invalid X-TIMESTAMP"


def test_an_ascii_digit_timestamp_still_passes(sandbox, signed):
    status, _, _ = raw_request(sandbox.apps["sales_order"], "GET", PROTECTED, signed())
    assert status == 200


def raw_jwt(payload: str) -> str:
    """A JWT signed with the demo key whose claims are exactly ``payload`` (JSON text that
    PyJWT would not write: NaN, Infinity, 1e400)."""
    header = jwt.utils.base64url_encode(b'{"alg":"HS256","typ":"JWT"}')
    body = jwt.utils.base64url_encode(payload.encode())
    signing_input = header + b"." + body
    signature = jwt.utils.base64url_encode(
        jwt.algorithms.HMACAlgorithm(jwt.algorithms.HMACAlgorithm.SHA256).sign(
            signing_input, JWT_SECRET.encode()
        )
    )
    return (signing_input + b"." + signature).decode()


def claims(now, **numbers):
    fields = {"client_id": f'"{DEMO_CLIENT}"', "iat": str(int(now) - 60), "exp": str(int(now) + 60)}
    fields |= numbers
    return "{" + ",".join(f'"{k}":{v}' for k, v in fields.items()) + "}"


ABSURD = [
    {"exp": "NaN"},
    {"exp": "Infinity"},
    {"exp": "-Infinity"},
    {"exp": "1e400"},
    {"iat": "NaN"},
    {"exp": "1" * 5000},
]


def case_id(numbers):
    return ",".join(f"{k}={v[:8]}" for k, v in numbers.items())


@pytest.mark.parametrize("numbers", ABSURD, ids=case_id)
def test_a_token_with_an_absurd_number_is_an_invalid_token(so, sandbox, signed, numbers):
    now = sandbox.services.clock.timestamp()
    token = raw_jwt(claims(now, **numbers))
    response = so.get(PROTECTED, headers=signed(token=token))
    assert response.status_code == 401
    assert response.json()["message"] == "Invalid token"
    refreshed = so.post(REFRESH, json={"token": token})
    assert 400 <= refreshed.status_code < 500
    assert refreshed.json()["message"] == "Invalid token"


@pytest.mark.parametrize("claim", ["nbf", "iat"])
def test_a_token_from_the_future_is_refused_as_pyjwt_refuses_it(so, sandbox, signed, claim):
    # PyJWT's leeway here is the X-TIMESTAMP window: the clock skew this API tolerates.
    now = sandbox.services.clock.timestamp()
    window = sandbox.services.provider_settings["sales_order"].timestamp_window
    token = raw_jwt(claims(now, **{claim: str(int(now) + window + 1)}))
    response = so.get(PROTECTED, headers=signed(token=token))
    assert response.status_code == 401
    assert response.json()["message"] == "Invalid token"
    assert claim in response.json()["detail"]


def test_a_token_valid_from_now_or_within_the_window_is_accepted(so, sandbox, signed):
    now = int(sandbox.services.clock.timestamp())
    window = sandbox.services.provider_settings["sales_order"].timestamp_window
    for ahead in (0, window):
        token = raw_jwt(claims(now, nbf=str(now + ahead), iat=str(now + ahead)))
        assert so.get(PROTECTED, headers=signed(token=token)).status_code == 200


def test_a_secret_spelled_with_a_json_escape_is_redacted(so, sandbox):
    body = json.dumps({"client_id": DEMO_CLIENT, "client_secret": DEMO_SECRET})
    body = body.replace("client_secret", "client\\u005fsecret")  # the same key to a JSON reader
    response = so.post(
        "/api/v1/auth/login", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 200
    excerpt = journal_entry(sandbox, response)["body_excerpt"]
    assert DEMO_SECRET not in excerpt
    assert "<redacted>" in excerpt


def test_nesting_5000_deep_is_400(so):
    response = so.post(
        "/api/v1/auth/login", content="[" * 5000, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]
