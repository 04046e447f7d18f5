"""The base of each provider's settings: a pydantic-settings class, apart from ``provider.py`` so
that declaring and listing the providers (every ``mock-server`` command does) imports neither
pydantic nor pydantic-settings. A provider names its subclass in ``Provider(settings_class=…)``."""

from typing import Literal

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

    def replay_horizon(self) -> float:
        """Seconds a consumed request id must be remembered: past it, the time window rejects."""
        window = getattr(self, "timestamp_window", None)
        return 2.0 * window if window else 86_400.0
