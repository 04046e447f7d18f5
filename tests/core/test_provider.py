"""A provider names its settings class by module path; the class is imported on first use."""

import dataclasses

import pytest
from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

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


def test_settings_from_the_environment_follow_every_change_to_it(monkeypatch):
    """Built once per environment: a variable set, changed (in any case) or removed after a
    first build is read, as a fresh build would."""
    cls = by_name("joss").settings_cls
    monkeypatch.delenv("MOCK_JOSS_TIMESTAMP_WINDOW", raising=False)
    default = cls.from_environment().timestamp_window
    monkeypatch.setenv("MOCK_JOSS_TIMESTAMP_WINDOW", "17")
    assert cls.from_environment().timestamp_window == 17
    monkeypatch.delenv("MOCK_JOSS_TIMESTAMP_WINDOW")
    monkeypatch.setenv("mock_joss_timestamp_window", "18")
    assert cls.from_environment().timestamp_window == 18 == cls().timestamp_window
    monkeypatch.delenv("mock_joss_timestamp_window")
    assert cls.from_environment().timestamp_window == default
    assert cls.from_environment(timestamp_window=19).timestamp_window == 19


def test_each_settings_from_the_environment_is_a_copy_of_its_own():
    cls = by_name("joss").settings_cls
    first = cls.from_environment()
    first.timestamp_window = 1  # as a test or the CLI may change its own
    assert cls.from_environment().timestamp_window != 1


def test_settings_from_an_unchanged_environment_are_built_once():
    from mock_server.core.provider_settings import _built

    cls = by_name("joss").settings_cls
    cls.from_environment(timestamp_window=21)
    hits = _built.cache_info().hits
    cls.from_environment(timestamp_window=21)
    assert _built.cache_info().hits == hits + 1


class Flexible(ProviderSettings):
    model_config = SettingsConfigDict(env_prefix="MOCK_FLEXIBLE_", extra="ignore")
    port: int = 1
    level: int | bool | float = 0


def test_equal_values_of_other_types_are_not_one_entry():
    assert Flexible.from_environment(level=1).level == 1
    assert Flexible.from_environment(level=True).level is True
    assert type(Flexible.from_environment(level=1.0).level) is float


def test_settings_that_read_beyond_their_prefix_are_built_each_time(tmp_path, monkeypatch):
    env = tmp_path / ".env"

    class FromAFile(ProviderSettings):
        model_config = SettingsConfigDict(
            env_prefix="MOCK_FROM_A_FILE_", env_file=str(env), extra="ignore"
        )
        port: int = 1

    class Aliased(ProviderSettings):
        model_config = SettingsConfigDict(env_prefix="MOCK_ALIASED_", extra="ignore")
        port: int = Field(1, validation_alias=AliasChoices("MOCK_ALIASED_PORT", "OTHER_PORT"))

    env.write_text("MOCK_FROM_A_FILE_PORT=5\n")
    assert FromAFile.from_environment().port == 5
    env.write_text("MOCK_FROM_A_FILE_PORT=6\n")
    assert FromAFile.from_environment().port == 6
    assert Aliased.from_environment().port == 1
    monkeypatch.setenv("OTHER_PORT", "7")
    assert Aliased.from_environment().port == 7


def test_invalid_settings_from_the_environment_are_refused_every_time(monkeypatch):
    from pydantic import ValidationError

    monkeypatch.setenv("MOCK_JOSS_PORT", "not-a-port")
    for _ in range(2):
        with pytest.raises(ValidationError):
            by_name("joss").settings_cls.from_environment()
