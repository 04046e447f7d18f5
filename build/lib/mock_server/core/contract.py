"""What the shared contract suite (``tests/contract``) needs to know of a provider, declared by
the provider itself, so that a new provider is covered by the suite with nothing else to edit.

The suite signs the example request with the provider's own ``sign`` hook, then checks what every
provider shares: acceptance and journaling, replay, the time window, the error shape of unsigned
requests, unknown paths, bad and huge bodies, injected faults, the rate limit, and that the demo
secret never reaches the journal.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Example:
    """A request that succeeds once signed, and may be sent any number of times."""

    method: str
    path: str
    body: bytes = b""
    # False where the endpoint reads no body (a GET): the bad-body cases do not apply.
    parses_body: bool = True


@dataclass(frozen=True)
class Contract:
    example: Example
    secret: str  # the demo secret, which must never reach the journal
    is_error: Callable[[Any], bool]  # the provider's error shape, given the parsed JSON body
    # Spoils a signed request's credential (its signature, or its bearer).
    spoil: Callable[[dict[str, str]], dict[str, str]]
    bad_signature_status: int
    # The time window (seconds) from the provider's settings; None: no window moves with the
    # clock at all.
    window: Callable[[Any], float] | None = None
    # False when requests carry no timestamp of their own (the window is a token's lifetime).
    timestamped: bool = True
    expired_status: int | None = None  # the status outside the window
    replay_status: int | None = None  # None: the provider has no request ids


def spoil_header(name: str) -> Callable[[dict[str, str]], dict[str, str]]:
    """Replace the last characters of one header (a signature), keeping its length and alphabet."""
    lowered = name.lower()

    def spoil(headers: dict[str, str]) -> dict[str, str]:
        return {k: (v[:-6] + "AAAAA=" if k.lower() == lowered else v) for k, v in headers.items()}

    return spoil
