"""Web pages cannot drive the control plane that is open on loopback, and its body limit holds.

Over a real server: a browser's request is bytes on a socket, Host and Origin included.
"""

import os
import subprocess
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.server import CONSOLE_SCRIPT, RunningServer, running_server
from tests.test_http11 import Wire


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    with running_server(None, env={"MOCK_ADMIN_HOSTS": "mock-server.internal"}) as running:
        yield running


def clock_offset(server: RunningServer) -> float:
    return float(httpx.get(f"{server.url('admin')}/__admin/clock").json()["offset_seconds"])


def advance(server: RunningServer, **headers: str) -> httpx.Response:
    return httpx.post(
        f"{server.url('admin')}/__admin/clock", json={"advance_seconds": 60}, headers=headers
    )


def test_a_rebound_host_name_is_refused_and_changes_nothing(server: RunningServer) -> None:
    before = clock_offset(server)
    refused = advance(server, host="attacker.example:7100")
    assert refused.status_code == 421
    assert "does not answer to the host name 'attacker.example'" in refused.json()["detail"]
    assert "MOCK_ADMIN_HOSTS" in refused.json()["detail"]
    assert clock_offset(server) == before


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "localhost", "LOCALHOST:7100", "[::1]:7100", "mock-server.internal"]
)
def test_loopback_names_and_configured_ones_are_answered(server: RunningServer, host) -> None:
    response = httpx.get(f"{server.url('admin')}/__admin/clock", headers={"host": host})
    assert response.status_code == 200


def test_a_cross_site_form_post_from_a_web_page_is_refused(server: RunningServer) -> None:
    before = clock_offset(server)
    port = server.ports["admin"]
    body = b'{"advance_seconds": 60}'
    # What fetch(url, {method: "POST", mode: "no-cors", body}) sends from another site.
    with Wire(port) as wire:
        wire.write(
            b"POST /__admin/clock HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
            b"Origin: https://attacker.example\r\nContent-Type: text/plain;charset=UTF-8\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (port, len(body), body)
        )
        status, _, answer = wire.response()
    assert status == 403
    assert b"from the web page at https://attacker.example is refused" in answer
    assert clock_offset(server) == before


def test_a_text_body_is_refused_even_without_origin(server: RunningServer) -> None:
    response = httpx.post(
        f"{server.url('admin')}/__admin/reset",
        content=b"{}",
        headers={"content-type": "text/plain"},
    )
    assert response.status_code == 415
    assert "takes JSON" in response.json()["detail"]


def test_json_from_a_client_or_a_loopback_page_is_accepted(server: RunningServer) -> None:
    before = clock_offset(server)
    assert advance(server).status_code == 200  # curl, the CLI, the pytest plugin: no Origin
    origin = f"http://localhost:{server.ports['admin']}"
    assert advance(server, origin=origin).status_code == 200  # the control plane's own pages
    assert clock_offset(server) == before + 120


def test_a_page_on_another_port_of_loopback_is_another_site(server: RunningServer) -> None:
    # SameSite and host names alike let localhost:8080 pass for localhost:7100; the port must not.
    before = clock_offset(server)
    response = advance(server, origin="http://localhost:8080")
    assert response.status_code == 403
    assert "from the web page at http://localhost:8080 is refused" in response.json()["detail"]
    assert clock_offset(server) == before


def test_a_huge_body_is_refused_before_it_is_read(server: RunningServer) -> None:
    port = server.ports["admin"]
    with Wire(port) as wire:
        started = time.monotonic()
        wire.write(
            b"POST /__admin/faults HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (64 * 1024 * 1024)
        )
        status, _, answer = wire.response()  # answered with not one body byte sent
    assert status == 413
    assert time.monotonic() - started < 2
    assert b"the limit is 1048576 bytes" in answer


def test_a_chunked_body_past_the_limit_is_cut_with_413(server: RunningServer) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"provider": "joss", "action": "latency", "note": "'
        for _ in range(40):
            yield b"x" * 65536
        yield b'"}'

    response = httpx.post(
        f"{server.url('admin')}/__admin/faults",
        content=chunks(),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert "the limit is 1048576 bytes (MOCK_MAX_BODY_BYTES)" in response.json()["detail"]


@pytest.mark.parametrize("client_id", [" ", "é", "a/b", "a b", ""])
def test_client_ids_that_cannot_travel_in_a_path_are_refused(server: RunningServer, client_id):
    response = httpx.post(
        f"{server.url('admin')}/__admin/providers/digitalent/clients",
        json={"client_id": client_id},
    )
    assert response.status_code == 422
    listed = httpx.get(f"{server.url('admin')}/__admin/providers/digitalent/clients").json()
    assert client_id not in {c["client_id"] for c in listed}


def test_a_url_safe_client_id_can_be_created_rotated_and_deactivated(server: RunningServer):
    admin = f"{server.url('admin')}/__admin/providers/digitalent/clients"
    assert httpx.post(admin, json={"client_id": "erp_2.test~a-b"}).status_code == 201
    assert httpx.post(f"{admin}/erp_2.test~a-b/rotate").status_code == 200
    assert httpx.post(f"{admin}/erp_2.test~a-b/active", json={"active": False}).status_code == 200


def test_an_empty_admin_token_beyond_loopback_is_refused_at_start() -> None:
    ran = subprocess.run(
        [str(CONSOLE_SCRIPT), "serve", "--memory", "--host", "0.0.0.0", "--admin-port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "MOCK_ADMIN_TOKEN": "  "},
    )
    assert ran.returncode == 2
    assert ran.stderr.strip() == (
        "mock-server: listening on 0.0.0.0 exposes the control plane: set MOCK_ADMIN_TOKEN to "
        "the bearer token it should require (it is set, but empty)"
    )


def test_with_a_token_any_host_name_is_answered(tmp_path) -> None:
    with running_server(None, env={"MOCK_ADMIN_TOKEN": "s3cret-admin"}) as running:
        url = f"{running.url('admin')}/__admin/clock"
        refused = httpx.get(url, headers={"host": "mock:7100"})
        assert refused.status_code == 401  # the token protects it, whatever the name
        answered = httpx.get(
            url, headers={"host": "mock:7100", "authorization": "Bearer s3cret-admin"}
        )
        assert answered.status_code == 200
