from datetime import UTC, datetime, timedelta

import pytest

from mock_server.core.clock import Clock, isoformat_z, parse_iso8601
from tests.helpers import FROZEN

# On SQLite and on PostgreSQL (tests/conftest.py).
pytestmark = pytest.mark.both_databases


def test_the_test_sandbox_is_frozen(sandbox):
    assert sandbox.services.clock.now() == FROZEN
    assert sandbox.services.clock.state() == {
        "now": "2025-10-31T06:00:12.120000Z",
        "frozen": True,
        "offset_seconds": 0.0,
    }


def test_advance_while_frozen_moves_the_frozen_instant(sandbox):
    sandbox.services.clock.advance(90)
    assert sandbox.services.clock.now() == FROZEN + timedelta(seconds=90)
    sandbox.services.clock.advance(-30)
    assert sandbox.services.clock.now() == FROZEN + timedelta(seconds=60)


def test_resume_returns_to_real_time(sandbox):
    sandbox.services.clock.resume()
    assert abs((sandbox.services.clock.now() - datetime.now(UTC)).total_seconds()) < 2


def test_advance_while_running_sets_an_offset(sandbox):
    sandbox.services.clock.resume()
    sandbox.services.clock.advance(3600)
    assert sandbox.services.clock.state()["offset_seconds"] == 3600
    assert abs((sandbox.services.clock.now() - datetime.now(UTC)).total_seconds() - 3600) < 2


def test_freeze_needs_an_aware_datetime(sandbox):
    with pytest.raises(ValueError, match="aware"):
        sandbox.services.clock.freeze(datetime(2025, 1, 1))


def test_another_worker_sees_the_change_within_its_refresh(sandbox):
    """The clock lives in the database: a second process (here a second Clock) agrees."""
    other = Clock(sandbox.services.db, refresh_seconds=0)
    assert other.now() == FROZEN
    sandbox.services.clock.advance(10)
    assert other.now() == FROZEN + timedelta(seconds=10)


def test_clock_survives_a_restart(make_sandbox):
    first = make_sandbox()
    first.services.clock.freeze(datetime(2030, 1, 2, tzinfo=UTC))
    first.close()
    from mock_server.app import Sandbox

    again = Sandbox(first.settings).open()
    try:
        assert again.services.clock.now() == datetime(2030, 1, 2, tzinfo=UTC)
    finally:
        again.close()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-10-31T06:00:12.120Z", datetime(2025, 10, 31, 6, 0, 12, 120000, UTC)),
        ("2025-10-31T06:00:12Z", datetime(2025, 10, 31, 6, 0, 12, tzinfo=UTC)),
        ("2025-10-31T13:00:12+07:00", datetime(2025, 10, 31, 6, 0, 12, tzinfo=UTC)),
        ("2025-10-31T06:00:12", datetime(2025, 10, 31, 6, 0, 12, tzinfo=UTC)),
        ("  2025-10-31T06:00:12Z ", datetime(2025, 10, 31, 6, 0, 12, tzinfo=UTC)),
        ("2025-10-31", None),
        ("", None),
        ("1761890412", None),
        ("2025-10-31T06:00:12Z" + "0" * 50, None),
    ],
)
def test_parse_iso8601(text, expected):
    assert parse_iso8601(text) == expected


def test_isoformat_z_is_javascripts_to_iso_string():
    assert isoformat_z(FROZEN) == "2025-10-31T06:00:12.120Z"
