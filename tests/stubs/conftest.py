"""Fixtures for the stub tests: one stub file covering every provider, a sandbox serving it, and
for each provider a client that authenticates as its doc says (the package's reference
signers), so that a stub is seen exactly as a real client would see it."""

import json
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from mock_server.app import Sandbox
from mock_server.clients import AppKeyAuth, DigitalentAuth, JossAuth, SalesOrderAuth
from mock_server.registry import PROVIDERS


class KycBearer(httpx.Auth):
    """SATUSEHAT's gateway: a client-credentials token, then ``Authorization: Bearer``."""

    def __init__(self) -> None:
        self.token: str | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self.token is None:
            url = request.url.copy_with(
                path="/oauth2/v1/accesstoken", query=b"grant_type=client_credentials"
            )
            answer = yield httpx.Request(
                "POST",
                url,
                data={"client_id": "kyc-demo-client", "client_secret": "kyc-demo-secret"},
            )
            answer.read()
            self.token = answer.json()["access_token"]
        request.headers["Authorization"] = f"Bearer {self.token}"
        yield request


@dataclass(frozen=True)
class Case:
    """One provider as the stub tests see it."""

    provider: str
    auth: Callable[[Sandbox], httpx.Auth]
    # Whether the provider's doc has a single-use request id (and on which methods).
    replay_methods: tuple[str, ...]

    def is_error(self, body: Any) -> bool:
        return next(p for p in PROVIDERS if p.name == self.provider).contract.is_error(body)


CASES = {
    "digitalent": Case(
        "digitalent",
        lambda sb: DigitalentAuth(now=sb.services.clock.now),
        ("GET", "POST"),
    ),
    "joss": Case("joss", lambda sb: JossAuth(now=sb.services.clock.now), ("POST",)),
    "appkey": Case("appkey", lambda sb: AppKeyAuth(), ("GET", "POST")),
    "kyc": Case("kyc", lambda sb: KycBearer(), ()),
    # The doc has no request id: the time window alone limits replays.
    "sales_order": Case(
        "sales_order", lambda sb: SalesOrderAuth(now=sb.services.clock.timestamp), ()
    ),
}
assert set(CASES) == {p.name for p in PROVIDERS}, "every provider has a stub case"


def stubs_for(provider: str) -> list[dict[str, Any]]:
    """The same stubs for every provider, under a path of its own."""
    base = f"/stub/{provider}"
    return [
        {
            "provider": provider,
            "method": "GET",
            "path": f"{base}/peserta/{{nik}}",
            "summary": "A participant, made up from the request",
            "response": {
                "status": 200,
                "headers": {"X-Stub-Nik": "{{ path.nik }}"},
                "body": {
                    "nik": "{{ path.nik }}",
                    "page": "{{ query.page | default(1) | int }}",
                    "lang": "{{ headers['Accept-Language'] | default('id') }}",
                    "nama": "{{ fake.name() }}",
                    "served_as": "{{ client_id }}",
                    "at": "{{ now.isoformat() }}",
                    "greeting": "Halo {{ path.nik }}",
                },
            },
        },
        {
            "provider": provider,
            "method": "POST",
            "path": f"{base}/echo",
            "request": {"body": {"nama": "Budi"}},
            "response": {"status": 201, "body": {"diterima": "{{ body.nama }}", "n": 1}},
        },
        {
            "provider": provider,
            "method": "PUT",
            "path": f"{base}/items/{{item_id}}",
            "state": {"key": "item_id"},
            "request": {
                "body": {"warna": "merah", "jumlah": 2},
                "schema": {"type": "object", "properties": {"warna": {"type": "string"}}},
            },
            "response": {"status": 200, "body": {"saved": "{{ state }}"}},
        },
        {
            "provider": provider,
            "method": "GET",
            "path": f"{base}/items/{{item_id}}",
            "state": {"key": "item_id"},
        },
        {
            "provider": provider,
            "method": "DELETE",
            "path": f"{base}/items/{{item_id}}",
            "state": {"key": "item_id"},
            "response": {"status": 204},
        },
    ]


# A built-in endpoint answered by a stub instead (Digitalent's academy list).
OVERRIDE = {
    "provider": "digitalent",
    "method": "GET",
    "path": "/api/public/pelatihan/akademi",
    "response": {"body": {"success": True, "message": "OK", "data": [{"id": 1, "stub": True}]}},
}


def write_stub_file(path: Path, stubs: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps({"stubs": stubs}, indent=2))
    return path


@pytest.fixture
def stub_file(tmp_path: Path) -> Path:
    every = [stub for provider in CASES for stub in stubs_for(provider)]
    return write_stub_file(tmp_path / "stubs.json", [*every, OVERRIDE])


@pytest.fixture
def sandbox(make_sandbox: Callable[..., Sandbox], stub_file: Path) -> Sandbox:
    return make_sandbox(stubs=str(stub_file))


@pytest.fixture(params=sorted(CASES))
def case(request: pytest.FixtureRequest) -> Case:
    return CASES[request.param]


@pytest.fixture
def http(case: Case, client_for: Callable[[str], TestClient]) -> TestClient:
    return client_for(case.provider)


@pytest.fixture
def admin(client_for: Callable[[str], TestClient]) -> TestClient:
    return client_for("admin")
