"""The JOSS backend called directly, without HTTP: what a client reported is its own, and what
the backend stores is what the API then answers."""

import json

import pytest

from mock_server.core.errors import ProviderError
from mock_server.providers.joss.reports import Reports
from tests.providers.joss.common import COMPANY_ID, JOB_ID, company_body, send, vacancy_body

PORTAL, OTHER = "joss-sandbox-client", "joss-other-client"


@pytest.fixture
def reports(sandbox):
    return Reports(sandbox.services.context("joss"))


def report(body):
    return json.dumps(body).encode()


def test_a_put_company_is_the_clients_own(reports, sandbox):
    now = sandbox.services.clock.timestamp()
    created, company = reports.put_company(PORTAL, COMPANY_ID.upper(), report(company_body()), now)
    assert created is True
    assert company["id"] == COMPANY_ID  # canonical lower case
    again, _ = reports.put_company(PORTAL, COMPANY_ID, report(company_body(name="PT B")), now)
    assert again is False
    assert reports.company(PORTAL, COMPANY_ID)["name"] == "PT B"
    listed, meta = reports.companies_of(PORTAL, per_page=100)
    assert meta["total"] == 5  # the four seeded, and this one
    assert COMPANY_ID in {c["id"] for c in listed}
    with pytest.raises(ProviderError) as denied:
        reports.company(OTHER, COMPANY_ID)
    assert (denied.value.status, denied.value.rule) == (403, "ownership")
    assert COMPANY_ID not in {c["id"] for c in reports.companies_of(OTHER)[0]}


def test_what_the_backend_stores_the_api_answers(reports, sandbox, joss):
    now = sandbox.services.clock.timestamp()
    reports.put_vacancy(PORTAL, JOB_ID, report(vacancy_body(status="filled")), now)
    response = send(joss, "GET", f"/api/v1/jobs/{JOB_ID}")
    assert response.status_code == 200
    assert response.json()["data"] == reports.vacancy(PORTAL, JOB_ID)
    filled, _ = reports.vacancies_of(PORTAL, per_page=100, company_id=COMPANY_ID, status="filled")
    assert [v["id"] for v in filled] == [JOB_ID]
    assert reports.delete_vacancy(PORTAL, JOB_ID)["status"] == "filled"
    assert send(joss, "GET", f"/api/v1/jobs/{JOB_ID}").status_code == 404


def test_the_report_is_checked_after_its_owner(reports, sandbox):
    now = sandbox.services.clock.timestamp()
    reports.put_company(PORTAL, COMPANY_ID, report(company_body()), now)
    with pytest.raises(ProviderError) as denied:
        reports.put_company(OTHER, COMPANY_ID, b"{not json", now)
    assert denied.value.status == 403
    with pytest.raises(ProviderError) as invalid:
        reports.put_company(OTHER, "not-a-uuid", report(company_body()), now)
    assert invalid.value.errors == [{"field": "id", "message": "must be a UUID"}]


def test_reference_data_filters_regions(reports):
    provinces = reports.reference_list("regions", "province")
    assert len(provinces) == 38
    jakarta = next(p for p in provinces if p["name"] == "DKI Jakarta")
    cities = reports.reference_list("regions", parent_id=jakarta["id"])
    assert {c["type"] for c in cities} == {"city"}
    assert len(cities) == 5
    with pytest.raises(ProviderError) as unknown:
        reports.reference_list("planets")
    assert unknown.value.status == 404
