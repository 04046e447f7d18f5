"""Requests that ask to upgrade to h2c, as the JDK's HttpClient sends them, keep their body.

The bytes below are what ``java.net.http.HttpClient`` (Java 17, default settings) writes for a
POST on a new plain-HTTP connection: the upgrade headers, then the body in a second write.
"""

import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mock_server.registry import PROVIDERS
from tests.server import CONSOLE_SCRIPT, RunningServer, running_server

LOGIN_BODY = b'{"client_id":"partner-client-001","client_secret":"secret-key-123"}'
JAVA_HEAD = (
    b"POST %s HTTP/1.1\r\n"
    b"Connection: Upgrade, HTTP2-Settings\r\n"
    b"Content-Length: %d\r\n"
    b"Host: 127.0.0.1:%d\r\n"
    b"HTTP2-Settings: AAEAAEAAAAIAAAABAAMAAABkAAQBAAAAAAUAAEAA\r\n"
    b"Upgrade: h2c\r\n"
    b"User-Agent: Java-HttpClient/17.0.15\r\n"
    b"Content-Type: application/json\r\n"
    b"\r\n"
)
JAVA_PROGRAM = Path(__file__).parent / "clients" / "JdkHttpClient.java"
DEMO_KEY = Path(__file__).parents[1] / "mock_server/fixtures/sales_order_DEMO_ONLY_private.pem"


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    with running_server(None) as running:
        yield running


def java_head(path: str, body: bytes, port: int) -> bytes:
    return JAVA_HEAD % (path.encode(), len(body), port)


class Wire:
    """A raw client connection: bytes written as given, responses read one after another."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.reader = self.sock.makefile("rb")

    def write(self, *parts: bytes) -> "Wire":
        for part in parts:
            self.sock.sendall(part)
            time.sleep(0.05)  # separate segments, as the JDK writes them
        return self

    def response(self) -> tuple[int, dict[str, str], bytes]:
        """The next HTTP/1.1 response (with a Content-Length); later ones stay buffered."""
        status = int(self.reader.readline().split()[1])
        headers = {}
        while (line := self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.lower()] = value.strip()
        return status, headers, self.reader.read(int(headers["content-length"]))

    def __enter__(self) -> "Wire":
        return self

    def __exit__(self, *exc: object) -> None:
        self.reader.close()
        self.sock.close()


def two_writes(port: int, *parts: bytes) -> Wire:
    return Wire(port).write(*parts)


def journal(server: RunningServer, journal_id: str) -> dict:
    response = httpx.get(f"{server.url('admin')}/__admin/requests/{journal_id}")
    assert response.status_code == 200
    return response.json()


def test_the_jdk_login_written_in_two_parts_keeps_its_body(server: RunningServer) -> None:
    port = server.ports["sales_order"]
    with two_writes(port, java_head("/api/v1/auth/login", LOGIN_BODY, port), LOGIN_BODY) as sock:
        status, headers, body = sock.response()
    assert status == 200, body
    assert re.match(rb'\{"token":"eyJ', body)
    entry = journal(server, headers["x-mock-journal-id"])
    assert entry["body_bytes"] == len(LOGIN_BODY)
    assert entry["request_headers"]["upgrade"] == "h2c"
    assert entry["diagnosis"] is None  # nothing went missing: nothing to explain


@pytest.mark.parametrize("name", [p.name for p in PROVIDERS])
def test_every_provider_port_reads_the_body_of_an_upgrade_request(
    server: RunningServer, name: str
) -> None:
    port = server.ports[name]
    body = b'{"probe": "h2c upgrade"}'
    with two_writes(port, java_head("/h2c-probe", body, port), body) as sock:
        _, headers, _ = sock.response()
    assert journal(server, headers["x-mock-journal-id"])["body_bytes"] == len(body)


def test_the_control_plane_reads_the_body_of_an_upgrade_request(server: RunningServer) -> None:
    port = server.ports["admin"]
    body = b'{"advance_seconds": 0}'
    with two_writes(port, java_head("/__admin/clock", body, port), body) as sock:
        status, _, answer = sock.response()
    assert status == 200, answer
    assert b'"offset_seconds"' in answer


def test_the_connection_stays_usable_after_an_upgrade_request(server: RunningServer) -> None:
    port = server.ports["sales_order"]
    again = (
        b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(LOGIN_BODY), LOGIN_BODY)
    )
    # The upgrade request's body and the next (pipelined) request arrive in one segment.
    with two_writes(
        port, java_head("/api/v1/auth/login", LOGIN_BODY, port), LOGIN_BODY + again
    ) as s:
        first, _, _ = s.response()
        second, _, body = s.response()
    assert (first, second) == (200, 200), body


def test_a_chunked_upgrade_request_keeps_its_body(server: RunningServer) -> None:
    port = server.ports["sales_order"]
    head = java_head("/api/v1/auth/login", b"", port).replace(
        b"Content-Length: 0\r\n", b"Transfer-Encoding: chunked\r\n"
    )
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(LOGIN_BODY), LOGIN_BODY)
    with two_writes(port, head, chunked) as sock:
        status, _, body = sock.response()
    assert status == 200, body


def test_a_bodyless_upgrade_request_is_answered_and_the_connection_kept(
    server: RunningServer,
) -> None:
    port = server.ports["admin"]
    head = java_head("/__admin/health", b"", port).replace(b"POST", b"GET")
    with two_writes(port, head + head) as sock:
        assert sock.response()[0] == 200
        assert sock.response()[0] == 200


WEBSOCKET_HEAD = (
    b"GET /api/public/pelatihan/akademi HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
)


def test_a_websocket_upgrade_is_answered_by_the_provider_as_plain_http(
    server: RunningServer,
) -> None:
    """No provider speaks WebSocket: the request reaches the provider's auth like any other,
    instead of an empty 403 from the server that nobody journaled."""
    with two_writes(server.ports["digitalent"], WEBSOCKET_HEAD) as sock:
        status, headers, body = sock.response()
        # Not switched: the connection still speaks HTTP/1.1.
        sock.write(WEBSOCKET_HEAD.replace(b"Upgrade: websocket\r\nConnection: Upgrade\r\n", b""))
        assert sock.response()[0] == status
    assert status == 400
    assert b"Missing required headers" in body
    assert (
        journal(server, headers["x-mock-journal-id"])["request_headers"]["upgrade"] == "websocket"
    )


def test_a_body_shorter_than_its_content_length_is_explained(server: RunningServer) -> None:
    port = server.ports["sales_order"]
    head = (
        b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % len(LOGIN_BODY)
    )
    with two_writes(port, head, LOGIN_BODY[:10]) as wire:
        wire.sock.shutdown(socket.SHUT_WR)  # the client gives up: the server has 10 of 67 bytes
    entry = wait_for_entry(server, "/api/v1/auth/login", body_bytes=10)
    assert entry["diagnosis"]["body"]["content_length"] == len(LOGIN_BODY)
    assert entry["diagnosis"]["body"]["bytes_received"] == 10
    assert entry["rule"] == "body_incomplete"  # a cut body is never acted on
    explained = subprocess.run(
        [str(CONSOLE_SCRIPT), "explain", entry["id"], "--admin-url", server.url("admin")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert explained.returncode == 0, explained.stderr
    assert "content length:" in explained.stdout
    assert "declared Content-Length: 67 but 10 bytes of body arrived" in explained.stdout


def wait_for_entry(server: RunningServer, path: str, body_bytes: int) -> dict:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        listed = httpx.get(f"{server.url('admin')}/__admin/requests", params={"path": path})
        for entry in listed.json()["data"]:
            if entry["body_bytes"] == body_bytes:
                return journal(server, entry["id"])
        time.sleep(0.05)
    raise AssertionError(f"no journal entry for {path} with {body_bytes} body bytes")


@pytest.mark.skipif(shutil.which("java") is None, reason="needs a JDK (java 11+) on PATH")
def test_a_real_jdk_httpclient_program_works_unchanged(server: RunningServer) -> None:
    admin = server.url("admin")
    assert httpx.delete(f"{admin}/__admin/requests").status_code in {200, 204}
    ran = subprocess.run(
        [
            "java",
            str(JAVA_PROGRAM),
            server.url("sales_order"),
            server.url("digitalent"),
            str(DEMO_KEY),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stderr
    calls = {line.split(" ", 2)[0]: line.split(" ", 2)[1:] for line in ran.stdout.splitlines()}
    assert calls["login"][0] == "200", calls
    assert calls["order"][0] == "201", calls
    assert '"purchase_order_no":"PO-JAVA-0001"' in calls["order"][1]
    assert calls["digitalent"][0] == "200", calls
    # The program really asked for h2c, so this test goes through the upgrade path.
    logins = httpx.get(f"{admin}/__admin/requests", params={"path": "/api/v1/auth/login"}).json()
    (login,) = logins["data"]
    entry = journal(server, login["id"])
    assert entry["request_headers"]["upgrade"] == "h2c"
    assert entry["request_headers"]["user-agent"].startswith("Java-http-client/")
