"""The schema fingerprint a sandbox writes into its state file. A state file whose fingerprint
differs from the running version's is dropped and reseeded, so a change to any table's columns
must be deliberate: this test then fails, and its pinned value is updated with the change."""

import json
import subprocess
import sys
from typing import Any

# Every shipped table, as of the move from SQLModel classes to SQLAlchemy Core tables (the
# DDL for SQLite and PostgreSQL was byte-identical across that move).
PINNED = "b0c21adaa2a7f6c3"

# A fresh interpreter: in this one, the contract suite's throwaway provider adds a table of
# its own to the shared MetaData. The sandbox opens as `mock-server serve --memory` does.
PROBE = """
import json
from sqlalchemy import Column, Integer, Table

from mock_server.app import Sandbox
from mock_server.core.config import Settings
from mock_server.core.db import METADATA, schema_fingerprint

sandbox = Sandbox(Settings(memory=True)).open()
stored = sandbox.services.db.meta("schema")
tables = sorted(METADATA.tables)
sandbox.close()
Table("one_more", METADATA, Column("id", Integer, primary_key=True))
print(json.dumps({"stored": stored, "tables": tables, "with_one_more": schema_fingerprint()}))
"""


def probe() -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_the_schema_fingerprint_is_pinned_and_moves_with_any_table():
    result = probe()
    assert result["stored"] == PINNED, (
        "the schema changed: every existing state file will be reseeded on its next start; "
        "if that is intended, pin the new value"
    )
    assert len(result["tables"]) == 33
    # The rejecting side: one table more and the fingerprint is another.
    assert result["with_one_more"] != PINNED
