"""Shared fixtures: every test gets a sandbox on its own copy of a seeded SQLite file, with the
clock frozen at ``FROZEN``; nothing leaks between tests.

A module marked ``pytest.mark.both_databases`` runs each of its tests twice: on SQLite and on a
copy of a seeded database in a throwaway PostgreSQL server (tests/postgres.py)."""

import gc
import logging
import os
import shutil
import ssl
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx._transports.default
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from starlette.testclient import TestClient

from mock_server.app import Sandbox
from mock_server.core.config import Settings
from mock_server.core.locations import sqlite_url_for
from mock_server.core.provider_settings import ProviderSettings
from tests.helpers import seed_database, seed_template
from tests.postgres import ThrowawayPostgres, missing_reason


def _share_the_default_ssl_context() -> None:
    """An httpx client made with the default ``verify=True`` loads certifi's bundle into an
    SSLContext of its own: ~24 ms of CPU, and the suite makes over a thousand clients (a fresh
    connection per request where the kernel must pick a worker). One context serves them all;
    a client given its own ``verify`` (the HTTPS edge's tests) still gets what it asked for."""
    create = httpx._transports.default.create_ssl_context
    shared: dict[tuple[str | None, ...], ssl.SSLContext] = {}

    def create_ssl_context(
        verify: ssl.SSLContext | str | bool = True, cert: Any = None, trust_env: bool = True
    ) -> ssl.SSLContext:
        if verify is not True or cert is not None:
            return create(verify=verify, cert=cert, trust_env=trust_env)
        # What the default context is made from: certifi's bundle, or these when trusted.
        key = tuple(os.environ.get(v) for v in ("SSL_CERT_FILE", "SSL_CERT_DIR")) * trust_env
        if key not in shared:
            shared[key] = create(verify=True, trust_env=trust_env)
        return shared[key]

    httpx._transports.default.create_ssl_context = create_ssl_context  # type: ignore[assignment]


_share_the_default_ssl_context()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--contract-provider",
        action="append",
        default=[],
        metavar="MODULE:ATTRIBUTE",
        help="also hold this provider to the shared contract suite (tests/contract)",
    )


@pytest.hookimpl(optionalhook=True)  # the suite's own pytest runs go without xdist
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """``-n auto``: a worker more than the cores this process may use. Some tests wait, not
    compute (timeouts of slow clients, a locked database, a browser, newman): the extra worker
    computes meanwhile (on 2 cores, 3 workers: 133 s where 2 took 139 s, in the same hour).
    ``PYTEST_XDIST_AUTO_NUM_WORKERS`` and ``-n logical`` keep their meaning (xdist decides)."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS") or config.option.numprocesses != "auto":
        return None
    return len(os.sched_getaffinity(0)) + 1


# A full collection waits for 100 younger ones, not Python's 10. A test process keeps a large,
# long-lived heap (the modules, the collected tests, the sandboxes a module shares) that each
# full collection walks again: 38 of them took 7.4 s of the 3 workers' time in one parallel run
# (gc.callbacks timings), of the 15 s all the suite's processes spent collecting. With 100, 20
# full collections took 4.3 s, of 12 s.
FULL_COLLECTION_AFTER = 100


def pytest_configure(config: pytest.Config) -> None:
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_AFTER)
    config.addinivalue_line(
        "markers", "both_databases: run on SQLite and on a throwaway PostgreSQL server"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "database" in metafunc.fixturenames and metafunc.definition.get_closest_marker(
        "both_databases"
    ):
        metafunc.parametrize("database", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture(autouse=True)
def sandbox_loggers_restored() -> Iterator[None]:
    """The sandbox's loggers as they were before the test. A test that runs ``serve`` in this
    process (to see it refuse a flag or a file) leaves it to attach handlers to the test's
    captured stdout and stderr; a later test's sandbox then logged into those closed streams:
    "--- Logging error ---" and a call stack in the middle of the run's output."""
    loggers = [logging.getLogger(name) for name in ("mock_server", "mock_server.requests")]
    kept = [(lg, lg.handlers[:], lg.level, lg.propagate) for lg in loggers]
    yield
    for logger, handlers, level, propagate in kept:
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate = propagate


@pytest.fixture
def database(request: pytest.FixtureRequest) -> str:
    """Which database the test's sandbox keeps its state in: sqlite unless parametrized."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="session")
def postgres() -> Iterator[ThrowawayPostgres]:
    """One throwaway server per test process (initdb and start: ~1.5 s)."""
    reason = missing_reason()
    if reason:
        pytest.skip(reason)
    server = ThrowawayPostgres().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_template(postgres: ThrowawayPostgres) -> str:
    """The name of a PostgreSQL database seeded like ``seeded_template``, for tests to copy."""
    seed_database(postgres.create_database("seeded"))
    return "seeded"


@pytest.fixture
def copy_database(
    request: pytest.FixtureRequest, database: str, tmp_path: Path
) -> Iterator[Callable[[str | None], str]]:
    """``copy(template)``: the URL of a fresh copy of a seeded database, on the test's backend.
    ``template``: a SQLite file's path, or (PostgreSQL) a template database's name; None for an
    empty database."""
    dropped: list[str] = []
    server: ThrowawayPostgres | None = None

    def copy(template: str | None) -> str:
        nonlocal server
        if database == "sqlite":
            path = tmp_path / f"state{len(list(tmp_path.glob('state*.db')))}.db"
            if template is None:
                path.touch()  # an empty file: SQLite makes a new database in it
            else:
                shutil.copyfile(template, path)
            return sqlite_url_for(path)
        server = request.getfixturevalue("postgres")
        name = f"t_{uuid.uuid4().hex[:16]}"
        dropped.append(name)
        return server.create_database(name, template)

    yield copy
    for name in dropped:
        assert server is not None
        server.drop_database(name)


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One database seeded with the clock frozen at FROZEN; each test copies it."""
    return seed_template(tmp_path_factory.mktemp("template") / "seeded.db")


@pytest.fixture
def make_sandbox(
    request: pytest.FixtureRequest, database: str, copy_database: Callable[[str], str]
) -> Iterator[Callable[..., Sandbox]]:
    made: list[Sandbox] = []
    template = (
        str(request.getfixturevalue("seeded_template"))
        if database == "sqlite"
        else request.getfixturevalue("postgres_template")
    )

    def make(
        provider_settings: dict[str, ProviderSettings] | None = None, **settings: Any
    ) -> Sandbox:
        url = copy_database(template)
        sandbox = Sandbox(Settings(database_url=url, **settings), provider_settings).open()
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
    """An in-process HTTP client for one provider's port (or "admin").

    The test's clients share one event loop, as the ports of a real server do. (A TestClient
    left to itself starts a thread and an event loop for every request: ~7,000 per run.)"""
    clients: list[TestClient] = []
    loop: list[BlockingPortal] = []
    with ExitStack() as stack:

        def make(name: str, target: Sandbox | None = None) -> TestClient:
            app = (target or sandbox).apps[name]
            # The control plane answers loopback host names only (DNS rebinding), as a browser
            # or curl on this machine would send them.
            base_url = "http://127.0.0.1" if name == "admin" else "http://testserver"
            client = TestClient(app, base_url=base_url, raise_server_exceptions=False)
            if not loop:  # the first client starts it; at the end, clients close, then it stops
                loop.append(stack.enter_context(start_blocking_portal(**client.async_backend)))
                stack.enter_context(closing_all(clients))
            client.portal = loop[0]
            clients.append(client)
            return client

        yield make


@contextmanager
def closing_all(clients: list[TestClient]) -> Iterator[None]:
    try:
        yield
    finally:
        for client in clients:
            client.close()
