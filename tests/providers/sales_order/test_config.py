"""Every Sales Order setting is a --sales-order-… flag and a MOCK_SALES_ORDER_… variable."""

import pytest

from mock_server.cli import ConfigError, build_parser, load_settings, main


def settings_from(*argv: str):
    return load_settings(build_parser().parse_args(["serve", *argv]))[1]["sales_order"]


def test_defaults(monkeypatch):
    for name in ("PORT", "TOKEN_LIFETIME", "REFRESH_WINDOW", "TIMESTAMP_WINDOW", "PROCESS_AFTER"):
        monkeypatch.delenv(f"MOCK_SALES_ORDER_{name}", raising=False)
    settings = settings_from()
    assert settings.port == 7104
    assert settings.token_lifetime == 12 * 3600
    assert settings.refresh_window == 7 * 86_400
    assert settings.timestamp_window == 300
    assert settings.process_after == 3600


def test_env_vars_configure_and_flags_win(monkeypatch):
    monkeypatch.setenv("MOCK_SALES_ORDER_TOKEN_LIFETIME", "600")
    monkeypatch.setenv("MOCK_SALES_ORDER_REFRESH_WINDOW", "60")
    monkeypatch.setenv("MOCK_SALES_ORDER_PORT", "8104")
    settings = settings_from()
    assert (settings.token_lifetime, settings.refresh_window, settings.port) == (600, 60, 8104)
    settings = settings_from("--sales-order-token-lifetime", "30", "--sales-order-port", "9104")
    assert (settings.token_lifetime, settings.port) == (30, 9104)


def test_a_short_jwt_secret_is_a_clear_config_error():
    with pytest.raises(ConfigError, match="jwt_secret"):
        settings_from("--sales-order-jwt-secret", "short")


def test_help_lists_the_flags_and_the_register_key_example(capsys):
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    out = capsys.readouterr().out
    for flag in ("port", "token-lifetime", "refresh-window", "timestamp-window", "process-after"):
        assert f"--sales-order-{flag}" in out
    with pytest.raises(SystemExit):
        main(["sales-order", "--help"])
    assert "mock-server sales-order register-key" in capsys.readouterr().out
