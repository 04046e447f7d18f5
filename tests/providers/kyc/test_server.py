"""SATUSEHAT KYC against the real ``mock-server`` process: the whole journey over HTTP, with an
envelope built in the test from the documented layout and the key fetched from the control plane."""

import json
import re

import httpx

from mock_server.clients import KycClient
from tests.providers.kyc.reference import (
    DEMO,
    TOKEN_PATH,
    agent_payload,
    challenge_body,
    client_key_pair,
    decrypt,
    encrypt,
)
from tests.server import running_server

NIK = "3273014101900003"


def test_the_operators_journey_against_the_real_server(tmp_path):
    with running_server(
        tmp_path / "kyc.db", "--kyc-public-base-url", "https://kyc.test", exec_script=True
    ) as server:
        base, admin = server.url("kyc"), server.url("admin")
        server_pem = httpx.get(f"{admin}/__admin/kyc/public-key").text
        token = httpx.post(base + TOKEN_PATH, data=DEMO).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}

        client_private, client_public = client_key_pair(crlf=True)
        response = httpx.post(
            f"{base}/kyc/v1/generate-url",
            content=encrypt(agent_payload(client_public), server_pem, style="php"),
            headers=auth | {"Content-Type": "text/plain", "X-Debug-Mode": "0"},
        )
        assert response.status_code == 200, response.text
        assert response.text.startswith("-----BEGIN ENCRYPTED MESSAGE-----\r\n")
        data = json.loads(decrypt(response.text, client_private))["data"]
        assert data["url"] == f"https://kyc.test/kyc/v1/validation-web/{data['token']}"
        page_path = f"/kyc/v1/validation-web/{data['token']}"

        page = httpx.get(base + page_path)
        assert page.status_code == 200
        assert "Bambang Wisanggeni" in page.text
        shown = httpx.post(
            f"{base}{page_path}/challenge-code", json={"nik": NIK, "name": "Siti Aminah"}
        ).json()["data"]
        assert re.fullmatch(r"\d{6}", shown["challenge_code"])
        verdict = httpx.post(
            f"{base}{page_path}/verify", json={"challenge_code": shown["challenge_code"]}
        )
        assert verdict.json()["data"]["verdict"] == "validated"

        session = httpx.get(f"{admin}/__admin/kyc/sessions/{data['token']}").json()
        assert session["status"] == "validated"
        assert session["nik"] == NIK

        code = httpx.post(f"{base}/kyc/v1/challenge-code", json=challenge_body(NIK), headers=auth)
        assert code.json()["data"]["ihs_number"] == shown["ihs_number"]

        rejected = httpx.post(f"{base}/kyc/v1/challenge-code", json=challenge_body(NIK))
        assert rejected.status_code == 401
        journal_id = rejected.headers["x-mock-journal-id"]
        entry = httpx.get(f"{admin}/__admin/requests/{journal_id}").json()
        assert entry["rule"] == "bearer_missing"


def test_the_reference_client_drives_the_api(tmp_path):
    with running_server(None) as server:
        client = KycClient(base_url=server.url("kyc"))
        reply = client.generate_url("Bambang Wisanggeni", "3171010101800001")
        assert reply["metadata"]["code"] == "200"
        assert reply["data"]["url"].startswith(server.url("kyc") + "/kyc/v1/validation-web/")
        code = client.challenge_code(NIK, "Siti Aminah")
        assert code["data"]["nik"] == NIK
