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

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class Http11Protocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, serving unsupported upgrades as plain HTTP/1.1.

    Only ``data_received`` differs, and only once the parser stops for an upgrade: every other
    request takes uvicorn's own path, callback for callback.
    """

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
