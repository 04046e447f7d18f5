"""Every emulated provider, listed by hand: adding a provider is a folder and one line here.

Everything else that lists providers reads this: the start-up table, the CLI's flags, the default
ports (Dockerfile ``EXPOSE`` and the compose file are checked against ``default_ports()``), the
control plane and the shared contract suite.
"""

from typing import Any

from mock_server.core.provider import Provider
from mock_server.providers import appkey, digitalent, joss, kyc, sales_order

ADMIN = "admin"  # the control plane's name wherever ports are listed

PROVIDERS: tuple[Provider[Any], ...] = (
    digitalent.provider,
    joss.provider,
    appkey.provider,
    kyc.provider,
    sales_order.provider,
)


def by_name(name: str) -> Provider[Any]:
    for provider in PROVIDERS:
        if provider.name == name:
            return provider
    known = ", ".join(p.name for p in PROVIDERS)
    raise KeyError(f"unknown provider {name!r}; known: {known}")


def default_ports() -> dict[str, int]:
    """The control plane's and each provider's default port, in start-up order."""
    from mock_server.core.config import Settings  # pydantic-settings: not for every command

    ports: dict[str, int] = {ADMIN: Settings.model_fields["admin_port"].default}
    for provider in PROVIDERS:
        ports[provider.name] = provider.settings_cls.model_fields["port"].default
    return ports
