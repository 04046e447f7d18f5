"""The auth steps providers share, each a named check a provider's ``authenticate`` calls in its
own documented order.

Every step that can fail takes the provider's ``status``, ``rule`` and ``message`` as required
arguments, so each provider's wording and status stay visible where it is used. Failures go
through ``RequestContext.reject``: they raise in strict mode and are noted in lenient mode, where
the step returns and auth carries on.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from mock_server.core.clock import iso_z, skew_diagnosis
from mock_server.core.context import RequestContext
from mock_server.core.errors import ProviderError
from mock_server.core.redact import fingerprint

T = TypeVar("T")


def require_headers(
    req: RequestContext[Any],
    names: Sequence[str],
    *,
    status: int,
    rule: str,
    message: str,
    field_errors: bool = False,
) -> dict[str, str]:
    """Each named header's value ("" when missing); one rejection naming every missing one.
    ``field_errors``: also list them as ``errors`` (``{"field", "message": "required"}``)."""
    values, missing = req.header_values(names)
    if missing:
        req.reject(
            ProviderError(
                status,
                rule,
                message,
                detail="missing: " + ", ".join(missing),
                errors=[{"field": name, "message": "required"} for name in missing]
                if field_errors
                else None,
            )
        )
    return values


def client_active(
    req: RequestContext[Any],
    client: Any,
    client_id: str,
    *,
    status: int,
    rule: str,
    message: str,
    inactive: str = "inactive",
) -> None:
    """The client row exists and its ``active`` flag is set. ``inactive``: the provider's word."""
    if client is None or not client.active:
        state = "unknown" if client is None else inactive
        req.reject(
            ProviderError(status, rule, message, detail=f"client {client_id[:128]!r} is {state}")
        )


def timestamp_window(
    req: RequestContext[Any],
    sent_at: float,
    *,
    window: float,
    header: str,
    status: int,
    rule: str,
    message: str,
    clock: str = "the sandbox clock",
    note: str = "",
    diagnosis: Callable[[float], dict[str, Any]] | None = None,
) -> None:
    """The request's own timestamp (unix seconds) within ``window`` of the sandbox's now.

    Once the sandbox clock is moved (frozen or offset), a client that stamps its requests from
    its own clock would be locked out: with ``timestamp_clock`` "either" (the default), a
    timestamp within the window of the machine's clock (``req.wall_now``) passes too. Tokens,
    codes and every other state still follow the sandbox clock. While the clock is moved, the
    journal says which clock the timestamp matched (``timestamp_clock`` in the diagnosis).

    ``clock`` names the clock in the detail, ``note`` is appended to it, and ``diagnosis`` (given
    the skew from the sandbox clock) replaces the default skew diagnosis, which hints at local
    time sent as UTC.
    """
    skew = sent_at - req.now
    if req.wall_now is None:  # the clocks agree: one check, nothing to record
        if abs(skew) <= window:
            return
        req.reject(
            _out_of_window(skew, window, header, status, rule, message, clock, note, diagnosis)
        )
        return
    wall_skew = sent_at - req.wall_now
    either = req.timestamp_clock == "either"
    facts: dict[str, Any] = {
        "header": header,
        "sandbox_skew_seconds": round(skew, 3),
        "wall_clock_skew_seconds": round(wall_skew, 3),
        "window_seconds": window,
        "setting": f"MOCK_TIMESTAMP_CLOCK={req.timestamp_clock}",
    }
    if abs(skew) <= window:
        req.record.diagnosis["timestamp_clock"] = {"matched": "sandbox clock", **facts}
        return
    if either and abs(wall_skew) <= window:
        req.record.diagnosis["timestamp_clock"] = {"matched": "machine's wall clock", **facts}
        return
    err = _out_of_window(skew, window, header, status, rule, message, clock, note, diagnosis)
    wall = f"{abs(wall_skew):.0f} s {'ahead of' if wall_skew > 0 else 'behind'} the machine's clock"
    err.detail = (err.detail or "") + (
        f"; {wall}" if either else f"; {wall}, which MOCK_TIMESTAMP_CLOCK=sandbox does not accept"
    )
    moved = {"matched": "neither", **facts}
    if not either and abs(wall_skew) <= window:
        moved["hints"] = [
            "the sandbox clock is moved and the timestamp follows the machine's clock: "
            "MOCK_TIMESTAMP_CLOCK=either (--timestamp-clock either) accepts it"
        ]
    err.diagnosis = {**(err.diagnosis or {}), "timestamp_clock": moved}
    req.reject(err)


def _out_of_window(
    skew: float,
    window: float,
    header: str,
    status: int,
    rule: str,
    message: str,
    clock: str,
    note: str,
    diagnosis: Callable[[float], dict[str, Any]] | None,
) -> ProviderError:
    return ProviderError(
        status,
        rule,
        message,
        detail=f"{header} is {abs(skew):.0f} s {'ahead of' if skew > 0 else 'behind'} "
        f"{clock}; allowed: ±{window} s{note}",
        diagnosis=(diagnosis or (lambda s: skew_diagnosis(s, window)))(skew),
    )


async def request_id_unused(
    req: RequestContext[Any],
    client_id: str,
    request_id: str,
    *,
    status: int,
    rule: str,
    message: str,
    detail: str,
    diagnosis: dict[str, Any] | None = None,
) -> None:
    """Consume the request id: its first use passes, every reuse by this client is refused.
    Call it last, once the credentials verified, so a rejected request never burns an id."""
    if not await req.consume_request_id(client_id, request_id):
        req.reject(ProviderError(status, rule, message, detail=detail, diagnosis=diagnosis))


def not_expired(
    req: RequestContext[Any],
    expires_at: float,
    *,
    status: int,
    rule: str,
    message: str,
    what: str,
    renew: str,
    note: str = " (sandbox clock)",
    issued_at: float | None = None,
    body: Any = None,
) -> None:
    """A credential the sandbox issued is still live by the sandbox clock.

    The detail reads "<what> expired N s ago<note>"; ``renew`` (the diagnosis's hint) says how
    to get a new one. ``body``: the exact response body, where the provider documents one.
    """
    if req.now < expires_at:
        return
    ago = req.now - expires_at
    facts: dict[str, Any] = {"reason": "expired"}
    if issued_at is not None:
        facts["issued_at"] = iso_z(issued_at)
    facts |= {
        "expired_at": iso_z(expires_at),
        "sandbox_now": iso_z(req.now),
        "expired_seconds_ago": round(ago),
        "hint": renew,
    }
    req.reject(
        ProviderError(
            status,
            rule,
            message,
            detail=f"{what} expired {ago:.0f} s ago{note}",
            diagnosis=facts,
            body=body,
        )
    )


def parse_bearer(value: str) -> tuple[str, str]:
    """``Authorization`` split into (scheme, credential), both stripped; the credential is ""
    unless the scheme is Bearer (any case) and something follows it."""
    scheme, _, credential = value.strip().partition(" ")
    credential = credential.strip()
    return scheme, credential if scheme.lower() == "bearer" else ""


def near_misses(candidates: Iterable[tuple[str, T]], verifies: Callable[[T], bool]) -> list[str]:
    """The hints of the candidates that verify, in order, each once: what the client most
    likely did instead of the documented thing."""
    return list(dict.fromkeys(hint for hint, candidate in candidates if verifies(candidate)))


def signature_diagnosis(
    *,
    string_to_sign: str,
    expected: str,
    received: str,
    key: str | bytes,
    hints: Sequence[str] = (),
    received_limit: int = 256,
    expected_also: Mapping[str, str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """What the server signed and expected (``expected_also``: the same in other encodings), what
    it got, and the key's fingerprint (never the key); ``extra`` facts, then the near-miss hints."""
    diagnosis: dict[str, Any] = {
        "string_to_sign": string_to_sign[:4096],
        "expected_signature": expected,
        **(expected_also or {}),
        "received_signature": received[:received_limit],
        "key_fingerprint": fingerprint(key),
        **extra,
    }
    if hints:
        diagnosis["hints"] = list(hints)
    return diagnosis
