"""Time travel that real clients survive, over a real `mock-server` process: a Sales Order client
that stamps X-TIMESTAMP from its own clock (raw httpx, and the unchanged reference client) sees
its token expire when the sandbox clock moves 12 h ahead, refreshes it, and carries on."""

import time
from pathlib import Path

import httpx

from mock_server.clients.sales_order import SalesOrderAuth
from tests.providers.sales_order.signing import DEMO_CLIENT, DEMO_SECRET, demo_private_key, sign
from tests.server import RunningServer, running_server

LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
ORDERS = "/api/v1/sales-orders"
TWELVE_HOURS_AND_A_MINUTE = 43_260


def signed(token: str) -> dict[str, str]:
    """What a partner's own code sends: X-TIMESTAMP from the machine's clock."""
    timestamp = str(int(time.time()))
    return {
        "Authorization": f"Bearer {token}",
        "X-CLIENT-ID": DEMO_CLIENT,
        "X-TIMESTAMP": timestamp,
        "X-SIGNATURE": sign(demo_private_key(), f"{DEMO_CLIENT}|{timestamp}"),
    }


def log_in_then_advance(server: RunningServer, http: httpx.Client) -> str:
    login = http.post(LOGIN, json={"client_id": DEMO_CLIENT, "client_secret": DEMO_SECRET})
    assert login.status_code == 200, login.text
    token: str = login.json()["token"]
    assert http.get(ORDERS, headers=signed(token)).status_code == 200
    moved = httpx.post(
        server.url("admin") + "/__admin/clock",
        json={"advance_seconds": TWELVE_HOURS_AND_A_MINUTE},
    )
    assert moved.status_code == 200, moved.text
    return token


def journal(server: RunningServer, response: httpx.Response) -> dict[str, object]:
    journal_id = response.headers["x-mock-journal-id"]
    entry = httpx.get(server.url("admin") + f"/__admin/requests/{journal_id}")
    assert entry.status_code == 200, entry.text
    result: dict[str, object] = entry.json()
    return result


def test_a_wall_clock_client_survives_twelve_hours_of_time_travel(tmp_path: Path):
    with (
        running_server(tmp_path / "state.db") as server,
        httpx.Client(base_url=server.url("sales_order")) as http,
    ):
        token = log_in_then_advance(server, http)

        expired = http.get(ORDERS, headers=signed(token))
        assert expired.status_code == 401
        assert expired.json()["message"] == "Token expired"

        renewed = http.post(REFRESH, json={"token": token})
        assert renewed.status_code == 200, renewed.text
        token = renewed.json()["token"]

        served = http.get(ORDERS, headers=signed(token))
        assert served.status_code == 200, served.text
        diagnosis = journal(server, served)["diagnosis"]
        assert isinstance(diagnosis, dict)
        assert diagnosis["timestamp_clock"]["matched"] == "machine's wall clock"

    # The offset is kept in the state: the next start says so.
    with running_server(tmp_path / "state.db") as server:
        line = server.wait_for_output("clock:")
        assert f"{TWELVE_HOURS_AND_A_MINUTE} s ahead of real time" in line
        assert "request timestamps may follow either clock" in line


def test_the_reference_client_renews_by_itself_after_time_travel(tmp_path: Path):
    with running_server(None) as server:
        auth = SalesOrderAuth()  # its own clock: time.time
        with httpx.Client(base_url=server.url("sales_order"), auth=auth) as http:
            assert http.get(ORDERS).status_code == 200
            first_token = auth.token
            httpx.post(
                server.url("admin") + "/__admin/clock",
                json={"advance_seconds": TWELVE_HOURS_AND_A_MINUTE},
            )
            response = http.get(ORDERS)
            assert response.status_code == 200, response.text
            assert auth.token != first_token  # renewed through /api/v1/auth/refresh


def test_sandbox_only_timestamps_refuse_the_wall_clock_after_time_travel(tmp_path: Path):
    with (
        running_server(None, "--timestamp-clock", "sandbox") as server,
        httpx.Client(base_url=server.url("sales_order")) as http,
    ):
        server.wait_for_output("ready:")
        assert not any("clock:" in line for line in server.output)  # not moved yet
        token = log_in_then_advance(server, http)
        renewed = http.post(REFRESH, json={"token": token})
        assert renewed.status_code == 200
        refused = http.get(ORDERS, headers=signed(renewed.json()["token"]))
        assert refused.status_code == 401
        assert refused.json()["message"] == "Request timestamp out of range"


def test_the_banner_says_when_the_clock_is_frozen(tmp_path: Path):
    db = tmp_path / "frozen.db"
    with running_server(db) as server:
        server.wait_for_output("ready:")
        assert not any("clock:" in line for line in server.output)
        frozen = httpx.post(
            server.url("admin") + "/__admin/clock", json={"freeze": "2030-01-02T03:04:05Z"}
        )
        assert frozen.status_code == 200, frozen.text
    with running_server(db, env={"MOCK_TIMESTAMP_CLOCK": "sandbox"}) as server:
        line = server.wait_for_output("clock:")
        assert "frozen at 2030-01-02T03:04:05.000Z" in line
        assert "request timestamps must follow the sandbox clock" in line
        assert "mock-server clock --resume" in line


def test_now_stamps_the_sandbox_time_where_only_the_sandbox_clock_counts(tmp_path: Path):
    """The documented `now=`: with MOCK_TIMESTAMP_CLOCK=sandbox and a frozen clock, the reference
    clients stamped from the plugin's clock are served; stamped from the machine's, refused."""
    from mock_server.admin.client import AdminClient
    from mock_server.clients import DigitalentAuth
    from mock_server.pytest_plugin import Clock

    with running_server(None, "--timestamp-clock", "sandbox") as server:
        admin = AdminClient(server.url("admin"))
        clock = Clock(admin)
        clock.freeze("2030-01-02T03:04:05Z")
        path = "/api/public/pelatihan/akademi"
        base = server.url("digitalent")
        with httpx.Client(base_url=base, auth=DigitalentAuth(now=clock.now)) as http:
            assert http.get(path).status_code == 200
        with httpx.Client(base_url=base, auth=DigitalentAuth()) as http:
            assert http.get(path).status_code == 408
        sales = SalesOrderAuth(now=lambda: clock.now().timestamp())
        with httpx.Client(base_url=server.url("sales_order"), auth=sales) as http:
            assert http.get(ORDERS).status_code == 200
