"""Run the sandbox: bind every port, print the table, serve until Ctrl-C / SIGTERM."""

import asyncio
import contextlib
import gc
import logging
import os
import signal
import socket
import ssl
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import uvicorn

from mock_server import __version__
from mock_server.app import EDGE, PortDispatcher, Sandbox
from mock_server.console import ConsoleHandler, flush_console
from mock_server.core import tls
from mock_server.core.clock import iso_z
from mock_server.core.config import Settings
from mock_server.core.locations import ANY_ADDRESS, ConfigError, shown_database, url_host
from mock_server.http11 import Http11Protocol
from mock_server.prefork import STARTUP_FAILURE, run_workers
from mock_server.registry import ADMIN


class SandboxServer(uvicorn.Server):
    """uvicorn's server, announcing when every socket accepts connections."""

    announce = True

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        # Sockets served over TLS (the edge; each provider's with provider_tls), and the context.
        self.tls_sockets: list[socket.socket] = []
        self.tls_context: ssl.SSLContext | None = None
        # Run as shutdown begins: uvicorn waits for every open response to end, and a
        # dashboard's event stream would not end by itself.
        self.before_shutdown: list[Callable[[], None]] = []
        # Called once every socket listens (a worker tells the parent; see prefork).
        self.on_ready: Callable[[], None] | None = None

    async def startup(self, sockets: list[Any] | None = None) -> None:
        await super().startup(sockets)
        if self.started and self.tls_sockets:
            await self.start_tls()
        if self.started and self.announce:
            print("ready: every port is listening. Ctrl-C stops.", flush=True)
        if self.started and self.on_ready is not None:
            self.on_ready()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for stop in self.before_shutdown:
            stop()
        await super().shutdown(sockets)

    async def start_tls(self) -> None:
        """The TLS sockets, served like the others but for the context: uvicorn's ``ssl`` is one
        per server, so the plain ports stay exactly as fast as without TLS."""
        loop = asyncio.get_running_loop()
        config = self.config

        def protocol() -> asyncio.Protocol:
            return config.http_protocol_class(  # type: ignore[call-arg]
                config=config,
                server_state=self.server_state,
                app_state=self.lifespan.state,
                _loop=loop,
            )

        for sock in self.tls_sockets:
            self.servers.append(
                await loop.create_server(
                    protocol, sock=sock, ssl=self.tls_context, backlog=config.backlog
                )
            )


def serve(settings: Settings, provider_settings: Mapping[str, Any]) -> int:
    token = settings.admin_token.get_secret_value() if settings.admin_token else ""
    if not settings.on_loopback and not token.strip():
        raise ConfigError(
            f"listening on {settings.host} exposes the control plane: "
            "set MOCK_ADMIN_TOKEN to the bearer token it should require"
            + (" (it is set, but empty)" if settings.admin_token is not None else "")
        )
    if settings.workers > 1 and settings.effective_database_url in {
        "sqlite://",
        "sqlite:///:memory:",
    }:
        raise ConfigError(
            "--workers needs state the workers share: with --memory each would keep its own; "
            "give --db PATH or MOCK_DATABASE_URL instead"
        )
    configure_logging(settings.log_level)
    sandbox = Sandbox(settings, provider_settings).open()
    try:
        sockets = bind_all(sandbox)
        sockets |= bind_edge(sandbox, sockets)
    except ConfigError:
        sandbox.close()
        raise
    bound = {name: sock.getsockname()[1] for name, sock in sockets.items()}
    throwaway, ca, context = sandbox_tls(sandbox)
    print(start_table(sandbox, bound), flush=True)
    if ca is not None:
        print(tls_lines(sandbox, bound, ca), flush=True)
    server = build_server(sandbox, bound)
    secured = tls_names(sandbox)
    server.tls_context = context
    server.tls_sockets = [sock for name, sock in sockets.items() if name in secured]
    # Everything built so far lives until exit: keep it out of the collector's generations,
    # and collect again from here on (main() held the collector off during start-up).
    gc.freeze()
    gc.enable()
    # uvicorn shuts down gracefully on SIGINT/SIGTERM, then re-raises the signal; these handlers
    # turn that last step into a normal exit (status 0, no KeyboardInterrupt traceback).
    plain = [sock for name, sock in sockets.items() if name not in secured]
    try:
        if settings.workers > 1:
            return serve_workers(sandbox, server, plain)
        run_server(server, plain)
    finally:
        close_and_flush(sandbox)
        if throwaway is not None:
            throwaway.cleanup()
    return 0


def run_server(server: SandboxServer, sockets: list[socket.socket]) -> bool:
    """Serve until SIGINT/SIGTERM; whether the server started at all."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _stop)
    with contextlib.suppress(Stopped):
        server.run(sockets=sockets)
    return server.started


def serve_workers(sandbox: Sandbox, server: SandboxServer, sockets: list[socket.socket]) -> int:
    """``--workers N``: N forked processes serve the sockets bound here, each over its own
    database connections; this one supervises (``prefork``)."""
    # Built once here and shared by the forks, rather than once in each worker.
    sandbox.build_all()
    # A connection must not cross a fork: each worker opens its own on first use.
    db = sandbox.services.db
    db.close()
    server.announce = False  # the parent says "ready" once, when every worker listens
    # The file the workers take turns at writing through (``WriterTurns``); removed at exit.
    turns_fd, turns_file = tempfile.mkstemp(prefix="mock-server-writers-")
    os.close(turns_fd)

    def worker(number: int, ready: Callable[[], None]) -> int:
        db.share_writes(turns_file)
        server.on_ready = ready
        dispatcher = server.config.app
        assert isinstance(dispatcher, PortDispatcher)
        dispatcher.worker_header = str(number).encode()
        try:
            started = run_server(server, sockets)
        finally:
            close_and_flush(sandbox)
        return 0 if started else STARTUP_FAILURE

    try:
        return run_workers(sandbox.settings.workers, worker)
    finally:
        os.unlink(turns_file)


def close_and_flush(sandbox: Sandbox) -> None:
    """Close the sandbox, which writes the journal's last batch and its console lines, then
    wait for those lines to reach the console before the process leaves."""
    try:
        sandbox.close()
    finally:
        flush_console()


class Stopped(Exception):
    pass


def _stop(signum: int, frame: object) -> None:
    raise Stopped(signal.Signals(signum).name)


def bind_all(sandbox: Sandbox) -> dict[str, Any]:
    """A listening socket for the control plane and each provider, or ConfigError."""
    sockets: dict[str, Any] = {}
    try:
        for name, port in sandbox.ports().items():
            sockets[name] = bind(sandbox.settings.host, port, name)
    except ConfigError:
        for sock in sockets.values():
            sock.close()
        raise
    return sockets


def bind_edge(sandbox: Sandbox, bound: Mapping[str, socket.socket]) -> dict[str, socket.socket]:
    """The HTTPS edge's socket, when it is on; closes ``bound`` and raises ConfigError if the
    port is taken."""
    settings = sandbox.settings
    if not settings.edge:
        return {}
    try:
        return {EDGE: bind(settings.host, settings.edge_port, EDGE)}
    except ConfigError:
        for sock in bound.values():
            sock.close()
        raise


def tls_names(sandbox: Sandbox) -> set[str]:
    """Which bound sockets speak TLS: the edge, and every provider's with provider_tls."""
    names = {EDGE} if sandbox.settings.edge else set()
    if sandbox.settings.provider_tls:
        names |= {p.name for p in sandbox.providers}
    return names


def sandbox_tls(
    sandbox: Sandbox,
) -> tuple[tempfile.TemporaryDirectory[str] | None, tls.SandboxCA | None, ssl.SSLContext | None]:
    """The CA (made on first start), a fresh server certificate for every name served, and its
    TLS context; with --memory and no CA directory, in a directory removed at exit."""
    if not tls_names(sandbox):
        return None, None, None
    directory = sandbox.settings.ca_directory()
    throwaway = None
    if directory is None:
        throwaway = tempfile.TemporaryDirectory(prefix="mock-ca-")
        directory = Path(throwaway.name)
    try:
        ca = tls.ensure_ca(directory)
        names = [*tls.LOOPBACK_NAMES, *certificate_names(sandbox)]
        cert, key = tls.issue_server_certificate(ca, names)
        return throwaway, ca, tls.server_context(cert, key)
    except OSError as exc:
        raise ConfigError(f"cannot keep the sandbox CA in {directory}: {exc.strerror}") from None


def certificate_names(sandbox: Sandbox) -> list[str]:
    """Every host name of every provider, and the listening address when it is a specific one."""
    names = [host for hosts in sandbox.edge_hosts().values() for host in hosts]
    if sandbox.settings.host not in ANY_ADDRESS:
        names.append(sandbox.settings.host)
    return names


def tls_lines(sandbox: Sandbox, bound: Mapping[str, int], ca: tls.SandboxCA) -> str:
    """What the start-up table says about HTTPS: the edge's address and names, and the CA."""
    lines = []
    if EDGE in bound:
        port = bound[EDGE]
        lines.append(f"  HTTPS edge on port {port}, by host name (map them to this machine):")
        for name, hosts in sandbox.edge_hosts().items():
            lines.append(f"    {name:<12} " + "  ".join(f"https://{h}:{port}" for h in hosts))
    if sandbox.settings.provider_tls:
        lines.append("  provider ports speak HTTPS (provider_tls)")
    lines.append(f"  sandbox CA: {ca.cert_path}  (mock-server ca: how to trust it)")
    return "\n".join(lines)


def build_server(sandbox: Sandbox, bound: Mapping[str, int]) -> SandboxServer:
    config = uvicorn.Config(
        sandbox.dispatcher(bound),
        lifespan="on",
        # httptools, keeping the body of an h2c upgrade request (Java), and bounding slow clients.
        http=Http11Protocol.configured(
            header_timeout=sandbox.settings.header_timeout,
            body_timeout=sandbox.settings.body_timeout,
            max_connections=sandbox.settings.max_connections,
        ),
        # No provider speaks WebSocket (the dashboard's live journal is an event stream): an
        # upgrade request is answered as plain HTTP, and no WebSocket library loads (~12 ms).
        ws="none",
        access_log=False,  # the journal prints its own line per request
        server_header=False,  # a real provider does not announce uvicorn
        # uvicorn would believe X-Forwarded-* from any loopback peer, so a client could make the
        # sandbox hand out https:// URLs on a plain port; no proxy stands in front of it.
        proxy_headers=False,
        log_level="debug" if sandbox.settings.log_level == "debug" else "warning",
    )
    server = SandboxServer(config)
    server.before_shutdown.append(sandbox.live.close)
    sandbox.server = server
    return server


def start_table(sandbox: Sandbox, bound: Mapping[str, int]) -> str:
    settings = sandbox.settings
    host = settings.host
    shown = url_host(host)
    # A server URL's password is hidden.
    state = "in memory (gone at exit)" if settings.memory else shown_database(settings.database_url)
    state += (
        f", seeded in {sandbox.services.seeded_in * 1000:.0f} ms"
        if sandbox.services.seeded_in is not None
        else ", kept from the last run"
    )
    rows = [("provider", "base URL", "auth", "demo credentials")]
    admin_url = f"http://{shown}:{bound[ADMIN]}"
    rows.append((ADMIN, admin_url, "control plane", f"dashboard: {admin_url}/"))
    for provider in sandbox.providers:
        creds = [f"{c.client_id} / {c.secret} ({c.role})" for c in provider.demo_credentials]
        scheme = "https" if settings.provider_tls else "http"
        url = f"{scheme}://{shown}:{bound[provider.name]}"
        rows.append((provider.name, url, provider.auth, creds[0] if creds else "-"))
        rows.extend(("", "", "", extra) for extra in creds[1:])
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = [f"mock-server {__version__}  state: {state}"]
    clock_line = moved_clock_line(sandbox)
    if clock_line:
        lines.append(clock_line)
    for row in rows:
        lines.append(
            "  "
            + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False))
            + "  "
            + row[3]
        )
    return "\n".join(lines)


def moved_clock_line(sandbox: Sandbox) -> str | None:
    """The banner's word on a moved clock: it is kept in the state, so a restart would otherwise
    serve yesterday's frozen instant or a 12-hour offset without a hint. None when it runs true."""
    frozen_at, offset = sandbox.services.clock.stored()
    if frozen_at is not None:
        how = f"frozen at {iso_z(frozen_at)}"
    elif offset:
        ahead = "ahead of" if offset > 0 else "behind"
        how = f"{abs(offset):g} s {ahead} real time (now {iso_z(time.time() + offset)})"
    else:
        return None
    timestamps = (
        "request timestamps may follow either clock"
        if sandbox.settings.timestamp_clock == "either"
        else "request timestamps must follow the sandbox clock"
    )
    return f"  clock: {how}; {timestamps}. `mock-server clock --resume` returns to real time."


def bind(host: str, port: int, name: str) -> socket.socket:
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        raise ConfigError(f"cannot resolve host {host!r}: {exc}") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        flag = "--admin-port" if name == "admin" else f"--{name.replace('_', '-')}-port"
        raise ConfigError(
            f"cannot listen on {host}:{port} for {name}: {exc.strerror}. "
            f"Choose another port with {flag} or MOCK_{flag[2:].upper().replace('-', '_')}."
        ) from None
    sock.set_inheritable(True)
    return sock


def configure_logging(level: str) -> None:
    requests = logging.getLogger("mock_server.requests")
    handler = ConsoleHandler(sys.stdout)  # off the event loop: a slow console holds no port
    handler.setFormatter(logging.Formatter("%(message)s"))  # each line carries its own time
    requests.addHandler(handler)
    requests.propagate = False
    requests.setLevel(level.upper())
    errors = logging.StreamHandler(sys.stderr)
    errors.setFormatter(
        logging.Formatter("%(asctime)s  %(levelname)s %(name)s: %(message)s", "%H:%M:%S")
    )
    root = logging.getLogger("mock_server")
    root.addHandler(errors)
    root.setLevel(level.upper())


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use the mock-server command")
