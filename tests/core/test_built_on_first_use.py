"""A sandbox builds each app when first asked for it: a test talking to one provider pays for
one; serving asks for every app before it forks or listens."""

import pytest

from mock_server.app import BuiltOnFirstUse, Sandbox
from mock_server.registry import ADMIN, PROVIDERS


def test_each_app_is_built_once_when_first_looked_up() -> None:
    built: list[str] = []

    def build(name: str) -> object:
        built.append(name)
        return object()

    apps = BuiltOnFirstUse(["a", "b"], build)  # type: ignore[arg-type]
    assert list(apps) == ["a", "b"]
    assert len(apps) == 2
    assert built == []
    assert apps["a"] is apps["a"]
    assert built == ["a"]
    with pytest.raises(KeyError):
        apps["c"]
    assert built == ["a"]


def test_a_sandbox_builds_only_the_apps_it_is_asked_for(sandbox: Sandbox, client_for) -> None:
    assert sandbox.apps._built == {}  # type: ignore[attr-defined]
    assert client_for("digitalent").get("/").status_code == 400  # unsigned: the provider's own
    assert set(sandbox.apps._built) == {"digitalent"}  # type: ignore[attr-defined]
    assert set(sandbox.apps) == {ADMIN, *(p.name for p in PROVIDERS)}


def test_serving_builds_every_app_before_it_listens(sandbox: Sandbox) -> None:
    sandbox.dispatcher({name: 0 for name in sandbox.ports()})
    assert set(sandbox.apps._built) == {ADMIN, *(p.name for p in PROVIDERS)}  # type: ignore[attr-defined]
