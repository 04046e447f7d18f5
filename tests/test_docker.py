"""Docker cannot run here, so the Dockerfile and compose file are checked against the CLI: the
ports they name must be the CLI's real defaults, and the command must be one the CLI accepts."""

import re
import shlex
from pathlib import Path

import yaml

from mock_server.cli import build_parser
from mock_server.core.config import Settings
from mock_server.registry import default_ports

ROOT = Path(__file__).resolve().parents[1]


def dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text()


def test_dockerfile_exposes_exactly_the_default_ports():
    exposed = re.search(r"^EXPOSE (.+)$", dockerfile(), re.MULTILINE)
    assert exposed
    assert {int(p) for p in exposed.group(1).split()} == set(default_ports().values())


def test_dockerfile_command_is_the_cli_on_all_interfaces():
    cmd = re.search(r"^CMD (\[.+\])$", dockerfile(), re.MULTILINE)
    assert cmd
    argv = yaml.safe_load(cmd.group(1))  # a JSON array
    assert argv == ["mock-server", "--host", "0.0.0.0"]
    ns = build_parser().parse_args(["serve", *argv[1:]])
    assert ns.host == "0.0.0.0"


def test_dockerfile_runs_as_a_non_root_user_with_a_healthcheck():
    text = dockerfile()
    assert re.search(r"^FROM python:3\.11-slim$", text, re.MULTILINE)
    user = re.search(r"^USER (\S+)$", text, re.MULTILINE)
    assert user
    assert user.group(1) not in {"root", "0"}
    health = text[text.index("HEALTHCHECK") :]
    assert "/__admin/health" in health
    assert f"'MOCK_ADMIN_PORT', '{Settings.model_fields['admin_port'].default}'" in health


def test_dockerfile_database_lives_in_the_volume():
    text = dockerfile()
    assert "MOCK_DATABASE_URL=sqlite:////data/mock.db" in text
    assert 'VOLUME ["/data"]' in text


def test_compose_publishes_the_default_ports_and_a_named_volume():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    service = compose["services"]["mock-server"]
    published = {tuple(map(int, p.split(":"))) for p in service["ports"]}
    assert published == {(port, port) for port in default_ports().values()}
    assert service["volumes"] == ["mock-data:/data"]
    assert "mock-data" in compose["volumes"]
    assert service["environment"]["MOCK_DATABASE_URL"] == "sqlite:////data/mock.db"
    # --host 0.0.0.0 refuses to start without a control-plane token: compose must demand one.
    assert service["environment"]["MOCK_ADMIN_TOKEN"].startswith("${MOCK_ADMIN_TOKEN:?")
    assert service["build"] == "."


def test_compose_overrides_nothing_the_cli_would_reject():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    command = compose["services"]["mock-server"].get("command")
    if command:  # none today; if one is added it must parse
        build_parser().parse_args(shlex.split(command) if isinstance(command, str) else command)


def test_every_default_port_is_its_own():
    ports = list(default_ports().values())
    assert len(set(ports)) == len(ports), default_ports()
