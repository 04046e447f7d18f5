"""The real process: start-up table, health, one console line per request, clean stop, state kept
across a restart, and `python -m mock_server`."""

import re
import signal

import httpx
import pytest

from mock_server.registry import PROVIDERS
from tests.helpers import digitalent_headers
from tests.server import running_server


def signed_get(server, path="/api/public/pelatihan/akademi"):
    from datetime import UTC, datetime

    headers = digitalent_headers("GET", path, at=datetime.now(UTC))
    return httpx.get(server.url("digitalent") + path, headers=headers)


def test_start_prints_the_table_and_health_reports_every_port(tmp_path):
    with running_server(tmp_path / "s.db") as server:
        server.wait_for_output("ready: every port is listening")
        table = "\n".join(server.output)
        assert f"http://127.0.0.1:{server.ports['admin']}" in table
        assert re.search(
            rf"digitalent\s+http://127\.0\.0\.1:{server.ports['digitalent']}\s+HMAC-SHA256", table
        )
        assert "dts-demo-client / dts-demo-secret (active)" in table
        assert "dts-inactive-client / dts-inactive-secret (inactive)" in table
        assert "seeded in" in table
        health = httpx.get(server.url("admin") + "/__admin/health").json()
        assert health == {
            "status": "ok",
            "providers": {
                name: {"port": port, "listening": True}
                for name, port in server.ports.items()
                if name != "admin"
            },
        }


def test_one_console_line_per_request_with_the_rule_and_journal_id(tmp_path):
    with running_server(tmp_path / "s.db") as server:
        accepted = signed_get(server)
        assert accepted.status_code == 200
        rejected = httpx.get(server.url("digitalent") + "/api/public/pelatihan/akademi")
        assert rejected.status_code == 400
        ok_line = server.wait_for_output(accepted.headers["x-mock-journal-id"])
        assert "digitalent" in ok_line
        assert "GET" in ok_line
        assert "/api/public/pelatihan/akademi -> 200" in ok_line
        bad_line = server.wait_for_output(rejected.headers["x-mock-journal-id"])
        assert "-> 400  rejected by missing_headers: Missing required headers" in bad_line
        request_lines = [line for line in server.output if "[journal " in line]
        assert len(request_lines) == 2
        assert not any("dts-demo-secret" in line for line in request_lines)


def test_sigterm_stops_cleanly_and_state_survives_a_restart(tmp_path):
    db = tmp_path / "kept.db"
    with running_server(db) as server:
        signed_get(server)
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(10) == 0
    with running_server(db) as server:
        server.wait_for_output("kept from the last run")
        path = "/api/public/pelatihan/akademi"
        from datetime import UTC, datetime

        headers = digitalent_headers("GET", path, at=datetime.now(UTC))
        assert httpx.get(server.url("digitalent") + path, headers=headers).status_code == 200
        # the same request id again, after the restart: still remembered
        replay = digitalent_headers(
            "GET", path, at=datetime.now(UTC), request_id=headers["Request-Id"]
        )
        assert httpx.get(server.url("digitalent") + path, headers=replay).status_code == 409


def test_python_dash_m_runs_the_same_server(tmp_path):
    with running_server(None, module=True) as server:
        assert "in memory" in server.wait_for_output("state:")
        assert signed_get(server).status_code == 200


def test_env_vars_configure_the_server(tmp_path):
    with running_server(tmp_path / "s.db", env={"MOCK_DIGITALENT_TIMESTAMP_WINDOW": "5"}) as server:
        from datetime import UTC, datetime, timedelta

        path = "/api/public/pelatihan/akademi"
        late = digitalent_headers("GET", path, at=datetime.now(UTC) - timedelta(seconds=30))
        assert httpx.get(server.url("digitalent") + path, headers=late).status_code == 408


def test_a_busy_port_is_a_clear_error(tmp_path):
    import socket
    import subprocess
    import sys

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "mock_server", "--memory", "--digitalent-port", str(port),
             "--admin-port", "0"],
            capture_output=True, text=True, timeout=30,
        )  # fmt: skip
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port} for digitalent" in result.stderr
    assert "--digitalent-port" in result.stderr
    assert "Traceback" not in result.stderr


def test_port_zero_picks_free_ports_and_health_reports_them():
    import subprocess
    import sys
    import time

    command = [sys.executable, "-m", "mock_server", "--memory"]
    # Every port 0, the edge's too: a default port may be taken by another sandbox on the machine.
    command += ["--admin-port", "0", "--edge-port", "0"]
    command += [arg for p in PROVIDERS for arg in (f"--{p.flag}-port", "0")]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = []
        assert process.stdout is not None
        deadline = time.monotonic() + 20
        while not any("ready:" in line for line in lines) and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:  # it exited: the table says why
                break
            lines.append(line)
        table = "".join(lines)
        admin = int(re.search(r"admin\s+http://127\.0\.0\.1:(\d+)", table).group(1))
        digitalent = int(re.search(r"digitalent\s+http://127\.0\.0\.1:(\d+)", table).group(1))
        assert 0 not in (admin, digitalent)
        health = httpx.get(f"http://127.0.0.1:{admin}/__admin/health")
        assert health.status_code == 200
        assert health.json()["providers"]["digitalent"]["port"] == digitalent
    finally:
        process.terminate()
        process.wait(10)


def test_a_drop_fault_closes_the_connection_without_a_response(tmp_path):
    with running_server(tmp_path / "drop.db") as server:
        admin = server.url("admin")
        rule = httpx.post(
            admin + "/__admin/faults",
            json={"provider": "digitalent", "action": "drop", "times": 1},
        ).json()
        url = server.url("digitalent") + "/api/public/pelatihan/akademi"
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(url)
        assert httpx.get(url).status_code == 400  # the rule is used up: answered again
        dropped = httpx.get(admin + "/__admin/requests", params={"rule": "fault"}).json()["data"]
        assert len(dropped) == 1
        assert dropped[0]["diagnosis"]["faults"] == [rule["id"]]
        assert not [line for line in server.output if "Traceback" in line or "ERROR" in line]
