"""The real `mock-server --stubs FILE` process on free ports, over HTTP, as a user runs it."""

import httpx

from mock_server.admin.client import AdminClient
from mock_server.clients import DigitalentAuth, JossAuth
from tests.server import running_server
from tests.stubs.conftest import stubs_for, write_stub_file


def test_the_real_server_serves_file_and_control_plane_stubs_behind_auth(tmp_path):
    path = write_stub_file(tmp_path / "stubs.json", stubs_for("digitalent") + stubs_for("joss"))
    with running_server(None, "--stubs", str(path)) as server:
        base = server.url("digitalent")
        with httpx.Client(base_url=base, timeout=10) as http:
            assert http.get("/stub/digitalent/peserta/1").status_code == 400  # unsigned
            signed = http.get("/stub/digitalent/peserta/1", auth=DigitalentAuth())
            assert signed.status_code == 200, signed.text
            assert signed.json()["nik"] == "1"
            put = http.put("/stub/digitalent/items/k", json={"a": 1}, auth=DigitalentAuth())
            assert put.status_code == 200, put.text
            assert http.get("/stub/digitalent/items/k", auth=DigitalentAuth()).json() == {"a": 1}
        with httpx.Client(base_url=server.url("joss"), timeout=10) as http:
            echo = http.post("/stub/joss/echo", json={"nama": "Sari"}, auth=JossAuth())
            assert echo.status_code == 201, echo.text
            assert echo.json()["diterima"] == "Sari"
        with AdminClient(server.url("admin")) as admin:
            added = admin.add_stub(
                "digitalent",
                method="GET",
                path="/api/public/alumni/{nik}",
                response={"body": {"alumni": "{{ path.nik }}"}},
            )
            listed = admin.stubs("digitalent")
            assert listed[-1]["id"] == added["id"]
            assert listed[0]["source"] == f"{path}: entry 1"
            answer = httpx.get(f"{base}/api/public/alumni/9", auth=DigitalentAuth(), timeout=10)
            assert answer.json() == {"alumni": "9"}
            document = admin.openapi("digitalent")
            assert "/api/public/alumni/{nik}" in document["paths"]
            assert admin.delete_stub("digitalent", added["id"]) == 1
            assert admin.clear_stubs("digitalent") == 0
