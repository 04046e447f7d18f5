"""Every provider's stubs get what its built-in endpoints get: its own auth and error shape,
replay detection, lenient mode, faults, the rate limit, the journal and explain."""

import re

from mock_server.admin.explain import explanation
from tests.helpers import FROZEN, journal_entry
from tests.stubs.conftest import Case


def base(case: Case) -> str:
    return f"/stub/{case.provider}"


def test_a_stub_refuses_a_request_without_credentials_in_the_providers_shape(case, http):
    answer = http.get(f"{base(case)}/peserta/3201010101010001")
    assert 400 <= answer.status_code < 500
    assert case.is_error(answer.json()), answer.text
    assert "x-stub-nik" not in answer.headers  # the stub never ran


def test_a_stub_answers_a_correctly_authenticated_request(case, http, sandbox):
    answer = http.get(
        f"{base(case)}/peserta/3201010101010001",
        params={"page": "3"},
        headers={"Accept-Language": "en"},
        auth=case.auth(sandbox),
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["nik"] == "3201010101010001"  # path parameter
    assert body["page"] == 3  # query parameter, its JSON type kept by a lone expression
    assert body["lang"] == "en"  # header, by any case
    assert body["greeting"] == "Halo 3201010101010001"  # text around an expression
    assert isinstance(body["nama"], str)  # Faker, id_ID
    assert len(body["nama"]) > 2
    assert body["served_as"]  # whom auth served the request as
    assert body["at"] == FROZEN.isoformat()  # the sandbox clock, not the machine's
    assert answer.headers["x-stub-nik"] == "3201010101010001"


def test_a_body_field_the_template_needs_and_the_request_lacks_is_a_400_naming_it(
    case, http, sandbox
):
    auth = case.auth(sandbox)
    served = http.post(f"{base(case)}/echo", json={"nama": "Budi"}, auth=auth)
    assert served.status_code == 201, served.text
    assert served.json() == {"diterima": "Budi", "n": 1}
    refused = http.post(f"{base(case)}/echo", json={"name": "Budi"}, auth=auth)
    assert refused.status_code == 400
    assert case.is_error(refused.json())
    assert "the request has no body field 'nama'" in refused.text
    entry = journal_entry(sandbox, refused)
    assert entry["rule"] == "stub_template"
    assert "body field 'nama'" in explanation(entry)


def test_what_a_put_stores_a_get_returns_and_a_delete_forgets(case, http, sandbox):
    auth = case.auth(sandbox)
    item = f"{base(case)}/items/A-1"
    missing = http.get(item, auth=auth)
    assert missing.status_code == 404
    assert case.is_error(missing.json())
    stored = http.put(item, json={"warna": "merah", "jumlah": 2}, auth=auth)
    assert stored.status_code == 200, stored.text
    assert stored.json() == {"saved": {"warna": "merah", "jumlah": 2}}
    assert http.get(item, auth=auth).json() == {"warna": "merah", "jumlah": 2}
    assert http.get(f"{base(case)}/items/B-2", auth=auth).status_code == 404  # by key
    deleted = http.delete(item, auth=auth)
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert http.get(item, auth=auth).status_code == 404


def test_a_replayed_request_id_is_refused_where_the_provider_has_one(case, http, sandbox):
    path = f"{base(case)}/echo"
    first = http.post(path, json={"nama": "Budi"}, auth=case.auth(sandbox))
    assert first.status_code == 201, first.text
    sent = first.request  # the very bytes and headers, resent as an attacker would
    again = http.post(path, content=sent.content, headers=dict(sent.headers))
    if "POST" in case.replay_methods:
        assert again.status_code == 409, again.text
        assert case.is_error(again.json())
        assert journal_entry(sandbox, again)["rule"] == "replay"
    else:  # Sales Order and KYC have no request id: the same request is served again
        assert again.status_code == 201, again.text


def test_lenient_mode_serves_an_unauthenticated_stub_request_saying_what_would_fail(
    case, http, admin, sandbox
):
    assert admin.post(
        f"/__admin/providers/{case.provider}/control", json={"auth_mode": "lenient"}
    ).is_success
    answer = http.get(f"{base(case)}/peserta/1")
    assert answer.status_code == 200, answer.text
    assert answer.json()["nik"] == "1"
    assert answer.headers["x-mock-would-have-failed"]
    assert journal_entry(sandbox, answer)["would_have_failed"]


def test_a_fault_applies_to_a_stub_before_auth(case, http, admin, sandbox):
    assert admin.post(
        "/__admin/faults",
        json={"provider": case.provider, "path": f"{base(case)}/*", "status": 503},
    ).is_success
    answer = http.get(f"{base(case)}/peserta/1", auth=case.auth(sandbox))
    assert answer.status_code == 503
    assert case.is_error(answer.json())
    assert journal_entry(sandbox, answer)["rule"] == "fault"


def test_the_rate_limit_counts_stub_requests(case, http, admin, sandbox):
    auth = case.auth(sandbox)
    assert http.get(f"{base(case)}/peserta/0", auth=auth).status_code == 200  # logged in
    assert admin.post(
        f"/__admin/providers/{case.provider}/control", json={"rate_limit": 1}
    ).is_success
    assert http.get(f"{base(case)}/peserta/1", auth=auth).status_code == 200
    limited = http.get(f"{base(case)}/peserta/2", auth=auth)
    assert limited.status_code == 429
    assert case.is_error(limited.json())


def test_the_journal_and_explain_name_the_stub_that_answered(case, http, sandbox):
    answer = http.get(f"{base(case)}/peserta/77", auth=case.auth(sandbox))
    entry = journal_entry(sandbox, answer)
    assert entry["outcome"] == "accepted"
    stub = entry["diagnosis"]["stub"]
    assert stub["matched"] == f"GET {base(case)}/peserta/{{nik}}"
    assert stub["path_parameters"] == {"nik": "77"}
    assert re.search(r"stubs\.json: entry \d+$", stub["source"])
    text = explanation(entry)
    assert f"get-stub-{case.provider.replace('_', '-')}-peserta-nik" in text
    assert stub["source"] in text


def test_a_method_the_stubbed_path_does_not_take_is_405_in_the_providers_shape(case, http, sandbox):
    answer = http.patch(f"{base(case)}/items/A-1", json={}, auth=case.auth(sandbox))
    assert answer.status_code == 405
    assert case.is_error(answer.json())
    assert set(answer.headers["allow"].split(", ")) == {"DELETE", "GET", "PUT"}
