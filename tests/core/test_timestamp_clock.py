"""Once the sandbox clock is moved, a request's own timestamp may match the machine's clock too
(MOCK_TIMESTAMP_CLOCK=either, the default); `sandbox` restores sandbox-only checking. The tests'
sandbox is frozen at FROZEN (2025), so "the machine's clock" is far from the sandbox's."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mock_server.cli import build_parser, load_settings
from mock_server.cli_tools import explanation
from tests.helpers import FROZEN, digitalent_headers, joss_headers, journal_entry
from tests.providers.sales_order.signing import mint_token, signed_headers

AKADEMI = "/api/public/pelatihan/akademi"
WALL = "machine's wall clock"


def wall_now() -> datetime:
    return datetime.now(UTC)


def digitalent_get(client: Any, at: datetime) -> Any:
    return client.get(AKADEMI, headers=digitalent_headers("GET", AKADEMI, at=at))


# -- either (the default) -------------------------------------------------------------------------
def test_a_wall_clock_timestamp_passes_while_the_clock_is_frozen(sandbox, client_for):
    response = digitalent_get(client_for("digitalent"), wall_now())
    assert response.status_code == 200, response.text
    entry = journal_entry(sandbox, response)
    assert entry["outcome"] == "accepted"
    matched = entry["diagnosis"]["timestamp_clock"]
    assert matched["matched"] == WALL
    assert matched["header"] == "Request-Timestamp"
    assert abs(matched["wall_clock_skew_seconds"]) < 5
    assert "timestamp clock" in explanation(entry)


def test_a_sandbox_clock_timestamp_still_passes_and_says_so(sandbox, client_for):
    response = digitalent_get(client_for("digitalent"), FROZEN)
    assert response.status_code == 200
    assert journal_entry(sandbox, response)["diagnosis"]["timestamp_clock"]["matched"] == (
        "sandbox clock"
    )


def test_a_timestamp_outside_both_windows_is_refused_naming_both_clocks(sandbox, client_for):
    response = digitalent_get(client_for("digitalent"), wall_now() - timedelta(hours=1))
    assert response.status_code == 408
    assert response.json()["message"] == "Request timestamp expired"
    entry = journal_entry(sandbox, response)
    assert entry["rule"] == "timestamp_window"
    assert "behind the machine's clock" in entry["message"]
    assert entry["diagnosis"]["timestamp_clock"]["matched"] == "neither"


def test_a_running_clock_records_nothing_extra(sandbox, client_for):
    sandbox.services.clock.resume()
    response = digitalent_get(client_for("digitalent"), wall_now())
    assert response.status_code == 200
    assert "timestamp_clock" not in (journal_entry(sandbox, response)["diagnosis"] or {})
    late = digitalent_get(client_for("digitalent"), wall_now() - timedelta(hours=1))
    assert late.status_code == 408
    assert "machine's clock" not in journal_entry(sandbox, late)["message"]


def test_joss_takes_a_wall_clock_timestamp_too(sandbox, client_for):
    path = "/api/v1/companies"
    response = client_for("joss").get(path, headers=joss_headers("GET", path, at=wall_now()))
    assert response.status_code == 200, response.text
    assert journal_entry(sandbox, response)["diagnosis"]["timestamp_clock"]["matched"] == WALL
    hour_late = joss_headers("GET", path, at=wall_now() - timedelta(hours=1))
    assert client_for("joss").get(path, headers=hour_late).status_code == 401


def test_sales_order_takes_a_wall_clock_timestamp_with_a_live_token(sandbox, client_for):
    token = mint_token(iat=FROZEN.timestamp() - 60)  # live by the sandbox clock
    response = client_for("sales_order").get(
        "/api/v1/sales-orders", headers=signed_headers(wall_now(), token=token)
    )
    assert response.status_code == 200, response.text
    assert journal_entry(sandbox, response)["diagnosis"]["timestamp_clock"]["matched"] == WALL
    late = signed_headers(wall_now() - timedelta(hours=1), token=token)
    refused = client_for("sales_order").get("/api/v1/sales-orders", headers=late)
    assert refused.status_code == 401
    assert refused.json()["message"] == "Request timestamp out of range"


def test_tokens_still_follow_the_sandbox_clock(sandbox, client_for):
    """A token that is live by the machine's clock but expired by the sandbox's is refused."""
    token = mint_token(iat=FROZEN.timestamp() - 43_260)
    response = client_for("sales_order").get(
        "/api/v1/sales-orders", headers=signed_headers(wall_now(), token=token)
    )
    assert response.status_code == 401
    assert response.json()["message"] == "Token expired"


# -- sandbox only ---------------------------------------------------------------------------------
def test_sandbox_only_refuses_the_wall_clock_and_says_how_to_accept_it(make_sandbox, client_for):
    strict = make_sandbox(timestamp_clock="sandbox")
    client = client_for("digitalent", strict)
    response = digitalent_get(client, wall_now())
    assert response.status_code == 408
    entry = journal_entry(strict, response)
    assert "MOCK_TIMESTAMP_CLOCK=sandbox does not accept" in entry["message"]
    hints = entry["diagnosis"]["timestamp_clock"]["hints"]
    assert any("MOCK_TIMESTAMP_CLOCK=either" in hint for hint in hints)
    assert "MOCK_TIMESTAMP_CLOCK=either" in explanation(entry)
    assert digitalent_get(client, FROZEN).status_code == 200


def test_the_setting_is_a_flag_and_an_environment_variable(monkeypatch):
    settings, _ = load_settings(
        build_parser().parse_args(["serve", "--timestamp-clock", "sandbox"])
    )
    assert settings.timestamp_clock == "sandbox"
    monkeypatch.setenv("MOCK_TIMESTAMP_CLOCK", "sandbox")
    settings, _ = load_settings(build_parser().parse_args(["serve"]))
    assert settings.timestamp_clock == "sandbox"
    monkeypatch.setenv("MOCK_TIMESTAMP_CLOCK", "wall")
    from mock_server.core.locations import ConfigError

    with pytest.raises(ConfigError, match="timestamp_clock"):
        load_settings(build_parser().parse_args(["serve"]))


# -- replays --------------------------------------------------------------------------------------
def test_moving_the_clock_back_and_forth_never_reopens_a_replay(sandbox, client_for):
    """An id used while the sandbox clock ran 12 h behind is kept until the machine's clock has
    moved past the window too: after resuming (and a purge) its replay is still a 409."""
    clock = sandbox.services.clock
    clock.resume()
    clock.advance(-43_200)
    client = client_for("digitalent")
    body = json.dumps({"id": 1})
    headers = digitalent_headers("POST", AKADEMI, body, at=wall_now())
    assert client.post(AKADEMI, content=body, headers=headers).status_code == 200
    clock.resume()
    sandbox.services.purge_request_ids()
    replay = client.post(AKADEMI, content=body, headers=headers)
    assert replay.status_code == 409, replay.text


# -- the step alone -------------------------------------------------------------------------------
def step_context(*, now: float, wall_now: float | None, timestamp_clock: str = "either") -> Any:
    from mock_server.core.context import RequestContext
    from mock_server.core.journal import Record

    record = Record(
        id="x", at=now, provider="p", method="GET", path="/", query="", headers=[], body=b""
    )
    return RequestContext(
        provider="p", method="GET", path="/", query="", headers={}, body=b"", record=record,
        now=now, replay=None, backend=None, wall_now=wall_now,
        timestamp_clock=timestamp_clock,
    )  # fmt: skip


def check(req: Any, sent_at: float) -> None:
    from mock_server.core.auth import timestamp_window

    timestamp_window(
        req, sent_at, window=300, header="X-TIMESTAMP", status=401, rule="timestamp_window",
        message="Request timestamp out of range",
    )  # fmt: skip


SANDBOX_NOW, WALL_NOW = 2_000_000_000.0, 1_999_956_740.0  # the sandbox 43,260 s ahead


@pytest.mark.parametrize(
    ("sent_at", "matched"),
    [(SANDBOX_NOW - 299, "sandbox clock"), (WALL_NOW + 299, WALL)],
)
def test_the_step_accepts_either_window_and_records_which(sent_at, matched):
    req = step_context(now=SANDBOX_NOW, wall_now=WALL_NOW)
    check(req, sent_at)
    assert req.record.diagnosis["timestamp_clock"]["matched"] == matched


@pytest.mark.parametrize("sent_at", [WALL_NOW - 301, WALL_NOW + 301, SANDBOX_NOW + 301, 0.0])
def test_the_step_refuses_a_timestamp_outside_both_windows(sent_at):
    from mock_server.core.errors import ProviderError

    req = step_context(now=SANDBOX_NOW, wall_now=WALL_NOW)
    with pytest.raises(ProviderError) as refused:
        check(req, sent_at)
    assert refused.value.status == 401
    assert refused.value.diagnosis["timestamp_clock"]["matched"] == "neither"


def test_the_step_in_sandbox_only_mode_refuses_the_wall_clock():
    from mock_server.core.errors import ProviderError

    req = step_context(now=SANDBOX_NOW, wall_now=WALL_NOW, timestamp_clock="sandbox")
    with pytest.raises(ProviderError):
        check(req, WALL_NOW)
    check(req, SANDBOX_NOW)  # the sandbox's own window still passes
