"""The request pipeline every provider port runs, in order:

    journal  ->  faults  ->  body limit  ->  provider auth  ->  rate limit  ->  handler

The journal wraps everything, so rejections are recorded too. Injected faults come before auth, as
an outage would. Auth runs before routing, as a gateway would: an unauthenticated client learns
nothing about which paths exist. Rejections at any stage are ``ProviderError``s, rendered in the
provider's own error shape.

The pipeline creates the request's ``RequestContext`` (``core/context.py``): auth gets it, sets
nothing on it but through its own ``reject`` / ``identify`` / ``consume_request_id``, and returns
the ``Principal`` it established; the handler receives the same context through ``ContextDep``.
"""

import asyncio
import logging
import re
import time
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_server.core.clock import Clock
from mock_server.core.context import RequestContext, attach, context_of
from mock_server.core.control import Control, Controls, RateLimiter
from mock_server.core.db import is_busy
from mock_server.core.edge import edge_host
from mock_server.core.errors import ProviderError
from mock_server.core.faults import FaultBook, FaultRuleDict
from mock_server.core.journal import Journal, Record, new_journal_id
from mock_server.core.provider import Authenticate, RenderError
from mock_server.core.redact import redact_path
from mock_server.core.replay import ReplayGuard

log = logging.getLogger("mock_server")

# FastAPI's native OpenTelemetry looks up its providers on every request; the sandbox exports
# no traces, so its apps turn it off (`FastAPI(telemetry=NO_TELEMETRY)`).
NO_TELEMETRY: Any = {"tracing": False, "metrics": False, "logs": False}

JOURNAL_HEADER = b"x-mock-journal-id"
WOULD_HAVE_FAILED = b"x-mock-would-have-failed"


class ProviderPipeline:
    def __init__(
        self,
        *,
        name: str,
        app: ASGIApp,
        authenticate: Authenticate,
        render_error: RenderError,
        journal: Journal,
        clock: Clock,
        max_body_bytes: int,
        secret_headers: frozenset[str],
        faults: FaultBook,
        controls: Controls,
        limiter: RateLimiter,
        replay: ReplayGuard,
        backend: object,
        timestamp_clock: Literal["either", "sandbox"] = "either",
        secret_path: str | None = None,
    ) -> None:
        self.name = name
        self.timestamp_clock: Literal["either", "sandbox"] = timestamp_clock
        self.backend = backend
        self.app = app
        self.authenticate = authenticate
        self.render_error = render_error
        self.journal = journal
        self.clock = clock
        self.max_body_bytes = max_body_bytes
        self.secret_headers = secret_headers
        self.secret_path = re.compile(secret_path) if secret_path else None
        # The same pattern anywhere in a text, for answers that hand such a URL out.
        self.secret_in_text = re.compile(secret_path.removeprefix("^")) if secret_path else None
        self.faults = faults
        self.controls = controls
        self.limiter = limiter
        self.replay = replay

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
        now = self.clock.timestamp()  # read once: the whole request sees one sandbox time
        # Clients stamp requests from their own clock: once the sandbox's is moved, the window
        # checks may need the machine's too (core.auth.timestamp_window).
        wall_now = time.time() if self.clock.moved else None
        path = raw_path.decode("latin-1")
        rec = Record(
            id=new_journal_id(),
            at=now,
            provider=self.name,
            method=scope["method"],
            path=redact_path(path, self.secret_path),  # what the journal and console show
            query=scope["query_string"].decode("latin-1"),
            headers=scope["headers"],
            body=b"",
            secret_headers=self.secret_headers,
            secret_in_text=self.secret_in_text,
        )
        control = self.controls.get(self.name)
        excerpt_bytes = self.journal.excerpt_bytes
        ctx = RequestContext(
            provider=self.name,
            method=rec.method,
            path=path,
            query=rec.query,
            headers={k.decode("latin-1").lower(): v.decode("latin-1") for k, v in rec.headers},
            body=b"",
            record=rec,
            now=now,
            replay=self.replay,
            backend=self.backend,
            lenient=control.auth_mode == "lenient",
            wall_now=wall_now,
            timestamp_clock=self.timestamp_clock,
            edge_host=edge_host(scope),
        )
        attach(scope, ctx)

        async def journaled(message: Message) -> None:
            if message["type"] == "http.response.start":
                rec.status = message["status"]
                message["headers"] = rec.response_headers = [
                    *message.get("headers", ()),
                    (JOURNAL_HEADER, rec.id.encode()),
                ]
            elif message["type"] == "http.response.body" and (chunk := message.get("body")):
                rec.response_size += len(chunk)
                if len(rec.response_body) < excerpt_bytes:  # kept: the excerpt's first bytes
                    rec.response_body += chunk[: excerpt_bytes - len(rec.response_body)]
            await send(message)

        send_journaled: Send = journaled
        try:
            if await self.inject_faults(rec, path, send):
                return
            rec.body = ctx.body = await read_body(scope, receive, self.max_body_bytes)
            if (short := short_body(scope, len(rec.body))) is not None:
                rec.diagnosis["body"] = short
            if (cut := body_cut(scope, len(rec.body))) is not None:
                raise cut
            ctx.principal = await self.authenticate(ctx)
            rec.client_id = ctx.principal.client_id
            if rec.would_have_failed:
                send_journaled = with_header(
                    send_journaled, WOULD_HAVE_FAILED, "; ".join(rec.would_have_failed)
                )
            if control.rate_limit and rec.client_id:
                try:
                    self.check_rate(rec.client_id, control, now)
                except ProviderError:
                    self.replay.release(ctx.consumed)  # the refused request keeps its id unspent
                    raise
            await self.app(scope, replay_body(rec.body, receive), send_journaled)
        except DroppedConnection:
            raise  # the caller sees the connection fail, as a client of a real server would
        except ProviderError as err:
            if rec.status:  # the handler already answered; nothing more can be sent
                log.error("%s: rejection after the response started: %r", self.name, err)
            else:
                note_rejection(rec, err)
                response = self.render_error(err, Request(scope))
                await respond(response, err, scope, receive, send_journaled)
        except Exception as exc:
            # Never a traceback to the client: log it here, answer in the provider's shape.
            if is_busy(exc):
                crash = database_busy()  # another process holds the state file: say so, briefly
            else:
                log.exception("%s %s %s failed", self.name, rec.method, rec.path)
                crash = internal_error()
            if not rec.status:
                note_rejection(rec, crash)
                response = self.render_error(crash, Request(scope))
                await respond(response, crash, scope, receive, send_journaled)
        finally:
            rec.duration_ms = (time.perf_counter() - started) * 1000
            self.journal.record(rec)

    async def inject_faults(self, rec: Record, path: str, send: Send) -> bool:
        """Apply the fault rules matching this request. True when the connection was dropped."""
        if not self.faults.rules(self.name):
            return False
        for rule in self.faults.match(self.name, rec.method, path):
            rec.diagnosis.setdefault("faults", []).append(rule["id"])
            if rule["action"] == "latency":
                await asyncio.sleep((rule["latency_ms"] or 0) / 1000)
            elif rule["action"] == "drop":
                rec.rule, rec.message = "fault", f"connection dropped by fault {rule['id']}"
                cycle = getattr(send, "__self__", None)  # uvicorn's request-response cycle
                transport = getattr(cycle, "transport", None)
                if cycle is not None and transport is not None:  # close without a byte
                    transport.abort()
                    # Tell uvicorn the client is gone, so it neither answers 500 nor logs one.
                    cycle.disconnected = True
                    return True
                raise DroppedConnection(rec.message)  # no socket to drop (an in-process client)
            else:
                raise fault_error(rule)
        return False

    def check_rate(self, client_id: str, control: Control, now: float) -> None:
        retry = self.limiter.hit(
            self.name, client_id, control.rate_limit, control.rate_limit_window, now
        )
        if retry is not None:
            raise ProviderError(
                429,
                "rate_limit",
                "Too Many Requests",
                detail=f"more than {control.rate_limit} requests in "
                f"{control.rate_limit_window:g} s from this client",
                headers={"Retry-After": str(int(retry))},
            )


class DroppedConnection(ConnectionAbortedError):
    """A drop fault where there is no transport to close: the ASGI caller gets this error."""


FAULT_MESSAGES = {
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def fault_error(rule: FaultRuleDict) -> ProviderError:
    status = rule["status"] or 503
    headers = {"Retry-After": str(rule["retry_after"])} if rule["retry_after"] else {}
    return ProviderError(
        status,
        "fault",
        FAULT_MESSAGES.get(status, "Injected fault"),
        detail=f"injected by fault rule {rule['id']}",
        headers=headers,
        body=rule["body"],
    )


def with_header(send: Send, name: bytes, value: str) -> Send:
    # Header values are ASCII in practice (clients decode them as UTF-8 or reject them).
    encoded = value.replace("±", "+/-").encode("ascii", "replace")[:1024]

    async def send_with_header(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", ()), (name, encoded)]
        await send(message)

    return send_with_header


async def read_body(scope: Scope, receive: Receive, limit: int) -> bytes:
    for name, value in scope["headers"]:
        if name == b"content-length":
            if not value.isdigit():
                raise ProviderError(
                    400, "content_length", "Bad Request", detail="Content-Length is not a number"
                )
            if int(value) > limit:
                raise payload_too_large(int(value), limit)
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            scope.setdefault("extensions", {})[BODY_DISCONNECT] = {}
            break
        chunk = message.get("body", b"")
        if chunk:
            size += len(chunk)
            if size > limit:
                raise payload_too_large(size, limit)
            chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


# Keys of the ASGI scope's ``extensions`` saying the body ended early: the server protocol sets
# BODY_TIMEOUT ({"seconds": N}) when it stopped waiting; read_body sets BODY_DISCONNECT.
BODY_TIMEOUT = "mock_server.body_timeout"
BODY_DISCONNECT = "mock_server.body_disconnect"


def body_cut(scope: Scope, received: int) -> ProviderError | None:
    """The error for a body that never fully arrived: a cut body is never acted on."""
    extensions = scope.get("extensions") or {}
    if BODY_TIMEOUT in extensions:
        seconds = extensions[BODY_TIMEOUT]["seconds"]
        return ProviderError(
            408,
            "body_timeout",
            "Request Timeout",
            detail=f"the request body did not arrive within {seconds:g} s "
            f"({received} bytes had arrived)",
        )
    if BODY_DISCONNECT in extensions:
        return ProviderError(
            400,
            "body_incomplete",
            "Bad Request",
            detail=f"the connection closed after {received} bytes of the request body",
        )
    return None


def short_body(scope: Scope, received: int) -> dict[str, Any] | None:
    """What to say when fewer body bytes arrived than the request's Content-Length declared.

    The request is still judged, over the bytes that did arrive (as a real server would see
    them); without this note a signature computed over the whole body fails with no reason.
    """
    for name, value in scope["headers"]:
        if name == b"content-length" and value.isdigit() and int(value) != received:
            return {
                "content_length": int(value),
                "bytes_received": received,
                "hints": [
                    f"the request declared Content-Length: {int(value)} but {received} bytes of "
                    "body arrived before the client closed the connection; everything the "
                    "server checked (JSON, signature) was computed over those bytes",
                    "make sure the client writes the whole body, and that nothing between it "
                    "and the sandbox (a proxy, an HTTP/2 upgrade) drops or truncates it",
                ],
            }
    return None


def payload_too_large(size: int, limit: int) -> ProviderError:
    return ProviderError(
        413,
        "body_too_large",
        "Payload Too Large",
        detail=f"the request body is {size} bytes; the limit is {limit} bytes",
    )


def database_busy() -> ProviderError:
    return ProviderError(
        503,
        "database_busy",
        "Service Unavailable",
        detail="the sandbox's state database is locked by another process; retry shortly",
        headers={"Retry-After": "1"},
        diagnosis={
            "hints": [
                "another program (a second mock-server on the same --db, a SQLite browser, a "
                "backup) holds a write lock on the state file; close it, or give each "
                "sandbox its own file",
                "MOCK_DB_BUSY_TIMEOUT_MS sets how long a request waits for the lock",
            ]
        },
    )


def internal_error() -> ProviderError:
    return ProviderError(
        500,
        "internal",
        "Internal Server Error",
        detail="the sandbox failed on this request; its console has the traceback",
    )


def replay_body(body: bytes, receive: Receive) -> Receive:
    """Hand the already-read body to the handler once, then defer to the real channel."""
    sent = False

    async def receive_again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return receive_again


def note_rejection(rec: Record, err: ProviderError) -> None:
    rec.rule = err.rule
    rec.message = err.message if not err.detail else f"{err.message} ({err.detail})"
    if err.diagnosis:
        rec.diagnosis.update(err.diagnosis)


async def respond(
    response: Response, err: ProviderError, scope: Scope, receive: Receive, send: Send
) -> None:
    for name, value in err.headers.items():
        response.headers[name] = value
    await response(scope, receive, send)


def render_rejection(request: Request, err: ProviderError, render_error: RenderError) -> Response:
    """A handler's ``ProviderError`` as the provider's answer, noted in the request's journal."""
    ctx = context_of(request.scope)
    if ctx is not None:
        note_rejection(ctx.record, err)
    response = render_error(err, request)
    for name, value in err.headers.items():
        response.headers[name] = value
    return response


def install_error_handlers(app: FastAPI, render_error: RenderError) -> None:
    """Make every error a handler or the router raises come out in the provider's shape."""

    def render(request: Request, err: ProviderError) -> Response:
        return render_rejection(request, err, render_error)

    async def on_provider_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ProviderError)
        return render(request, exc)

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 404:
            err = ProviderError(
                404, "unknown_path", "Not Found", detail=f"no endpoint at {request.url.path}"
            )
        elif exc.status_code == 405:
            err = ProviderError(
                405,
                "method_not_allowed",
                "Method Not Allowed",
                detail=f"{request.method} is not allowed on {request.url.path}",
                headers=dict(exc.headers or {}),
            )
        else:
            err = ProviderError(exc.status_code, "http_error", str(exc.detail))
        return render(request, err)

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = [
            {
                "field": ".".join(str(p) for p in e["loc"][1:]) or str(e["loc"][0]),
                "message": e["msg"],
            }
            for e in exc.errors()
        ]
        return render(
            request,
            ProviderError(
                400, "validation", "Bad Request", detail="invalid parameters", errors=errors
            ),
        )

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        # Starlette re-raises after this answer; ProviderPipeline logs the traceback once (and
        # not for a locked database, which answers 503 here as it does outside FastAPI).
        return render(request, database_busy() if is_busy(exc) else internal_error())

    app.add_exception_handler(ProviderError, on_provider_error)
    app.add_exception_handler(HTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(Exception, on_unexpected)
