"""Where stubs keep what must agree across workers: the stubs added through the control plane,
and what stateful stubs stored. File stubs are not here: every process reads its files."""

from sqlalchemy import Column, Float, Integer, String, Table, Text, UniqueConstraint

from mock_server.core.db import METADATA

# A stub added through the control plane, as it was given (JSON).
StubEntry = Table(
    "stub_entry",
    METADATA,
    Column("seq", Integer, primary_key=True),
    Column("provider", String(32), nullable=False),
    Column("id", String(64), nullable=False),
    Column("definition", Text, nullable=False),  # JSON
    UniqueConstraint("provider", "id"),
)


# What a stateful stub stored: by provider, state name and the key's value.
StubValue = Table(
    "stub_value",
    METADATA,
    Column("provider", String(32), primary_key=True),
    Column("name", String(128), primary_key=True),
    Column("key", String(512), primary_key=True),
    Column("value", Text, nullable=False),  # JSON
    Column("stored_at", Float, nullable=False),  # unix seconds, sandbox clock
)
