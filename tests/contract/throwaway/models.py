"""The throwaway provider's one table and its seed: its clients."""

from typing import Any

from sqlalchemy import Boolean, Column, String, Table

from mock_server.core.credentials import client_lookup
from mock_server.core.db import METADATA
from mock_server.core.provider import ProviderContext, SeedContext

PingClient = Table(
    "throwaway_client",
    METADATA,
    Column("client_id", String(128), primary_key=True),
    Column("client_secret", String, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
)


class Clients:
    """The backend: who may call."""

    def __init__(self, ctx: ProviderContext) -> None:
        self.ctx = ctx
        self.find = client_lookup(ctx.db, PingClient)

    def get(self, client_id: str) -> Any:
        return self.find(client_id)


def seed(ctx: SeedContext) -> None:
    ctx.conn.execute(
        PingClient.insert(),
        [{"client_id": "ping-client", "client_secret": "ping-secret", "active": True}],
    )
