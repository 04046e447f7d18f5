"""pytest plugin (registered through the ``pytest11`` entry point): the whole sandbox for your
tests, started once per session on free ports with in-memory state, reset before each test.

    def test_my_client_signs_digitalent(mock_sandbox):
        client = MyDigitalentClient(base_url=mock_sandbox.url("digitalent"),
                                    **mock_sandbox.credential("digitalent"))
        client.get_academy(1)
        assert mock_sandbox.journal.count(provider="digitalent", outcome="accepted") == 1
        mock_sandbox.journal.assert_nothing_rejected()

Fixtures: ``mock_sandbox`` (reset before the test) and ``mock_sandbox_session`` (not reset).

pytest loads this module in every test session of a project that has the package installed, so
the sandbox itself (every provider's stack) is imported only when a fixture is first used.
"""

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

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


@dataclass
class MockSandbox:
    """A running sandbox: base URLs, demo credentials, clock, faults, journal."""

    urls: dict[str, str]
    admin: AdminClient
    sandbox: Any  # the in-process mock_server.app.Sandbox, for what HTTP does not reach

    def __post_init__(self) -> None:
        self.journal = Journal(self.admin)
        self.clock = Clock(self.admin)
        self.faults = Faults(self.admin)

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
                settings=self.sandbox.services.provider_settings[provider],
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


@pytest.fixture(scope="session")
def mock_sandbox_session() -> Iterator[MockSandbox]:
    from mock_server.app import Sandbox
    from mock_server.core.config import Settings
    from mock_server.registry import PROVIDERS
    from mock_server.serve import bind_all, build_server

    # On loopback and without a token whatever the environment says (MOCK_ADMIN_TOKEN may be set
    # for a Docker sandbox), so the plugin's own control-plane client needs none.
    settings = Settings(
        memory=True, host="127.0.0.1", admin_port=0, admin_token=None, log_level="warning"
    )
    ports = {p.name: p.settings_cls(port=0) for p in PROVIDERS}
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
        yield MockSandbox(urls=urls, admin=admin, sandbox=sandbox)
    finally:
        admin.close()
        server.should_exit = True
        thread.join(10)
        sandbox.close()


@pytest.fixture
def mock_sandbox(mock_sandbox_session: MockSandbox) -> MockSandbox:
    mock_sandbox_session.reset()
    return mock_sandbox_session
