"""challenge-code: the documented reply, seeded and new patients, strict mode, bad requests."""

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from mock_server.providers.kyc.config import KycSettings
from mock_server.providers.kyc.models import KycPatient
from tests.helpers import FROZEN, journal_entry
from tests.providers.kyc.reference import bearer, challenge_body

PATH = "/kyc/v1/challenge-code"
NEW_NIK = "3171014101900001"


@pytest.fixture
def kyc(client_for):
    return client_for("kyc")


def seeded_patients(sandbox) -> list:
    table = KycPatient
    return list(sandbox.services.db.connection().execute(select(table).where(table.c.seeded)))


def request_code(client, body, headers=None):
    return client.post(PATH, json=body, headers=headers or bearer(client))


def test_a_seeded_patient_gets_a_code_valid_five_minutes_in_wib(kyc, sandbox):
    patient = seeded_patients(sandbox)[0]
    response = request_code(kyc, challenge_body(patient.nik, patient.name))
    assert response.status_code == 200
    body = response.json()
    assert body["metadata"] == {"code": "200", "message": "OK"}
    data = body["data"]
    assert list(data) == [
        "nik",
        "name",
        "ihs_number",
        "challenge_code",
        "created_timestamp",
        "expired_timestamp",
    ]
    assert data["nik"] == patient.nik
    assert data["name"] == patient.name
    assert data["ihs_number"] == patient.ihs_number
    assert re.fullmatch(r"\d{6}", data["challenge_code"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", data["created_timestamp"])
    created = datetime.fromisoformat(data["created_timestamp"])
    assert created == FROZEN.replace(microsecond=0)
    assert datetime.fromisoformat(data["expired_timestamp"]) - created == timedelta(minutes=5)


def test_the_ihs_number_is_stable_and_in_the_real_format(kyc):
    first = request_code(kyc, challenge_body(NEW_NIK)).json()["data"]
    again = request_code(kyc, challenge_body(NEW_NIK, "Another Name")).json()["data"]
    assert re.fullmatch(r"P\d{11}", first["ihs_number"])
    assert again["ihs_number"] == first["ihs_number"]
    assert again["name"] == "Budi Santoso"  # the patient as first registered


def test_seeded_patients_look_real(sandbox):
    patients = seeded_patients(sandbox)
    assert len(patients) == 50
    for patient in patients:
        assert re.fullmatch(r"\d{16}", patient.nik)
        assert re.fullmatch(r"P\d{11}", patient.ihs_number)
        day = int(patient.nik[6:8])
        born = datetime.fromisoformat(patient.birth_date)
        assert day in (born.day, born.day + 40)  # women: day + 40
        assert patient.nik[8:12] == born.strftime("%m%y")
        assert born.date() < FROZEN.date()
    assert len({p.ihs_number for p in patients}) == 50


def test_the_seed_is_the_same_on_every_reset(sandbox):
    before = [(p.nik, p.name) for p in seeded_patients(sandbox)]
    sandbox.services.reset()
    assert [(p.nik, p.name) for p in seeded_patients(sandbox)] == before


def test_strict_patients_mode_refuses_an_unknown_nik(make_sandbox, client_for):
    strict = make_sandbox({"kyc": KycSettings(strict_patients=True)})
    client = client_for("kyc", strict)
    response = request_code(client, challenge_body(NEW_NIK))
    assert response.status_code == 404
    body = response.json()
    assert body["metadata"] == {"code": "404", "message": "Not Found"}
    assert NEW_NIK in body["data"]["error"]
    assert journal_entry(strict, response)["rule"] == "patient_unknown"
    patient = seeded_patients(strict)[0]
    assert request_code(client, challenge_body(patient.nik, patient.name)).status_code == 200


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (challenge_body(NEW_NIK, method="request_per_name"), "request_per_nik"),
        (challenge_body("12345"), "16 digits"),
        (challenge_body("317101410190000X"), "16 digits"),
        (challenge_body(NEW_NIK, name=""), "data.name"),
        ({"data": {"nik": NEW_NIK, "name": "Budi"}}, "metadata"),
        ({"metadata": {"method": "request_per_nik"}}, "data"),
    ],
    ids=["unknown-method", "short-nik", "letter-nik", "empty-name", "no-metadata", "no-data"],
)
def test_bad_requests_are_400_in_the_metadata_shape(kyc, body, expected):
    response = request_code(kyc, body)
    assert response.status_code == 400
    payload = response.json()
    assert payload["metadata"] == {"code": "400", "message": "Bad Request"}
    assert expected in payload["data"]["error"]


def test_the_docs_curl_example_works_without_a_json_content_type(kyc):
    """The doc's cURL sends --data without a Content-Type: curl says form-urlencoded."""
    body = '{"metadata": {"method": "request_per_nik"}, "data": {"nik": "%s", "name": "Budi"}}'
    response = kyc.post(
        PATH,
        content=body % NEW_NIK,
        headers=bearer(kyc) | {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    assert response.json()["data"]["nik"] == NEW_NIK
