"""pytest plugin (registered through the ``pytest11`` entry point): the whole sandbox for your
tests, started once per session on free ports with in-memory state, reset before each test.

    def test_my_client_signs_digitalent(mock_sandbox):
        client = MyDigitalentClient(base_url=mock_sandbox.url("digitalent"),
                                    **mock_sandbox.credential("digitalent"))
        client.get_academy(1)
        assert mock_sandbox.journal.count(provider="digitalent", outcome="accepted") == 1
        mock_sandbox.journal.assert_nothing_rejected()

Stubs for one test, behind the provider's real auth (docs/stubs.md):
``mock_sandbox.stubs.add("joss", method="GET", path="/api/v1/x", response={"body": {}})``.

Fixtures: ``mock_sandbox`` (reset before the test) and ``mock_sandbox_session`` (not reset).

Against a sandbox that is already running (the Docker image as a CI service):
``pytest --mock-server-url http://mock:7100`` (or ``MOCK_SERVER_URL``), with the control plane's
token from ``--mock-server-token`` or ``MOCK_ADMIN_TOKEN``. Provider URLs are the control plane's
host with each provider's port as the control plane reports it.

Provider settings for one test, on a sandbox of its own (in-process only; a running sandbox's
settings are its own): ``@pytest.mark.mock_server_settings(sales_order={"token_lifetime": 5})``.

pytest loads this module in every test session of a project that has the package installed, so
the sandbox itself (every provider's stack) is imported only when a fixture is first used.
"""

import os
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import pytest

from mock_server.admin.client import AdminClient


class Journal:
    def __init__(self, admin: AdminClient) -> None:
        self._admin = admin

    def entries(self, **filters: Any) -> list[dict[str, Any]]:
        """Newest first; filters as ``GET /__admin/requests`` takes them."""
        return self._admin.requests(**filters)

    def count(self, **filters: Any) -> int:
        return self._admin.count(**filters)

    def get(self, journal_id: str) -> dict[str, Any]:
        return self._admin.request(journal_id)

    def assert_nothing_rejected(self, **filters: Any) -> None:
        rejected = self._admin.requests(outcome="rejected", **filters)
        assert not rejected, "rejected: " + "; ".join(
            f"{e['method']} {e['path']} -> {e['status']} {e['rule']}: {e['message']} [{e['id']}]"
            for e in rejected
        )

    def assert_nothing_would_fail(self, **filters: Any) -> None:
        """For lenient mode: no request would have failed in strict mode."""
        flagged = self._admin.requests(would_have_failed=True, **filters)
        assert not flagged, "would have failed: " + "; ".join(
            f"{e['method']} {e['path']}: {', '.join(e['would_have_failed'])} [{e['id']}]"
            for e in flagged
        )


class Clock:
    def __init__(self, admin: AdminClient) -> None:
        self._admin = admin

    def now(self) -> datetime:
        return datetime.fromisoformat(self._admin.clock()["now"].replace("Z", "+00:00"))

    def freeze(self, at: datetime | str = "now") -> None:
        self._admin.freeze(at)

    def advance(self, seconds: float) -> None:
        self._admin.advance(seconds)

    def resume(self) -> None:
        self._admin.resume()


class Faults:
    def __init__(self, admin: AdminClient) -> None:
        self._admin = admin

    def add(self, provider: str, **rule: Any) -> dict[str, Any]:
        """``faults.add("joss", status=503, times=2)``; also action="latency"/"drop"."""
        return self._admin.add_fault(provider, **rule)

    def clear(self) -> None:
        self._admin.clear_faults()


class Stubs:
    """Stubs for one test (docs/stubs.md), through the control plane: the reset before the next
    test drops them."""

    def __init__(self, admin: AdminClient) -> None:
        self._admin = admin

    def add(self, provider: str, /, **stub: Any) -> dict[str, Any]:
        """``stubs.add("digitalent", method="GET", path="/api/public/peserta/{nik}",
        response={"body": {"nik": "{{ path.nik }}"}})``: served behind the provider's auth."""
        return self._admin.add_stub(provider, **stub)

    def list(self, provider: str) -> list[dict[str, Any]]:
        return self._admin.stubs(provider)

    def clear(self, provider: str) -> int:
        return self._admin.clear_stubs(provider)


@dataclass
class MockSandbox:
    """A running sandbox: base URLs, demo credentials, clock, faults, stubs, journal."""

    urls: dict[str, str]
    admin: AdminClient
    # The in-process mock_server.app.Sandbox, for what HTTP does not reach; None when the plugin
    # drives a sandbox that was already running (--mock-server-url).
    sandbox: Any
    # Each provider's settings, which signing reads (its windows, its key files).
    provider_settings: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.journal = Journal(self.admin)
        self.clock = Clock(self.admin)
        self.faults = Faults(self.admin)
        self.stubs = Stubs(self.admin)

    def url(self, provider: str) -> str:
        return self.urls[provider]

    def credential(self, provider: str, role: str | None = None) -> dict[str, str]:
        """A demo credential as ``{"client_id", "client_secret"}`` (the first, or by role)."""
        from mock_server.registry import by_name

        for credential in by_name(provider).demo_credentials:
            if role is None or credential.role == role:
                return {"client_id": credential.client_id, "client_secret": credential.secret}
        raise KeyError(f"{provider} has no {role!r} demo credential")

    def sign(self, provider: str, method: str, path: str, body: bytes = b"") -> dict[str, str]:
        """The headers of a correctly signed request, with the demo credential."""
        from mock_server.core.provider import SignInput
        from mock_server.registry import by_name

        chosen = by_name(provider)
        assert chosen.sign is not None, f"{provider} has no signer"
        return chosen.sign(
            SignInput(
                method=method.upper(),
                path=path,
                body=body,
                client_id=None,
                secret=None,
                key_file=None,
                now=self.clock.now(),
                base_url=self.urls[provider],
                settings=self.provider_settings[provider],
            )
        )

    def lenient(self, provider: str) -> None:
        self.admin.control(provider, auth_mode="lenient")

    def strict(self, provider: str) -> None:
        self.admin.control(provider, auth_mode="strict")

    def reset(self) -> None:
        """Every provider back to its seed; journal, faults and switches cleared; real time."""
        # Real time first: a reset lays the seed out around the sandbox's now, and the previous
        # test may have frozen or moved it.
        self.admin.resume()
        self.admin.reset()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mock-server")
    group.addoption(
        "--mock-server-url",
        default=os.environ.get("MOCK_SERVER_URL"),
        help="use the already running sandbox whose control plane is at this URL instead of "
        "starting one in-process (MOCK_SERVER_URL)",
    )
    group.addoption(
        "--mock-server-token",
        default=os.environ.get("MOCK_ADMIN_TOKEN"),
        help="its control plane's token (MOCK_ADMIN_TOKEN)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "mock_server_settings(**providers): provider settings for this test's own sandbox, "
        'e.g. sales_order={"token_lifetime": 5}',
    )


@contextmanager
def in_process(provider_settings: Mapping[str, Mapping[str, Any]]) -> Iterator[MockSandbox]:
    """The whole sandbox in this process, in memory, on free loopback ports."""
    from pydantic import ValidationError

    from mock_server.app import Sandbox
    from mock_server.core.config import Settings
    from mock_server.registry import PROVIDERS
    from mock_server.serve import bind_all, build_server

    unknown = sorted(set(provider_settings) - {p.name for p in PROVIDERS})
    if unknown:
        raise pytest.UsageError(
            f"mock_server_settings: unknown provider {', '.join(unknown)}; known: "
            + ", ".join(p.name for p in PROVIDERS)
        )
    by_provider = {p.name: p for p in PROVIDERS}
    for name, changes in provider_settings.items():
        fields = by_provider[name].settings_cls.model_fields
        # The settings ignore unknown keys (they also read the whole environment): a misspelt
        # one here would leave the default in force without a word. Ports are the plugin's.
        wrong = sorted((set(changes) - set(fields)) | ({"port"} & set(changes)))
        if wrong:
            raise pytest.UsageError(
                f"mock_server_settings: {name} has no setting {', '.join(wrong)}; known: "
                + ", ".join(f for f in fields if f != "port")
            )
    # On loopback and without a token whatever the environment says (MOCK_ADMIN_TOKEN may be set
    # for a Docker sandbox), so the plugin's own control-plane client needs none.
    settings = Settings(
        memory=True, host="127.0.0.1", admin_port=0, admin_token=None, log_level="warning"
    )
    try:
        ports = {
            p.name: p.settings_cls.from_environment(
                **{**provider_settings.get(p.name, {}), "port": 0}
            )
            for p in PROVIDERS
        }
    except ValidationError as exc:
        raise pytest.UsageError(f"mock_server_settings: {exc}") from None
    sandbox = Sandbox(settings, ports).open()
    sockets = bind_all(sandbox)
    bound = {name: sock.getsockname()[1] for name, sock in sockets.items()}
    server = build_server(sandbox, bound)
    server.announce = False
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": list(sockets.values())}, daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the mock-server sandbox did not start")
        time.sleep(0.01)
    urls = {name: f"http://127.0.0.1:{port}" for name, port in bound.items()}
    admin = AdminClient(urls["admin"])
    try:
        yield MockSandbox(
            urls=urls,
            admin=admin,
            sandbox=sandbox,
            provider_settings=sandbox.services.provider_settings,
        )
    finally:
        admin.close()
        server.should_exit = True
        thread.join(10)
        sandbox.close()


@contextmanager
def running(url: str, token: str | None) -> Iterator[MockSandbox]:
    """A sandbox started elsewhere (a Docker service, another terminal), through its control
    plane. Its providers are reached on the control plane's host, at the ports it reports."""
    from mock_server.admin.protocol import AdminError
    from mock_server.registry import by_name

    admin = AdminClient(url, token=token)
    try:
        providers = admin.providers()
    except AdminError as exc:
        admin.close()
        raise pytest.UsageError(f"--mock-server-url {url}: {exc}") from None
    host = urlsplit(admin.url).hostname or "127.0.0.1"
    host = f"[{host}]" if ":" in host else host
    scheme = urlsplit(admin.url).scheme or "http"
    urls = {"admin": admin.url} | {p["name"]: f"{scheme}://{host}:{p['port']}" for p in providers}
    try:
        yield MockSandbox(
            urls=urls,
            admin=admin,
            sandbox=None,
            provider_settings={p["name"]: by_name(p["name"]).settings_cls() for p in providers},
        )
    finally:
        admin.close()


@pytest.fixture(scope="session")
def mock_sandbox_session(request: pytest.FixtureRequest) -> Iterator[MockSandbox]:
    url = request.config.getoption("--mock-server-url")
    if url:
        with running(url, request.config.getoption("--mock-server-token")) as remote:
            yield remote
        return
    with in_process({}) as local:
        yield local


@pytest.fixture
def mock_sandbox(request: pytest.FixtureRequest) -> Iterator[MockSandbox]:
    marker = request.node.get_closest_marker("mock_server_settings")
    if marker is None:
        shared: MockSandbox = request.getfixturevalue("mock_sandbox_session")
        shared.reset()
        yield shared
        return
    if request.config.getoption("--mock-server-url"):
        pytest.fail(
            "mock_server_settings needs a sandbox of the test's own, but --mock-server-url "
            "points at a running one: start that one with those settings instead"
        )
    with in_process(marker.kwargs) as own:
        yield own
