"""Settings shared by the whole sandbox. Each provider keeps its own settings class beside it;
what needs no pydantic (URLs, the error a bad setting raises) is in ``locations.py``.

Every field can be set with an environment variable (prefix ``MOCK_``) or a CLI flag; the flag wins.
"""

import ipaddress
import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MOCK_", extra="ignore")

    host: str = Field("127.0.0.1", description="address every port listens on")
    admin_port: int = Field(7100, ge=0, le=65535, description="control-plane port")
    admin_token: SecretStr | None = Field(
        None,
        description="bearer token the control plane requires when listening beyond loopback",
    )
    admin_hosts: str = Field(
        "",
        description="comma-separated host names the control plane answers besides loopback ones",
    )
    database_url: str = Field(
        "sqlite:///mock.db",
        description="SQLAlchemy URL of the state database (a SQLite file by default)",
    )
    workers: int = Field(
        1,
        ge=1,
        le=64,
        description="processes serving every port over the one state database (not with --memory)",
    )
    memory: bool = Field(False, description="keep all state in memory; gone when the process ends")
    adopt_database: bool = Field(
        False,
        description="use a SQLite file that mock-server did not create, adding its tables to it",
    )
    journal_retention: int = Field(
        10_000, ge=100, description="how many journal entries are kept; the oldest are pruned"
    )
    journal_body_excerpt: int = Field(
        2048, ge=0, le=65536, description="bytes of each request and answer body journalled"
    )
    max_body_bytes: int = Field(
        1024 * 1024, ge=1024, description="request bodies above this are refused with 413"
    )
    header_timeout: float = Field(
        10.0,
        gt=0,
        allow_inf_nan=False,
        description="seconds a connection may take to send a request's headers (then 408, closed)",
    )
    body_timeout: float = Field(
        10.0,
        gt=0,
        allow_inf_nan=False,
        description="seconds a request may take to send its body after the headers (then 408)",
    )
    max_connections: int = Field(
        1000, ge=1, description="connections held at once, all ports together; more are refused"
    )
    db_busy_timeout_ms: int = Field(
        25,
        ge=0,
        le=60_000,
        description="ms a request waits for a state database another process holds; then 503",
    )
    replay_commit_window_ms: float = Field(
        0.5,
        ge=0,
        le=50,
        description="request ids consumed within this many ms share one commit (0: same loop turn)",
    )
    timestamp_clock: Literal["either", "sandbox"] = Field(
        "either",
        description="which clock a request's own timestamp must fall within the window of, once "
        "the sandbox clock is moved: either (the sandbox's or the machine's) or sandbox (only)",
    )
    stubs: str = Field(
        "",
        description="stub files (YAML or JSON) to serve behind each provider's auth, separated "
        f"by {os.pathsep!r} (docs/stubs.md)",
    )
    seed: int = Field(20231, description="Faker seed: the same demo data on every machine")
    log_level: str = Field("info", description="console log level: debug, info, warning")
    ca_dir: str = Field(
        "",
        description="directory of the sandbox CA (empty: mock-ca/ beside the state file; "
        "with --memory, a throwaway one)",
    )
    edge: bool = Field(True, description="serve the HTTPS edge (every provider by host name)")
    edge_port: int = Field(7443, ge=0, le=65535, description="HTTPS edge port (0: any free port)")
    provider_tls: bool = Field(
        False, description="serve each provider's own port over HTTPS too (the sandbox CA's)"
    )
    https_redirect: bool = Field(
        True,
        description="with the edge on, plain-HTTP requests naming the real host of a provider "
        "whose doc forces HTTPS (JOSS) get 308 to the edge",
    )
    trusted_proxies: str = Field(
        "",
        description="comma-separated proxy addresses whose X-Forwarded-Proto/Host are believed "
        "(empty: none)",
    )

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
    def admin_host_names(self) -> frozenset[str]:
        return frozenset(h.strip().lower() for h in self.admin_hosts.split(",") if h.strip())

    @property
    def trusted_proxy_addresses(self) -> frozenset[str]:
        return frozenset(a.strip() for a in self.trusted_proxies.split(",") if a.strip())

    def ca_directory(self) -> Path | None:
        """Where the sandbox CA is kept; None: a throwaway one (in memory, no directory given)."""
        if self.ca_dir:
            return Path(self.ca_dir).expanduser()
        if self.memory:
            return None
        if not self.database_url.startswith("sqlite:///"):
            return Path("mock-ca")
        state = Path(self.database_url.removeprefix("sqlite:///")).expanduser()
        return state.parent / "mock-ca"

    @property
    def stub_files(self) -> list[Path]:
        return [Path(p).expanduser() for p in self.stubs.split(os.pathsep) if p.strip()]

    @property
    def effective_database_url(self) -> str:
        return "sqlite://" if self.memory else self.database_url
