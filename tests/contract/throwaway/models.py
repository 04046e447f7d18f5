"""The throwaway provider's one table and its seed: its clients."""

from typing import Any

from sqlmodel import Field, SQLModel

from mock_server.core.credentials import client_lookup
from mock_server.core.db import table_of
from mock_server.core.provider import ProviderContext, SeedContext


class PingClient(SQLModel, table=True):
    __tablename__ = "throwaway_client"
    client_id: str = Field(primary_key=True, max_length=128)
    client_secret: str
    active: bool = True


class Clients:
    """The backend: who may call."""

    def __init__(self, ctx: ProviderContext) -> None:
        self.ctx = ctx
        self.find = client_lookup(ctx.db, table_of(PingClient))

    def get(self, client_id: str) -> Any:
        return self.find(client_id)


def seed(ctx: SeedContext) -> None:
    ctx.conn.execute(
        table_of(PingClient).insert(),
        [{"client_id": "ping-client", "client_secret": "ping-secret", "active": True}],
    )
