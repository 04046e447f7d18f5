"""The pytest plugin as a CI job uses it against a sandbox that is already running (the Docker
image as a service): a real ``mock-server`` process with a control-plane token, and a user's test
run by a real ``pytest`` process with ``--mock-server-url``."""

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.helpers import NESTED_PYTEST_FLAGS
from tests.server import RunningServer, running_server

TOKEN = "ci-token-for-the-plugin"
USER_TEST = """
import httpx
from mock_server.clients import DigitalentAuth

PATH = "/api/public/pelatihan/akademi"


def test_against_the_running_sandbox(mock_sandbox):
    assert mock_sandbox.sandbox is None  # nothing was started in this process
    auth = DigitalentAuth(**mock_sandbox.credential("digitalent"))
    with httpx.Client(base_url=mock_sandbox.url("digitalent"), auth=auth) as client:
        assert client.post(PATH, json={"id": 1}).status_code == 200
    assert mock_sandbox.journal.count(provider="digitalent", outcome="accepted") == 1


def test_each_test_starts_from_the_seed_there_too(mock_sandbox):
    assert mock_sandbox.journal.count() == 0
    headers = mock_sandbox.sign("digitalent", "GET", PATH)
    assert httpx.get(mock_sandbox.url("digitalent") + PATH, headers=headers).status_code == 200
"""
MARKED_TEST = """
import pytest


@pytest.mark.mock_server_settings(digitalent={"rate_limit": 1})
def test_needs_its_own_sandbox(mock_sandbox):
    pass
"""


def run_pytest(directory: Path, source: str, *args: str) -> subprocess.CompletedProcess[str]:
    (directory / "test_user.py").write_text(textwrap.dedent(source))
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", *NESTED_PYTEST_FLAGS, *args, "test_user.py"],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    """One sandbox for the module, as a CI job has one service: each user run resets it."""
    with running_server(None, env={"MOCK_ADMIN_TOKEN": TOKEN}) as running:
        yield running


def test_a_users_tests_run_against_an_already_running_sandbox(tmp_path, server):
    admin = server.url("admin")
    result = run_pytest(
        tmp_path, USER_TEST, "--mock-server-url", admin, "--mock-server-token", TOKEN
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # The requests reached that process: its journal has the second test's GET (the first
    # test's POST was reset away before it).
    entries = httpx.get(
        f"{admin}/__admin/requests", headers={"Authorization": f"Bearer {TOKEN}"}
    ).json()["data"]
    assert [(e["provider"], e["method"], e["status"]) for e in entries] == [
        ("digitalent", "GET", 200)
    ]


def test_a_wrong_token_is_one_sentence_not_a_traceback(tmp_path, server):
    url = server.url("admin")
    result = run_pytest(tmp_path, USER_TEST, "--mock-server-url", url, "--mock-server-token", "x")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert f"--mock-server-url {url}:" in output
    assert "Traceback" not in output


def test_per_test_settings_against_a_running_sandbox_fail_saying_why(tmp_path, server):
    url = server.url("admin")
    result = run_pytest(
        tmp_path, MARKED_TEST, "--mock-server-url", url, "--mock-server-token", TOKEN
    )
    assert result.returncode == 1
    assert "mock_server_settings needs a sandbox of the test's own" in result.stdout


def test_a_misspelt_setting_is_named(tmp_path):
    result = run_pytest(
        tmp_path, MARKED_TEST.replace('"rate_limit"', '"rate_limt"'), "-p", "no:randomly"
    )
    assert result.returncode != 0
    assert (
        "mock_server_settings: digitalent has no setting rate_limt" in result.stdout + result.stderr
    )
