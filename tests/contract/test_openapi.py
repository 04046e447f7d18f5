"""Each provider's OpenAPI document, as served by the control plane, is complete: valid, every
operation declares its body, its credentials and its error answers, and the examples match the
schemas they illustrate and what the sandbox really answers."""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from starlette.testclient import TestClient

from mock_server.app import Sandbox
from mock_server.registry import PROVIDERS
from tests.stubs.conftest import OVERRIDE, stubs_for, write_stub_file

NAMES = [p.name for p in PROVIDERS]
# Operations that take no credential scheme: each checks its own (form, URL token) or none.
OPEN = {
    "sales_order": {"/api/v1/auth/login", "/api/v1/auth/refresh"},
    "kyc": {
        "/oauth2/v1/accesstoken",
        "/kyc/v1/validation-web/{token}",
        "/kyc/v1/validation-web/{token}/challenge-code",
        "/kyc/v1/validation-web/{token}/verify",
    },
}
# The x-app-key token operations whose only input is the bearer.
BODILESS = {
    "appkey": {"/api/v1/auth/access-token", "/api/v1/auth/refresh-token", "/api/v1/auth/logout"}
}
METHODS = {"get", "put", "post", "delete", "patch"}


@pytest.fixture
def sandbox(make_sandbox: Callable[..., Sandbox], tmp_path: Path) -> Sandbox:
    """Every document with stubs loaded (tests/stubs): their operations are held to the same
    rules as the built-in ones."""
    every = [stub for provider in NAMES for stub in stubs_for(provider)]
    return make_sandbox(stubs=str(write_stub_file(tmp_path / "stubs.json", [*every, OVERRIDE])))


def document_of(client_for: Callable[[str], TestClient], name: str) -> dict[str, Any]:
    response = client_for("admin").get(f"/__admin/providers/{name}/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method.upper(), path, operation


def conforms(document: dict[str, Any], schema: dict[str, Any], value: Any) -> list[str]:
    """What in ``value`` breaks ``schema`` (whose $refs point into the document)."""
    root = {**schema, "components": document.get("components", {})}
    return [error.message for error in Draft202012Validator(root).iter_errors(value)]


@pytest.mark.parametrize("name", NAMES)
def test_each_document_passes_the_openapi_spec_validator(name, client_for):
    validate(document_of(client_for, name))


@pytest.mark.parametrize("name", NAMES)
def test_every_operation_declares_its_body_credentials_and_errors(name, client_for):
    document = document_of(client_for, name)
    schemes = document["components"]["securitySchemes"]
    assert all(s.get("description") for s in schemes.values()), schemes
    for method, path, operation in operations(document):
        where = f"{name} {method} {path}"
        if path not in OPEN.get(name, ()):
            assert operation.get("security"), where
            for requirement in operation["security"]:
                assert set(requirement) <= set(schemes), where
        if method in {"POST", "PUT"} and path not in BODILESS.get(name, ()):
            assert "requestBody" in operation, where
        errors = {s: r for s, r in operation["responses"].items() if s.startswith(("4", "5"))}
        assert {"429", "503"} <= set(errors), where
        for status, answer in errors.items():
            if "text/html" in answer.get("content", {}):
                continue  # the KYC page's own HTML answers
            medium = answer["content"]["application/json"]
            assert medium["examples"], f"{where} {status}"
            for example in medium["examples"].values():
                assert conforms(document, medium["schema"], example["value"]) == [], where


@pytest.mark.parametrize("name", NAMES)
def test_every_body_example_matches_its_schema(name, client_for):
    document = document_of(client_for, name)
    bodies = 0
    for method, path, operation in operations(document):
        for media, medium in operation.get("requestBody", {}).get("content", {}).items():
            assert "example" in medium, f"{name} {method} {path} {media}"
            if media == "application/json":
                assert conforms(document, medium["schema"], medium["example"]) == []
                bodies += 1
    assert bodies


@pytest.mark.parametrize("name", NAMES)
def test_a_refused_request_gets_an_answer_the_document_declares(name, client_for):
    """Unsigned, every secured operation is refused; status and body are as documented."""
    document = document_of(client_for, name)
    client = client_for(name)
    checked = 0
    for method, path, operation in operations(document):
        if path in OPEN.get(name, ()) or "{" in path:
            continue
        response = client.request(method, path)
        answer = operation["responses"].get(str(response.status_code))
        assert answer is not None, f"{method} {path} -> {response.status_code} undeclared"
        schema = answer["content"]["application/json"]["schema"]
        assert conforms(document, schema, response.json()) == [], response.text
        checked += 1
    assert checked


def test_joss_put_company_takes_the_company_with_its_region(client_for):
    document = document_of(client_for, "joss")
    put = document["paths"]["/api/v1/companies/{company_id}"]["put"]
    body = put["requestBody"]["content"]["application/json"]
    company = document["components"]["schemas"]["Company"]
    assert "region" in company["required"]
    assert body["example"]["region"]["type"] == "city"
    assert put["security"] == [{"Client-Id": [], "Signature": []}]
    signature = document["components"]["securitySchemes"]["Signature"]
    assert signature["in"] == "header"
    assert signature["description"].startswith('"HMACSHA256=" + base64(HMAC-SHA256')
    assert "Digest" in signature["description"]
    headers = {p["name"]: p for p in put["parameters"] if p["in"] == "header"}
    assert headers["Request-Timestamp"]["required"]
    assert headers["Request-Id"]["required"]
    for status in ("400", "401", "403", "404", "406", "409", "413", "415", "422"):
        assert status in put["responses"], status
    assert "application/xml" in put["responses"]["401"]["content"]
    example = put["responses"]["401"]["content"]["application/json"]["examples"]["signature"]
    assert example["value"]["message"] == "Invalid signature"
    # a GET consumes no Request-Id, so it cannot be a 409
    assert "409" not in document["paths"]["/api/v1/companies/{company_id}"]["get"]["responses"]


def test_kyc_generate_url_is_oauth2_secured_and_takes_either_body(client_for):
    document = document_of(client_for, "kyc")
    scheme = document["components"]["securitySchemes"]["oauth2"]
    assert scheme["type"] == "oauth2"
    assert scheme["flows"]["clientCredentials"]["tokenUrl"].startswith("/oauth2/v1/accesstoken")
    generate = document["paths"]["/kyc/v1/generate-url"]["post"]
    assert generate["security"] == [{"oauth2": []}]
    content = generate["requestBody"]["content"]
    assert set(content) == {"text/plain", "application/json"}
    assert content["text/plain"]["example"].startswith("-----BEGIN ENCRYPTED MESSAGE-----")
    assert content["application/json"]["example"]["agent_name"] == "Bambang Wisanggeni"
    fault = generate["responses"]["401"]["content"]["application/json"]
    assert fault["schema"] == {"$ref": "#/components/schemas/fault"}
    token = document["paths"]["/oauth2/v1/accesstoken"]["post"]
    assert "security" not in token
    assert "application/x-www-form-urlencoded" in token["requestBody"]["content"]
    assert [p["name"] for p in token["parameters"]] == ["grant_type"]
    outcome = token["responses"]["401"]["content"]["application/json"]
    assert outcome["schema"] == {"$ref": "#/components/schemas/OperationOutcome"}


def test_digitalent_declares_the_documented_answers(client_for):
    document = document_of(client_for, "digitalent")
    akademi = document["paths"]["/api/public/pelatihan/akademi"]["post"]
    assert akademi["requestBody"]["content"]["application/json"]["example"] == {"id": 10}
    messages = {
        status: [
            e["value"]["message"]
            for e in answer["content"]["application/json"]["examples"].values()
        ]
        for status, answer in akademi["responses"].items()
        if status >= "400"
    }
    assert "Missing required headers" in messages["400"]
    assert messages["403"] == ["Invalid or inactive Client ID"]
    assert messages["408"] == ["Request timestamp expired"]
    assert messages["401"] == ["Invalid signature"]


def test_appkey_operations_name_the_bearer_they_take(client_for):
    paths = document_of(client_for, "appkey")["paths"]

    def security(path: str, method: str = "post") -> set[str]:
        return set(paths[path][method]["security"][0])

    assert security("/api/v1/auth/login") == {"x-app-key", "private_key"}
    assert security("/api/v1/auth/access-token") == {"x-app-key", "refresh_token"}
    assert security("/api/v1/auth/refresh-token") == {"x-app-key", "user_token_bearer"}
    assert security("/api/v1/users/me", "get") == {"x-app-key", "access_token", "x-user-token"}
    assert security("/api/v1/provinces", "get") == {"x-app-key", "access_token"}
    language = next(
        p for p in paths["/api/v1/users/me"]["get"]["parameters"] if p["name"] == "x-language"
    )
    assert language["schema"]["enum"] == ["id", "en"]
    assert not language["required"]


def test_sales_order_declares_its_errors_beside_its_schemes(client_for):
    document = document_of(client_for, "sales_order")
    create = document["paths"]["/api/v1/sales-orders"]["post"]
    assert set(create["security"][0]) == {"X-CLIENT-ID", "X-TIMESTAMP", "X-SIGNATURE", "JWT-auth"}
    example = create["requestBody"]["content"]["application/json"]["example"]
    assert example["customer_code"] == "CUST-001"
    for status in ("400", "401", "403", "409", "413", "422"):
        assert status in create["responses"], status
    login = document["paths"]["/api/v1/auth/login"]["post"]
    assert "security" not in login
    assert "401" in login["responses"]


def test_the_document_is_built_on_first_request_and_kept(sandbox: Sandbox, client_for):
    app = sandbox.provider_apps["joss"]
    assert getattr(app, "openapi_schema", "absent") is None  # start-up built nothing
    first = document_of(client_for, "joss")
    kept = getattr(app, "openapi_schema", None)
    assert kept is not None
    assert document_of(client_for, "joss") == first
    assert getattr(app, "openapi_schema", None) is kept


@pytest.mark.parametrize("name", NAMES)
def test_each_document_lists_its_stubs_behind_the_providers_security(name, client_for):
    document = document_of(client_for, name)
    paths = document["paths"]
    echo = paths[f"/stub/{name}/echo"]["post"]
    assert echo["tags"] == ["stubs"]
    assert echo["security"]  # the provider's own scheme, as on its built-in operations
    assert echo["requestBody"]["content"]["application/json"]["example"] == {"nama": "Budi"}
    assert echo["responses"]["201"]["content"]["application/json"]["example"]["n"] == 1
    item = paths[f"/stub/{name}/items/{{item_id}}"]
    assert set(item) >= {"get", "put", "delete"}
    assert [p["name"] for p in item["get"]["parameters"] if p["in"] == "path"] == ["item_id"]
    assert "Stateful" in item["get"]["description"]


def test_a_stub_on_a_built_in_endpoint_replaces_its_operation(client_for):
    akademi = document_of(client_for, "digitalent")["paths"]["/api/public/pelatihan/akademi"]
    assert akademi["get"]["tags"] == ["stubs"]
    assert (
        akademi["get"]["responses"]["200"]["content"]["application/json"]["example"]
        == (OVERRIDE["response"]["body"])
    )
    assert "stubs" not in akademi["post"].get("tags", [])  # the other method stays built-in
