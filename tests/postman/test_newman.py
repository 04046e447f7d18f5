"""Every exported collection, run by newman (Postman's command-line runner) against the real
``mock-server`` process: every request must answer 2xx.

newman comes from npm through ``npx --yes newman@6`` (cached in ~/.npm after the first run, and
started from there directly by the runs after it).
Without ``npx``, or when npm cannot download it (offline), the newman runs skip, saying why; a
newman run that fails is a failure. The sandbox runs on the real clock: Postman stamps requests
with this machine's."""

import json
import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from mock_server.registry import PROVIDERS
from tests.server import CONSOLE_SCRIPT, RunningServer, running_server
from tests.test_startup import modules_loaded_by, server_modules_among

NEWMAN = ["npx", "--yes", "newman@6"]
# What npm prints when it cannot reach the registry: then the runs skip rather than fail.
OFFLINE = ("ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED", "ETIMEDOUT", "ECONNRESET", "network")


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    with running_server(None) as running:
        yield running


@pytest.fixture(scope="module")
def exported(server: RunningServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every provider's files, written by ``mock-server postman`` from the running sandbox."""
    out = tmp_path_factory.mktemp("postman")
    done = subprocess.run(
        [str(CONSOLE_SCRIPT), "postman", "-o", str(out), "--admin-url", server.url("admin")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return out


def installed_newman() -> list[str]:
    """The newest newman 6 an earlier ``npx --yes newman@6`` left in npm's cache, or nothing.
    Asking npm finds it too, but takes two Node.js starts (~1.7 s of CPU) each run."""
    found: list[tuple[tuple[int, ...], Path]] = []
    for package in Path.home().glob(".npm/_npx/*/node_modules/newman/package.json"):
        try:
            version = tuple(int(n) for n in json.loads(package.read_text())["version"].split("."))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue  # a half-written install: npx makes a good one
        binary = package.parents[1] / ".bin" / "newman"  # a link to the package's own script
        if version[:1] == (6,) and binary.exists():
            found.append((version, binary))
    return [str(max(found)[1])] if found and shutil.which("node") else []


@pytest.fixture(scope="module")
def newman() -> list[str]:
    found = installed_newman()
    if found:
        return found
    if shutil.which("npx") is None:
        pytest.skip("npx is not installed (Node.js's npm): newman cannot run")
    try:
        done = subprocess.run([*NEWMAN, "--version"], capture_output=True, text=True, timeout=180)
    except subprocess.TimeoutExpired:
        pytest.skip("npx took over 180 s to fetch newman@6 (offline?)")
    if done.returncode != 0:
        output = done.stdout + done.stderr
        if any(sign in output for sign in OFFLINE):
            pytest.skip(f"npm cannot download newman@6 (offline?): {output.strip()[-300:]}")
        pytest.fail(f"npx newman@6 --version failed:\n{output}")
    # The installed runner itself: npx would start a second Node.js per run (~1 s of CPU) to
    # find it again.
    found = subprocess.run(
        ["npm", "exec", "--yes", "--package=newman@6", "--", "sh", "-c", "command -v newman"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    binary = found.stdout.strip().splitlines()[-1:] if found.returncode == 0 else []
    return binary if binary and Path(binary[0]).exists() else NEWMAN


def test_the_export_points_at_the_running_sandbox(server, exported):
    for provider in PROVIDERS:
        environment = json.loads(
            (exported / f"{provider.name}.postman_environment.json").read_text()
        )
        values = {v["key"]: v["value"] for v in environment["values"]}
        assert values["base_url"] == server.url(provider.name)
        assert values["admin_url"] == server.url("admin")


def test_exporting_through_a_sandbox_loads_no_server_module(server, tmp_path):
    out, modules = modules_loaded_by(
        "postman", "-o", str(tmp_path), "--admin-url", server.url("admin")
    )
    assert out.count(".json") == 2 * len(PROVIDERS)
    assert server_modules_among(modules) == []


@dataclass
class NewmanRun:
    returncode: int
    output: str
    report: dict[str, Any] | None


@pytest.fixture(scope="module")
def runs(server: RunningServer, exported: Path, newman: list[str]) -> dict[str, NewmanRun]:
    """One newman run per collection, all at once: the test's time is the slowest run's. And
    one more of the x-app-key collection whose environment keeps an expired access token but a
    live refresh token: its script must renew the access token rather than log in."""
    environments = {p.name: exported / f"{p.name}.postman_environment.json" for p in PROVIDERS}
    environments[RENEWED] = renewal_environment(server, exported)
    started = {}
    for name, environment in environments.items():
        collection = name.split(":")[0]
        command = [
            *newman,
            "run",
            str(exported / f"{collection}.postman_collection.json"),
            "-e",
            str(environment),
            "--reporters",
            "cli,json",
            "--color",
            "off",
            "--reporter-json-export",
            str(exported / f"{name.replace(':', '-')}.newman.json"),
        ]
        started[name] = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
    done = {}
    for name, process in started.items():
        try:
            output, _ = process.communicate(timeout=180)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        report = exported / f"{name.replace(':', '-')}.newman.json"
        parsed = json.loads(report.read_text()) if report.exists() else None
        done[name] = NewmanRun(process.returncode, output, parsed)
    return done


RENEWED = "appkey:renewed"


def renewal_environment(server: RunningServer, exported: Path) -> Path:
    login = httpx.post(
        server.url("appkey") + "/api/v1/auth/login",
        json={"username": "demo@example.com", "password": "demo-password"},
        headers={
            "x-app-key": "appkey-demo-public",
            "x-request-id": str(uuid.uuid4()),
            "Authorization": "Bearer appkey-demo-private",
        },
    )
    assert login.status_code == 200, login.text
    data = login.json()["data"]
    environment = json.loads((exported / "appkey.postman_environment.json").read_text())
    kept = {
        "access_token": data["access_token"],
        "access_token_expires_at": "0",  # as if it had expired
        "refresh_token": data["refresh_token"],
        "refresh_token_expires_at": str(int(time.time() * 1000) + 3_600_000),
        "user_token": data["user_token"],
    }
    for value in environment["values"]:
        value["value"] = kept.get(value["key"], value["value"])
    path = exported / "appkey-renewed.postman_environment.json"
    path.write_text(json.dumps(environment))
    return path


@pytest.mark.parametrize("name", [*(p.name for p in PROVIDERS), RENEWED])
def test_newman_runs_every_request_of_the_collection_with_2xx(exported, runs, name):
    result = runs[name]
    collection_name = name.split(":")[0]
    assert result.report is not None, f"newman wrote no report:\n{result.output}"
    run = result.report["run"]
    collection = json.loads((exported / f"{collection_name}.postman_collection.json").read_text())
    executions = run["executions"]
    # Every request ran, and every answer was 2xx: the requests' own and those the pre-request
    # scripts sent (a login, the Sales Order signing endpoint), reported under the same item.
    ran = {e["cursor"]["position"] for e in executions}
    assert ran == set(range(len(collection["item"]))), result.output
    statuses = [(e["item"]["name"], e.get("response", {}).get("code")) for e in executions]
    assert all(200 <= (code or 0) < 300 for _, code in statuses), (statuses, result.output)
    assert run["failures"] == [], result.output
    assert result.returncode == 0, result.output


def test_the_x_app_key_script_renews_an_expired_access_token_with_the_refresh_token(runs):
    # The JSON report files the script's own calls under the item's request; newman's console
    # lists each call the item made, in order.
    output = runs[RENEWED].output
    profile = output.split("→ Profile", 1)[1].split("→ ", 1)[0]
    calls = re.findall(r"(GET|POST) http://\S+?(/api/v1/\S+)", profile)
    # The script's own renewal, then the request itself: no login.
    assert calls == [("POST", "/api/v1/auth/access-token"), ("GET", "/api/v1/users/me")], output
