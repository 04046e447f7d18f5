"""Reference client-side signers, for users to test their own code against.

Each is an ``httpx.Auth``: ``httpx.Client(auth=DigitalentAuth(...))`` signs every request.
"""

from mock_server.clients.digitalent import DigitalentAuth
from mock_server.clients.sales_order import SalesOrderAuth

__all__ = ["DigitalentAuth", "SalesOrderAuth"]
