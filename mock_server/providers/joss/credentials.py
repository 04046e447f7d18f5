"""JOSS clients for the control plane: list, create, rotate the secret, (de)activate.

New clients belong to the environment this sandbox emulates (``--joss-environment``, staging by
default): the Ministry issues credentials per environment, and a client created here is meant to
be used here at once. Listings show each client's environment, so a production credential on a
staging sandbox is easy to spot.
"""

from typing import Any

from mock_server.core.credentials import TableCredentials
from mock_server.providers.joss.models import JossClient


class JossCredentials(TableCredentials):
    table = JossClient
    id_prefix = "joss"

    def public(self, row: Any) -> dict[str, Any]:
        return super().public(row) | {"environment": row.environment}

    def new_columns(self, name: str) -> dict[str, Any]:
        return {"name": name, "environment": self._ctx.settings.environment}
