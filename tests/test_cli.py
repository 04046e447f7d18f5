import io
import subprocess
import sys

import pytest

from mock_server.cli import build_parser, load_settings, main
from mock_server.core.locations import ConfigError
from mock_server.registry import default_ports
from mock_server.serve import bind, start_table


def settings_from(*argv: str):
    return load_settings(build_parser().parse_args(["serve", *argv]))


@pytest.mark.parametrize("command", [[], ["serve"], ["reset"]])
def test_every_command_has_help_with_an_example(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([*command, "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "example: mock-server" in out


def test_serve_help_lists_each_providers_flags(capsys):
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    out = capsys.readouterr().out
    assert "--digitalent-port" in out
    assert "MOCK_DIGITALENT_PORT" in out
    assert "--digitalent-timestamp-window" in out


def test_defaults_are_the_documented_ports(monkeypatch):
    for name in ("MOCK_ADMIN_PORT", "MOCK_DIGITALENT_PORT", "MOCK_HOST"):
        monkeypatch.delenv(name, raising=False)
    settings, providers = settings_from()
    assert (settings.host, settings.admin_port, providers["digitalent"].port) == (
        "127.0.0.1",
        7100,
        7105,
    )
    assert settings.database_url == "sqlite:///mock.db"


def test_env_vars_configure_and_flags_win(monkeypatch):
    monkeypatch.setenv("MOCK_DIGITALENT_PORT", "8105")
    monkeypatch.setenv("MOCK_ADMIN_PORT", "8100")
    monkeypatch.setenv("MOCK_DIGITALENT_TIMESTAMP_WINDOW", "60")
    settings, providers = settings_from()
    assert settings.admin_port == 8100
    assert providers["digitalent"].port == 8105
    assert providers["digitalent"].timestamp_window == 60
    _, providers = settings_from("--digitalent-port", "9105")
    assert providers["digitalent"].port == 9105


def test_db_flag_and_memory(monkeypatch, tmp_path):
    settings, _ = settings_from("--db", str(tmp_path / "x.db"))
    assert settings.database_url == f"sqlite:///{tmp_path / 'x.db'}"
    settings, _ = settings_from("--memory")
    assert settings.effective_database_url == "sqlite://"
    monkeypatch.setenv("MOCK_DATABASE_URL", "sqlite:////tmp/elsewhere.db")
    assert settings_from()[0].database_url == "sqlite:////tmp/elsewhere.db"


def test_db_and_memory_together_are_refused(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["serve", "--db", "x.db", "--memory"])
    assert exit_.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_a_bad_env_value_is_a_clear_error(monkeypatch, capsys):
    monkeypatch.setenv("MOCK_DIGITALENT_PORT", "not-a-port")
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert "invalid configuration" in err
    assert "port" in err


def test_the_same_port_twice_is_refused():
    with pytest.raises(ConfigError, match="same port"):
        settings_from("--admin-port", "7200", "--digitalent-port", "7200")


def test_bind_names_the_flag_to_change():
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(ConfigError, match="--digitalent-port or MOCK_DIGITALENT_PORT"):
            bind("127.0.0.1", port, "digitalent")


def test_reset_command_reseeds(tmp_path, capsys):
    db = tmp_path / "r.db"
    assert main(["reset", "--db", str(db)]) == 0
    assert "every table dropped and reseeded" in capsys.readouterr().out
    assert db.exists()


def test_start_table_shows_localhost_for_all_interfaces(sandbox):
    sandbox.settings.host = "0.0.0.0"
    ports = default_ports()
    table = start_table(sandbox, ports)
    for port in ports.values():
        assert f"http://localhost:{port}" in table
    assert "dts-demo-client / dts-demo-secret (active)" in table


def test_version_via_python_dash_m():
    result = subprocess.run(
        [sys.executable, "-m", "mock_server", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "mock-server 0.1.0"


@pytest.mark.parametrize(
    "argv",
    [
        ["reset", "--memory"],
        ["sales-order", "register-key", "partner-client-002", "-", "--memory"],
    ],
)
def test_commands_that_edit_the_state_refuse_memory(argv, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"")))
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("mock-server: --memory (or MOCK_MEMORY) would change a throwaway")
    assert "registered" not in err


def test_a_mistyped_command_gets_did_you_mean(capsys):
    assert main(["rset"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mock-server: unknown command 'rset'; did you mean 'reset'?")
    assert main(["frobnicate"]) == 2
    assert "did you mean" not in capsys.readouterr().err


def test_serve_help_lists_every_setting_with_its_environment_variable_and_default():
    from mock_server.core.config import Settings

    text = build_parser()._subparsers._group_actions[0].choices["serve"].format_help()
    for field in Settings.model_fields:
        flagged = f"--{field.replace('_', '-')}" in text or field in {"database_url", "edge"}
        assert flagged or f"MOCK_{field.upper()}" in text, field
    assert "MOCK_ADMIN_TOKEN" in text
    assert "MOCK_SEED" in text
    assert "(default 20231)" in text
    assert "__" not in text  # no internal dest names as metavars (JOSS__PORT)
    assert "--joss-auth-mode strict|lenient" in text


def test_every_command_help_has_an_example():
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    for name, command in commands.items():
        assert "example:" in command.format_help(), name


@pytest.mark.parametrize(
    ("argv", "joss_port"),
    [([], None), (["--joss-port", "9101"], 9101), (["--memory", "--workers", "1"], None)],
)
def test_without_a_command_or_with_serve_flags_only_it_serves(argv, joss_port, monkeypatch):
    served = []
    monkeypatch.setattr("mock_server.cli.cmd_serve", lambda ns: served.append(ns) or 0)
    assert main(argv) == 0
    [ns] = served
    assert ns.command == "serve"
    assert ns.joss__port == joss_port  # serve's flags were there to parse


def test_the_top_level_help_lists_every_command_with_its_help_line(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # one line per command, as argparse wraps to the terminal
    with pytest.raises(SystemExit):
        main(["--help"])
    out = " ".join(capsys.readouterr().out.split())
    listed = build_parser()._subparsers._group_actions[0]._choices_actions
    assert len(listed) >= 10
    for command in listed:
        assert f"{command.dest} {' '.join(command.help.split())}" in out, command.dest
