"""JOSS against the real process: signed by the test's own signer over HTTP, then a journey with
the reference JossAuth, and the journal explaining a rejection."""

import json
import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import httpx

from mock_server.clients import JossAuth
from tests.helpers import joss_headers
from tests.providers.joss.common import COMPANY_ID, company_body, vacancy_body
from tests.server import running_server

COMPANY = f"/api/v1/companies/{COMPANY_ID}"


def test_signed_requests_over_http_against_the_real_server(tmp_path):
    with running_server(tmp_path / "joss.db", exec_script=True) as server:
        base = server.url("joss")
        body = json.dumps(company_body()).encode()
        now = datetime.now(UTC)
        created = httpx.put(
            base + COMPANY, content=body, headers=joss_headers("PUT", COMPANY, body, at=now)
        )
        assert created.status_code == 201, created.text
        assert created.json()["data"]["name"] == "PT Testing"
        assert "server" not in created.headers

        found = httpx.get(
            base + COMPANY, headers=joss_headers("GET", COMPANY, at=now, accept="application/xml")
        )
        assert found.status_code == 200
        assert ET.fromstring(found.content).findtext("data/name") == "PT Testing"

        headers = joss_headers("PUT", COMPANY, body, at=now, secret="wrong")
        rejected = httpx.put(base + COMPANY, content=body, headers=headers)
        assert rejected.status_code == 401
        assert rejected.json()["message"] == "Invalid signature"
        journal_id = rejected.headers["x-mock-journal-id"]
        entry = httpx.get(f"{server.url('admin')}/__admin/requests/{journal_id}").json()
        assert entry["rule"] == "signature"
        assert entry["diagnosis"]["string_to_sign"].endswith(
            "Digest:" + entry["diagnosis"]["body_digest"]
        )
        assert "joss-sandbox-secret" not in json.dumps(entry)
        replayed = httpx.put(
            base + COMPANY,
            content=body,
            headers=joss_headers(
                "PUT", COMPANY, body, at=now, request_id=created.request.headers["Request-Id"]
            ),
        )
        assert replayed.status_code == 409
        server.wait_for_output("rejected by replay")


def test_the_reference_signer_drives_a_whole_journey(tmp_path):
    with running_server(tmp_path / "joss.db") as server:
        with httpx.Client(base_url=server.url("joss"), auth=JossAuth()) as client:
            assert client.put(COMPANY, json=company_body()).status_code == 201
            job = f"/api/v1/jobs/{uuid.uuid4()}"
            assert client.put(f"{job}/industrial-vacancy", json=vacancy_body()).status_code == 201
            filled = client.put(f"{job}/industrial-vacancy", json=vacancy_body(status="filled"))
            assert filled.status_code == 200
            listing = client.get(
                "/api/v1/jobs", params={"company_id": COMPANY_ID, "status": "filled"}
            )
            assert [j["id"] for j in listing.json()["data"]] == [job.rsplit("/", 1)[1]]
            assert client.delete(job).status_code == 200
            assert client.get(job).status_code == 404
        with httpx.Client(
            base_url=server.url("joss"),
            auth=JossAuth("joss-production-client", "joss-production-secret"),
        ) as client:
            assert client.get("/api/v1/companies").status_code == 401


def test_the_production_flag_switches_credentials(tmp_path):
    with running_server(None, "--joss-environment", "production") as server:
        with httpx.Client(
            base_url=server.url("joss"),
            auth=JossAuth("joss-production-client", "joss-production-secret"),
        ) as client:
            assert client.get("/api/v1/companies").status_code == 200
        with httpx.Client(base_url=server.url("joss"), auth=JossAuth()) as client:
            assert client.get("/api/v1/companies").status_code == 401
