"""Shared fixtures: every test gets a sandbox on its own copy of a seeded SQLite file, with the
clock frozen at ``FROZEN``; nothing leaks between tests."""

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from mock_server.app import Sandbox
from mock_server.core.config import Settings, sqlite_url_for
from mock_server.core.provider import ProviderSettings
from tests.helpers import seed_template


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--contract-provider",
        action="append",
        default=[],
        metavar="MODULE:ATTRIBUTE",
        help="also hold this provider to the shared contract suite (tests/contract)",
    )


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One database seeded with the clock frozen at FROZEN; each test copies it."""
    return seed_template(tmp_path_factory.mktemp("template") / "seeded.db")


@pytest.fixture
def make_sandbox(tmp_path: Path, seeded_template: Path) -> Iterator[Callable[..., Sandbox]]:
    made: list[Sandbox] = []

    def make(
        provider_settings: dict[str, ProviderSettings] | None = None, **settings: Any
    ) -> Sandbox:
        path = tmp_path / f"state{len(made)}.db"
        shutil.copyfile(seeded_template, path)
        sandbox = Sandbox(
            Settings(database_url=sqlite_url_for(path), **settings), provider_settings
        ).open()
        made.append(sandbox)
        return sandbox

    yield make
    for sandbox in made:
        sandbox.close()


@pytest.fixture
def sandbox(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    return make_sandbox()


@pytest.fixture
def client_for(sandbox: Sandbox) -> Iterator[Callable[[str], TestClient]]:
    """An in-process HTTP client for one provider's port (or "admin")."""
    clients: list[TestClient] = []

    def make(name: str, target: Sandbox | None = None) -> TestClient:
        app = (target or sandbox).apps[name]
        # The control plane answers loopback host names only (DNS rebinding), as a browser
        # or curl on this machine would send them.
        base_url = "http://127.0.0.1" if name == "admin" else "http://testserver"
        client = TestClient(app, base_url=base_url, raise_server_exceptions=False)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
