from pydantic import Field
from pydantic_settings import SettingsConfigDict

from mock_server.core.provider_settings import ProviderSettings


class SalesOrderSettings(ProviderSettings):
    model_config = SettingsConfigDict(env_prefix="MOCK_SALES_ORDER_", extra="ignore")

    port: int = Field(7104, ge=0, le=65535, description="Sales Order port")
    token_lifetime: int = Field(
        43_200, ge=1, description="seconds a JWT from /api/v1/auth/login lives (the doc: 12 h)"
    )
    refresh_window: int = Field(
        604_800,
        ge=0,
        description="seconds after expiry during which /api/v1/auth/refresh still accepts a "
        "token (the doc gives none; the mock's choice is 7 days)",
    )
    timestamp_window: int = Field(
        300, ge=1, description="allowed X-TIMESTAMP skew in seconds (the doc gives none)"
    )
    process_after: int = Field(
        3600,
        ge=0,
        description="sandbox seconds after which a pending order counts as processed and can no "
        "longer be cancelled (0: never)",
    )
    jwt_secret: str = Field(
        "mock-server-sales-order-DEMO-ONLY-hs256-secret",
        min_length=32,
        description="HS256 key the sandbox signs its JWTs with (a sandbox key, never a real one)",
    )
