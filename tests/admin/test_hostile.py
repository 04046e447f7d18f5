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


@pytest.mark.parametrize("client_id", [" ", "é", "a/b", "a b", ""])
def test_a_client_id_that_cannot_travel_in_a_header_or_path_is_422(admin, client_id):
    url = "/__admin/providers/digitalent/clients"
    response = admin.post(url, json={"client_id": client_id})
    assert response.status_code == 422, response.text
    assert all(c["client_id"] != client_id for c in admin.get(url).json())


def test_a_client_id_of_letters_digits_and_punctuation_is_created(admin):
    url = "/__admin/providers/digitalent/clients"
    response = admin.post(url, json={"client_id": "partner_x.2-team"})
    assert response.status_code == 201, response.text
    rotated = admin.post(f"{url}/partner_x.2-team/rotate")
    assert rotated.status_code == 200
