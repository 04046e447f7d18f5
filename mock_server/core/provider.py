"""What a provider hands the sandbox, and what the sandbox hands a provider.

A provider is a folder under ``mock_server/providers`` exposing ``provider = Provider(...)`` and
one line in ``mock_server/registry.py``. It never reaches into the sandbox beyond
``ProviderContext`` (and, for its command-line hooks, ``CommandLine``).

The sandbox builds each provider the same way: ``backend = provider.backend(ctx)``, a plain
object holding the provider's state and logic (testable without HTTP); then its routes over that
backend, and the auth that guards every route.
"""

import argparse
import importlib
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from mock_server.core.contract import Contract

# Only for type checking: a command that signs a request or prints the version never needs the
# web or database stacks, and importing them costs more than the command itself.
if TYPE_CHECKING:
    import httpx
    from faker import Faker
    from fastapi import APIRouter
    from sqlalchemy import Connection
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.types import ASGIApp

    from mock_server.core.clock import Clock
    from mock_server.core.config import Settings
    from mock_server.core.context import Principal, RequestContext
    from mock_server.core.db import Database
    from mock_server.core.errors import ProviderError
    from mock_server.core.postman import PostmanSpec
    from mock_server.core.provider_settings import ProviderSettings
    from mock_server.core.replay import ReplayGuard


class CredentialStore(Protocol):
    """A provider's clients, for the control plane. Secrets are returned only by ``create`` and
    ``rotate`` (once, to the caller); listings show a fingerprint. Unknown ids raise KeyError."""

    def list(self) -> list[dict[str, Any]]: ...
    def create(self, client_id: str | None, name: str) -> dict[str, Any]: ...
    def rotate(self, client_id: str) -> dict[str, Any]: ...
    def set_active(self, client_id: str, active: bool) -> dict[str, Any]: ...


@dataclass(frozen=True)
class SignInput:
    """What ``mock-server sign`` knows when it asks a provider for a request's headers."""

    method: str
    path: str  # as it will be sent, query string included
    body: bytes
    client_id: str | None  # None: the provider's first demo credential
    secret: str | None
    key_file: str | None  # a private key PEM, for providers that sign with RSA
    now: datetime  # the sandbox's time, read from the control plane when it is running
    base_url: str  # the provider's base URL, for credentials obtained over HTTP (tokens)
    settings: Any  # the provider's settings
    request_id: str | None = None  # None: a fresh one, for providers that send request ids
    # Where credentials obtained over HTTP (tokens) are fetched from: a client of the provider's
    # port. None: a new one for ``base_url``.
    http: "httpx.Client | None" = None


@dataclass(frozen=True)
class DemoCredential:
    role: str
    client_id: str
    secret: str


@dataclass(frozen=True)
class ProviderContext:
    name: str
    settings: Any  # the provider's own ProviderSettings subclass
    core: "Settings"
    db: "Database"
    clock: "Clock"
    replay: "ReplayGuard"


@dataclass(frozen=True)
class SeedContext:
    conn: "Connection"
    fake: "Faker"
    now: datetime
    settings: Any


# Runs the provider's checks in its documented order; returns who the request is served as.
Authenticate = Callable[["RequestContext[Any]"], Awaitable["Principal"]]
# Renders a rejection in the provider's own shape. It gets the request too, for providers whose
# errors follow a header (JOSS answers XML or JSON by Accept; the x-app-key API by x-language).
RenderError = Callable[["ProviderError", "Request"], "Response"]


class CommandLine(Protocol):
    """What ``mock-server`` offers a provider's command-line hook."""

    @property
    def subcommands(self) -> "argparse._SubParsersAction[argparse.ArgumentParser]": ...

    def add_state_flags(self, parser: argparse.ArgumentParser) -> None:
        """``--db`` / ``--memory``, for a command that edits the state file."""

    def open_context(
        self, ns: argparse.Namespace, provider: str
    ) -> AbstractContextManager[ProviderContext]:
        """The provider's context over the state the flags name, closed on exit."""


Backend = TypeVar("Backend")


@dataclass(frozen=True)
class Provider(Generic[Backend]):
    name: str
    title: str
    auth: str  # one line for the start-up table and the README
    # Its ``ProviderSettings`` subclass as ``"module:Class"``, imported on first use
    # (``settings_cls``): the CLI lists every provider, and most commands read no settings.
    settings_class: str
    # The provider's state and logic over the database: plain objects, no HTTP.
    backend: Callable[[ProviderContext], Backend]
    # The provider's ASGI app (its routes) over the backend.
    routes: Callable[[Backend], "ASGIApp"]
    # The auth every route is guarded by, run before routing.
    authenticate: Callable[[Backend], Authenticate]
    render_error: RenderError
    seed: Callable[[SeedContext], None]
    demo_credentials: tuple[DemoCredential, ...]
    # What the shared contract suite needs: an example request, the error shape, the statuses.
    contract: Contract
    secret_headers: frozenset[str] = dataclass_field(default_factory=frozenset)
    # Optional: a regular expression for paths that carry a credential; its first group is
    # shown as a fingerprint in the journal and the console (the handler still gets the path).
    secret_path: str | None = None
    # Optional: control-plane routes, mounted under /__admin/<flag> (e.g. key registration).
    admin_router: Callable[[Backend], "APIRouter"] | None = None
    # Optional: adds `mock-server <command>` subcommands; each sets `func` on its parser.
    add_cli: Callable[[CommandLine], None] | None = None
    # Optional: list, create, rotate, deactivate clients from the control plane.
    credentials: Callable[[ProviderContext], CredentialStore] | None = None
    # Optional: the headers of a correctly authenticated request, for `mock-server sign`.
    sign: Callable[[SignInput], dict[str, str]] | None = None
    # The host names the HTTPS edge serves this provider under unless its ``hosts`` setting
    # names others: the real ones where the doc names them, else ``<name>.mock.test``.
    hosts: tuple[str, ...] = ()
    # The doc says plain HTTP is redirected to HTTPS: with the edge on, so does the sandbox.
    https_redirect: bool = False
    # The module declaring the provider's tables, when the package does not import it itself
    # (it imports its server parts lazily): the sandbox imports it before making the schema.
    models: str | None = None
    # Optional: its Postman collection's pre-request script, run order and seed ids
    # (``providers/<name>/postman.py``), given its settings, for ``mock-server postman`` and
    # the control plane.
    postman: Callable[[Any], "PostmanSpec"] | None = None

    @cached_property
    def settings_cls(self) -> "type[ProviderSettings]":
        """The class ``settings_class`` names (pydantic-settings is imported here)."""
        from mock_server.core.provider_settings import ProviderSettings

        module, _, name = self.settings_class.partition(":")
        cls = getattr(importlib.import_module(module), name)
        if not (isinstance(cls, type) and issubclass(cls, ProviderSettings)):
            raise TypeError(f"{self.name}: {self.settings_class} is not a ProviderSettings class")
        return cls

    def edge_hosts(self, settings: "ProviderSettings") -> tuple[str, ...]:
        """The host names the edge serves this provider under, lower-case."""
        configured = [h.strip().lower() for h in settings.hosts.split(",") if h.strip()]
        return tuple(configured) if configured else tuple(h.lower() for h in self.hosts)

    @property
    def flag(self) -> str:
        """The name as it appears in CLI flags: ``sales_order`` -> ``sales-order``."""
        return self.name.replace("_", "-")


def lazy(module: str, name: str) -> Any:
    """``module.name``, imported on first call: a provider declares its routes, auth, seed and
    backend without importing them, so that commands that need none of them stay fast. Used as
    ``if TYPE_CHECKING: from m import f`` / ``else: f = lazy("m", "f")``, which keeps the types."""
    target: Callable[..., Any] | None = None

    def call(*args: Any, **kwargs: Any) -> Any:
        nonlocal target
        if target is None:
            target = getattr(importlib.import_module(module), name)
        return target(*args, **kwargs)

    call.__qualname__ = call.__name__ = name
    call.__module__ = module
    return call
