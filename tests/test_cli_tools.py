"""The control-plane commands, against the real process, as a user runs them.

The commands are forked from the suite's zygote (tests/zygote.py: about 0.03 s of CPU each,
where an exec'd ``python -m mock_server`` paid ~0.2 s to import its stack); that a command
imports only what it needs is tests/test_startup.py's, in exec'd processes."""

import json
import os
import subprocess
from contextlib import contextmanager
from datetime import UTC, datetime

import httpx
import pytest

from mock_server.cli_tools import default_admin_url
from tests.forked import zygote
from tests.server import running_server


def run(*args: str, admin: str) -> subprocess.CompletedProcess[str]:
    return zygote().run([*args, "--admin-url", admin])


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("cli") / "cli.db") as running:
        yield running


def test_sign_prints_headers_the_server_accepts(server):
    out = run(
        "sign", "digitalent", "POST", "/api/public/pelatihan/akademi", "--body", '{"id":1}',
        "--base-url", server.url("digitalent"), admin=server.url("admin"),
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    headers = dict(line.split(": ", 1) for line in out.stdout.strip().splitlines())
    assert set(headers) == {"Client-Id", "Request-Id", "Request-Timestamp", "Signature"}
    response = httpx.post(
        server.url("digitalent") + "/api/public/pelatihan/akademi",
        content='{"id":1}',
        headers=headers,
    )
    assert response.status_code == 200


def test_sign_curl_command_runs(server):
    out = run(
        "sign", "digitalent", "GET", "/api/public/pelatihan?per_page=1", "--curl",
        "--base-url", server.url("digitalent"), admin=server.url("admin"),
    )  # fmt: skip
    assert out.stdout.startswith("curl -sS -X GET")
    curl = subprocess.run(["bash", "-c", out.stdout], capture_output=True, text=True, timeout=30)
    assert json.loads(curl.stdout)["meta"]["per_page"] == 1


def test_sign_uses_the_sandbox_clock(server):
    admin = server.url("admin")
    httpx.post(admin + "/__admin/clock", json={"freeze": "2030-05-01T00:00:00Z"})
    try:
        out = run("sign", "digitalent", "GET", "/x", admin=admin)
        assert "Request-Timestamp: 2030-05-01T00:00:00.000Z" in out.stdout
    finally:
        httpx.post(admin + "/__admin/clock", json={"resume": True})


def test_sign_without_a_running_sandbox_says_so_and_fails():
    out = run("sign", "digitalent", "GET", "/x", admin="http://127.0.0.1:9")
    assert out.returncode == 1
    assert out.stdout == ""  # no headers a moved sandbox would then refuse
    assert out.stderr.startswith("mock-server: no sandbox answers at http://127.0.0.1:9")
    assert "--local-clock" in out.stderr
    assert "Traceback" not in out.stderr


def test_sign_with_the_local_clock_needs_no_sandbox():
    out = run("sign", "digitalent", "GET", "/x", "--local-clock", admin="http://127.0.0.1:9")
    assert out.returncode == 0, out.stderr
    stamp = next(line for line in out.stdout.splitlines() if line.startswith("Request-Timestamp"))
    sent = datetime.fromisoformat(stamp.split(": ", 1)[1].replace("Z", "+00:00"))
    assert abs((sent - datetime.now(UTC)).total_seconds()) < 60


@pytest.mark.parametrize(
    ("environ", "url"),
    [
        ({}, "http://127.0.0.1:7100"),
        ({"MOCK_ADMIN_PORT": "8100"}, "http://127.0.0.1:8100"),
        ({"MOCK_HOST": "0.0.0.0", "MOCK_ADMIN_PORT": "8100"}, "http://127.0.0.1:8100"),
        ({"MOCK_HOST": "10.0.0.5"}, "http://10.0.0.5:7100"),
        ({"MOCK_HOST": "::1"}, "http://[::1]:7100"),
        ({"MOCK_ADMIN_URL": "http://mock:7100", "MOCK_ADMIN_PORT": "8100"}, "http://mock:7100"),
    ],
)
def test_client_commands_find_the_control_plane_as_the_server_listens(environ, url):
    assert default_admin_url(environ) == url


def test_mock_admin_port_steers_the_client_commands(server):
    env = {"MOCK_ADMIN_PORT": str(server.ports["admin"])}
    out = zygote().run(
        ["clock"], env={k: v for k, v in os.environ.items() if k != "MOCK_ADMIN_URL"} | env
    )
    assert out.returncode == 0, out.stderr


def test_explain_prints_the_diagnosis(server):
    path = "/api/public/pelatihan/akademi"
    signed = run("sign", "digitalent", "GET", path, "--secret", "wrong", admin=server.url("admin"))
    headers = dict(line.split(": ", 1) for line in signed.stdout.strip().splitlines())
    rejected = httpx.get(server.url("digitalent") + path, headers=headers)
    assert rejected.status_code == 401
    out = run("explain", rejected.headers["x-mock-journal-id"], admin=server.url("admin"))
    assert out.returncode == 0, out.stderr
    assert "rejected by rule `signature`: Invalid signature" in out.stdout
    assert "what the server signed:" in out.stdout
    assert f"GET:{path}::" in out.stdout
    assert "key fingerprint" in out.stdout
    assert "wrong" not in out.stdout.replace("wrong-", "")  # the secret itself never shows
    # The answer the client got, as it got it.
    assert "answered 401:" in out.stdout
    assert "content-type: application/json" in out.stdout
    assert rejected.text in out.stdout
    raw = run("explain", rejected.headers["x-mock-journal-id"], "--json", admin=server.url("admin"))
    assert json.loads(raw.stdout)["rule"] == "signature"


def test_explain_makes_newlines_visible(server):
    """JOSS signs lines joined by \\n: the explanation shows each one."""
    out = run(
        "sign", "joss", "GET", "/api/v1/companies", "--secret", "wrong",
        "--base-url", server.url("joss"), admin=server.url("admin"),
    )  # fmt: skip
    if out.returncode != 0:
        pytest.skip("joss has no signer in this build")
    headers = dict(line.split(": ", 1) for line in out.stdout.strip().splitlines())
    rejected = httpx.get(server.url("joss") + "/api/v1/companies", headers=headers)
    explained = run("explain", rejected.headers["x-mock-journal-id"], admin=server.url("admin"))
    assert "Client-Id:" in explained.stdout
    assert "\\n" in explained.stdout


def test_explain_unknown_id_is_a_clear_error(server):
    out = run("explain", "nope", admin=server.url("admin"))
    assert out.returncode == 1
    assert "404" in out.stderr


def test_journal_lists_newest_last(server):
    httpx.get(server.url("digitalent") + "/api/public/pelatihan")
    out = run("journal", "--provider", "digitalent", "--limit", "3", admin=server.url("admin"))
    lines = out.stdout.strip().splitlines()
    assert 1 <= len(lines) <= 3
    assert "rejected by missing_headers" in lines[-1]


@contextmanager
def following(server):
    """`mock-server journal --follow`, started after one entry exists, its first line read."""
    httpx.get(server.url("digitalent") + "/api/public/before-follow")
    process = zygote().spawn(
        ["journal", "--follow", "--limit", "1", "--admin-url", server.url("admin")],
        separate_stderr=True,
    )
    try:
        assert process.stdout is not None
        process.stdout.readline()  # the entry it started from
        yield process.stdout
    finally:
        process.terminate()
        process.wait(10)


def test_journal_follow_prints_new_entries(server):
    with following(server) as lines:
        response = httpx.get(server.url("digitalent") + "/api/public/pelatihan/follow-me")
        assert response.headers["x-mock-journal-id"] in lines.readline()


def test_clock_command(server):
    admin = server.url("admin")
    assert "frozen" in run("clock", "--freeze", "2031-01-01T00:00:00Z", admin=admin).stdout
    assert "2031-01-01T12:00:00" in run("clock", "--advance", "43200", admin=admin).stdout
    assert "running, offset 0 s" in run("clock", "--resume", admin=admin).stdout


def test_credentials_command(server):
    admin = server.url("admin")
    created = run("credentials", "digitalent", "create", "--client-id", "cli-partner", admin=admin)
    secret = json.loads(created.stdout)["client_secret"]
    listed = run("credentials", "digitalent", admin=admin).stdout
    assert "cli-partner  active" in listed
    assert secret not in listed
    rotated = json.loads(
        run("credentials", "digitalent", "rotate", "cli-partner", admin=admin).stdout
    )
    assert rotated["client_secret"] != secret
    run("credentials", "digitalent", "deactivate", "cli-partner", admin=admin)
    assert "cli-partner  inactive" in run("credentials", "digitalent", admin=admin).stdout


def test_reset_through_the_running_server(server):
    admin = server.url("admin")
    httpx.post(admin + "/__admin/faults", json={"provider": "digitalent", "status": 503})
    out = run("reset", admin=admin)
    assert out.returncode == 0, out.stderr
    assert f"through {admin}" in out.stdout
    assert httpx.get(admin + "/__admin/faults").json() == []
    one = run("reset", "--provider", "digitalent", admin=admin)
    assert "reset digitalent through" in one.stdout


@pytest.mark.parametrize("command", ["sign", "journal", "explain", "clock", "credentials"])
def test_every_command_has_help_with_an_example(command):
    out = zygote().run([command, "--help"])
    assert out.returncode == 0
    assert "example: mock-server" in out.stdout


def test_journal_follow_carries_on_after_the_journal_is_cleared(server):
    with following(server) as lines:
        httpx.delete(server.url("admin") + "/__admin/requests")
        response = httpx.get(server.url("digitalent") + "/api/public/after-clear")
        assert response.headers["x-mock-journal-id"] in lines.readline()


def test_reset_of_an_unknown_provider_is_a_usage_error():
    out = zygote().run(["reset", "--memory", "--provider", "nope"])
    assert out.returncode == 2
    assert "invalid choice" in out.stderr
