"""The pytest plugin, used the way a user's CI test uses it: no set-up beyond the fixture."""

import httpx
import pytest

from mock_server.clients import DigitalentAuth
from tests.helpers import NESTED_PYTEST_FLAGS

PATH = "/api/public/pelatihan/akademi"


def test_a_ten_line_contract_test(mock_sandbox):
    auth = DigitalentAuth(**mock_sandbox.credential("digitalent"))
    with httpx.Client(base_url=mock_sandbox.url("digitalent"), auth=auth) as client:
        assert client.post(PATH, json={"id": 1}).json()["data"]["slug"] == "FGA"
    assert mock_sandbox.journal.count(provider="digitalent", method="POST", outcome="accepted") == 1
    mock_sandbox.journal.assert_nothing_rejected()


def test_each_test_starts_from_the_seed(mock_sandbox):
    assert mock_sandbox.journal.count() == 0
    assert mock_sandbox.admin.faults() == []


def test_the_clock_drives_windows(mock_sandbox):
    before = mock_sandbox.sign("digitalent", "GET", PATH)
    mock_sandbox.clock.advance(3600)
    # Signed by the plugin at the sandbox's time, an hour ahead of the machine's: served.
    ahead = mock_sandbox.sign("digitalent", "GET", PATH)
    response = httpx.get(mock_sandbox.url("digitalent") + PATH, headers=ahead)
    assert response.status_code == 200
    entry = mock_sandbox.journal.get(response.headers["x-mock-journal-id"])
    assert entry["diagnosis"]["timestamp_clock"]["matched"] == "sandbox clock"
    # Signed before the move, as a client stamping its own clock would: served too.
    response = httpx.get(mock_sandbox.url("digitalent") + PATH, headers=before)
    assert response.status_code == 200
    entry = mock_sandbox.journal.get(response.headers["x-mock-journal-id"])
    assert entry["diagnosis"]["timestamp_clock"]["matched"] == "machine's wall clock"


def test_faults(mock_sandbox):
    mock_sandbox.faults.add("digitalent", status=503, times=1)
    headers = mock_sandbox.sign("digitalent", "GET", PATH)
    assert httpx.get(mock_sandbox.url("digitalent") + PATH, headers=headers).status_code == 503
    headers = mock_sandbox.sign("digitalent", "GET", PATH)
    assert httpx.get(mock_sandbox.url("digitalent") + PATH, headers=headers).status_code == 200


def test_a_stub_for_one_test_is_served_behind_auth(mock_sandbox):
    stub = mock_sandbox.stubs.add(
        "digitalent",
        method="GET",
        path="/api/public/peserta/{nik}",
        response={"body": {"nik": "{{ path.nik }}"}},
    )
    url = mock_sandbox.url("digitalent") + "/api/public/peserta/3201"
    assert httpx.get(url).status_code == 400  # unsigned
    signed = mock_sandbox.sign("digitalent", "GET", "/api/public/peserta/3201")
    assert httpx.get(url, headers=signed).json() == {"nik": "3201"}
    assert [s["id"] for s in mock_sandbox.stubs.list("digitalent")] == [stub["id"]]


def test_the_next_test_has_no_stub_of_the_last(mock_sandbox):
    assert mock_sandbox.stubs.list("digitalent") == []


def test_lenient_mode_and_would_fail_assertion(mock_sandbox):
    mock_sandbox.lenient("digitalent")
    response = httpx.get(mock_sandbox.url("digitalent") + PATH)
    assert response.status_code == 200
    with pytest.raises(AssertionError, match="missing_headers"):
        mock_sandbox.journal.assert_nothing_would_fail()


def test_a_test_that_moves_the_clock(mock_sandbox):
    mock_sandbox.clock.freeze("2020-01-01T00:00:00Z")


def test_the_next_test_is_seeded_around_real_time(mock_sandbox):
    """The previous test froze the clock in 2020: this one's seed must not be laid out there."""
    path = "/api/public/pelatihan"
    statuses = set()
    for status in ("pendaftaran_dibuka", "selesai"):
        headers = mock_sandbox.sign("digitalent", "GET", path)
        body = httpx.get(
            mock_sandbox.url("digitalent") + path, params={"status": status}, headers=headers
        ).json()
        if body["meta"]["total"]:
            statuses.add(status)
    assert statuses == {"pendaftaran_dibuka", "selesai"}


def test_the_plugin_ignores_an_exported_admin_token(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "MOCK_ADMIN_TOKEN": "exported-for-docker"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", *NESTED_PYTEST_FLAGS,
         f"{__file__}::test_each_test_starts_from_the_seed"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-2000:]


@pytest.mark.mock_server_settings(digitalent={"rate_limit": 1})
def test_provider_settings_for_one_test_on_a_sandbox_of_its_own(mock_sandbox):
    assert mock_sandbox.journal.count() == 0
    first = httpx.get(
        mock_sandbox.url("digitalent") + PATH, headers=mock_sandbox.sign("digitalent", "GET", PATH)
    )
    second = httpx.get(
        mock_sandbox.url("digitalent") + PATH, headers=mock_sandbox.sign("digitalent", "GET", PATH)
    )
    assert (first.status_code, second.status_code) == (200, 429)


def test_the_next_test_has_the_shared_sandbox_and_its_settings_again(mock_sandbox):
    for _ in range(3):
        headers = mock_sandbox.sign("digitalent", "GET", PATH)
        assert httpx.get(mock_sandbox.url("digitalent") + PATH, headers=headers).status_code == 200
