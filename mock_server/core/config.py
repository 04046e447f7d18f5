"""Settings shared by the whole sandbox. Each provider keeps its own settings class beside it.

Every field can be set with an environment variable (prefix ``MOCK_``) or a CLI flag; the flag wins.
"""

import ipaddress
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConfigError(Exception):
    """A setting, flag or port that cannot work: said in one sentence, exit status 2."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MOCK_", extra="ignore")

    host: str = Field("127.0.0.1", description="address every port listens on")
    admin_port: int = Field(7100, ge=0, le=65535, description="control-plane port")
    admin_token: SecretStr | None = Field(
        None,
        description="bearer token the control plane requires when listening beyond loopback",
    )
    database_url: str = Field(
        "sqlite:///mock.db",
        description="SQLAlchemy URL of the state database (a SQLite file by default)",
    )
    memory: bool = Field(False, description="keep all state in memory; gone when the process ends")
    journal_retention: int = Field(
        10_000, ge=100, description="how many journal entries are kept; the oldest are pruned"
    )
    journal_body_excerpt: int = Field(
        2048, ge=0, le=65536, description="bytes of each request body kept in the journal"
    )
    max_body_bytes: int = Field(
        1024 * 1024, ge=1024, description="request bodies above this are refused with 413"
    )
    replay_commit_window_ms: float = Field(
        0.5,
        ge=0,
        le=50,
        description="request ids consumed within this many ms share one commit (0: same loop turn)",
    )
    seed: int = Field(20231, description="Faker seed: the same demo data on every machine")
    log_level: str = Field("info", description="console log level: debug, info, warning")

    @field_validator("admin_token")
    @classmethod
    def _empty_token_is_no_token(cls, value: SecretStr | None) -> SecretStr | None:
        # MOCK_ADMIN_TOKEN= (set, but empty) would start a control plane that no bearer can
        # open; as no token at all, it is refused at start beyond loopback.
        return value if value is None or value.get_secret_value().strip() else None

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        value = value.lower()
        if value not in {"debug", "info", "warning", "error"}:
            raise ValueError("log_level must be one of debug, info, warning, error")
        return value

    @property
    def on_loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

    @property
    def effective_database_url(self) -> str:
        return "sqlite://" if self.memory else self.database_url


def sqlite_url_for(path: str | Path) -> str:
    """The SQLAlchemy URL of a SQLite file, as `--db PATH` takes it."""
    return f"sqlite:///{Path(path).expanduser()}"
