"""Commands that only talk to a running sandbox load none of the server: what each imports is
checked in a fresh interpreter (not timed: bench/startup.py measures the time)."""

import json
import socket
import subprocess
import sys

import httpx
import pytest

from tests.server import running_server

# The server's stacks and the sandbox's own server modules: none is needed to print the
# version, the help or a signed request's headers.
SERVER_MODULES = (
    "fastapi",
    "starlette",
    "sqlalchemy",
    "uvicorn",
    "faker",
    "mock_server.app",
    "mock_server.serve",
    "mock_server.core.db",
    "mock_server.core.services",
    "mock_server.core.pipeline",
)
# Every provider module that serves: routes, auth, tables, seed, backend.
SERVER_PARTS = ("routes", "auth", "models", "seed", "errors", "credentials", "state", "erp")

PROBE = """
import json, sys
from mock_server.cli import main
try:
    status = main(sys.argv[1:])
except SystemExit as exc:
    status = exc.code
print(json.dumps({"status": status, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def modules_loaded_by(*argv: str, status: int = 0) -> tuple[str, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, timeout=60
    )
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert (report["status"] or 0) == status, done.stderr
    return done.stdout, report["modules"]


def server_modules_among(modules: list[str]) -> list[str]:
    return [
        m
        for m in modules
        if m.split(".")[0] in SERVER_MODULES
        or any(m == s or m.startswith(s + ".") for s in SERVER_MODULES)
        or (m.startswith("mock_server.providers.") and m.rsplit(".", 1)[-1] in SERVER_PARTS)
    ]


@pytest.mark.parametrize(
    "argv", [["--version"], ["--help"], ["sign", "--help"], ["postman", "--help"]]
)
def test_the_version_and_the_help_load_no_server_module(argv):
    out, modules = modules_loaded_by(*argv)
    assert out.strip()  # it did print something
    assert server_modules_among(modules) == []


@pytest.mark.parametrize(
    ("provider", "path"),
    [
        ("digitalent", "/api/public/pelatihan/akademi"),
        ("joss", "/api/v1/companies/0b5d7a5e-3f7c-4a7e-9a51-3c2f4f0f7a01"),
        ("sales_order", "/api/v1/sales-orders"),
    ],
)
def test_sign_loads_no_server_module(provider, path):
    # No sandbox is asked for its clock: signed with this machine's.
    out, modules = modules_loaded_by("sign", provider, "POST", path, "--local-clock")
    assert ": " in out  # header lines
    assert server_modules_among(modules) == []


def test_the_probe_sees_the_server_modules_of_a_command_that_opens_the_state(tmp_path):
    """The check rejects too: ``reset`` on a state file needs the database and every seed."""
    out, modules = modules_loaded_by("reset", "--db", str(tmp_path / "mock.db"))
    assert "dropped and reseeded" in out
    found = server_modules_among(modules)
    assert "sqlalchemy" in found
    assert "mock_server.providers.digitalent.seed" in found


# What a command that drives a running sandbox needs besides the standard library: nothing but
# http.client. httpx and the protocol's models once were most of such a command's start-up.
CLIENT_EXTRAS = ("httpx", "httpcore", "anyio", "mock_server.admin.protocol")


def unreachable_admin_url() -> str:
    with socket.socket() as sock:  # a port nothing listens on: the command fails after start-up
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.mark.parametrize("argv", [["clock"], ["journal"], ["explain", "last"]])
def test_commands_that_drive_a_sandbox_load_no_http_library_and_no_server(argv):
    _, modules = modules_loaded_by(*argv, "--admin-url", unreachable_admin_url(), status=1)
    assert server_modules_among(modules) == []
    assert [m for m in modules if m.split(".")[0] in CLIENT_EXTRAS or m in CLIENT_EXTRAS] == []


# The settings classes: pydantic-settings and pydantic are most of what a command would import
# otherwise. Only serving (and its --help, which lists every setting), the commands that open
# the state, and ``sign`` (a provider's port and environment are settings) read them.
SETTINGS_STACK = ("pydantic", "pydantic_core", "pydantic_settings")


def settings_stack_among(modules: list[str]) -> list[str]:
    return [m for m in modules if m.split(".")[0] in SETTINGS_STACK]


@pytest.mark.parametrize(
    ("argv", "status"),
    [
        (["--version"], 0),
        (["--help"], 0),
        (["sign", "--help"], 0),
        (["postman", "--help"], 0),
        (["stubs", "--help"], 0),
        (["rset"], 2),  # a mistyped command is told the right one
        (["clock"], 1),
        (["clock", "--advance", "60"], 1),
        (["journal", "--limit", "5"], 1),
        (["explain", "last"], 1),
        (["credentials", "joss"], 1),
    ],
)
def test_commands_that_read_no_setting_load_neither_pydantic_nor_pydantic_settings(argv, status):
    if status == 1:  # against a control plane nothing answers at: refused after start-up
        argv = [*argv, "--admin-url", unreachable_admin_url()]
    _, modules = modules_loaded_by(*argv, status=status)
    assert "mock_server.cli" in modules  # the probe ran the command line
    assert settings_stack_among(modules) == []


@pytest.fixture(scope="module")
def sandbox():
    """A running sandbox's control plane, and the journal id of a request it rejected."""
    with running_server(None) as server:  # --memory
        unsigned = httpx.post(
            f"{server.url('digitalent')}/api/public/pelatihan/akademi", json={"id": 1}
        )
        yield server.url("admin"), unsigned.headers["X-Mock-Journal-Id"]


@pytest.mark.parametrize(
    "argv",
    [
        ["clock"],
        ["journal", "--limit", "5"],
        ["explain", "{rejected}"],
        ["credentials", "joss"],
        ["postman", "joss", "-o", "{tmp}"],  # the sandbox answers: nothing is built here
    ],
)
def test_commands_answered_by_a_running_sandbox_load_no_settings_and_no_server(
    argv, sandbox, tmp_path
):
    admin_url, rejected = sandbox
    argv = [a.format(tmp=tmp_path, rejected=rejected) for a in argv]
    out, modules = modules_loaded_by(*argv, "--admin-url", admin_url)
    assert out.strip()
    assert settings_stack_among(modules) == []
    assert server_modules_among(modules) == []


def test_serve_help_still_lists_every_setting_and_so_loads_the_settings():
    """The check rejects too: serve's flags and its environment-only list are the settings'."""
    out, modules = modules_loaded_by("serve", "--help")
    assert "pydantic_settings" in settings_stack_among(modules)
    for listed in ("--admin-port", "--joss-port N", "MOCK_JOSS_ENVIRONMENT", "MOCK_ADMIN_TOKEN"):
        assert listed in out, listed
    assert server_modules_among(modules) == []


def test_sign_reads_the_providers_settings_and_nothing_of_the_server(monkeypatch):
    # Its default port comes from MOCK_<PROVIDER>_PORT, as the server reads it.
    monkeypatch.setenv("MOCK_DIGITALENT_PORT", "8105")
    out, modules = modules_loaded_by(
        "sign", "digitalent", "POST", "/api/public/pelatihan/akademi", "--local-clock", "--curl"
    )
    assert "http://127.0.0.1:8105/api/public/pelatihan/akademi" in out
    assert "pydantic_settings" in modules
    assert server_modules_among(modules) == []


# The state tables are SQLAlchemy Core tables: serving never needs the ORM, nor SQLModel's
# pydantic models of the same tables (together about 0.15 s of every start).
ORM_MODULES = ("sqlmodel", "sqlalchemy.orm")

SERVE_PROBE = """
import json, sys
import mock_server.serve  # what `mock-server serve` runs
from mock_server.app import Sandbox
from mock_server.core.config import Settings

sandbox = Sandbox(Settings(database_url=sys.argv[1])).open()
modules = sorted(sys.modules)
sandbox.close()
print(json.dumps(modules))
"""


def modules_loaded_serving(database_url: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", SERVE_PROBE, database_url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    modules: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return modules


def orm_modules_among(modules: list[str]) -> list[str]:
    return [m for m in modules if any(m == o or m.startswith(o + ".") for o in ORM_MODULES)]


@pytest.mark.parametrize("where", ["memory", "file"])
def test_a_serving_sandbox_loads_no_orm(tmp_path, where):
    url = "sqlite://" if where == "memory" else f"sqlite:///{tmp_path / 'mock.db'}"
    modules = modules_loaded_serving(url)
    # The probe does see what serving loads: the database, every provider's tables and the app.
    assert "sqlalchemy" in modules
    assert "mock_server.providers.kyc.models" in modules
    assert "fastapi" in modules
    assert orm_modules_among(modules) == []


def test_the_orm_check_rejects_a_module_under_the_orm():
    assert orm_modules_among(["sqlalchemy", "sqlalchemy.orm.session", "sqlmodel"]) == [
        "sqlalchemy.orm.session",
        "sqlmodel",
    ]
    assert orm_modules_among(["sqlalchemy.orm_like", "sqlalchemy.sql"]) == []
