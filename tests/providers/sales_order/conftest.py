from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from mock_server.app import Sandbox
from tests.providers.sales_order.signing import signed_headers


@pytest.fixture
def so(client_for: Callable[[str], TestClient]) -> TestClient:
    return client_for("sales_order")


@pytest.fixture
def signed(sandbox: Sandbox) -> Callable[..., dict[str, str]]:
    """Headers signed at the sandbox's current time (the clock is frozen in tests)."""

    def make(**kwargs: Any) -> dict[str, str]:
        return signed_headers(sandbox.services.clock.now(), **kwargs)

    return make
