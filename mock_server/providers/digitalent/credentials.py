"""Digitalent clients for the control plane: list, create, rotate the secret, (de)activate."""

from mock_server.core.credentials import TableCredentials
from mock_server.providers.digitalent.models import DigitalentClient


class DigitalentCredentials(TableCredentials):
    table = DigitalentClient
    id_prefix = "dts"
