"""docs/stubs.md's worked examples, run as written against a real `mock-server --stubs` process:
its example file through `stubs check` and `serve`, each provider's Python call (the documented
ports swapped for free ones), the signed curl, and each call refused without its credentials."""

import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from mock_server.cli import main
from mock_server.clients import DigitalentAuth
from tests.server import RunningServer, running_server

DOC = Path(__file__).parents[2] / "docs" / "stubs.md"
PORTS = {
    "7101": "joss",
    "7102": "appkey",
    "7103": "kyc",
    "7104": "sales_order",
    "7105": "digitalent",
}


def worked_examples() -> str:
    text = DOC.read_text()
    return text[text.index("## Worked examples") : text.index("## The mock's choices")]


def blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, re.DOTALL)


def on(server: RunningServer, code: str) -> str:
    """The example with the documented ports replaced by the server's."""
    return re.sub(r"http://127\.0\.0\.1:(71\d\d)", lambda m: server.url(PORTS[m[1]]), code)


@pytest.fixture(scope="module")
def example_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("docs") / "stubs.yaml"
    path.write_text(blocks(worked_examples(), "yaml")[0])
    return path


@pytest.fixture(scope="module")
def server(example_file: Path):
    with running_server(None, "--stubs", str(example_file)) as running:
        yield running


def test_the_example_file_passes_stubs_check(example_file, capsys):
    assert main(["stubs", "check", str(example_file)]) == 0
    out = capsys.readouterr().out
    assert "7 stubs, valid" in out
    for provider in PORTS.values():
        assert f"  {provider} " in out


@pytest.mark.parametrize("number", range(5))
def test_each_python_example_runs_as_written(server, number):
    examples = blocks(worked_examples(), "python")
    assert len(examples) == 5  # one per provider
    exec(compile(on(server, examples[number]), f"docs/stubs.md example {number + 1}", "exec"), {})


def test_each_examples_stub_refuses_a_request_without_credentials(server):
    for name, path in [
        ("digitalent", "/api/public/pendaftaran/1"),
        ("joss", "/api/v1/job-seekers/1"),
        ("appkey", "/api/v1/users/me/notifications"),
        ("kyc", "/kyc/v1/status/1"),
        ("sales_order", "/api/v1/invoices/INV-7"),
    ]:
        answer = httpx.get(server.url(name) + path, timeout=10)
        assert answer.status_code in (400, 401), (name, answer.text)


@pytest.mark.skipif(not (shutil.which("curl") and shutil.which("openssl")), reason="no curl")
def test_the_signed_curl_runs_as_written(server):
    script = on(server, blocks(worked_examples(), "sh")[-1])
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert '"nomor": "DTS-0001"' in done.stdout


def test_the_readme_example_is_a_valid_stub_file_served_behind_auth(tmp_path, capsys):
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    section = readme[readme.index("## Stubs") : readme.index("## Dashboard")]
    path = tmp_path / "stubs.yaml"
    path.write_text(blocks(section, "yaml")[0])
    assert main(["stubs", "check", str(path)]) == 0
    assert "1 stub, valid" in capsys.readouterr().out
    with running_server(None, "--stubs", str(path)) as server:
        url = server.url("digitalent") + "/api/public/peserta/3201"
        assert httpx.get(url, timeout=10).status_code == 400
        answer = httpx.get(url, auth=DigitalentAuth(), timeout=10)
        assert answer.json()["data"]["nik"] == "3201"
