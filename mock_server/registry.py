"""Every emulated provider, listed by hand. Adding a provider is a folder and one line here."""

from mock_server.core.provider import Provider
from mock_server.providers import appkey, digitalent, joss, kyc, sales_order

PROVIDERS: tuple[Provider, ...] = (
    digitalent.provider,
    joss.provider,
    appkey.provider,
    kyc.provider,
    sales_order.provider,
)


def by_name(name: str) -> Provider:
    for provider in PROVIDERS:
        if provider.name == name:
            return provider
    known = ", ".join(p.name for p in PROVIDERS)
    raise KeyError(f"unknown provider {name!r}; known: {known}")
