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
        on that than on opening them. The key is the values and every variable under the
        class's prefix (any case: the settings are case-insensitive); the settings read no
        env_file and no secrets_dir. A copy each time, as a fresh build would be.
        """
        prefix = str(cls.model_config.get("env_prefix", "")).upper()
        environment = tuple(
            sorted((k, v) for k, v in os.environ.items() if k.upper().startswith(prefix))
        )
        try:
            built = _built(cls, tuple(sorted(values.items())), environment)
        except TypeError:  # a value that cannot be a key (a list): built as it is
            return cls(**values)
        return cast(Self, built.model_copy(deep=True))

    def replay_horizon(self) -> float:
        """Seconds a consumed request id must be remembered: past it, the time window rejects."""
        window = getattr(self, "timestamp_window", None)
        return 2.0 * window if window else 86_400.0


@functools.lru_cache(maxsize=64)
def _built(
    cls: type[ProviderSettings],
    values: tuple[tuple[str, Any], ...],
    environment: tuple[tuple[str, str], ...],  # the key only: cls() reads os.environ itself
) -> ProviderSettings:
    return cls(**dict(values))
