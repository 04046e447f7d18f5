"""Stub files: YAML or JSON; every mistake said with its file, entry, method and path at start
(exit 2, no traceback) and by `mock-server stubs check`, which loads no server module."""

import os
from pathlib import Path

import pytest

from mock_server.cli import main
from mock_server.core.config import Settings
from mock_server.core.locations import ConfigError
from mock_server.core.services import Services
from mock_server.registry import PROVIDERS
from tests.test_startup import modules_loaded_by, server_modules_among

GOOD = """\
stubs:
  - provider: digitalent
    method: get
    path: /api/public/peserta/{nik}
    response:
      body: {nik: "{{ path.nik }}"}
  - provider: joss
    method: POST
    path: /api/v1/stub-items/{id}
    state: {key: id}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def check(capsys: pytest.CaptureFixture[str], *files: Path) -> tuple[int, str, str]:
    status = main(["stubs", "check", *map(str, files)])
    out, err = capsys.readouterr()
    return status, out, err


def test_stubs_check_summarises_a_valid_yaml_file(tmp_path, capsys):
    path = write(tmp_path, "stubs.yaml", GOOD)
    status, out, err = check(capsys, path)
    assert (status, err) == (0, "")
    assert f"{path}: 2 stubs, valid" in out
    assert "digitalent   GET    /api/public/peserta/{nik}" in out  # the method upper-cased
    assert "(state by id)" in out


def test_a_json_file_and_a_bare_list_are_stub_files_too(tmp_path, capsys):
    path = write(
        tmp_path, "stubs.json", '[{"provider": "kyc", "method": "GET", "path": "/kyc/v1/x"}]'
    )
    assert check(capsys, path)[0] == 0


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("stubs:\n  - provider: joss\n   method: GET\n", "not YAML: expected <block end>"),
        (
            "- {provider: digitalnt, method: GET, path: /a}\n",
            "entry 1 (GET /a): provider: unknown provider 'digitalnt'; did you mean 'digitalent'?",
        ),
        (
            "- {provider: joss, method: FETCH, path: /a}\n",
            "entry 1 (FETCH /a): method: must be one of GET, POST, PUT, PATCH, DELETE",
        ),
        (
            "- {provider: joss, method: GET, path: '/a/{id}'}\n"
            "- {provider: joss, method: GET, path: '/a/{nik}'}\n",
            "entry 2 (GET /a/{nik}): duplicate of ",
        ),
        (
            "- {provider: joss, method: GET, path: /a, response: {body: {x: '{{ path.id }'}}}\n",
            "entry 1 (GET /a): response.body.x: template error: unexpected '}' (line 1)",
        ),
        (
            "- {provider: joss, method: GET, path: /a, response: {headers: {X-A: '{% if %}'}}}\n",
            "entry 1 (GET /a): response.headers.X-A: template error",
        ),
        (
            "- {provider: joss, method: GET, path: /a, state: {key: id}}\n",
            "entry 1 (GET /a): state.key: 'id' is not a parameter of /a",
        ),
        ("{provider: joss}\n", "expected a list of stubs"),
    ],
)
def test_a_mistake_is_said_with_the_file_and_the_entry(tmp_path, capsys, text, said):
    path = write(tmp_path, "bad.yaml", text)
    status, out, err = check(capsys, path)
    assert status == 2
    assert out == ""
    assert f"{path}: " in err
    assert said in err, err
    assert "Traceback" not in err


def test_every_mistake_of_every_file_is_said_at_once(tmp_path, capsys):
    one = write(tmp_path, "one.yaml", "- {provider: x, method: GET, path: /a}\n")
    two = write(tmp_path, "two.yaml", "- {provider: joss, method: GET, path: a}\n")
    missing = tmp_path / "missing.yaml"
    status, _, err = check(capsys, one, two, missing)
    assert status == 2
    assert len(err.strip().splitlines()) == 3
    assert f"{missing}: no such file" in err


def test_two_files_may_not_stub_the_same_endpoint(tmp_path, capsys):
    one = write(tmp_path, "one.yaml", GOOD)
    two = write(tmp_path, "two.yaml", GOOD)
    status, _, err = check(capsys, one, two)
    assert status == 2
    assert f"{two}: entry 1 (GET /api/public/peserta/{{nik}}): duplicate of {one}: entry 1" in err


def test_serve_refuses_a_bad_stub_file_before_touching_state(tmp_path, capsys):
    path = write(tmp_path, "bad.yaml", "- {provider: joss, method: FETCH, path: /a}\n")
    db = tmp_path / "mock.db"
    status = main(["serve", "--db", str(db), "--stubs", str(path)])
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("mock-server: invalid stub file:\n")
    assert f"{path}: entry 1 (FETCH /a): method: must be one of" in err
    assert "Traceback" not in err
    assert not db.exists()


def test_mock_stubs_names_several_files(tmp_path, monkeypatch):
    one = write(tmp_path, "one.yaml", GOOD)
    two = write(tmp_path, "two.yaml", "- {provider: kyc, method: GET, path: /kyc/v1/x}\n")
    monkeypatch.setenv("MOCK_STUBS", os.pathsep.join([str(one), str(two)]))
    settings = Settings(memory=True)
    assert settings.stub_files == [one, two]
    services = Services(settings, PROVIDERS).open()
    try:
        assert [s.id for s in services.stubs.listed("kyc")] == ["get-kyc-v1-x"]
    finally:
        services.close()
    monkeypatch.setenv("MOCK_STUBS", str(tmp_path / "nope.yaml"))
    with pytest.raises(ConfigError, match=r"nope\.yaml: no such file"):
        Services(Settings(memory=True), PROVIDERS)


def test_serve_help_names_the_flag_and_its_variable(capsys):
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--stubs PATH" in out
    assert "MOCK_STUBS" in out


def test_stubs_check_loads_no_server_module(tmp_path):
    path = write(tmp_path, "stubs.yaml", GOOD)
    out, modules = modules_loaded_by("stubs", "check", str(path))
    assert "2 stubs, valid" in out
    assert server_modules_among(modules) == []
