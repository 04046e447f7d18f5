"""The journal as HAR 1.2: the fields HAR readers require, requests and answers, secrets redacted
as in the journal, the journal's filters, and `mock-server journal --har` over a real process."""

import json

import httpx

from mock_server.core.har import batches
from tests.forked import zygote
from tests.helpers import digitalent_headers
from tests.providers.sales_order.signing import DEMO_CLIENT, DEMO_SECRET
from tests.server import running_server

AKADEMI = "/api/public/pelatihan/akademi"
# What HAR 1.2 requires of each object (the fields Chrome, Postman and Insomnia read).
ENTRY = {"startedDateTime", "time", "request", "response", "cache", "timings"}
REQUEST = {"method", "url", "httpVersion", "cookies", "headers", "queryString", "headersSize"}
RESPONSE = {"status", "statusText", "httpVersion", "cookies", "headers", "content", "redirectURL"}


def traffic(client_for, sandbox):
    dts = client_for("digitalent")
    body = '{"id":1}'
    headers = digitalent_headers("POST", AKADEMI, body, at=sandbox.services.clock.now())
    dts.post(AKADEMI, content=body, headers=headers | {"Content-Type": "application/json"})
    dts.get(AKADEMI + "?page=2")  # rejected: no auth headers
    login = {"client_id": DEMO_CLIENT, "client_secret": DEMO_SECRET}
    return client_for("sales_order").post("/api/v1/auth/login", json=login).json()["token"]


def test_the_journal_downloads_as_a_har_log(client_for, sandbox):
    token = traffic(client_for, sandbox)
    response = client_for("admin").get("/__admin/requests.har")
    assert response.status_code == 200
    assert "mock-server.har" in response.headers["content-disposition"]
    log = response.json()["log"]
    assert log["version"] == "1.2"
    assert log["creator"]["name"] == "mock-server"
    entries = log["entries"]
    assert [(e["request"]["method"], e["response"]["status"]) for e in entries] == [
        ("POST", 200),
        ("GET", 400),
        ("POST", 200),
    ]  # oldest first, as a network panel lists them
    for entry in entries:
        assert set(entry) >= ENTRY
        assert set(entry["request"]) >= REQUEST
        assert set(entry["response"]) >= RESPONSE
        assert {"size", "mimeType"} <= set(entry["response"]["content"])
    first = entries[0]
    assert first["request"]["url"] == f"http://testserver{AKADEMI}"
    assert first["request"]["postData"] == {"mimeType": "application/json", "text": '{"id":1}'}
    assert json.loads(first["response"]["content"]["text"])["data"]["slug"] == "FGA"
    assert first["response"]["statusText"] == "OK"
    assert entries[1]["request"]["queryString"] == [{"name": "page", "value": "2"}]
    assert entries[1]["_rule"] == "missing_headers"
    text = response.text
    assert token not in text
    assert DEMO_SECRET not in text
    assert json.loads(entries[2]["response"]["content"]["text"])["token"] == "<redacted>"


def test_har_takes_the_journal_filters_and_refuses_unknown_ones(client_for, sandbox):
    traffic(client_for, sandbox)
    admin = client_for("admin")
    rejected = admin.get("/__admin/requests.har", params={"outcome": "rejected"}).json()
    assert [e["_rule"] for e in rejected["log"]["entries"]] == ["missing_headers"]
    only = admin.get("/__admin/requests.har", params={"provider": "sales_order"}).json()
    assert [e["_provider"] for e in only["log"]["entries"]] == ["sales_order"]
    assert admin.get("/__admin/requests.har", params={"outcom": "rejected"}).status_code == 400


def test_mock_server_journal_har_writes_the_file(tmp_path):
    with running_server(None) as server:
        headers = digitalent_headers("GET", AKADEMI)
        stale = httpx.get(server.url("digitalent") + AKADEMI, headers=headers)  # signed in 2025
        target = tmp_path / "journal.har"
        admin = ["--admin-url", server.url("admin")]
        out = zygote().run(["journal", "--har", str(target), *admin])
        assert out.returncode == 0, out.stderr
        assert f"1 entries written to {target}" in out.stderr
        entries = json.loads(target.read_text())["log"]["entries"]
        assert entries[0]["request"]["url"].endswith(AKADEMI)
        assert entries[0]["response"]["status"] == stale.status_code
        assert json.loads(entries[0]["response"]["content"]["text"]) == stale.json()
        missing = tmp_path / "no" / "such" / "dir.har"
        out = zygote().run(["journal", "--har", str(missing), *admin])
        assert out.returncode == 2
        assert out.stderr.startswith(f"mock-server: cannot write {missing}:")
        assert "Traceback" not in out.stderr


def test_the_export_pages_by_cursor_so_new_entries_neither_repeat_nor_hide_old_ones():
    journal = [{"seq": n} for n in range(1, 1202)]  # 1,201 entries: three batches
    arrived: list[bool] = []

    def requests(before_seq, per_page, **filters):
        assert filters == {"outcome": "rejected"}  # page numbers are the cursor's business
        if before_seq is not None and not arrived:
            arrived.append(True)
            journal.extend({"seq": n} for n in range(1202, 1300))  # traffic meanwhile
        older = [e for e in journal if before_seq is None or e["seq"] < before_seq]
        return sorted(older, key=lambda e: -e["seq"])[:per_page]

    filters = {"outcome": "rejected", "page": 3, "per_page": 7}
    seen = [e["seq"] for batch in batches(requests, filters) for e in batch]
    assert seen == list(range(1201, 0, -1))  # each once, none skipped
