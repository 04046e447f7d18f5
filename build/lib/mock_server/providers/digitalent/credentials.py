"""Digitalent clients for the control plane: list, create, rotate the secret, (de)activate."""

from mock_server.core.credentials import TableCredentials
from mock_server.core.db import table_of
from mock_server.providers.digitalent.models import DigitalentClient


class DigitalentCredentials(TableCredentials):
    table = table_of(DigitalentClient)
    id_prefix = "dts"
