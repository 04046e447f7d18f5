from pydantic import Field
from pydantic_settings import SettingsConfigDict

from mock_server.core.provider_settings import ProviderSettings


class DigitalentSettings(ProviderSettings):
    model_config = SettingsConfigDict(env_prefix="MOCK_DIGITALENT_", extra="ignore")

    port: int = Field(7105, ge=0, le=65535, description="Digitalent port")
    timestamp_window: int = Field(
        300,
        ge=1,
        description="allowed Request-Timestamp skew in seconds (the doc gives none)",
    )
