"""The x-app-key API against the real process, as a user meets it: by hand with httpx, then with
the reference client; the console and the journal never show a secret."""

import json
import uuid

import httpx

from mock_server.clients import AppKeyAuth
from tests.server import running_server


def by_hand(base: str) -> None:
    def headers(bearer: str, **extra: str) -> dict[str, str]:
        return {
            "x-app-key": "appkey-demo-public",
            "x-request-id": str(uuid.uuid4()),
            "x-language": "en",
            "Authorization": f"Bearer {bearer}",
            **extra,
        }

    login = httpx.post(
        base + "/api/v1/auth/login",
        json={"username": "demo@example.com", "password": "demo-password"},
        headers=headers("appkey-demo-private"),
    )
    assert login.status_code == 200, login.text
    assert "server" not in login.headers
    tokens = login.json()["data"]
    user = {"x-user-token": tokens["user_token"]}
    profile = httpx.get(base + "/api/v1/users/me", headers=headers(tokens["access_token"], **user))
    assert profile.json()["data"]["email"] == "demo@example.com"
    assert profile.headers["content-language"] == "en"
    rotated = httpx.post(base + "/api/v1/auth/refresh-token", headers=headers(tokens["user_token"]))
    old = httpx.post(base + "/api/v1/auth/access-token", headers=headers(tokens["refresh_token"]))
    assert old.status_code == 401
    assert old.json()["code"] == "TOKEN_REVOKED"
    new_refresh = rotated.json()["data"]["refresh_token"]
    renewed = httpx.post(base + "/api/v1/auth/access-token", headers=headers(new_refresh))
    assert renewed.status_code == 200
    rid = str(uuid.uuid4())
    provinces = headers(renewed.json()["data"]["access_token"]) | {"x-request-id": rid}
    assert httpx.get(base + "/api/v1/provinces", headers=provinces).status_code == 200
    replay = httpx.get(base + "/api/v1/provinces", headers=provinces)
    assert replay.status_code == 409
    assert replay.json()["message"] == "The x-request-id has already been used"


def test_the_token_trio_over_http_against_the_real_server(tmp_path):
    with running_server(tmp_path / "appkey.db", exec_script=True) as server:
        base = server.url("appkey")
        by_hand(base)
        with httpx.Client(base_url=base, auth=AppKeyAuth()) as client:
            created = client.post(
                "/api/v1/users/me/addresses",
                json={
                    "label": "Rumah",
                    "recipient_name": "Siti Aminah",
                    "phone": "+6281234567890",
                    "street": "Jl. Malioboro No. 10",
                    "city": "Yogyakarta",
                    "province_code": "34",
                    "postal_code": "55271",
                },
            )
            assert created.status_code == 201, created.text
            assert created.json()["message"] == "Berhasil dibuat"
            address_id = created.json()["data"]["id"]
            read = client.get(f"/api/v1/users/me/addresses/{address_id}")
            assert read.json()["data"]["province"]["name"] == "DI Yogyakarta"
            tokens = client.auth.tokens
        server.wait_for_output(read.headers["x-mock-journal-id"])
        journal = httpx.get(
            server.url("admin") + "/__admin/requests", params={"provider": "appkey", "per_page": 50}
        ).json()
        assert len(journal["data"]) >= 10
        # The start-up table shows the documented demo credentials on purpose; request lines and
        # the journal must show no secret.
        request_lines = [line for line in server.output if "[journal " in line]
        assert len(request_lines) >= 10
        seen = json.dumps(journal) + "\n".join(request_lines)
        for secret in (
            "appkey-demo-private",
            "demo-password",
            tokens.access_token,
            tokens.refresh_token,
            tokens.user_token,
        ):
            assert secret not in seen
