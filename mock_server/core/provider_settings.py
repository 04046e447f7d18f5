"""The base of each provider's settings: a pydantic-settings class, apart from ``provider.py`` so
that declaring and listing the providers (every ``mock-server`` command does) imports neither
pydantic nor pydantic-settings. A provider names its subclass in ``Provider(settings_class=…)``."""

import functools
import os
from typing import Any, Literal, Self, cast

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ProviderSettings(BaseSettings):
    """Base of each provider's settings. Subclasses set ``env_prefix="MOCK_<NAME>_"``.

    Every field becomes a CLI flag ``--<name>-<field>`` as well as an environment variable.
    """

    model_config = SettingsConfigDict(extra="ignore")
    port: int
    auth_mode: Literal["strict", "lenient"] = Field(
        "strict", description="lenient: accept, but journal what would have failed"
    )
    rate_limit: int = Field(0, ge=0, description="requests per client per window; 0 = off")
    rate_limit_window: float = Field(60.0, gt=0, description="rate-limit window in seconds")
    hosts: str = Field(
        "",
        description="comma-separated host names the HTTPS edge serves this provider under "
        "(empty: the provider's documented defaults)",
    )

    @classmethod
    def from_environment(cls, **values: Any) -> Self:
        """``cls(**values)``, built once per class, values and environment, then copied.

        Building reads and validates every field from the environment (~1 ms a class) and every
        sandbox asks for each provider's: a test suite opening hundreds of sandboxes spent more
        on that than on opening them. The key is the values with their types (``True`` is not
        ``1``) and every variable under the class's prefix, in any case (the settings are
        case-insensitive). A class that reads anything else (an env_file, a secrets_dir, the
        command line, an aliased variable, sources of its own) and unhashable values are built
        each time. A copy each time, as a fresh build would be.
        """
        key = tuple(sorted((name, type(value), value) for name, value in values.items()))
        try:
            hash(key)
        except TypeError:  # a value that cannot be a key (a list)
            return cls(**values)
        if not _reads_only_its_prefix(cls):
            return cls(**values)
        prefix = str(cls.model_config.get("env_prefix", "")).upper()
        environment = tuple(
            sorted((k, v) for k, v in os.environ.items() if k.upper().startswith(prefix))
        )
        return cast(Self, _built(cls, key, environment).model_copy(deep=True))

    def replay_horizon(self) -> float:
        """Seconds a consumed request id must be remembered: past it, the time window rejects."""
        window = getattr(self, "timestamp_window", None)
        return 2.0 * window if window else 86_400.0


@functools.cache
def _reads_only_its_prefix(cls: type[ProviderSettings]) -> bool:
    """Whether the environment variables under the class's prefix are all it reads."""
    config = cls.model_config
    if config.get("env_file") or config.get("secrets_dir") or config.get("cli_parse_args"):
        return False
    below_base = cls.__mro__[: cls.__mro__.index(BaseSettings)]
    if any("settings_customise_sources" in vars(klass) for klass in below_base):
        return False  # sources of its own
    return not any(field.alias or field.validation_alias for field in cls.model_fields.values())


@functools.lru_cache(maxsize=64)
def _built(
    cls: type[ProviderSettings],
    values: tuple[tuple[str, type, Any], ...],
    environment: tuple[tuple[str, str], ...],  # the key only: cls() reads os.environ itself
) -> ProviderSettings:
    return cls(**{name: value for name, _, value in values})
