"""AdminClient's own transport (the standard library's http.client): what a CLI user sees when
the URL is wrong, nothing answers, or the server drops a kept-alive connection."""

import socket
import threading

import pytest

from mock_server.admin.client import AdminClient
from mock_server.admin.errors import AdminError, AdminUnreachable

ANSWER = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n"
    b'{"frozen":true}'
)


def read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


@pytest.mark.parametrize("url", ["ftp://127.0.0.1:7100", "127.0.0.1:7100", "http://"])
def test_a_url_that_is_no_http_url_is_refused_in_one_sentence(url):
    with pytest.raises(AdminUnreachable, match="is not an http:// or https:// URL"):
        AdminClient(url)


def test_nothing_listening_is_unreachable_not_an_error_answer():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(
        AdminUnreachable, match=f"no control plane answers at http://127.0.0.1:{port}"
    ):
        AdminClient(f"http://127.0.0.1:{port}").clock()


def test_a_kept_alive_connection_the_server_closed_is_reopened_once():
    server = socket.create_server(("127.0.0.1", 0))
    requests: list[bytes] = []

    def serve() -> None:
        for _ in range(2):  # answer, then close without saying so, as an idle timeout does
            conn, _ = server.accept()
            with conn:
                requests.append(read_request(conn))
                conn.sendall(ANSWER)
                conn.shutdown(socket.SHUT_RDWR)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    with server, AdminClient(f"http://127.0.0.1:{server.getsockname()[1]}", token="t0k") as admin:
        assert admin.clock() == {"frozen": True}
        assert admin.clock() == {"frozen": True}
    thread.join(5)
    assert len(requests) == 2
    assert all(r.startswith(b"GET /__admin/clock HTTP/1.1") for r in requests)
    assert all(b"Authorization: Bearer t0k" in r for r in requests)


def test_an_error_answer_names_the_call_the_status_and_the_detail():
    server = socket.create_server(("127.0.0.1", 0))
    body = b'{"detail":"unknown provider \'jos\'"}'

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            read_request(conn)
            conn.sendall(
                b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: "
                + str(len(body)).encode()
                + b"\r\n\r\n"
                + body
            )

    threading.Thread(target=serve, daemon=True).start()
    with (
        server,
        AdminClient(f"http://127.0.0.1:{server.getsockname()[1]}") as admin,
        pytest.raises(AdminError) as caught,
    ):
        admin.count(provider="jos")
    assert str(caught.value) == "GET /__admin/requests/count: 400 unknown provider 'jos'"
    assert caught.value.status == 400


def test_an_id_with_a_space_is_quoted_in_the_path_not_a_traceback():
    server = socket.create_server(("127.0.0.1", 0))
    seen: list[bytes] = []

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            seen.append(read_request(conn))
            conn.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}")

    threading.Thread(target=serve, daemon=True).start()
    with server, AdminClient(f"http://127.0.0.1:{server.getsockname()[1]}") as admin:
        admin.rotate_client("joss", "klien saya é")
    assert seen[0].startswith(
        b"POST /__admin/providers/joss/clients/klien%20saya%20%C3%A9/rotate HTTP/1.1"
    )
