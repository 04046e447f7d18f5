from pydantic import Field
from pydantic_settings import SettingsConfigDict

from mock_server.core.provider_settings import ProviderSettings


class AppKeySettings(ProviderSettings):
    model_config = SettingsConfigDict(env_prefix="MOCK_APPKEY_", extra="ignore")

    port: int = Field(7102, ge=0, le=65535, description="x-app-key API port")
    # The doc gives no lifetimes: these are the mock's choice, short enough to meet expiry in a
    # demo, long enough not to get in the way of a test run.
    access_token_lifetime: int = Field(
        900, ge=1, description="access token lifetime in seconds (the doc gives none)"
    )
    refresh_token_lifetime: int = Field(
        86_400, ge=1, description="refresh token lifetime in seconds (the doc gives none)"
    )
    user_token_lifetime: int = Field(
        2_592_000, ge=1, description="x-user-token lifetime in seconds (the doc gives none)"
    )
    request_id_retention: int = Field(
        604_800,
        ge=60,
        description="seconds a used x-request-id is remembered (the API has no timestamp window)",
    )

    def replay_horizon(self) -> float:
        # No timestamp window bounds a replay, so ids are kept for a configurable retention.
        return float(self.request_id_retention)
