from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from mock_server.core.provider_settings import ProviderSettings


class JossSettings(ProviderSettings):
    model_config = SettingsConfigDict(env_prefix="MOCK_JOSS_", extra="ignore")

    port: int = Field(7101, ge=0, le=65535, description="JOSS port")
    timestamp_window: int = Field(
        300,
        ge=1,
        description="allowed Request-Timestamp skew in seconds (the doc gives none)",
    )
    environment: Literal["staging", "production"] = Field(
        "staging",
        description="which JOSS environment to emulate: staging or production (each has its "
        "own credentials)",
    )
