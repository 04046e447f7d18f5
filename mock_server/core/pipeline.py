"""The request pipeline every provider port runs, in order:

    journal  ->  body limit  ->  provider auth  ->  handler

The journal wraps everything, so rejections are recorded too. Auth runs before routing, as a
gateway would: an unauthenticated client learns nothing about which paths exist. Rejections at any
stage are ``ProviderError``s, rendered in the provider's own error shape.
"""

import logging
import time
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_server.core.clock import Clock
from mock_server.core.errors import ProviderError
from mock_server.core.journal import Journal, Record, new_journal_id
from mock_server.core.provider import Authenticate, RenderError

log = logging.getLogger("mock_server")

JOURNAL_HEADER = b"x-mock-journal-id"


@dataclass(slots=True)
class Incoming:
    """A request as auth sees it: the raw path as sent, so signatures match byte for byte."""

    method: str
    path: str
    query: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    record: Record


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
    ) -> None:
        self.name = name
        self.app = app
        self.authenticate = authenticate
        self.render_error = render_error
        self.journal = journal
        self.clock = clock
        self.max_body_bytes = max_body_bytes
        self.secret_headers = secret_headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
        rec = Record(
            id=new_journal_id(),
            at=self.clock.timestamp(),
            provider=self.name,
            method=scope["method"],
            path=raw_path.decode("latin-1"),
            query=scope["query_string"].decode("latin-1"),
            headers=scope["headers"],
            body=b"",
            secret_headers=self.secret_headers,
        )
        scope.setdefault("state", {})["mock"] = rec

        async def send_journaled(message: Message) -> None:
            if message["type"] == "http.response.start":
                rec.status = message["status"]
                message["headers"] = [
                    *message.get("headers", ()),
                    (JOURNAL_HEADER, rec.id.encode()),
                ]
            await send(message)

        try:
            rec.body = await read_body(scope, receive, self.max_body_bytes)
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in rec.headers}
            incoming = Incoming(rec.method, rec.path, rec.query, headers, rec.body, rec)
            rec.client_id = await self.authenticate(incoming)
            await self.app(scope, replay_body(rec.body, receive), send_journaled)
        except ProviderError as err:
            if rec.status:  # the handler already answered; nothing more can be sent
                log.error("%s: rejection after the response started: %r", self.name, err)
            else:
                note_rejection(rec, err)
                response = self.render_error(err, Request(scope))
                await respond(response, err, scope, receive, send_journaled)
        except Exception:
            # Never a traceback to the client: log it here, answer in the provider's shape.
            log.exception("%s %s %s failed", self.name, rec.method, rec.path)
            if not rec.status:
                err = internal_error()
                note_rejection(rec, err)
                response = self.render_error(err, Request(scope))
                await respond(response, err, scope, receive, send_journaled)
        finally:
            rec.duration_ms = (time.perf_counter() - started) * 1000
            self.journal.record(rec)


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


def payload_too_large(size: int, limit: int) -> ProviderError:
    return ProviderError(
        413,
        "body_too_large",
        "Payload Too Large",
        detail=f"the request body is {size} bytes; the limit is {limit} bytes",
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


def install_error_handlers(app: FastAPI, render_error: RenderError) -> None:
    """Make every error a handler or the router raises come out in the provider's shape."""

    def render(request: Request, err: ProviderError) -> Response:
        rec: Record | None = request.scope.get("state", {}).get("mock")
        if rec is not None:
            note_rejection(rec, err)
        response = render_error(err, request)
        for name, value in err.headers.items():
            response.headers[name] = value
        return response

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
        # Starlette re-raises after this answer; ProviderPipeline logs the traceback once.
        return render(request, internal_error())

    app.add_exception_handler(ProviderError, on_provider_error)
    app.add_exception_handler(HTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(Exception, on_unexpected)
