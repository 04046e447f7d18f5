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
    # the time window (seconds) from the provider's settings; None: the provider has no
    # timestamp window (its window tests are skipped)
    window: Callable[[Any], int] | None
    replay_status: int | None  # None: the provider has no request ids
    expired_status: int | None  # None with window None
    bad_signature_status: int  # status when the credential is spoiled (see `spoil`)
    # Spoils the credential in signed headers. None: the last characters of `Signature` are
    # changed. Providers without a signature spoil their bearer credential instead.
    spoil: Callable[[dict[str, str]], dict[str, str]] | None = None


def digitalent_sign(
    method: str, path: str, body: bytes, at: datetime, request_id: str
) -> dict[str, str]:
    return digitalent_headers(method, path, body, at=at, request_id=request_id)


APPKEY_LOGIN = b'{"username":"demo@example.com","password":"demo-password"}'


def appkey_sign(
    method: str, path: str, body: bytes, at: datetime, request_id: str
) -> dict[str, str]:
    """The x-app-key conventions for a login: app key, request id, the private key as bearer.
    Nothing is signed and nothing carries a time, so `at` does not apply."""
    return {
        "x-app-key": "appkey-demo-public",
        "x-request-id": request_id,
        "Authorization": "Bearer appkey-demo-private",
        "Content-Type": "application/json",
    }


def appkey_spoil(headers: dict[str, str]) -> dict[str, str]:
    return headers | {"Authorization": "Bearer appkey-demo-privatX"}


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
    "appkey": Driver(
        sign=appkey_sign,
        accepted=("POST", "/api/v1/auth/login", APPKEY_LOGIN),
        secret="appkey-demo-private",
        is_error=lambda body: (
            body.get("success") is False
            and isinstance(body.get("message"), str)
            and isinstance(body.get("code"), str)
        ),
        window=None,
        replay_status=409,
        expired_status=None,
        bad_signature_status=401,
        spoil=appkey_spoil,
    ),
}
