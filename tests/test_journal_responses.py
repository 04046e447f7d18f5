"""The journal keeps each answer: status, headers and a bounded excerpt of the body, with the
secrets that answers carry (access, refresh and user tokens, the KYC page token) redacted exactly
as a request's are. One test per provider."""

import json

from tests.helpers import digitalent_headers, joss_headers, journal_entry
from tests.providers.appkey.conftest import login
from tests.providers.joss.common import COMPANY_ID, company_body
from tests.providers.kyc.reference import agent_payload, bearer, client_key_pair
from tests.providers.sales_order.signing import DEMO_CLIENT, DEMO_SECRET

AKADEMI = "/api/public/pelatihan/akademi"


def test_digitalent_answer_is_kept_with_its_headers(client_for, sandbox):
    body = '{"id":1}'
    headers = digitalent_headers("POST", AKADEMI, body, at=sandbox.services.clock.now())
    response = client_for("digitalent").post(
        AKADEMI, content=body, headers=headers | {"Content-Type": "application/json"}
    )
    entry = journal_entry(sandbox, response)
    assert json.loads(entry["response_excerpt"]) == response.json()
    assert entry["response_bytes"] == len(response.content)
    assert entry["response_headers"]["content-type"] == "application/json"
    assert entry["response_headers"]["x-mock-journal-id"] == entry["id"]


def test_joss_rejection_is_kept_in_its_error_shape(client_for, sandbox):
    path = f"/api/v1/companies/{COMPANY_ID}"
    raw = json.dumps(company_body()).encode()
    headers = joss_headers("PUT", path, raw, at=sandbox.services.clock.now(), secret="wrong")
    response = client_for("joss").put(path, content=raw, headers=headers)
    assert response.status_code == 401
    entry = journal_entry(sandbox, response)
    assert entry["status"] == 401
    assert json.loads(entry["response_excerpt"]) == response.json()


def test_sales_order_tokens_are_redacted_in_the_answer(client_for, sandbox):
    response = client_for("sales_order").post(
        "/api/v1/auth/login", json={"client_id": DEMO_CLIENT, "client_secret": DEMO_SECRET}
    )
    token = response.json()["token"]
    entry = journal_entry(sandbox, response)
    assert token not in json.dumps(entry)
    assert json.loads(entry["response_excerpt"])["token"] == "<redacted>"
    assert json.loads(entry["response_excerpt"])["expired_at"] == response.json()["expired_at"]


def test_appkey_access_refresh_and_user_tokens_are_redacted(client_for, sandbox):
    response = login(client_for("appkey"))
    tokens = response.json()["data"]
    entry = journal_entry(sandbox, response)
    text = json.dumps(entry)
    for name in ("access_token", "refresh_token", "user_token"):
        assert tokens[name] not in text, name
        assert json.loads(entry["response_excerpt"])["data"][name] == "<redacted>"
    # The same user token also travels as a response header.
    assert response.headers["x-user-token"] == tokens["user_token"]
    assert entry["response_headers"]["x-user-token"].startswith("<redacted")


def test_kyc_access_token_and_page_token_are_redacted(client_for, sandbox):
    kyc = client_for("kyc")
    response = kyc.post(
        "/oauth2/v1/accesstoken?grant_type=client_credentials",
        data={"client_id": "kyc-demo-client", "client_secret": "kyc-demo-secret"},
    )
    access = response.json()["access_token"]
    entry = journal_entry(sandbox, response)
    assert access not in json.dumps(entry)
    assert json.loads(entry["response_excerpt"])["access_token"] == "<redacted>"

    _, public_pem = client_key_pair()
    response = kyc.post(
        "/kyc/v1/generate-url",
        content=agent_payload(public_pem),
        headers=bearer(kyc) | {"Content-Type": "application/json"},
    )
    url = response.json()["data"]["url"]
    page_token = url.rsplit("/", 1)[1]
    entry = journal_entry(sandbox, response)
    assert page_token not in json.dumps(entry)
    kept = json.loads(entry["response_excerpt"])["data"]
    assert kept["url"].startswith("http://testserver/kyc/v1/validation-web/<redacted ")
    assert kept["agent_name"] == "Bambang Wisanggeni"

    page = kyc.get(f"/kyc/v1/validation-web/{page_token}")
    assert page.status_code == 200
    assert page_token not in json.dumps(journal_entry(sandbox, page))
    # The page's own requests send its URL as Referer, as a browser does.
    referer = {"Referer": url, "Content-Type": "application/json"}
    answer = kyc.post(f"/kyc/v1/validation-web/{page_token}/challenge-code", headers=referer)
    entry = journal_entry(sandbox, answer)
    assert page_token not in json.dumps(entry)
    assert entry["request_headers"]["referer"].startswith(
        "http://testserver/kyc/v1/validation-web/<redacted "
    )


def test_a_large_answer_is_kept_as_a_bounded_excerpt(client_for, sandbox):
    headers = digitalent_headers("GET", "/api/public/pelatihan", at=sandbox.services.clock.now())
    response = client_for("digitalent").get("/api/public/pelatihan", headers=headers)
    entry = journal_entry(sandbox, response)
    limit = sandbox.services.journal.excerpt_bytes
    assert len(response.content) > limit
    assert entry["response_bytes"] == len(response.content)
    assert entry["response_excerpt"].encode() == response.content[:limit]
