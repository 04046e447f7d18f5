"""Every example request in the five provider docs, sent as written to a real `mock-server`
process: the doc's bytes, its headers (and no others: the KYC challenge-code curl sends no
Content-Type), its paths; only credentials, tokens and the doc's masked NIK (`################`)
are swapped for the sandbox's demo ones. The KYC examples go through `curl` itself, with the
doc's flags. Examples that cannot pass as printed are tested for the clear 400 they get instead.

    digitalent.txt      POST /api/public/pelatihan/akademi {"id":10}: the base-string example
                        (its timestamp and request id), the Postman script (standard base64)
                        and the text's URL-safe base64
    sales-order.txt     login, refresh and create request samples; the public key format sample
    joss.txt            the Request-Timestamp example (2022-09-22T01:51:00Z); it prints no request
    appkey.txt          no request at all: only header conventions (covered by its own tests)
    satusehat-kyc.txt   the token curl; generate-url sealed (Linux curl; Postman's one-line text)
                        and clear JSON (Linux curl; Windows curl, which lacks a comma: 400);
                        the challenge-code curl
"""

import json
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mock_server.cli_tools import explanation
from tests.helpers import joss_headers, postman_signature
from tests.providers.sales_order.orders import order_body
from tests.providers.sales_order.signing import DEMO_CLIENT, DEMO_SECRET, demo_private_key, sign
from tests.server import RunningServer, running_server

SEALED_SAMPLE = (
    "-----BEGIN ENCRYPTED MESSAGE-----\n"
    "imR0er0J0xjdlqFi+0D148UN54vyid+h5NGz8/vB5sChiPUVtS+72Ancyqcj22l5/UihwNCXG35N\n"
    "rSj21rNVFPWzSXT1tJE7a76MBhcSBs/mDS2dWJDaWVLTbqwFibO31b5kzNPNeunP7SlruwDfsoz8\n"
    "FzJtRAomRNf5XhnS4UnjI/532JnbbLlFhuOtzQbgbvCcuHWJjTzR+oDyL1O5q6FgABkbLjWYdcyq\n"
    "eAxU7MWBa60uwroIDqDhL+TkxFlqUN0R+Ag7Pza5kJ9oOlPRACAVYm88bzoJOYjMG3K25KVWKSB8\n"
    "LdQu78NiQrYKTSsHxe6v4XOsZrKc++XR5ob5iw821vcqI6KkxBzK1sLB5q7Pv2cprW6wioHRpbH6\n"
    "q8PcSXs+7FLQUdduxKV7hchc7XhCzPJwn021YrAaRJ/FgAqk3bNa1JFGdg7N552JRZJsarBqjP8z\n"
    "RcOhaMdHOwR+pZF4snfMB8t7Uj2hXp14c/bZJTVaME5XaLSdivRm5KqCFdhP4H59n2dj6mQdkgY0\n"
    "QKuV81XsKbEEZ+kj5FSQDIB+QBm1DXxpi4IEpSodeOmp07twbH5ahRFvzulf+UsHo94BJRzpEDLr\n"
    "uU6/Wzr540mgJpml38oWAj2j4qyf3ukclvL/yrfebT5uBDqmmqtskhAOI7NJAuNLisiyo8Ulfs2m\n"
    "IOqutu51IpLphzjuzkzRR5Bscm/vmVVZE1uv3tDQY1EVCZcXKgIOrMdxoCZLppqzX/Nx9sOFrCwF\n"
    "ydBxEe9DYrL4vUStxDMVPvaIDN8p/3w2f+KYnHZMN5Fh9xp0MLVk9FvO+C3QoaEDSK0rh941owbR\n"
    "ccuF+zMm+a9VIr+ss5Y2DM8zxQqpOf6YEWCqA7A0XFXW9VfVBst/SPYo96v4pYHimo67G+f1qhdV\n"
    "7y0yw6cXHjYF/EU7gptBryAWR6uNulepXIbtYuhoWrGbNEhTDsORlCrOmmBkzcavkWfOXZJcgLtT\n"
    "HGZHCNXh3+nCOncRsLL9NNdyG7/I7q6wc8EzLPpzsUWqn2Uv/tfOxj3TooGUvG5VPNBTnXSqjXpK\n"
    "iCdFKSyAx2K52yIZ0Ek/ItswNS1r97Y1HWUZoAT9hq4=\n"
    "-----END ENCRYPTED MESSAGE-----"
)
# The real server's recorded reply to that message (provider-docs/README.md), byte for byte.
SEALED_REPLY = (
    b'{"metadata":{"code":"400","message":"Error: Bad Request"},'
    b'"data":{"error":"failed to decrypt ciphertext: crypto/rsa: decryption error"}}'
)
DOC_PUBLIC_KEY = (
    "-----BEGIN PUBLIC KEY-----\\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAwqoicEXIYWYV3PvLIdvB"
    "\\nqFkHn2IMhPGKTiB2XA56enpPb0UbI9oHoetRF41vfwMqfFsy5Yd5LABxMGyHJBbP"
    "\\n+3fk2/PIfv+7+9/dKK7h1CaRTeT4lzJBiUM81hkCFlZjVFyHUFtaNfvQeO2OYb7U"
    "\\nkK5JrdrB4sgf50gHikeDsyFUZD1o5JspdlfqDjANYAhfz3aam7kCjfYvjgneqkV8"
    "\\npZDVqJpQA3MHAWBjGEJ+R8y03hs0aafWRfFG9AcyaA5Ct5waUOKHWWV9sv5DQXmb"
    "\\nEAoqcx0ZPzmHJDQYlihPW4FIvb93fMik+eW8eZF3A920DzuuFucpblWU9J9o5w+2"
    "\\noQIDAQAB\\n-----END PUBLIC KEY-----"
)  # as it stands in the JSON text: "\n" escapes, not newlines
# The doc masks every NIK as ################; a seeded one stands in (Budi Santoso's).
MASK = "################"
NIK = "3171014101900001"
JSON_SAMPLE = (
    '{\n"agent_name": "Bambang Wisanggeni",\n"agent_nik": "################",\n'
    f'"public_key": "{DOC_PUBLIC_KEY}"\n}}'
)
# Postman's raw JSON examples, on one line as the doc prints them.
POSTMAN_JSON_SAMPLE = (
    '{ "agent_name": "Bambang Wisanggeni", "agent_nik": "################", '
    f'"public_key": "{DOC_PUBLIC_KEY}" }}'
)
POSTMAN_CHALLENGE_SAMPLE = (
    '{ "metadata": { "method": "request_per_nik" }, '
    '"data": { "nik": "################", "name": "Budi Santoso" } }'
)
# The Windows curl's body once cmd has removed the \" escapes: the doc lost a comma.
WINDOWS_JSON_SAMPLE = JSON_SAMPLE.replace('"################",', '"################"')
CHALLENGE_SAMPLE = (
    '{\n"metadata": {\n"method": "request_per_nik"\n},\n"data": {\n'
    '"nik": "################",\n"name": "Budi Santoso"\n}\n}'
)

needs_curl = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with running_server(tmp_path_factory.mktemp("docs") / "docs.db") as running:
        yield running


@pytest.fixture
def clock(server: RunningServer) -> Iterator[httpx.Client]:
    """The control plane's clock endpoint; the clock runs true again after the test."""
    with httpx.Client(base_url=server.url("admin")) as admin:
        yield admin
        admin.post("/__admin/clock", json={"resume": True})


def curl(*args: str) -> tuple[int, bytes]:
    """Run curl with the doc's arguments; (status, body)."""
    done = subprocess.run(
        ["curl", "--silent", "--show-error", "--write-out", "\n%{http_code}", *args],
        capture_output=True,
        timeout=30,
        check=True,
    )
    body, _, status = done.stdout.rpartition(b"\n")
    return int(status), body


def journal(server: RunningServer, journal_id: str) -> dict[str, Any]:
    entry = httpx.get(server.url("admin") + f"/__admin/requests/{journal_id}")
    assert entry.status_code == 200, entry.text
    result: dict[str, Any] = entry.json()
    return result


def last_entry(server: RunningServer, path: str) -> dict[str, Any]:
    entries = httpx.get(server.url("admin") + "/__admin/requests", params={"path": path}).json()
    return journal(server, entries["data"][0]["id"])


# -- Digitalent -----------------------------------------------------------------------------------
DTS = "/api/public/pelatihan/akademi"
DTS_BODY = '{"id":10}'


def dts_post(server: RunningServer, timestamp: str, request_id: str, signature: str) -> Any:
    return httpx.post(
        server.url("digitalent") + DTS,
        content=DTS_BODY,
        headers={
            "Client-Id": "dts-demo-client",
            "Request-Id": request_id,
            "Request-Timestamp": timestamp,
            "Signature": signature,
        },
    )


def test_digitalent_base_string_example_with_its_own_timestamp_and_request_id(server, clock):
    """POST:/api/public/pelatihan/akademi:{"id":10}:2025-10-31T06:00:12.120Z:af01c41a-…"""
    timestamp, request_id = "2025-10-31T06:00:12.120Z", "af01c41a-788a-4db1-a08c-14b7982c2d9a"
    assert clock.post("/__admin/clock", json={"freeze": timestamp}).status_code == 200
    signature = postman_signature("dts-demo-secret", "POST", DTS, DTS_BODY, timestamp, request_id)
    response = dts_post(server, timestamp, request_id, signature)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["id"] == 10


@pytest.mark.parametrize("alphabet", ["standard (the Postman script)", "URL-safe (the text)"])
def test_digitalent_example_signed_now_as_the_doc_says(server, alphabet):
    timestamp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    request_id = str(uuid.uuid4())
    signature = postman_signature("dts-demo-secret", "POST", DTS, DTS_BODY, timestamp, request_id)
    if alphabet.startswith("URL-safe"):
        signature = signature.replace("+", "-").replace("/", "_")
    response = dts_post(server, timestamp, request_id, signature)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["slug"] == "CONTOH"


# -- Sales Order ----------------------------------------------------------------------------------
JSON = {"Content-Type": "application/json"}
LOGIN_SAMPLE = f'{{\n  "client_id": "{DEMO_CLIENT}",\n  "client_secret": "{DEMO_SECRET}"\n}}'
# The doc's create sample: its fields are order_body's, but "products" is folded ([ ]) and names
# no ProductDto field, so one line of the mock's fields; indented as the doc prints it.
ORDER_SAMPLE = json.dumps(
    order_body(products=[{"product_code": "PRD-001", "quantity": 1}]), indent=2
)


def sales_order_login(server: RunningServer) -> dict[str, Any]:
    response = httpx.post(
        server.url("sales_order") + "/api/v1/auth/login", content=LOGIN_SAMPLE, headers=JSON
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_sales_order_login_sample(server):
    body = sales_order_login(server)
    assert set(body) == {"token", "expired_at"}
    assert body["token"].startswith("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.")  # as the sample
    assert isinstance(body["expired_at"], int)


def test_sales_order_refresh_sample(server):
    token = sales_order_login(server)["token"]
    response = httpx.post(
        server.url("sales_order") + "/api/v1/auth/refresh",
        content=f'{{\n  "token": "{token}"\n}}',
        headers=JSON,
    )
    assert response.status_code == 200, response.text
    assert set(response.json()) == {"token", "expired_at"}


def test_sales_order_create_sample_with_the_required_headers(server):
    token = sales_order_login(server)["token"]
    timestamp = str(int(time.time()))
    response = httpx.post(
        server.url("sales_order") + "/api/v1/sales-orders",
        content=ORDER_SAMPLE,
        headers={
            "Authorization": f"Bearer {token}",
            "X-CLIENT-ID": DEMO_CLIENT,
            "X-TIMESTAMP": timestamp,
            "X-SIGNATURE": sign(demo_private_key(), f"{DEMO_CLIENT}|{timestamp}"),
            "Content-Type": "application/json",
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["message"] == "Sales order created successfully"
    assert body["data"]["purchase_order_no"] == "PO-2025-00001"


SAMPLE_PUBLIC_KEY = """-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAomV+Vm1xlRXanmh108Ku
sls7SSKec0oCejtc9QGObpd4RnQ+7gihm2k6etnSNP7b+XrpY+fBkiQNaBInii9M
10kW9Bhf/M9GH/edL3IqnzDNSi7tcoQgnO7h8xmzLNWHTjtR6bkrsdBS5dry6hto
taF5KXomuoYgztCdGDOa0W20aeLzYSXIoW7s/Ay5yIXt0xaXTll3/bmezleguFPn
wQZq5EqZFWlUZvutDi+f2l9rTRY0Fb64y+VAf+mnIbEovGqsPEeF/p97YWxcY7CW
m8NsT0lwBVOtkmEl967Brz5yvEObF5bJgVodi6mNVsN1ki0MCitIhYO8shcE7eUi
lQIDAQAB
-----END PUBLIC KEY-----
"""


def test_sales_order_public_key_format_sample_registers(server):
    with httpx.Client(base_url=server.url("admin")) as admin:
        created = admin.post(
            "/__admin/providers/sales_order/clients", json={"name": "doc sample key"}
        )
        assert created.status_code in {200, 201}, created.text
        client_id = created.json()["client_id"]
        response = admin.put(
            f"/__admin/sales-order/clients/{client_id}/public-key", content=SAMPLE_PUBLIC_KEY
        )
        assert response.status_code == 200, response.text


# -- JOSS -----------------------------------------------------------------------------------------
def test_joss_request_timestamp_example(server, clock):
    """ "…on September 22th 2022 at 08:51:00 WIB, the timestamp should be 2022-09-22T01:51:00Z"."""
    timestamp = "2022-09-22T01:51:00Z"
    assert clock.post("/__admin/clock", json={"freeze": timestamp}).status_code == 200
    path = "/api/v1/companies"
    headers = joss_headers("GET", path, timestamp=timestamp)
    response = httpx.get(server.url("joss") + path, headers=headers)
    assert response.status_code == 200, response.text


# -- SATUSEHAT KYC --------------------------------------------------------------------------------
def kyc_token(server: RunningServer) -> str:
    """The doc's token curl (Linux), as printed but for the host and the credentials."""
    status, body = curl(
        "--insecure", "--location",
        "--header", "Content-Type: application/x-www-form-urlencoded",
        "--data-urlencode", "client_id=kyc-demo-client",
        "--data-urlencode", "client_secret=kyc-demo-secret",
        "--request", "POST",
        server.url("kyc") + "/oauth2/v1/accesstoken?grant_type=client_credentials",
    )  # fmt: skip
    assert status == 200, body
    reply = json.loads(body)
    assert reply["token_type"] == "BearerToken"
    assert reply["expires_in"] == "3599"
    token: str = reply["access_token"]
    return token


@needs_curl
def test_kyc_token_curl(server):
    assert kyc_token(server)


def generate_url(server: RunningServer, content_type: str, data: str) -> tuple[int, bytes]:
    return curl(
        "--location",
        "--header", f"Content-Type: {content_type}",
        "--header", f"Authorization: Bearer {kyc_token(server)}",
        "--request", "POST",
        "--data", data,
        server.url("kyc") + "/kyc/v1/generate-url",
    )  # fmt: skip


@needs_curl
@pytest.mark.parametrize("sample", [JSON_SAMPLE, POSTMAN_JSON_SAMPLE], ids=["curl", "postman"])
def test_kyc_clear_json_generate_url_sample_with_the_docs_public_key(server, sample):
    status, body = generate_url(server, "application/json", sample.replace(MASK, NIK))
    assert status == 200, body
    reply = json.loads(body)
    assert reply["metadata"] == {"code": "200", "message": "OK"}
    assert reply["data"]["agent_name"] == "Bambang Wisanggeni"
    assert reply["data"]["url"].endswith("/kyc/v1/validation-web/" + reply["data"]["token"])


@needs_curl
def test_kyc_windows_json_sample_lacks_a_comma_and_gets_a_clear_400(server):
    status, body = generate_url(server, "application/json", WINDOWS_JSON_SAMPLE.replace(MASK, NIK))
    assert status == 400, body
    reply = json.loads(body)
    assert reply["metadata"]["code"] == "400"
    assert "JSON" in reply["data"]["error"]


@needs_curl
@pytest.mark.parametrize(
    "layout",
    ["as the Linux curl sends it", "on one line, as the Postman example shows it"],
)
def test_kyc_sealed_sample_gets_the_real_servers_reply_byte_for_byte(server, layout):
    message = SEALED_SAMPLE if layout.startswith("as") else SEALED_SAMPLE.replace("\n", " ")
    status, body = generate_url(server, "text/plain", message)
    assert status == 400
    assert body == SEALED_REPLY


@needs_curl
def test_kyc_sealed_sample_is_explained_with_what_to_do(server):
    generate_url(server, "text/plain", SEALED_SAMPLE)
    entry = last_entry(server, "/kyc/v1/generate-url")
    assert entry["rule"] == "envelope"
    text = explanation(entry)
    assert "failed step:" in text
    assert "rsa_unwrap" in text
    assert "most likely it was wrapped with the real SATUSEHAT public key" in text
    assert "`mock-server kyc-public-key`" in text
    assert f"GET {server.url('admin')}/__admin/kyc/public-key" in text


@needs_curl
@pytest.mark.parametrize(
    ("sample", "headers"),
    [
        (CHALLENGE_SAMPLE, ()),
        (POSTMAN_CHALLENGE_SAMPLE, ("--header", "Content-Type: application/json")),
    ],
    ids=["curl-as-printed", "postman-raw-json"],
)
def test_kyc_challenge_code_exactly_as_printed(server, sample, headers):
    """The curl has no Content-Type: curl sends application/x-www-form-urlencoded; the body is
    JSON. Postman's raw JSON mode sends application/json."""
    status, body = curl(
        "--location",
        "--header", f"Authorization: Bearer {kyc_token(server)}",
        *headers,
        "--request", "POST",
        "--data", sample.replace(MASK, NIK),
        server.url("kyc") + "/kyc/v1/challenge-code",
    )  # fmt: skip
    assert status == 200, body
    data = json.loads(body)["data"]
    assert data["nik"] == NIK
    assert data["name"] == "Budi Santoso"
    assert len(data["challenge_code"]) == 6
    assert data["created_timestamp"].endswith("+07:00")
