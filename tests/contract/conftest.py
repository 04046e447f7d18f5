"""The providers under contract: every registered one, plus any named with
``--contract-provider module:attribute`` (the option is declared in ``tests/conftest.py``). That
is how a new provider, like the throwaway one of ``test_a_new_provider.py``, is held to the suite
before it is registered."""

import importlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from mock_server.app import Sandbox
from mock_server.core.config import Settings
from mock_server.core.provider import Provider
from mock_server.registry import PROVIDERS
from tests.contract import tally
from tests.helpers import seed_database, seed_template
from tests.postgres import ThrowawayPostgres


def providers_under_contract(config: pytest.Config) -> tuple[Provider[Any], ...]:
    extra = []
    for spec in config.getoption("--contract-provider"):
        module, _, attribute = spec.partition(":")
        extra.append(getattr(importlib.import_module(module), attribute or "provider"))
    return (*PROVIDERS, *extra)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "provider_name" in metafunc.fixturenames:
        names = [p.name for p in providers_under_contract(metafunc.config)]
        metafunc.parametrize("provider_name", names)


@pytest.fixture(scope="session")
def contract_template(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """One database with every provider under contract seeded, the clock frozen at FROZEN."""
    path = tmp_path_factory.mktemp("contract") / "seeded.db"
    return seed_template(path, providers_under_contract(request.config))


@pytest.fixture(scope="session")
def contract_postgres_template(request: pytest.FixtureRequest, postgres: ThrowawayPostgres) -> str:
    """The same, as a PostgreSQL template database."""
    seed_database(postgres.create_database("contract"), providers_under_contract(request.config))
    return "contract"


@pytest.fixture
def contract_sandbox(
    request: pytest.FixtureRequest, database: str, copy_database: Callable[[str], str]
) -> Iterator[Sandbox]:
    template = (
        str(request.getfixturevalue("contract_template"))
        if database == "sqlite"
        else request.getfixturevalue("contract_postgres_template")
    )
    sandbox = Sandbox(
        Settings(database_url=copy_database(template)),
        providers=providers_under_contract(request.config),
    ).open()
    yield sandbox
    sandbox.close()


@pytest.fixture
def contract_client(contract_sandbox: Sandbox) -> Iterator[Callable[[str], TestClient]]:
    clients: list[TestClient] = []

    def make(name: str) -> TestClient:
        client = TestClient(
            contract_sandbox.apps[name],
            base_url="http://testserver",
            raise_server_exceptions=False,
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def pytest_sessionfinish(session: pytest.Session) -> None:
    # Under pytest-xdist each worker counts its own requests: hand them to the controller.
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["fuzz_tally"] = [[*key, n] for key, n in tally.SENT.items()]


@pytest.hookimpl(optionalhook=True)  # an xdist hook: absent without it
def pytest_testnodedown(node: Any, error: Any) -> None:
    for suite, kind, n in getattr(node, "workeroutput", {}).get("fuzz_tally", []):
        tally.SENT[suite, kind] += n


def pytest_terminal_summary(terminalreporter: Any) -> None:
    lines = tally.summary()
    if lines:
        terminalreporter.section("requests sent by the fuzz suites")
        for line in lines:
            terminalreporter.write_line(line)
