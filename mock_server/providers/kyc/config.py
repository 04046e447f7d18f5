from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from mock_server.core.provider_settings import ProviderSettings


class KycSettings(ProviderSettings):
    model_config = SettingsConfigDict(env_prefix="MOCK_KYC_", extra="ignore")

    port: int = Field(7103, ge=0, le=65535, description="SATUSEHAT KYC port")
    public_base_url: str = Field(
        "",
        description="base of the validation-web URLs generate-url returns "
        "(empty: where the request reached the sandbox: the edge's host name, or this port)",
    )
    server_private_key: str = Field(
        "",
        description="PEM file of the server RSA key clients encrypt to "
        "(empty: the bundled sandbox-only demo key)",
    )
    strict_patients: bool = Field(
        False, description="answer 404 for a NIK not in the seed instead of creating the patient"
    )
    token_lifetime: int = Field(
        3599, ge=1, description="seconds an access token lives (the doc's expires_in is 3599)"
    )
    session_lifetime: int = Field(
        1800, ge=1, description="seconds a validation-web URL stays usable (the doc gives none)"
    )

    @field_validator("server_private_key")
    @classmethod
    def _loadable(cls, path: str) -> str:
        """Refuse a bad key at start-up, with its reason, rather than on the first request."""
        if path:
            # Only a configured key pays for importing the crypto stack while settings load.
            from mock_server.providers.kyc.keys import load_server_key

            try:
                load_server_key(path)
            except (OSError, ValueError, TypeError) as exc:
                raise ValueError(f"cannot use {path!r} as the KYC server key: {exc}") from None
        return path
