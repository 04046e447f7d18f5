"""Where stubs keep what must agree across workers: the stubs added through the control plane,
and what stateful stubs stored. File stubs are not here: every process reads its files."""

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class StubEntry(SQLModel, table=True):
    """A stub added through the control plane, as it was given (JSON)."""

    __tablename__ = "stub_entry"
    __table_args__ = (UniqueConstraint("provider", "id"),)
    seq: int | None = Field(default=None, primary_key=True)
    provider: str = Field(max_length=32)
    id: str = Field(max_length=64)
    definition: str = Field(sa_column=Column(Text, nullable=False), description="JSON")


class StubValue(SQLModel, table=True):
    """What a stateful stub stored: by provider, state name and the key's value."""

    __tablename__ = "stub_value"
    provider: str = Field(primary_key=True, max_length=32)
    name: str = Field(primary_key=True, max_length=128)
    key: str = Field(primary_key=True, max_length=512)
    value: str = Field(sa_column=Column(Text, nullable=False), description="JSON")
    stored_at: float = Field(description="unix seconds, sandbox clock")
