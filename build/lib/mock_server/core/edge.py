"""The HTTPS edge: one TLS port serving every provider under its real host names, by Host.

A client whose URL is hard-coded (``https://api-satusehat-stg.dto.kemkes.go.id``) reaches the
sandbox with a hosts-file line (or a Docker network alias) and the sandbox CA trusted. The edge
picks the provider by the Host header; the one server certificate names every host, so SNI needs
no choosing. An unknown host gets 421 Misdirected Request listing the known names.

Also here: where a client can reach this sandbox (``public_origin``), for the URLs it hands out,
and the plain-HTTP redirect of providers whose doc forces HTTPS.
"""

import json
from collections.abc import Mapping, Sequence

from starlette.types import ASGIApp, Receive, Scope, Send

# The ASGI scope key the edge puts the Host it served under (as sent, port and all).
EDGE_KEY = "mock_server.edge_host"


def bare_host(host: str) -> str:
    """``Host`` without its port, lower-case, without a trailing dot (a fully qualified name):
    ``[::1]:7443`` -> ``::1``, ``Joss.Kemnaker.go.id.:7443`` -> ``joss.kemnaker.go.id``."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host[1:]
    return (host.rsplit(":", 1)[0] if host.count(":") == 1 else host).rstrip(".")


def header(scope: Scope, name: bytes) -> str | None:
    """The first value of a request header (``name`` lower-case)."""
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def edge_host(scope: Scope) -> str | None:
    """The Host a request came through the edge under (as sent); None on a provider's own port."""
    host: str | None = scope.get(EDGE_KEY)
    return host


class EdgeDispatcher:
    """Routes each request to the provider whose host names include its Host header."""

    def __init__(self, hosts: Mapping[str, Sequence[str]], apps: Mapping[str, ASGIApp]) -> None:
        """``hosts``: each provider's host names; ``apps``: each provider's app, by name."""
        self.hosts = {name: list(names) for name, names in hosts.items()}
        self.by_host = {host: apps[name] for name, names in hosts.items() for host in names}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        sent = header(scope, b"host") or ""
        app = self.by_host.get(bare_host(sent))
        if app is None:
            await self._unknown(sent, send)
            return
        scope[EDGE_KEY] = sent
        await app(scope, receive, send)

    async def _unknown(self, sent: str, send: Send) -> None:
        body = json.dumps(
            {
                "error": "unknown host",
                "host": sent or None,
                "message": "this HTTPS edge serves each provider under its host names: send one "
                "of them in Host (map it to this machine in your hosts file or as a Docker "
                "network alias)",
                "hosts": self.hosts,
            },
            indent=2,
        ).encode()
        # 421 Misdirected Request: the connection reached a server that does not serve this host.
        await send(
            {
                "type": "http.response.start",
                "status": 421,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class HttpsRedirect:
    """A provider's plain port, for a provider whose doc says plain HTTP is redirected to HTTPS.

    Only requests that name one of the provider's real host names are redirected: that client
    believes it talks to the provider, and the edge answers that name. A request to
    ``127.0.0.1:7101`` is served as before; sent to a real host name, it could reach the real
    provider where the hosts file has no line for it. 308 (not 301): POST and PUT keep their
    method and body, as the HMAC signature over that body requires.
    """

    def __init__(self, app: ASGIApp, hosts: Sequence[str], edge_port: int) -> None:
        self.app = app
        self.hosts = frozenset(hosts)
        self.port = "" if edge_port == 443 else f":{edge_port}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        host = bare_host(header(scope, b"host") or "")
        if scope["type"] != "http" or host not in self.hosts:
            await self.app(scope, receive, send)
            return
        target = scope.get("raw_path") or scope["path"].encode()
        query = scope.get("query_string") or b""
        location = f"https://{host}{self.port}".encode() + target + (b"?" + query if query else b"")
        await send(
            {
                "type": "http.response.start",
                "status": 308,
                "headers": [(b"location", location), (b"content-length", b"0")],
            }
        )
        await send({"type": "http.response.body", "body": b""})


def public_origin(scope: Scope, trusted_proxies: frozenset[str]) -> str:
    """Where the client reached this sandbox, for URLs the sandbox hands out.

    From a trusted proxy: its X-Forwarded-Proto and X-Forwarded-Host. Through the edge: https and
    the Host the edge served. Otherwise the address of the port the connection arrived on, with
    its own scheme: the client's Host header is not believed there, since a client sending a
    real provider's name in Host would be handed a URL to the real provider.
    """
    client = scope.get("client")
    if client and client[0] in trusted_proxies:
        proto = _first(header(scope, b"x-forwarded-proto"))
        host = _first(header(scope, b"x-forwarded-host"))
        if host:
            return f"{proto or scope.get('scheme', 'http')}://{host}"
    sent = edge_host(scope)
    if sent:
        return f"https://{sent}"
    scheme = scope.get("scheme", "http")
    address, port = scope.get("server") or ("127.0.0.1", None)
    if ":" in address:
        address = f"[{address}]"
    default = {"http": 80, "https": 443}.get(scheme)
    return f"{scheme}://{address}" + ("" if port in (None, default) else f":{port}")


def _first(value: str | None) -> str | None:
    """The first of a comma-separated forwarded value (the proxy nearest the client)."""
    if not value:
        return None
    return value.split(",", 1)[0].strip() or None
