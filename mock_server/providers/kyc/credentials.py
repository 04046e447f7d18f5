"""KYC OAuth clients for the control plane: list, create, rotate the secret, (de)activate.

Choices a user sees:
- ``name`` is stored as the client's ``organization_name``, the field the token reply echoes.
- Rotating replaces the secret at once: the old one gets the documented 401 OperationOutcome at
  the token endpoint. Tokens already issued stay valid until they expire (as Apigee keeps them),
  so a rotation does not break requests in flight; deactivate the client to cut them off.
- Deactivating refuses the client at the token endpoint (401 OperationOutcome) and makes its
  existing tokens fail the bearer check (401 fault, rule ``bearer_client_inactive``).
  Reactivating brings the unexpired ones back.
"""

import uuid
from typing import Any

from mock_server.core.credentials import TableCredentials
from mock_server.providers.kyc.models import KycClient


class KycCredentials(TableCredentials):
    table = KycClient
    id_prefix = "kyc"

    def public(self, row: Any) -> dict[str, Any]:
        return super().public(row) | {
            "name": row.organization_name,
            "application_name": row.application_name,
            "developer_email": row.developer_email,
        }

    def new_columns(self, name: str) -> dict[str, Any]:
        # The real token reply carries the app's uuid; give each client its own.
        return {
            "organization_name": name,
            "application_name": str(uuid.uuid4()),
            "developer_email": "",
        }
