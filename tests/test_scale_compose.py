"""docker-compose.scale.yml (N replicas, PostgreSQL, a reverse proxy) against the CLI: Docker
cannot run here, so its services, ports and environment are checked for what the sandbox
really reads and listens on."""

import re
from pathlib import Path
from typing import Any

import yaml

from mock_server.core.config import Settings
from mock_server.registry import PROVIDERS, default_ports

ROOT = Path(__file__).resolve().parents[1]


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.scale.yml").read_text())
    return loaded


def caddyfile() -> str:
    return str(compose()["configs"]["caddyfile"]["content"])


def test_three_services_replicas_postgres_and_a_proxy() -> None:
    services = compose()["services"]
    assert set(services) == {"postgres", "sandbox", "proxy"}
    assert services["postgres"]["image"] == "postgres:15"
    assert services["sandbox"]["deploy"]["replicas"] >= 2
    assert services["sandbox"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["sandbox"]["build"] == {"context": ".", "args": {"POSTGRES": "true"}}
    assert 'if [ "$POSTGRES" = true ]' in (ROOT / "Dockerfile").read_text()


def test_only_the_proxy_publishes_and_it_publishes_every_default_port() -> None:
    services = compose()["services"]
    assert "ports" not in services["sandbox"]
    assert "ports" not in services["postgres"]
    published = {tuple(map(int, p.split(":"))) for p in services["proxy"]["ports"]}
    assert published == {(port, port) for port in default_ports().values()}
    assert {int(p) for p in services["sandbox"]["expose"]} == set(default_ports().values())


def test_the_proxy_sends_each_port_to_the_same_port_of_every_replica() -> None:
    text = caddyfile()
    routed = {
        int(port): int(to) for port, to in re.findall(r":(\d+) \{\s+import replicas (\d+)", text)
    }
    assert routed == {port: port for port in default_ports().values()}
    assert "dynamic a sandbox {args[0]}" in text  # every replica, found again as they scale
    assert "flush_interval -1" in text  # the dashboard's event stream passes at once


def test_every_sandbox_variable_is_a_setting_the_cli_reads() -> None:
    environment = compose()["services"]["sandbox"]["environment"]
    provider_fields = {
        f"{p.name}_{field}" for p in PROVIDERS for field in p.settings_cls.model_fields
    }
    for name in environment:
        assert name.startswith("MOCK_"), name
        field = name.removeprefix("MOCK_").lower()
        assert field in Settings.model_fields or field in provider_fields, name
    settings = Settings(**{k.removeprefix("MOCK_").lower(): v for k, v in environment.items()})
    assert settings.database_url.startswith("postgresql+psycopg://mock:mock@postgres:5432/mock")
    postgres = compose()["services"]["postgres"]["environment"]
    assert settings.database_url.endswith(
        f"{postgres['POSTGRES_USER']}:{postgres['POSTGRES_PASSWORD']}@postgres:5432/"
        f"{postgres['POSTGRES_DB']}"
    )
    assert settings.edge is False
    assert settings.workers == 1
    # --host 0.0.0.0 (the image's command) refuses to start without a control-plane token.
    assert environment["MOCK_ADMIN_TOKEN"].startswith("${MOCK_ADMIN_TOKEN:?")
