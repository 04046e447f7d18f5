"""JOSS companies, industrial vacancies and reference data: upserts, lists, isolation, and bad
input that must answer a clear 4xx in JOSS's shape."""

import json
import uuid

import pytest

from tests.helpers import joss_headers, joss_reference_id, journal_entry
from tests.providers.joss.common import (
    BANDUNG,
    COMPANY_ID,
    DKI_JAKARTA,
    INFOKOM,
    JAKARTA_SELATAN,
    JOB_ID,
    company_body,
    send,
    vacancy_body,
)

COMPANIES = "/api/v1/companies"
COMPANY = f"{COMPANIES}/{COMPANY_ID}"
JOBS = "/api/v1/jobs"
JOB = f"{JOBS}/{JOB_ID}"
PUT_JOB = f"{JOB}/industrial-vacancy"


# -- reference data ---------------------------------------------------------------------------
def test_regions_are_real_provinces_and_cities_with_stable_ids(joss):
    provinces = send(joss, "GET", "/api/v1/references/regions", query="type=province").json()
    assert provinces["meta"]["total"] == 38
    names = {p["name"]: p["id"] for p in provinces["data"]}
    assert names["DKI Jakarta"] == DKI_JAKARTA
    assert names["Papua Barat Daya"] == joss_reference_id("province", "Papua Barat Daya")
    cities = send(
        joss, "GET", "/api/v1/references/regions", query=f"parent_id={DKI_JAKARTA}"
    ).json()["data"]
    assert {c["name"] for c in cities} == {
        f"Kota Jakarta {part}" for part in ("Pusat", "Utara", "Barat", "Selatan", "Timur")
    }
    assert {c["type"] for c in cities} == {"city"}
    assert JAKARTA_SELATAN in {c["id"] for c in cities}


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("industries", "Informasi dan Komunikasi"),
        ("education-levels", "Sarjana (S1)"),
        ("job-functions", "Teknologi Informasi"),
        ("employment-types", "Pekerja Kontrak (PKWT)"),
    ],
)
def test_every_reference_kind_is_listed(joss, kind, name):
    response = send(joss, "GET", f"/api/v1/references/{kind}")
    assert response.status_code == 200
    items = {i["name"]: i["id"] for i in response.json()["data"]}
    singular = {"industries": "industry"}.get(kind, kind.removesuffix("s"))
    assert items[name] == joss_reference_id(singular, name)


def test_an_unknown_reference_kind_is_404_naming_the_known_ones(joss):
    response = send(joss, "GET", "/api/v1/references/planets")
    assert response.status_code == 404
    assert "regions" in response.json()["detail"]


def test_reference_ids_survive_a_reset(joss, sandbox):
    before = send(joss, "GET", "/api/v1/references/industries").json()["data"]
    sandbox.services.reset()
    assert send(joss, "GET", "/api/v1/references/industries").json()["data"] == before


# -- companies --------------------------------------------------------------------------------
def test_put_company_creates_201_then_updates_200(joss, sandbox):
    created = send(joss, "PUT", COMPANY, company_body())
    assert created.status_code == 201
    data = created.json()["data"]
    assert data["id"] == COMPANY_ID
    assert data["name"] == "PT Testing"
    assert data["latitude"] == "-6.238028583492814"
    assert data["created_at"] == data["updated_at"] == "2025-10-31T06:00:12.120Z"
    sandbox.services.clock.advance(60)
    updated = send(
        joss, "PUT", COMPANY, company_body(name="PT Testing Baru"), at=sandbox.services.clock.now()
    )
    assert updated.status_code == 200
    assert updated.json()["data"]["name"] == "PT Testing Baru"
    assert updated.json()["data"]["created_at"] == "2025-10-31T06:00:12.120Z"
    assert updated.json()["data"]["updated_at"] == "2025-10-31T06:01:12.120Z"
    found = send(joss, "GET", COMPANY, at=sandbox.services.clock.now())
    assert found.json()["data"] == updated.json()["data"]


def test_ids_are_answered_in_canonical_lower_case(joss):
    upper = COMPANY_ID.upper()
    assert send(joss, "PUT", f"{COMPANIES}/{upper}", company_body()).status_code == 201
    again = send(joss, "PUT", COMPANY, company_body())
    assert again.status_code == 200
    assert again.json()["data"]["id"] == COMPANY_ID


def test_delete_company_then_it_is_gone_and_can_be_created_again(joss):
    send(joss, "PUT", COMPANY, company_body())
    deleted = send(joss, "DELETE", COMPANY)
    assert deleted.status_code == 200
    assert deleted.json()["data"]["name"] == "PT Testing"
    assert send(joss, "GET", COMPANY).status_code == 404
    assert send(joss, "DELETE", COMPANY).status_code == 404
    assert send(joss, "PUT", COMPANY, company_body()).status_code == 201


def test_unknown_company_is_404(joss, sandbox):
    response = send(joss, "GET", f"{COMPANIES}/{uuid.uuid4()}")
    assert response.status_code == 404
    assert response.json()["message"] == "The specified resource does not exist"
    assert journal_entry(sandbox, response)["rule"] == "not_found"


def test_list_companies_is_paginated_and_only_the_clients_own(joss, sandbox):
    seeded = send(joss, "GET", COMPANIES).json()
    assert seeded["meta"] == {"page": 1, "per_page": 20, "total": 4, "total_pages": 1}
    sandbox.services.clock.advance(1)  # the seeded companies were made at the frozen instant
    send(joss, "PUT", COMPANY, company_body(), at=sandbox.services.clock.now())
    page = send(
        joss, "GET", COMPANIES, query="page=2&per_page=2", at=sandbox.services.clock.now()
    ).json()
    assert page["meta"] == {"page": 2, "per_page": 2, "total": 5, "total_pages": 3}
    assert len(page["data"]) == 2
    last = send(joss, "GET", COMPANIES, query="page=3&per_page=2", at=sandbox.services.clock.now())
    last = last.json()["data"]
    assert [c["id"] for c in last] == [COMPANY_ID]
    other = send(
        joss, "GET", COMPANIES, client_id="joss-other-client", at=sandbox.services.clock.now()
    )
    assert other.json()["meta"]["total"] == 4  # its own seeded companies only
    assert COMPANY_ID not in {c["id"] for c in other.json()["data"]}


def test_a_body_id_must_match_the_path(joss):
    response = send(joss, "PUT", COMPANY, company_body(id=str(uuid.uuid4())))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "id"
    assert send(joss, "PUT", COMPANY, company_body(id=COMPANY_ID)).status_code == 201


# -- cross-client isolation -------------------------------------------------------------------
def test_another_clients_company_is_403_for_every_method(joss):
    assert send(joss, "PUT", COMPANY, company_body()).status_code == 201
    other = {"client_id": "joss-other-client"}
    for method, body in (("GET", None), ("DELETE", None), ("PUT", company_body(name="Mine"))):
        response = send(joss, method, COMPANY, body, **other)
        assert response.status_code == 403, method
        assert "belongs to another client" in response.json()["detail"]
    # nothing changed for its owner
    assert send(joss, "GET", COMPANY).json()["data"]["name"] == "PT Testing"


def test_another_clients_vacancy_is_403_and_its_company_cannot_be_reported_for(joss):
    assert send(joss, "PUT", COMPANY, company_body()).status_code == 201
    assert send(joss, "PUT", PUT_JOB, vacancy_body()).status_code == 201
    other = {"client_id": "joss-other-client"}
    assert send(joss, "GET", JOB, **other).status_code == 403
    assert send(joss, "DELETE", JOB, **other).status_code == 403
    assert send(joss, "PUT", PUT_JOB, vacancy_body(), **other).status_code == 403
    # a new vacancy of its own, for the first client's company: 403 too
    own_job = f"{JOBS}/{uuid.uuid4()}/industrial-vacancy"
    assert send(joss, "PUT", own_job, vacancy_body(), **other).status_code == 403
    listed = send(joss, "GET", JOBS, query="per_page=100", **other).json()["data"]
    assert JOB_ID not in {j["id"] for j in listed}
    assert COMPANY_ID not in {j["employer"]["id"] for j in listed}
    assert send(joss, "GET", JOB).status_code == 200


# -- industrial vacancies ---------------------------------------------------------------------
def test_put_vacancy_creates_201_then_reports_it_filled_200(joss):
    created = send(joss, "PUT", PUT_JOB, vacancy_body())
    assert created.status_code == 201, created.text
    data = created.json()["data"]
    assert data["id"] == JOB_ID
    assert data["employer"]["id"] == COMPANY_ID
    assert data["employer"]["region"] == {
        "type": "city",
        "id": JAKARTA_SELATAN,
        "country_code": None,
    }
    assert data["salary"] == {"min": 6_000_000, "max": 9_000_000, "currency": "IDR"}
    assert data["status"] == "open"
    filled = send(joss, "PUT", PUT_JOB, vacancy_body(status="filled"))
    assert filled.status_code == 200
    assert send(joss, "GET", JOB).json()["data"]["status"] == "filled"


def test_a_vacancy_may_name_an_employer_not_registered_as_a_company(joss):
    employer = str(uuid.uuid4())
    assert send(joss, "PUT", PUT_JOB, vacancy_body(employer_id=employer)).status_code == 201


def test_list_jobs_filters_by_company_and_status(joss):
    send(joss, "PUT", PUT_JOB, vacancy_body())
    second = f"{JOBS}/{uuid.uuid4()}/industrial-vacancy"
    send(joss, "PUT", second, vacancy_body(status="filled"))
    by_company = send(joss, "GET", JOBS, query=f"company_id={COMPANY_ID}").json()
    assert by_company["meta"]["total"] == 2
    filled = send(joss, "GET", JOBS, query=f"company_id={COMPANY_ID}&status=filled").json()
    assert [j["status"] for j in filled["data"]] == ["filled"]
    everything = send(joss, "GET", JOBS, query="per_page=100").json()
    assert everything["meta"]["total"] == 12 + 2  # the seeded demo vacancies, and these
    assert all(j["status"] in {"open", "filled"} for j in everything["data"])


def test_delete_vacancy(joss):
    send(joss, "PUT", PUT_JOB, vacancy_body())
    assert send(joss, "DELETE", JOB).json()["data"]["id"] == JOB_ID
    assert send(joss, "GET", JOB).status_code == 404


def test_deleting_a_company_keeps_its_vacancies(joss):
    send(joss, "PUT", COMPANY, company_body())
    send(joss, "PUT", PUT_JOB, vacancy_body())
    assert send(joss, "DELETE", COMPANY).status_code == 200
    assert send(joss, "GET", JOB).json()["data"]["employer"]["name"] == "PT Testing"


# -- validation: 422 listing every field ------------------------------------------------------
def test_every_failing_field_is_listed_by_its_path(joss, sandbox):
    body = vacancy_body(
        gender="other",
        skills=[],
        salary={"min": 9_000_000, "max": 1_000_000},
        workers_needed="many",
    )
    body["employer"]["region"]["id"] = str(uuid.uuid4())
    body["employer"]["latitude"] = -6.2  # a number: the doc sends strings
    body["employer"]["industry"] = "not-a-uuid"
    body["work_location"]["region"] = {"type": "city", "id": DKI_JAKARTA}  # a province
    del body["title"]
    response = send(joss, "PUT", PUT_JOB, body)
    assert response.status_code == 422
    result = response.json()
    assert result["message"] == "Validation error"
    fields = {e["field"] for e in result["errors"]}
    assert fields == {
        "title",
        "gender",
        "skills",
        "workers_needed",
        "employer.region.id",
        "employer.latitude",
        "employer.industry",
        "work_location.region.id",
    }
    assert journal_entry(sandbox, response)["rule"] == "validation"
    assert send(joss, "GET", JOB).status_code == 404  # nothing stored


def test_unknown_reference_ids_are_422(joss):
    body = vacancy_body(education_level=str(uuid.uuid4()), employment_type=INFOKOM)
    errors = send(joss, "PUT", PUT_JOB, body).json()["errors"]
    assert {e["field"] for e in errors} == {"education_level", "employment_type"}
    assert "no education-levels reference" in errors[0]["message"]


def test_cross_field_rules(joss):
    body = vacancy_body(
        valid_from="2025-12-01",
        valid_until="2025-11-01",
        age={"min": 40, "max": 30},
        salary={"min": 9_000_000, "max": 1_000_000},
    )
    errors = send(joss, "PUT", PUT_JOB, body).json()["errors"]
    assert {e["field"] for e in errors} == {"valid_until", "age.max", "salary.max"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"postal_code": "1285"}, "postal_code"),
        ({"email": "not-an-email"}, "email"),
        ({"website": "ftp://x"}, "website"),
        ({"longitude": "200"}, "longitude"),
        ({"region": {"type": "city", "id": BANDUNG, "country_code": "MY"}}, "region.country_code"),
        ({"name": ""}, "name"),
    ],
)
def test_company_fields_are_checked(joss, change, field):
    response = send(joss, "PUT", COMPANY, company_body(**change))
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_an_id_that_is_not_a_uuid_is_422(joss, method):
    response = send(joss, method, f"{COMPANIES}/not-a-uuid")
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "id", "message": "must be a UUID"}]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=0", "page"),
        ("per_page=101", "per_page"),
        ("status=lost", "status"),
        ("company_id=abc", "company_id"),
    ],
)
def test_bad_query_parameters_are_422(joss, query, field):
    response = send(joss, "GET", JOBS, query=query)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field


# -- bad input: never a 500 -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        (b"{not json", 400, "malformed JSON"),
        (b"\xff\xfe\xfd", 400, "not valid UTF-8"),
        (b"[" * 100_000, 400, "JSON"),
        (b"[]", 422, "body"),
        (b"null", 422, "body"),
        (b'"text"', 422, "body"),
    ],
)
def test_bad_bodies_are_clear_4xx(joss, body, status, detail):
    response = send(joss, "PUT", COMPANY, body)
    assert response.status_code == status, response.text
    assert detail in response.text


def test_an_empty_put_is_400(joss):
    response = send(joss, "PUT", COMPANY, b"")
    assert response.status_code == 400
    assert response.json()["detail"] == "a JSON body is required"


def test_a_huge_body_is_413(joss, sandbox):
    response = send(joss, "PUT", COMPANY, b"{" + b" " * sandbox.settings.max_body_bytes + b"}")
    assert response.status_code == 413
    assert response.json()["status"] == 413


def test_unicode_and_control_characters_round_trip(joss):
    body = company_body(name="PT Maju Jaya \u2013 Cabang Sémarang", about="line\u0001break")
    assert send(joss, "PUT", COMPANY, body).status_code == 201
    data = send(joss, "GET", COMPANY).json()["data"]
    assert data["name"] == "PT Maju Jaya \u2013 Cabang Sémarang"
    assert data["about"] == "line\u0001break"


def test_an_unknown_path_is_404_and_a_wrong_method_405(joss):
    assert send(joss, "GET", "/api/v1/nothing").status_code == 404
    response = send(joss, "POST", COMPANY, company_body())
    assert response.status_code == 405
    assert response.json()["status"] == 405


def test_unsigned_requests_learn_nothing_about_paths(joss):
    assert joss.get("/api/v1/nothing", headers={"Accept": "application/json"}).status_code == 400


def test_concurrent_style_double_create_is_one_201(joss):
    """Two PUTs of a new id: the first creates, the second updates."""
    codes = [send(joss, "PUT", COMPANY, company_body()).status_code for _ in range(2)]
    assert codes == [201, 200]
    headers = joss_headers("GET", COMPANY)
    assert json.loads(joss.get(COMPANY, headers=headers).text)["data"]["id"] == COMPANY_ID
