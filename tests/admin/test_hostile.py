"""Hostile control-plane input: each one a 500 once (a plain-text one), each now a JSON 4xx."""

import json
import subprocess

import pytest

from tests.server import CONSOLE_SCRIPT

UNKNOWN_OID_PEM = (
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDKgMEAyEAAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=\n"
    "-----END PUBLIC KEY-----\n"
)
KEY_PATH = "/__admin/sales-order/clients/partner-client-001/public-key"


@pytest.fixture
def admin(client_for):
    return client_for("admin")


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (UNKNOWN_OID_PEM, "application/x-pem-file"),
        (json.dumps({"public_key": UNKNOWN_OID_PEM}), "application/json"),
    ],
)
def test_a_key_of_an_unknown_algorithm_is_refused_in_one_sentence(admin, body, content_type):
    response = admin.put(KEY_PATH, content=body, headers={"Content-Type": content_type})
    assert response.status_code == 400
    assert "algorithm is unknown" in response.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [
        '{"advance_seconds": NaN}',
        '{"advance_seconds": Infinity}',
        '{"advance_seconds": 1e400}',
        "[" * 5000,
    ],
)
def test_clock_changes_that_are_not_numbers_are_422(admin, body):
    response = admin.post(
        "/__admin/clock", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert "detail" in response.json()


def test_an_ordinary_clock_change_passes(admin):
    response = admin.post("/__admin/clock", json={"advance_seconds": 60})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "change", ['{"rate_limit": 1e30}', '{"rate_limit_window": 1e300}', '{"rate_limit": NaN}']
)
def test_absurd_rate_limits_are_422(admin, change):
    response = admin.post(
        "/__admin/providers/joss/control",
        content=change,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text


def test_a_sensible_rate_limit_is_set(admin):
    response = admin.post("/__admin/providers/joss/control", json={"rate_limit": 100})
    assert response.status_code == 200
    assert response.json()["rate_limit"] == 100


def test_the_cli_refuses_an_unknown_algorithm_in_one_sentence(tmp_path):
    pem = tmp_path / "public.pem"
    pem.write_text(UNKNOWN_OID_PEM)
    command = [str(CONSOLE_SCRIPT), "sales-order", "register-key", "partner-client-001"]
    result = subprocess.run(
        [*command, str(pem), "--db", str(tmp_path / "state.db")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("mock-server: public key refused:")


@pytest.mark.parametrize("client_id", [" ", "é", "a/b", "a b", "", "-leading"])
def test_a_client_id_that_cannot_travel_in_a_header_or_path_is_422(admin, client_id):
    url = "/__admin/providers/digitalent/clients"
    response = admin.post(url, json={"client_id": client_id})
    assert response.status_code == 422, response.text
    assert all(c["client_id"] != client_id for c in admin.get(url).json())


def test_a_client_id_of_letters_digits_and_punctuation_is_created(admin):
    url = "/__admin/providers/digitalent/clients"
    response = admin.post(url, json={"client_id": "partner_x.2@team-b"})
    assert response.status_code == 201, response.text
    rotated = admin.post(f"{url}/partner_x.2@team-b/rotate")
    assert rotated.status_code == 200


@pytest.mark.parametrize("token", ["", "   "])
def test_an_empty_admin_token_beyond_loopback_is_refused_at_start(token):
    from mock_server.cli import ConfigError
    from mock_server.core.config import Settings
    from mock_server.serve import serve

    with pytest.raises(ConfigError, match="MOCK_ADMIN_TOKEN"):
        serve(Settings(host="0.0.0.0", memory=True, admin_token=token), {})


def test_a_body_over_the_limit_is_413_by_its_content_length_before_it_is_read(admin, sandbox):
    limit = sandbox.settings.max_body_bytes
    read = 0

    def body():  # counts what the server pulls: it must stop at once
        nonlocal read
        for _ in range(64):
            read += 1
            yield b"x" * (1024 * 1024)

    response = admin.put(
        KEY_PATH,
        content=body(),
        headers={"Content-Type": "application/x-pem-file", "Content-Length": str(64 * 2**20)},
    )
    assert response.status_code == 413
    assert read <= 2  # not 64: the body was refused, not read
    assert str(limit) in response.json()["detail"]


def test_a_streamed_body_over_the_limit_is_413(admin):
    chunks = (b"x" * 65_536 for _ in range(64))  # 4 MiB, no Content-Length
    response = admin.put(KEY_PATH, content=chunks, headers={"Content-Type": "text/plain"})
    assert response.status_code == 413


def test_a_body_within_the_limit_is_read(admin):
    response = admin.post("/__admin/clock", json={"advance_seconds": 1})
    assert response.status_code == 200


@pytest.mark.parametrize("host", ["attacker.example", "attacker.example:7100", "192.168.1.5", ""])
def test_an_open_control_plane_refuses_other_host_names(admin, host):
    response = admin.get("/__admin/clock", headers={"Host": host})
    assert response.status_code == 403
    assert "loopback host names only" in response.json()["detail"]


@pytest.mark.parametrize("host", ["localhost", "localhost:7100", "127.0.0.1:7100", "[::1]:7100"])
def test_an_open_control_plane_answers_loopback_names(admin, host):
    assert admin.get("/__admin/clock", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("origin", ["https://attacker.example", "null", "http://[bad"])
def test_a_cross_site_state_change_is_refused(admin, origin):
    # What a web page's <form method=post enctype=text/plain> or fetch(…, {mode: "no-cors"}) sends.
    response = admin.post(
        "/__admin/reset", content="x", headers={"Origin": origin, "Content-Type": "text/plain"}
    )
    assert response.status_code == 403
    assert "cross-site" in response.json()["detail"]


def test_a_same_machine_origin_or_none_may_change_state(admin):
    assert admin.post("/__admin/reset").status_code == 200  # curl, scripts, the CLI
    localhost = admin.post("/__admin/reset", headers={"Origin": "http://localhost:7100"})
    assert localhost.status_code == 200


def test_beyond_loopback_any_host_name_may_be_used_with_the_token(make_sandbox, client_for):
    from pydantic import SecretStr

    exposed = make_sandbox(host="0.0.0.0", admin_token=SecretStr("s3cret-admin"))
    admin = client_for("admin", exposed)
    headers = {"Host": "sandbox.internal:7100", "Authorization": "Bearer s3cret-admin"}
    assert admin.get("/__admin/clock", headers=headers).status_code == 200
    cross = admin.post("/__admin/reset", headers=headers | {"Origin": "https://attacker.example"})
    assert cross.status_code == 403
