"""A new provider is a folder and one line: the throwaway provider under ``throwaway/`` exists
in no file outside its folder, yet the whole shared contract suite runs against it."""

import re
import subprocess
import sys
from pathlib import Path

from tests.helpers import NESTED_PYTEST_FLAGS
from tests.postgres import missing_reason

ROOT = Path(__file__).resolve().parents[2]


def test_the_whole_contract_suite_runs_against_a_provider_defined_in_tests_alone():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/contract/test_contract.py",
            *NESTED_PYTEST_FLAGS,
            "-q",
            "-rs",
            "--contract-provider",
            "tests.contract.throwaway:provider",
            "-k",
            "throwaway",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    passed = int(re.search(r"(\d+) passed", result.stdout)[1])
    skipped = int(re.search(r"(\d+) skipped", result.stdout)[1])
    # Every case of the suite ran, on SQLite and on PostgreSQL; only the bad-body cases skip (its
    # example is a GET). Without the PostgreSQL server binaries, its 18 cases skip instead.
    expected = (2 * 13, 2 * 5) if missing_reason() is None else (13, 5 + 18)
    assert (passed, skipped) == expected, result.stdout
