"""Digitalent against the real process: signed exactly as the doc's Postman script does it, and
again with URL-safe base64 as the doc's text says."""

import json
import uuid
from datetime import UTC, datetime

import httpx

from mock_server.clients import DigitalentAuth
from tests.helpers import postman_signature, to_iso
from tests.server import running_server

PATH = "/api/public/pelatihan/akademi"


def postman_request(base_url: str, *, urlsafe: bool) -> httpx.Response:
    body = '{"id":10}'.replace("10", "3")
    timestamp = to_iso(datetime.now(UTC))
    request_id = str(uuid.uuid4())
    signature = postman_signature("dts-demo-secret", "POST", PATH, body, timestamp, request_id)
    if urlsafe:
        signature = signature.replace("+", "-").replace("/", "_")
    return httpx.post(
        base_url + PATH,
        content=body,
        headers={
            "Content-Type": "application/json",
            "Client-Id": "dts-demo-client",
            "Request-Id": request_id,
            "Request-Timestamp": timestamp,
            "Signature": signature,
        },
    )


def test_postman_style_and_urlsafe_signatures_against_the_real_server(tmp_path):
    with running_server(tmp_path / "dts.db", exec_script=True) as server:
        base = server.url("digitalent")
        for urlsafe in (False, True):
            response = postman_request(base, urlsafe=urlsafe)
            assert response.status_code == 200, response.text
            assert response.json()["data"]["slug"] == "TA"
            assert response.headers["content-type"] == "application/json"
            assert "server" not in response.headers  # no uvicorn banner


def test_the_reference_signer_drives_a_whole_journey(tmp_path):
    with running_server(tmp_path / "dts.db") as server:
        with httpx.Client(base_url=server.url("digitalent"), auth=DigitalentAuth()) as client:
            academies = client.get("/api/public/pelatihan/akademi").json()["data"]
            assert len(academies) == 9  # the eight real ones and the doc example's id 10
            themes = client.get(f"/api/public/pelatihan/akademi/{academies[0]['id']}/tema").json()
            tema_id = themes["data"][0]["id"]
            listing = client.get("/api/public/pelatihan", params={"tema_id": tema_id}).json()
            training_id = listing["data"][0]["id"]
            detail = client.post("/api/public/pelatihan/detail", json={"id": training_id})
            assert detail.json()["data"]["tema"]["id"] == tema_id
        with httpx.Client(
            base_url=server.url("digitalent"), auth=DigitalentAuth(client_secret="wrong")
        ) as client:
            rejected = client.post(PATH, content=json.dumps({"id": 1}))
            assert rejected.status_code == 401
            assert rejected.json() == {
                "success": False,
                "message": "Invalid signature",
                "detail": "HMAC-SHA256 of METHOD:urlPath:body:timestamp:requestId does not match",
            }
        with httpx.Client(
            base_url=server.url("digitalent"),
            auth=DigitalentAuth("dts-inactive-client", "dts-inactive-secret"),
        ) as client:
            assert client.get(PATH).status_code == 403
