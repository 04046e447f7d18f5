"""One request, as the pipeline, a provider's auth and its handlers see it.

The pipeline creates a ``RequestContext`` for every request: the journal record being built, the
raw request (the path as sent, so signatures match byte for byte), the sandbox's ``now`` for this
request (read once), the provider's backend, and, once auth has run, the ``Principal`` it
established. Handlers receive it through one dependency: ``ContextDep``, or a provider's alias
that names its backend's type (``Annotated[RequestContext[Catalogue], Depends(request_context)]``).
Nothing else carries per-request state; one dependency, because FastAPI spends tens of
microseconds solving each one on every request.

Lenient mode: auth reports each failed check through ``reject``, which raises in strict mode and,
in lenient mode, notes "would have failed: …" and lets auth carry on, so every check runs and the
request is served.
"""

from collections.abc import Awaitable, Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any, Generic, Literal, TypeVar

from fastapi import Depends, Request
from starlette.types import Scope

from mock_server.core.errors import ProviderError
from mock_server.core.journal import Record
from mock_server.core.replay import ConsumedId, ReplayGuard

# The ASGI scope key the pipeline puts the context under: one place writes it, one reads it.
_SCOPE_KEY = "mock_server.context"


@dataclass(frozen=True)
class Principal:
    """What auth established about the caller. Providers subclass it to add what their handlers
    need (the token rows of a login, say).

    ``client_id`` is who the request is served as (the journal records it); ``credential`` says
    what proved it, in the provider's words: ``hmac``, ``bearer``, ``private_key``, ``none``.
    """

    client_id: str | None
    credential: str


ANONYMOUS = Principal(client_id=None, credential="none")

Backend = TypeVar("Backend")


@dataclass(slots=True)
class RequestContext(Generic[Backend]):
    provider: str
    method: str
    path: str  # as sent, percent-escapes and all
    query: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    record: Record
    now: float  # unix seconds by the sandbox clock, read once for the whole request
    replay: ReplayGuard
    backend: Backend  # the provider's backend: its state and logic
    lenient: bool = False
    # The machine's clock (unix seconds), set only when the sandbox clock is moved (frozen or
    # offset); ``timestamp_clock`` says whether a request's own timestamp may match it.
    wall_now: float | None = None
    timestamp_clock: Literal["either", "sandbox"] = "either"
    # The Host the HTTPS edge served the request under, as sent; None on the provider's own port.
    edge_host: str | None = None
    principal: Principal = ANONYMOUS
    consumed: list[ConsumedId] = field(default_factory=list)

    def header_values(self, names: Iterable[str]) -> tuple[dict[str, str], list[str]]:
        """Each named header's value, stripped ("" when absent), and the names missing or empty."""
        values = {name: self.headers.get(name.lower(), "").strip() for name in names}
        return values, [name for name, value in values.items() if not value]

    def first_header(self, name: str) -> str | None:
        """The first value of a header (``headers`` keeps the last), as Starlette's
        ``request.headers.get`` reads it: what a renderer sees for the same request."""
        wanted = name.lower().encode("latin-1")
        return next((v.decode("latin-1") for k, v in self.record.headers if k == wanted), None)

    def reject(self, err: ProviderError) -> None:
        """Fail a check: raise in strict mode; in lenient mode note it and return, so auth goes on
        with the next check it can still run (or returns early when none can)."""
        if not self.lenient:
            raise err
        note = f"{err.rule}: {err.message}" + (f" ({err.detail})" if err.detail else "")
        self.record.would_have_failed.append(note)
        if err.diagnosis:
            self.record.diagnosis.setdefault(err.rule, err.diagnosis)

    def identify(self, client_id: str | None) -> None:
        """Name the caller in the journal as soon as auth knows it, even if a later check fails."""
        self.record.client_id = client_id

    def consume_request_id(self, client_id: str, request_id: str) -> Awaitable[bool]:
        """Awaits True the first time this client uses this id. The pipeline gives the id back
        when it refuses the request after auth (the rate limit): a refused request must not burn
        it. Not a coroutine of its own: one await less on every request's path."""
        return self.replay.consume(
            self.provider, client_id, request_id, self.consumed_at, self.consumed
        )

    @property
    def consumed_at(self) -> float:
        """When a request id counts as used: the later of the two clocks a timestamp may match,
        so that moving the sandbox clock back and forth never purges an id whose request would
        still pass the window by the machine's clock (the purge goes by the earlier one)."""
        if self.wall_now is None or self.timestamp_clock == "sandbox":
            return self.now
        return max(self.now, self.wall_now)


def attach(scope: Scope, context: RequestContext[Any]) -> None:
    scope[_SCOPE_KEY] = context


def context_of(scope: Scope) -> RequestContext[Any] | None:
    """The request's context, or None where no pipeline ran (a bare app in a unit test)."""
    context: RequestContext[Any] | None = scope.get(_SCOPE_KEY)
    return context


async def request_context(request: Request) -> RequestContext[Any]:
    context = context_of(request.scope)
    if context is None:
        raise RuntimeError("no RequestContext: this app must run behind the ProviderPipeline")
    return context


ContextDep = Annotated[RequestContext[Any], Depends(request_context)]
