"""Stubs through the control plane: added, listed, deleted; refused with the field that is
wrong; kept in the database (so every worker serves them) until deleted or reset; file stubs
listed beside them and kept by every reset."""

from typing import Any

from mock_server.clients import DigitalentAuth
from tests.stubs.conftest import OVERRIDE

STUBS = "/__admin/providers/digitalent/stubs"
PESERTA = {
    "method": "GET",
    "path": "/api/public/peserta/{nik}",
    "response": {"body": {"success": True, "data": {"nik": "{{ path.nik }}"}}},
}


def signed(sandbox: Any) -> DigitalentAuth:
    return DigitalentAuth(now=sandbox.services.clock.now)


def test_a_stub_added_through_the_control_plane_is_served_behind_auth(admin, client_for, sandbox):
    added = admin.post(STUBS, json=PESERTA)
    assert added.status_code == 201, added.text
    stub = added.json()
    assert stub["source"] == "control plane"
    assert stub["id"].startswith("get-api-public-peserta-nik-")
    digitalent = client_for("digitalent")
    assert digitalent.get("/api/public/peserta/3201").status_code == 400  # unsigned
    served = digitalent.get("/api/public/peserta/3201", auth=signed(sandbox))
    assert served.status_code == 200, served.text
    assert served.json() == {"success": True, "data": {"nik": "3201"}}
    listed = admin.get(STUBS).json()
    assert [s["source"] for s in listed][-1] == "control plane"
    assert any(s["source"].endswith("stubs.json: entry 26") for s in listed)  # the file's too


def test_a_control_plane_stub_is_deleted_by_id_and_all_at_once(admin, client_for, sandbox):
    first = admin.post(STUBS, json=PESERTA).json()
    admin.post(STUBS, json={**PESERTA, "path": "/api/public/alumni/{nik}", "id": "alumni"})
    assert admin.delete(f"{STUBS}/{first['id']}").json() == {"deleted": 1}
    assert admin.delete(f"{STUBS}/{first['id']}").status_code == 404
    gone = client_for("digitalent").get("/api/public/peserta/1", auth=signed(sandbox))
    assert gone.status_code == 404  # the provider's own unknown path
    assert admin.delete(STUBS).json() == {"deleted": 1}
    assert [s for s in admin.get(STUBS).json() if s["source"] == "control plane"] == []


def test_a_file_stub_cannot_be_deleted_through_the_control_plane(admin):
    refused = admin.delete(f"{STUBS}/get-api-public-pelatihan-akademi")
    assert refused.status_code == 409
    assert "stubs.json: entry 26" in refused.json()["detail"]


def test_an_invalid_stub_is_a_400_naming_the_field(admin):
    cases = [
        ({**PESERTA, "method": "FETCH"}, "method: must be one of"),
        ({**PESERTA, "path": "api/x"}, "path: must start with /"),
        ({**PESERTA, "response": {"status": 99}}, "response.status"),
        ({**PESERTA, "response": {"body": "{{ path.nik "}}, "response.body: template error"),
        ({**PESERTA, "state": {"key": "id"}}, "state.key: 'id' is not a parameter"),
        ({**PESERTA, "respnse": {}}, "respnse: unknown key; did you mean 'response'?"),
        ({**PESERTA, "provider": "joss"}, "provider: this is digitalent's stub list"),
    ]
    for body, said in cases:
        refused = admin.post(STUBS, json=body)
        assert refused.status_code == 400, (body, refused.text)
        assert said in refused.json()["detail"], refused.text
    assert admin.post("/__admin/providers/nope/stubs", json=PESERTA).status_code == 404
    listed = admin.post(STUBS, json=[PESERTA])
    assert listed.status_code == 400
    assert "a stub is a JSON object, got list" in listed.json()["detail"]


def test_a_stub_that_clashes_with_one_served_is_a_409(admin):
    assert admin.post(STUBS, json=PESERTA).status_code == 201
    again = admin.post(STUBS, json={**PESERTA, "path": "/api/public/peserta/{id}"})
    assert again.status_code == 409
    assert "duplicate of control plane (GET /api/public/peserta/{nik})" in again.json()["detail"]
    clash = admin.post(STUBS, json={**OVERRIDE, "provider": "digitalent"})
    assert clash.status_code == 409
    assert "stubs.json: entry 26" in clash.json()["detail"]


def test_a_stub_overrides_a_built_in_endpoint(client_for, sandbox):
    digitalent = client_for("digitalent")
    answer = digitalent.get("/api/public/pelatihan/akademi", auth=signed(sandbox))
    assert answer.json() == OVERRIDE["response"]["body"]
    # The built-in's other method on the same path is still the built-in.
    detail = digitalent.post("/api/public/pelatihan/akademi", json={"id": 1}, auth=signed(sandbox))
    assert detail.status_code == 200
    assert detail.json()["data"]["id"] == 1
    assert "stub" not in detail.json()["data"]


def test_reset_drops_control_plane_stubs_and_stored_values_and_keeps_file_stubs(
    admin, client_for, sandbox
):
    digitalent = client_for("digitalent")
    admin.post(STUBS, json=PESERTA)
    item = "/stub/digitalent/items/X"
    assert digitalent.put(item, json={"a": 1}, auth=signed(sandbox)).status_code == 200
    assert admin.post("/__admin/providers/digitalent/reset").is_success
    assert [s["source"] for s in admin.get(STUBS).json()].count("control plane") == 0
    assert digitalent.get(item, auth=signed(sandbox)).status_code == 404  # forgotten
    assert digitalent.get("/stub/digitalent/peserta/1", auth=signed(sandbox)).status_code == 200
    admin.post(STUBS, json=PESERTA)
    assert digitalent.put(item, json={"a": 1}, auth=signed(sandbox)).status_code == 200
    assert admin.post("/__admin/reset").is_success
    assert [s["source"] for s in admin.get(STUBS).json()].count("control plane") == 0
    assert digitalent.get(item, auth=signed(sandbox)).status_code == 404
    assert digitalent.get("/stub/digitalent/peserta/1", auth=signed(sandbox)).status_code == 200


def test_a_providers_reset_keeps_the_other_providers_stubs(admin, client_for, sandbox):
    admin.post("/__admin/providers/joss/stubs", json={**PESERTA, "path": "/x/{nik}"})
    admin.post(STUBS, json=PESERTA)
    admin.post("/__admin/providers/digitalent/reset")
    joss = [
        s
        for s in admin.get("/__admin/providers/joss/stubs").json()
        if s["source"] == "control plane"
    ]
    assert [s["path"] for s in joss] == ["/x/{nik}"]


def test_a_stub_added_through_the_control_plane_appears_in_the_openapi_document(admin):
    before = admin.get("/__admin/providers/digitalent/openapi.json").json()
    assert "/api/public/peserta/{nik}" not in before["paths"]
    admin.post(STUBS, json=PESERTA)
    after = admin.get("/__admin/providers/digitalent/openapi.json").json()
    assert after["paths"]["/api/public/peserta/{nik}"]["get"]["security"]


def test_store_response_keeps_the_rendered_answer_for_the_get(admin, client_for, sandbox):
    tiket = {"path": "/api/public/tiket/{kode}", "state": {"key": "kode", "store": "response"}}
    made = {"method": "POST", "response": {"status": 201, "body": {"id": "{{ uuid4() }}"}}}
    assert admin.post(STUBS, json={**tiket, **made}).status_code == 201
    assert admin.post(STUBS, json={**tiket, "method": "GET"}).status_code == 201
    digitalent = client_for("digitalent")
    created = digitalent.post("/api/public/tiket/A", json={}, auth=signed(sandbox))
    assert created.status_code == 201
    read = digitalent.get("/api/public/tiket/A", auth=signed(sandbox))
    assert read.json() == created.json()  # the generated id, as it was answered


def test_the_stub_with_fewer_parameters_wins_whatever_the_order(admin, client_for, sandbox):
    admin.post(STUBS, json=PESERTA)
    literal = {"method": "GET", "path": "/api/public/peserta/aktif", "response": {"body": [1]}}
    admin.post(STUBS, json=literal)
    digitalent = client_for("digitalent")
    assert digitalent.get("/api/public/peserta/aktif", auth=signed(sandbox)).json() == [1]
    other = digitalent.get("/api/public/peserta/3201", auth=signed(sandbox))
    assert other.json()["data"] == {"nik": "3201"}


def test_a_request_value_no_header_can_carry_is_a_400_not_a_broken_connection(
    admin, client_for, sandbox
):
    echo = {
        "method": "GET",
        "path": "/api/public/echo",
        "response": {"headers": {"X-Echo": "{{ query.q }}"}, "body": {"success": True}},
    }
    assert admin.post(STUBS, json=echo).status_code == 201
    digitalent = client_for("digitalent")
    fine = digitalent.get("/api/public/echo?q=halo", auth=signed(sandbox))
    assert fine.status_code == 200
    assert fine.headers["x-echo"] == "halo"
    for bad in ("%0d%0aSet-Cookie:%20x=1", "%E2%82%AC", "%00"):
        answer = digitalent.get(f"/api/public/echo?q={bad}", auth=signed(sandbox))
        assert answer.status_code == 400, (bad, answer.text)
        assert "header X-Echo" in answer.text
        assert "set-cookie" not in answer.headers


def test_a_yaml_date_in_a_stub_file_is_answered_as_its_text(tmp_path):
    from mock_server.core.stubs.load import parse_file

    path = tmp_path / "stubs.yaml"
    path.write_text(
        "stubs:\n  - provider: digitalent\n    method: GET\n    path: /api/public/x\n"
        "    response: {body: {tanggal_lahir: 1990-01-01}}\n"
    )
    assert parse_file(path)["stubs"][0]["response"]["body"] == {"tanggal_lahir": "1990-01-01"}


def test_a_kyc_page_token_in_a_stubs_path_stays_out_of_the_journal(admin, client_for, sandbox):
    from tests.stubs.conftest import KycBearer

    page = {
        "method": "GET",
        "path": "/kyc/v1/validation-web/{token}/status",
        "response": {"body": {"status": "pending"}},
    }
    assert admin.post("/__admin/providers/kyc/stubs", json=page).status_code == 201
    token = "tok-" + "s" * 40
    answer = client_for("kyc").get(f"/kyc/v1/validation-web/{token}/status", auth=KycBearer())
    assert answer.status_code == 200, answer.text
    entry = admin.get(f"/__admin/requests/{answer.headers['x-mock-journal-id']}").json()
    assert entry["diagnosis"]["stub"]["path_parameters"] == {"token": "<redacted>"}
    assert token not in str(entry)
