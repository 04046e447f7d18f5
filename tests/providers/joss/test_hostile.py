"""Hand-made hostile input: each one a 500 once, each now a 4xx in JOSS's shape."""

import pytest

from tests.providers.joss.common import COMPANY_ID, JAKARTA_SELATAN, company_body, send

PATH = f"/api/v1/companies/{COMPANY_ID}"


@pytest.mark.parametrize("region_type", [[], {}, [1], 7, None])
def test_a_region_type_of_the_wrong_json_type_is_422(joss, region_type):
    body = company_body(region={"type": region_type, "id": JAKARTA_SELATAN})
    response = send(joss, "PUT", PATH, body)
    assert response.status_code == 422, response.text
    assert any(e["field"].startswith("region") for e in response.json()["errors"])


def test_a_city_region_is_accepted(joss):
    body = company_body(region={"type": "city", "id": JAKARTA_SELATAN})
    assert send(joss, "PUT", PATH, body).status_code in (200, 201)


@pytest.mark.parametrize("body", [b"[" * 5000, b'{"name": NaN}', b'{"latitude": 1e400}'])
def test_bodies_json_loads_would_take_are_400(joss, body):
    response = send(joss, "PUT", PATH, body)
    assert response.status_code == 400, response.text
