"""Sales Order clients for the control plane (``/__admin/providers/sales_order/clients``): list,
create, rotate the secret, (de)activate.

A secret is shown only in the answer to create and rotate; listings carry its fingerprint and
whether a public key is registered (keys themselves are registered through
``/__admin/sales-order/clients/{client_id}/public-key``, as before). Rotating changes what
``/api/v1/auth/login`` accepts at once; tokens already issued are JWTs signed with the sandbox's
key and live out their lifetime, as with the real API's stateless tokens: deactivate a client to
cut it off at once.
"""

from typing import Any

from mock_server.core.credentials import TableCredentials
from mock_server.core.redact import fingerprint
from mock_server.providers.sales_order.models import SalesOrderClient
from mock_server.providers.sales_order.partners import client_json


class SalesOrderCredentials(TableCredentials):
    table = SalesOrderClient
    id_prefix = "partner"

    def public(self, row: Any) -> dict[str, Any]:
        # client_json is what /__admin/sales-order/clients shows; the generic listing adds the
        # secret's fingerprint (to tell secrets apart) and a plain "is a key registered" flag.
        return client_json(row) | {
            "secret_fingerprint": fingerprint(row.client_secret),
            "public_key_registered": bool(row.public_key_pem),
        }
