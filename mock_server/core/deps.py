"""FastAPI dependencies for provider handlers."""

from typing import Annotated

from fastapi import Depends, Request

from mock_server.core.journal import Record


def current_record(request: Request) -> Record:
    """The journal record of this request: ``client_id`` (set by auth) and the raw ``body``."""
    return request.scope["state"]["mock"]


RecordDep = Annotated[Record, Depends(current_record)]
