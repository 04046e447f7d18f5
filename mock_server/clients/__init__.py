"""Reference client-side signers and token handlers, for users to test their own code against.

Each is an ``httpx.Auth``: ``httpx.Client(auth=DigitalentAuth(...))`` signs every request.
"""

from mock_server.clients.appkey import AppKeyAuth, AppKeyTokens
from mock_server.clients.digitalent import DigitalentAuth
from mock_server.clients.joss import JossAuth

__all__ = ["AppKeyAuth", "AppKeyTokens", "DigitalentAuth", "JossAuth"]
