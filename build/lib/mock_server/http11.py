"""HTTP/1.1 for clients that ask to upgrade to a protocol the sandbox does not speak.

The JDK's ``java.net.http.HttpClient`` (Java 11+, default settings) opens every plain-HTTP
connection with ``Connection: Upgrade, HTTP2-Settings`` and ``Upgrade: h2c``, and writes the
headers and the body separately. httptools treats every request carrying an upgrade as having no
body: the message ends after the headers and the body bytes are left as "the other protocol",
which uvicorn then ignores (an open upstream defect). The request reached the provider with an
empty body, so a login was "a JSON body is required" and a signed PUT failed its signature.

RFC 9110 section 7.8 lets a server ignore an upgrade it does not want and answer in HTTP/1.1,
which is what every real provider's server does. This protocol does that: when the parser stops
for an upgrade other than a WebSocket one, a fresh parser takes over the same connection, told
only how the body is framed (the request's own ``Content-Length`` or chunked encoding), so the
body and any request after it are read as HTTP/1.1.
"""

import asyncio
from typing import ClassVar

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from mock_server.core.pipeline import BODY_TIMEOUT

SWEEP_SECONDS = 0.5  # how often slow connections are looked for: a cut comes at most this late


class Http11Protocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, serving unsupported upgrades as plain HTTP/1.1.

    Only ``data_received`` differs, and only once the parser stops for an upgrade: every other
    request takes uvicorn's own path, callback for callback.

    It also bounds slow clients, which uvicorn leaves unbounded (a connection that sends nothing,
    or drips its headers or body a byte at a time, is otherwise held for ever): the headers must
    arrive within ``header_timeout`` seconds of the connection opening or of the request's first
    byte, the body within ``body_timeout`` seconds of the headers, and no more than
    ``max_connections`` connections are held at once (beyond that, new ones are closed at once).
    """

    header_timeout: ClassVar[float] = 10.0
    body_timeout: ClassVar[float] = 10.0
    max_connections: ClassVar[int] = 1000
    # What the connection is waiting for ("headers", "body" or None while a handler runs or the
    # connection idles between requests, which uvicorn's keep-alive timeout bounds) and since
    # when. A sweep each second compares them: two attribute writes a request, where a timer
    # per request would cost a timer handle armed and cancelled twice.
    _waiting: str | None = None
    _since = 0.0
    _sweeping: ClassVar[set[asyncio.AbstractEventLoop]] = set()

    @classmethod
    def configured(
        cls, *, header_timeout: float, body_timeout: float, max_connections: int
    ) -> type["Http11Protocol"]:
        limits = {
            "header_timeout": header_timeout,
            "body_timeout": body_timeout,
            "max_connections": max_connections,
        }
        return type(cls.__name__, (cls,), limits)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        if len(self.connections) >= self.max_connections:
            transport.abort()  # over the limit: refused before it costs anything
            return
        super().connection_made(transport)
        self._waiting, self._since = "headers", self.loop.time()
        if self.loop not in self._sweeping:
            self._sweeping.add(self.loop)
            self.loop.call_later(SWEEP_SECONDS, self._sweep)

    def connection_lost(self, exc: Exception | None) -> None:
        self._waiting = None
        if hasattr(self, "transport"):  # refused over the limit: never made
            super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._waiting is None:  # a kept-alive connection's next request: time its headers
            self._waiting, self._since = "headers", self.loop.time()

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        self._waiting, self._since = "body", self.loop.time()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._waiting = None  # the handler's own time is not bounded here

    def _sweep(self) -> None:
        """Cut every connection, on every port, that has waited too long; again in a second."""
        now = self.loop.time()
        for conn in list(self.connections):
            if not isinstance(conn, Http11Protocol) or conn._waiting is None:
                continue
            if conn._waiting == "headers" and now - conn._since > conn.header_timeout:
                conn._headers_too_slow()
            elif conn._waiting == "body" and now - conn._since > conn.body_timeout:
                conn._body_too_slow()
        self.loop.call_later(SWEEP_SECONDS, self._sweep)

    def _headers_too_slow(self) -> None:
        """No request is running yet, so no provider can answer: a plain JSON 408, then close."""
        self._waiting = None
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            self.transport.close()  # mid-answer to a pipelined request: nothing can be added
            return
        detail = f"the request headers did not arrive within {self.header_timeout:g} s"
        body = b'{"message":"Request Timeout","detail":"%s"}' % detail.encode()
        self.transport.write(
            b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
            b"content-length: %d\r\nconnection: close\r\n\r\n%s" % (len(body), body)
        )
        self.transport.close()

    def _body_too_slow(self) -> None:
        """End the body where it is and tell the pipeline, which answers 408 in the provider's
        shape; the connection closes after that answer."""
        self._waiting = None
        cycle = self.cycle
        if cycle is None or cycle.response_complete or not cycle.more_body:
            return
        # The pipeline sees this mark and answers 408 in the provider's own shape.
        extensions = cycle.scope.setdefault("extensions", {})
        extensions[BODY_TIMEOUT] = {"seconds": self.body_timeout}
        cycle.more_body = False
        cycle.keep_alive = False
        cycle.message_event.set()

    def data_received(self, data: bytes) -> None:
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            msg = "Invalid HTTP request received."
            self.logger.warning(msg)
            self.send_400_response(msg)
        except httptools.HttpParserUpgrade as upgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._continue_as_http11(data[upgrade.args[0] :])

    def _continue_as_http11(self, rest: bytes) -> None:
        """Read the rest of this request's body, and what follows it, as HTTP/1.1."""
        # The parser has just called the request complete (in this same call, so the handler
        # has not run yet): take that back, the body is still to come.
        self.cycle.more_body = True
        self.cycle.message_event.clear()
        framing = b"content-length: 0"
        for name, value in self.headers:
            if name == b"transfer-encoding":
                framing = b"transfer-encoding: " + value
                break
            if name == b"content-length":
                framing = b"content-length: " + value
        self.parser = httptools.HttpRequestParser(_Resumed(self))
        self._waiting, self._since = "body", self.loop.time()  # the message was called complete
        # A stand-in request line and the request's own framing set the new parser up to read
        # the body that follows; _Resumed keeps them from starting a second request.
        self.data_received(b"PUT / HTTP/1.1\r\n" + framing + b"\r\n\r\n" + rest)


class _Resumed:
    """Parser callbacks for a connection that asked for an upgrade: the stand-in head is
    swallowed, then everything (the body, later requests) goes to the protocol as usual."""

    def __init__(self, protocol: Http11Protocol) -> None:
        self.protocol = protocol
        self.in_head = True
        self.on_body = protocol.on_body
        self.on_message_complete = protocol.on_message_complete

    def on_message_begin(self) -> None:
        if not self.in_head:
            self.protocol.on_message_begin()

    def on_url(self, url: bytes) -> None:
        if not self.in_head:
            self.protocol.on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        if not self.in_head:
            self.protocol.on_header(name, value)

    def on_headers_complete(self) -> None:
        if self.in_head:
            self.in_head = False  # the real body starts here, for the request already running
        else:
            self.protocol.on_headers_complete()
