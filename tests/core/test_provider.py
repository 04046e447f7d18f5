"""A provider names its settings class by module path; the class is imported on first use."""

import dataclasses

import pytest

from mock_server.core.provider_settings import ProviderSettings
from mock_server.registry import PROVIDERS, by_name


@pytest.mark.parametrize("provider", PROVIDERS, ids=lambda p: p.name)
def test_each_providers_settings_class_is_found_and_reads_its_own_variables(provider, monkeypatch):
    cls = provider.settings_cls
    assert issubclass(cls, ProviderSettings)
    assert provider.settings_cls is cls  # imported once
    monkeypatch.setenv(f"MOCK_{provider.name.upper()}_PORT", "9999")
    assert cls().port == 9999


@pytest.mark.parametrize(
    "named",
    [
        "mock_server.providers.joss.signing:DEMO_CREDENTIALS",  # not a class
        "mock_server.core.config:Settings",  # settings, but not a provider's
    ],
)
def test_a_settings_class_that_is_not_a_providers_is_refused_by_name(named):
    provider = dataclasses.replace(by_name("joss"), settings_class=named)
    with pytest.raises(TypeError, match=f"joss: {named} is not a ProviderSettings class"):
        _ = provider.settings_cls
