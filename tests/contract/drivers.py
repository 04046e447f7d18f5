"""What the shared contract suite needs to know of each provider: how to sign a request, one
request that must succeed, and how its errors look. A provider added to the registry without a
driver here fails the suite."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tests.helpers import digitalent_headers


@dataclass(frozen=True)
class Driver:
    # headers for (method, path, body, sandbox time, request id)
    sign: Callable[[str, str, bytes, datetime, str], dict[str, str]]
    accepted: tuple[str, str, bytes]  # a request that succeeds once signed
    secret: str  # the demo secret, which must never reach the journal
    is_error: Callable[[Any], bool]  # the provider's error shape
    window: Callable[[Any], int]  # the time window (seconds) from the provider's settings
    replay_status: int | None  # None: the provider has no request ids
    expired_status: int
    bad_signature_status: int


def digitalent_sign(
    method: str, path: str, body: bytes, at: datetime, request_id: str
) -> dict[str, str]:
    return digitalent_headers(method, path, body, at=at, request_id=request_id)


DRIVERS: dict[str, Driver] = {
    "digitalent": Driver(
        sign=digitalent_sign,
        accepted=("POST", "/api/public/pelatihan/akademi", b'{"id":1}'),
        secret="dts-demo-secret",
        is_error=lambda body: body.get("success") is False and isinstance(body.get("message"), str),
        window=lambda settings: settings.timestamp_window,
        replay_status=409,
        expired_status=408,
        bad_signature_status=401,
    ),
}
