"""A sandbox builds each app when first asked for it: a test talking to one provider pays for
one; a served sandbox builds each on its port's first request, and all of them before it forks
its workers."""

import pytest
from starlette.testclient import TestClient

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


def test_a_served_sandbox_builds_an_app_on_its_ports_first_request(
    sandbox: Sandbox,
) -> None:
    ports = {name: 9000 + i for i, name in enumerate(sandbox.ports())}
    dispatcher = sandbox.dispatcher(ports)
    assert sandbox.apps._built == {}  # type: ignore[attr-defined]
    with TestClient(dispatcher, base_url="http://127.0.0.1") as client:
        # The port a request arrived on picks the app; TestClient's server is testserver:80.
        dispatcher.apps_by_port[80] = dispatcher.apps_by_port[ports["joss"]]
        answer = client.get("/")
    # JOSS's own answer to a request with none of its headers, in its shape.
    assert answer.status_code == 400
    assert answer.json()["status"] == 400
    assert set(sandbox.apps._built) == {"joss"}  # type: ignore[attr-defined]


def test_build_all_builds_every_app_before_workers_fork(sandbox: Sandbox) -> None:
    sandbox.build_all()
    assert set(sandbox.apps._built) == {ADMIN, *(p.name for p in PROVIDERS)}  # type: ignore[attr-defined]
