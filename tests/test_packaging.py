"""The distribution as a user installs it: its own name, locks that match pyproject.toml, and the
MIT license inside the wheel and the sdist.

The lock check is offline and does not depend on what the index holds today: every dependency
pyproject.toml names is pinned in the lock, at a version its range allows, with hashes; `make lock`
re-resolves when it fails."""

import email
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PROJECT = PYPROJECT["project"]
NAME = "indonesia-api-sandbox"


def pins(lock: Path) -> dict[str, tuple[Version, int]]:
    """name -> (pinned version, number of hashes), from `uv pip compile --generate-hashes`."""
    found: dict[str, tuple[Version, int]] = {}
    current = None
    for line in lock.read_text().splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):
            requirement = line.split(";")[0].split("\\")[0].strip()
            name, _, version = requirement.partition("==")
            assert version, f"{lock.name}: {line!r} is not pinned with =="
            current = canonicalize_name(name.split("[")[0])
            found[current] = (Version(version), 0)
        elif line.strip().startswith("--hash=sha256:") and current is not None:
            version, hashes = found[current]
            found[current] = (version, hashes + 1)
    return found


LOCKS = {
    "requirements.lock": PROJECT["dependencies"],
    "requirements-test.lock": PROJECT["dependencies"] + PROJECT["optional-dependencies"]["test"],
    "requirements-postgres.lock": PROJECT["dependencies"]
    + PROJECT["optional-dependencies"]["postgres"],
}


def lock_problems(lock: Path, specs: list[str]) -> list[str]:
    """What is wrong with ``lock`` for ``specs``: each requirement unpinned or pinned outside
    its range, and each pin without hashes."""
    pinned = pins(lock)
    problems = [f"{name} has no hashes" for name, (_, hashes) in pinned.items() if not hashes]
    for spec in specs:
        requirement = Requirement(spec)
        name = canonicalize_name(requirement.name)
        if name not in pinned:
            problems.append(f"{requirement.name} is not pinned")
        elif not requirement.specifier.contains(pinned[name][0], prereleases=True):
            problems.append(f"{name}=={pinned[name][0]} is outside {requirement.specifier}")
    return problems


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_the_lock_matches_pyproject(lock: str) -> None:
    assert lock_problems(ROOT / lock, LOCKS[lock]) == [], f"{lock}: run `make lock`"


def test_the_test_lock_installs_the_same_sandbox_as_the_runtime_lock() -> None:
    runtime = pins(ROOT / "requirements.lock")
    test = pins(ROOT / "requirements-test.lock")
    assert {n: test[n][0] for n in runtime} == {n: v for n, (v, _) in runtime.items()}


def test_the_installer_make_uses_is_pinned_with_its_hashes() -> None:
    """`make` installs uv from requirements-uv.lock, checked against its hashes like the rest."""
    pinned = pins(ROOT / "requirements-uv.lock")
    assert list(pinned) == ["uv"]
    assert pinned["uv"][1] > 1  # one wheel per platform, so any machine's check can pass


def test_the_lock_check_finds_a_stale_lock(tmp_path: Path) -> None:
    lock = tmp_path / "requirements.lock"
    lock.write_text("fastapi==0.100.0 \\\n    --hash=sha256:00\nhttpx==0.28.0\n")
    assert lock_problems(lock, ["fastapi>=0.115", "httpx>=0.27", "pyjwt>=2.9"]) == [
        "httpx has no hashes",
        "fastapi==0.100.0 is outside >=0.115",
        "pyjwt is not pinned",
    ]


def test_the_distribution_has_its_own_name_and_keeps_the_command() -> None:
    assert PROJECT["name"] == NAME  # "mock-server" on PyPI is an unrelated project
    assert PROJECT["scripts"] == {"mock-server": "mock_server.cli:main"}
    assert "uvicorn" in [Requirement(d).name for d in PROJECT["dependencies"]]
    assert not any("[standard]" in d for d in PROJECT["dependencies"])


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel and sdist, built offline from a copy of the source (setuptools is in the test
    lock), so the checkout gets no build/ or egg-info directories."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source)
    shutil.copytree(
        ROOT / "mock_server", source / "mock_server", ignore=shutil.ignore_patterns("__pycache__")
    )
    out = tmp_path_factory.mktemp("dist")
    build = (
        "import sys; from setuptools import build_meta as b; out = sys.argv[1]; "
        "b.build_wheel(out); b.build_sdist(out)"
    )
    subprocess.run(
        [sys.executable, "-c", build, str(out)], cwd=source, check=True, capture_output=True
    )
    return out


def test_the_wheel_carries_the_license_the_name_and_the_command(built: Path) -> None:
    (wheel,) = built.glob("*.whl")
    assert wheel.name.startswith("indonesia_api_sandbox-")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
        metadata = email.message_from_bytes(archive.read(f"{info}/METADATA"))
        entry_points = archive.read(f"{info}/entry_points.txt").decode()
        license_text = archive.read(f"{info}/licenses/LICENSE").decode()
    assert metadata["Name"] == NAME
    assert metadata["License-Expression"] == "MIT"
    assert "MIT License" in license_text
    assert "mock-server = mock_server.cli:main" in entry_points
    assert "mock_server/fixtures/" in "".join(names)  # the seed data travels with the code
    # ...and the dashboard's templates and assets, so it works offline from an install
    assert "mock_server/dashboard/templates/base.html" in names
    assert "mock_server/dashboard/static/swagger-ui/swagger-ui-bundle.js" in names
    # ...and the Postman pre-request scripts, read by `mock-server postman`
    for provider in ("digitalent", "joss", "appkey", "kyc", "sales_order"):
        assert f"mock_server/providers/{provider}/postman.js" in names


def test_the_sdist_carries_the_license(built: Path) -> None:
    (sdist,) = built.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = archive.getnames()
    assert any(n.endswith("/LICENSE") for n in names)
