"""Slow clients are cut off, and are not served at the cost of everyone else.

The server here runs with 1 s header and body timeouts and a limit of 40 connections, so each
bound is seen in about a second.
"""

import re
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.server import RunningServer, running_server
from tests.test_http11 import LOGIN_BODY, Wire

LIMITS = {"MOCK_HEADER_TIMEOUT": "1", "MOCK_BODY_TIMEOUT": "1", "MOCK_MAX_CONNECTIONS": "40"}
LOGIN_HEAD = (
    b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    b"Content-Length: %d\r\n\r\n" % len(LOGIN_BODY)
)


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    with running_server(None, env=LIMITS) as running:
        yield running


def closed_within(sock: socket.socket, seconds: float) -> tuple[float, bytes]:
    """How long until the server closed the connection, and what it wrote first."""
    started = time.monotonic()
    sock.settimeout(seconds)
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except (TimeoutError, ConnectionResetError):
        pass
    return time.monotonic() - started, received


def test_a_connection_that_sends_nothing_is_closed_with_408(server: RunningServer) -> None:
    with socket.create_connection(("127.0.0.1", server.ports["sales_order"])) as sock:
        waited, received = closed_within(sock, 5)
    assert 0.8 < waited < 3
    assert received.startswith(b"HTTP/1.1 408 Request Timeout\r\n")
    assert received.endswith(
        b'{"message":"Request Timeout","detail":"the request headers did not arrive within 1 s"}'
    )


def test_headers_dripped_a_byte_at_a_time_are_cut_off(server: RunningServer) -> None:
    with socket.create_connection(("127.0.0.1", server.ports["digitalent"])) as sock:
        started = time.monotonic()
        try:
            for byte in b"POST /api/public/pelatihan/akademi HTTP/1.1\r\nHost: x\r\n":
                sock.send(bytes([byte]))
                time.sleep(0.1)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server hung up mid-drip: the point of the test
        _, received = closed_within(sock, 5)
    assert time.monotonic() - started < 4
    assert received.startswith(b"HTTP/1.1 408 ")


def test_a_dripped_body_gets_408_in_the_providers_shape_and_is_not_acted_on(
    server: RunningServer,
) -> None:
    with Wire(server.ports["sales_order"]) as wire:
        wire.write(LOGIN_HEAD, LOGIN_BODY[:5])
        for byte in LOGIN_BODY[5:15]:  # 1 byte per 0.2 s: 10 bytes would take 2 s
            try:
                wire.sock.send(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                break
            time.sleep(0.2)
        status, headers, body = wire.response()
    assert status == 408
    answer = httpx.Response(408, content=body).json()
    assert answer["message"] == "Request Timeout"  # Sales Order's own {"message", "detail"}
    assert re.fullmatch(
        r"the request body did not arrive within 1 s \((\d+) bytes had arrived\)", answer["detail"]
    )
    entry = httpx.get(
        f"{server.url('admin')}/__admin/requests/{headers['x-mock-journal-id']}"
    ).json()
    assert entry["rule"] == "body_timeout"
    assert headers.get("connection") == "close"


def test_a_slow_body_within_the_timeout_is_accepted(server: RunningServer) -> None:
    with Wire(server.ports["sales_order"]) as wire:
        wire.write(LOGIN_HEAD, LOGIN_BODY[:30])
        time.sleep(0.5)
        wire.write(LOGIN_BODY[30:])
        status, _, body = wire.response()
    assert status == 200, body


def test_the_next_request_on_a_kept_alive_connection_is_timed_too(server: RunningServer) -> None:
    with Wire(server.ports["sales_order"]) as wire:
        wire.write(LOGIN_HEAD + LOGIN_BODY)
        assert wire.response()[0] == 200
        wire.write(b"POST /api/v1/auth/login HTTP/1.1\r\nHost:")  # and then nothing
        waited, received = closed_within(wire.sock, 8)
    assert waited < 7  # uvicorn's keep-alive timer stops at the first byte; ours takes over
    assert received.startswith(b"HTTP/1.1 408 ")


def test_half_open_requests_do_not_stall_others_and_are_all_cut(server: RunningServer) -> None:
    port = server.ports["digitalent"]
    held = []
    for _ in range(30):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(b"POST /api/public/pelatihan/akademi HTTP/1.1\r\nHost: x\r\n")
        held.append(sock)
    try:
        slowest = 0.0
        with httpx.Client() as client:
            for _ in range(5):
                started = time.monotonic()
                health = client.get(f"{server.url('admin')}/__admin/health")
                slowest = max(slowest, time.monotonic() - started)
                assert health.status_code == 200
        assert slowest < 1.0
        time.sleep(1.5)
        cut = sum(1 for sock in held if closed_within(sock, 2)[1].startswith(b"HTTP/1.1 408"))
        assert cut == len(held)
    finally:
        for sock in held:
            sock.close()


def test_connections_beyond_the_limit_are_refused_at_once(server: RunningServer) -> None:
    port = server.ports["appkey"]
    held = [socket.create_connection(("127.0.0.1", port)) for _ in range(40)]
    try:
        time.sleep(0.2)  # let the server take them all
        with socket.create_connection(("127.0.0.1", port)) as extra:
            waited, received = closed_within(extra, 1.5)
        assert waited < 1.0  # not held until the 1.5 s wait gives up: closed by the server
        assert received == b""
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.2)
    assert httpx.get(f"{server.url('admin')}/__admin/health").status_code == 200
