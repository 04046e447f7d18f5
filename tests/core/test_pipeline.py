"""The pipeline every provider port runs, exercised through a throwaway provider."""

from datetime import datetime
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from pydantic_settings import SettingsConfigDict
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.testclient import TestClient

from mock_server.app import Sandbox
from mock_server.core.apps import provider_app
from mock_server.core.config import Settings
from mock_server.core.context import ContextDep, Principal, RequestContext
from mock_server.core.contract import Contract, Example, spoil_header
from mock_server.core.errors import ProviderError
from mock_server.core.locations import sqlite_url_for
from mock_server.core.provider import (
    Authenticate,
    Provider,
    ProviderContext,
    SeedContext,
)
from mock_server.core.provider_settings import ProviderSettings


class FakeSettings(ProviderSettings):
    model_config = SettingsConfigDict(env_prefix="MOCK_FAKE_")
    port: int = 7199


def render(err: ProviderError, request: Request) -> JSONResponse:
    if request.headers.get("accept") == "text/plain":  # renderers see the request's headers
        return PlainTextResponse(err.message, status_code=err.status)
    return JSONResponse({"fault": err.message, "rule": err.rule}, status_code=err.status)


router = APIRouter()


@router.get("/ok")
async def ok(ctx: ContextDep) -> dict[str, Any]:
    return {"fine": True, "as": ctx.principal.client_id, "now": ctx.now}


@router.get("/boom")
async def boom() -> None:
    raise RuntimeError("secret internal detail")


def build_app(ctx: ProviderContext) -> FastAPI:
    return provider_app([router], render, title="Fake")


def build_authenticate(ctx: ProviderContext) -> Authenticate:
    async def authenticate(req: RequestContext) -> Principal:
        if req.headers.get("x-explode"):
            raise KeyError("auth bug")
        if req.headers.get("x-deny"):
            raise ProviderError(401, "denied", "Denied", headers={"WWW-Authenticate": "Fake"})
        return Principal("fake-client", "none")

    return authenticate


def seed(ctx: SeedContext) -> None:
    pass


FAKE = Provider(
    name="fake",
    title="Fake",
    auth="none",
    settings_class="tests.core.test_pipeline:FakeSettings",
    backend=lambda ctx: ctx,
    routes=build_app,
    authenticate=build_authenticate,
    render_error=render,
    seed=seed,
    demo_credentials=(),
    contract=Contract(
        example=Example("GET", "/ok", parses_body=False),
        secret="-",
        is_error=lambda body: "fault" in body,
        spoil=spoil_header("x-deny"),
        bad_signature_status=401,
    ),
)


@pytest.fixture
def fake(tmp_path):
    sandbox = Sandbox(Settings(database_url=sqlite_url_for(tmp_path / "f.db")), providers=[FAKE])
    sandbox.open()
    client = TestClient(sandbox.apps["fake"], raise_server_exceptions=False)
    yield sandbox, client
    client.close()
    sandbox.close()


def test_accepted_requests_are_journaled_with_the_client(fake):
    sandbox, client = fake
    response = client.get("/ok?x=1")
    entry = sandbox.services.journal.get(response.headers["x-mock-journal-id"])
    # The handler sees what auth established, and the one sandbox time the journal records.
    at = datetime.fromisoformat(entry["at"].replace("Z", "+00:00")).timestamp()
    assert response.json() == {
        "fine": True,
        "as": "fake-client",
        "now": pytest.approx(at, abs=1e-3),
    }
    assert entry["client_id"] == "fake-client"
    assert entry["query"] == "x=1"
    assert entry["status"] == 200
    assert entry["duration_ms"] > 0


def test_handler_crash_is_a_500_in_the_providers_shape_without_a_traceback(fake, caplog):
    sandbox, client = fake
    response = client.get("/boom")
    assert response.status_code == 500
    assert response.json() == {"fault": "Internal Server Error", "rule": "internal"}
    assert "secret internal detail" not in response.text
    assert sandbox.services.journal.get(response.headers["x-mock-journal-id"])["rule"] == "internal"
    assert "secret internal detail" in caplog.text  # the console still gets the traceback


def test_auth_crash_is_a_500_in_the_providers_shape(fake):
    _, client = fake
    response = client.get("/ok", headers={"x-explode": "1"})
    assert response.status_code == 500
    assert response.json()["rule"] == "internal"


def test_rejection_headers_reach_the_client(fake):
    _, client = fake
    response = client.get("/ok", headers={"x-deny": "1"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Fake"
    assert response.json() == {"fault": "Denied", "rule": "denied"}


def test_bad_content_length_is_400(fake):
    _, client = fake
    response = client.get("/ok", headers={"content-length": "abc"})
    assert response.status_code == 400
    assert response.json()["rule"] == "content_length"


def test_unknown_route_and_method_use_the_providers_shape(fake):
    _, client = fake
    assert client.get("/nowhere").json() == {"fault": "Not Found", "rule": "unknown_path"}
    response = client.post("/ok")
    assert response.status_code == 405
    assert response.json()["rule"] == "method_not_allowed"


def test_the_renderer_sees_the_request(fake):
    _, client = fake
    response = client.get("/ok", headers={"x-deny": "1", "accept": "text/plain"})
    assert response.status_code == 401
    assert response.text == "Denied"
