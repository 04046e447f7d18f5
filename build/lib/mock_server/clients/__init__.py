"""Reference client-side signers and token handlers, for users to test their own code against.

Digitalent's is an ``httpx.Auth``: ``httpx.Client(auth=DigitalentAuth(...))`` signs every
request. SATUSEHAT KYC's are the envelope functions and a small ``KycClient``.
"""

from mock_server.clients.appkey import AppKeyAuth, AppKeyTokens
from mock_server.clients.digitalent import DigitalentAuth
from mock_server.clients.joss import JossAuth
from mock_server.clients.kyc import KycClient, decrypt_message, encrypt_message
from mock_server.clients.sales_order import SalesOrderAuth

__all__ = [
    "AppKeyAuth",
    "AppKeyTokens",
    "DigitalentAuth",
    "JossAuth",
    "KycClient",
    "SalesOrderAuth",
    "decrypt_message",
    "encrypt_message",
]
