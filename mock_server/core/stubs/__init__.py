"""Stubs: endpoints a user declares per provider (in files, or through the control plane),
served behind that provider's real auth like any built-in endpoint.

- ``model``: what a stub is (validated with pydantic), and its path template.
- ``render``: the templating (a sandboxed Jinja2) every string of a response goes through.
- ``load``: stub files (YAML or JSON), each mistake said with its file and entry.
- ``book``, ``tables``, ``routes``, ``document``: the server side (database, ASGI, OpenAPI),
  imported only by the sandbox, so that ``mock-server stubs check`` loads no server stack.
"""

from mock_server.core.stubs.load import StubFileError, load_stub_files
from mock_server.core.stubs.model import METHODS, CompiledStub, Stub, StubInvalid, compile_stub

__all__ = [
    "METHODS",
    "CompiledStub",
    "Stub",
    "StubFileError",
    "StubInvalid",
    "compile_stub",
    "load_stub_files",
]
