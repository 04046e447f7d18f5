"""The forked sandboxes most tests use (tests/zygote.py) behave as the exec'd console script:
same output, streams, exit status, environment and working directory."""

import os
import subprocess

import pytest

from tests.forked import zygote
from tests.server import CONSOLE_SCRIPT


@pytest.mark.parametrize(
    "argv",
    [
        ["--version"],
        ["reset", "--db", "/nowhere/at/all/state.db"],  # one sentence on stderr, status 2
        ["rset"],  # a mistyped command: the hint
    ],
)
def test_a_forked_command_says_what_the_console_script_says(argv, tmp_path) -> None:
    forked = zygote().run(argv, cwd=tmp_path)
    execd = subprocess.run(
        [str(CONSOLE_SCRIPT), *argv], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert (forked.returncode, forked.stdout, forked.stderr) == (
        execd.returncode,
        execd.stdout,
        execd.stderr,
    )


def test_a_forked_command_gets_the_tests_environment_and_directory(tmp_path) -> None:
    """A state file named by MOCK_DATABASE_URL relative to the working directory is created
    there: the fork took both from the test, not from the zygote."""
    env = {**os.environ, "MOCK_DATABASE_URL": "sqlite:///./here.db"}
    done = zygote().run(["reset"], env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "here.db").exists()
