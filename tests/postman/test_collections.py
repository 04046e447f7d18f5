"""The Postman collections and environments the control plane serves: valid v2.1, every
operation of the provider's OpenAPI document, and the signing endpoint the Sales Order
collection relies on."""

import json
import re

import pytest

from mock_server.core.openapi import operations
from mock_server.core.postman import SCHEMA, PostmanSpec, Step, Variable, collection
from mock_server.registry import PROVIDERS
from tests.providers.sales_order.signing import DEMO_CLIENT, demo_private_key, sign

NAMES = [p.name for p in PROVIDERS]


@pytest.fixture
def admin(client_for):
    return client_for("admin")


def matches(template: str, path: str) -> bool:
    """A path as the collection sends it (seed ids, {{variables}}) fits the document's template."""
    pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
    return re.fullmatch(pattern, path) is not None


def sent_path(item):
    return "/" + "/".join(item["request"]["url"]["path"])


@pytest.mark.parametrize("name", NAMES)
def test_the_collection_is_v2_1_and_has_every_operation_of_the_document(admin, name):
    response = admin.get(f"/__admin/postman/{name}/collection")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        f'attachment; filename="{name}.postman_collection.json"'
    )
    body = response.json()
    assert body["info"]["schema"] == SCHEMA
    assert body["info"]["name"]
    assert body["info"]["_postman_id"]
    prerequest = [e for e in body["event"] if e["listen"] == "prerequest"]
    assert prerequest
    assert "".join(prerequest[0]["script"]["exec"]).strip()
    document = admin.get(f"/__admin/providers/{name}/openapi.json").json()
    wanted = [(method, path) for method, path, _ in operations(document)]
    items = body["item"]
    assert len(items) == len(wanted)
    for method, template in wanted:
        found = [
            i for i in items if i["request"]["method"] == method and matches(template, sent_path(i))
        ]
        assert found, f"{method} {template} is not in the {name} collection"
    for item in items:
        request = item["request"]
        assert request["url"]["raw"].startswith("{{base_url}}/")
        assert request["url"]["host"] == ["{{base_url}}"]


@pytest.mark.parametrize("name", NAMES)
def test_every_body_the_document_takes_is_sent_with_an_example(admin, name):
    document = admin.get(f"/__admin/providers/{name}/openapi.json").json()
    items = admin.get(f"/__admin/postman/{name}/collection").json()["item"]
    for method, template, operation in operations(document):
        if not operation.get("requestBody", {}).get("required"):
            continue
        item = next(
            i for i in items if i["request"]["method"] == method and matches(template, sent_path(i))
        )
        body = item["request"]["body"]
        assert body.get("raw") or body.get("urlencoded"), f"{method} {template} has no body"


@pytest.mark.parametrize("name", NAMES)
def test_the_environment_points_at_this_sandbox_with_demo_credentials(admin, sandbox, name):
    response = admin.get(f"/__admin/postman/{name}/environment")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    body = response.json()
    assert body["_postman_variable_scope"] == "environment"
    values = {v["key"]: v for v in body["values"]}
    assert values["base_url"]["value"] == f"http://127.0.0.1:{sandbox.ports()[name]}"
    assert values["admin_url"]["value"] == "http://127.0.0.1"  # as this client reached it
    demo = {c.client_id for p in PROVIDERS if p.name == name for c in p.demo_credentials}
    assert {v["value"] for v in body["values"]} & demo
    # Secrets are marked so, and Postman masks them.
    assert all(v["type"] == "secret" for k, v in values.items() if "secret" in k)


def test_both_at_once_and_an_unknown_provider(admin):
    both = admin.get("/__admin/postman/joss").json()
    assert set(both) == {"collection", "environment"}
    missing = admin.get("/__admin/postman/jos/collection")
    assert missing.status_code == 404
    assert "jos" in missing.json()["detail"]


def test_an_operation_no_step_names_is_included_with_its_example():
    """A stub a user declared is in the served document: it is in the collection too."""
    document = {
        "paths": {
            "/api/v1/known": {"get": {"summary": "Known"}},
            "/api/v1/stubs/{stub_id}": {
                "post": {
                    "summary": "A stub",
                    "parameters": [{"name": "stub_id", "in": "path", "example": "s-1"}],
                    "requestBody": {
                        "content": {"application/json": {"example": {"hello": "world"}}}
                    },
                }
            },
        }
    }
    spec = PostmanSpec(
        package="mock_server.providers.joss",
        script="postman.js",
        variables=(Variable("client_id", "x"),),
        order=("GET /api/v1/known",),
        steps={"GET /api/v1/known": Step(query={"page": "1"})},
    )
    items = collection("joss", "JOSS", document, spec, "http://127.0.0.1:1")["item"]
    assert [i["name"] for i in items] == ["Known", "A stub"]
    assert items[0]["request"]["url"]["raw"] == "{{base_url}}/api/v1/known?page=1"
    stub = items[1]["request"]
    assert stub["url"]["raw"] == "{{base_url}}/api/v1/stubs/s-1"
    assert json.loads(stub["body"]["raw"]) == {"hello": "world"}
    assert {"key": "Content-Type", "value": "application/json"} in stub["header"]


# -- the Sales Order signing endpoint -------------------------------------------------------------
SIGN = "/__admin/sales-order/sign"


def test_the_signing_endpoint_signs_for_the_demo_client_and_the_api_accepts_it(
    admin, client_for, sandbox
):
    so = client_for("sales_order")
    timestamp = str(int(sandbox.services.clock.now().timestamp()))
    response = admin.post(SIGN, json={"client_id": DEMO_CLIENT, "timestamp": timestamp})
    assert response.status_code == 200
    body = response.json()
    assert body["string_to_sign"] == f"{DEMO_CLIENT}|{timestamp}"
    # The same signature the doc's own steps make with the demo key.
    assert body["signature"] == sign(demo_private_key(), f"{DEMO_CLIENT}|{timestamp}")
    assert "PRIVATE" not in response.text
    login = so.post(
        "/api/v1/auth/login", json={"client_id": DEMO_CLIENT, "client_secret": "secret-key-123"}
    )
    headers = {
        "Authorization": f"Bearer {login.json()['token']}",
        "X-CLIENT-ID": DEMO_CLIENT,
        "X-TIMESTAMP": timestamp,
        "X-SIGNATURE": body["signature"],
    }
    assert so.get("/api/v1/products", headers=headers).status_code == 200


def test_the_signing_endpoint_refuses_a_client_whose_key_the_sandbox_does_not_hold(admin):
    # partner-client-002 registered no key; its private key, if it had one, would be its own.
    refused = admin.post(SIGN, json={"client_id": "partner-client-002", "timestamp": "1"})
    assert refused.status_code == 409
    assert "your own key" in refused.json()["detail"]
    assert admin.post(SIGN, json={"client_id": "nobody", "timestamp": "1"}).status_code == 404


def test_the_signing_endpoint_refuses_a_key_registered_over_the_demo_one(admin):
    from tests.providers.sales_order.signing import new_key, public_pem

    put = admin.put(
        f"/__admin/sales-order/clients/{DEMO_CLIENT}/public-key",
        json={"public_key": public_pem(new_key())},
    )
    assert put.status_code == 200
    refused = admin.post(SIGN, json={"client_id": DEMO_CLIENT, "timestamp": "1"})
    assert refused.status_code == 409


@pytest.mark.parametrize(
    "body",
    [
        {},  # no timestamp
        {"client_id": DEMO_CLIENT, "timestamp": ""},
        {"client_id": DEMO_CLIENT, "timestamp": "1" * 33},
        # The doc signs client_id|X-TIMESTAMP only: a body or path here would be a misunderstanding.
        {"client_id": DEMO_CLIENT, "timestamp": "1", "body": "{}"},
    ],
)
def test_the_signing_endpoint_refuses_a_malformed_request(admin, body):
    response = admin.post(SIGN, json=body)
    assert response.status_code == 422
    assert "PRIVATE" not in response.text


def test_the_private_key_is_in_no_answer_nor_the_journal(admin, sandbox):
    admin.post(SIGN, json={"client_id": DEMO_CLIENT, "timestamp": "1700000000"})
    admin.get("/__admin/postman/sales_order")
    sandbox.services.journal.flush()
    entries = admin.get("/__admin/requests", params={"per_page": 500}).json()
    assert "PRIVATE KEY" not in json.dumps(entries)
    for kind in ("collection", "environment"):
        text = admin.get(f"/__admin/postman/sales_order/{kind}").text
        assert "PRIVATE KEY" not in text


def test_a_production_joss_gets_the_production_demo_client(make_sandbox, client_for):
    from mock_server.providers.joss.config import JossSettings

    production = make_sandbox({"joss": JossSettings(environment="production")})
    admin = client_for("admin", production)
    values = admin.get("/__admin/postman/joss/environment").json()["values"]
    assert {v["key"]: v["value"] for v in values}["client_id"] == "joss-production-client"
