"""JSON or XML by Accept, for successes and for every kind of error, with the same content."""

import json
import re
import uuid
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest

from tests.helpers import joss_headers
from tests.providers.joss.common import COMPANY_ID, company_body, send, vacancy_body, xml_to_dict

COMPANY = f"/api/v1/companies/{COMPANY_ID}"
XML = "application/xml"


def as_xml(response) -> dict:
    assert response.headers["content-type"] == XML
    assert response.text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(response.content)
    assert root.tag == "response"
    return xml_to_dict(root)


def stringify(value):
    """JSON content as the XML carries it: text, null as an empty element."""
    if isinstance(value, dict):
        return {k: stringify(v) for k, v in value.items()} or None
    if isinstance(value, list):
        return [stringify(v) for v in value] or None
    if isinstance(value, bool):
        return "true" if value else "false"
    return None if value is None else str(value)


def test_a_created_company_in_xml_has_the_json_content(joss):
    created = send(joss, "PUT", COMPANY, company_body(), accept=XML)
    assert created.status_code == 201
    body = as_xml(created)
    assert body["status"] == "201"
    assert body["data"]["id"] == COMPANY_ID
    assert body["data"]["region"]["country_code"] is None
    as_json = send(joss, "GET", COMPANY).json()
    as_json["status"] = 201
    assert body == stringify(as_json)


def test_a_vacancy_and_a_list_in_xml(joss):
    path = f"/api/v1/jobs/{uuid.uuid4()}/industrial-vacancy"
    body = as_xml(send(joss, "PUT", path, vacancy_body(), accept=XML))
    assert body["data"]["skills"] == ["Linux", "Jaringan komputer"]
    assert body["data"]["salary"] == {"min": "6000000", "max": "9000000", "currency": "IDR"}
    listing = as_xml(send(joss, "GET", "/api/v1/jobs", query="per_page=3", accept=XML))
    assert len(listing["data"]) == 3
    assert listing["meta"]["per_page"] == "3"


def test_control_characters_still_make_well_formed_xml(joss):
    send(joss, "PUT", COMPANY, company_body(about="a\u0001b <&> c"))
    body = as_xml(send(joss, "GET", COMPANY, accept=XML))
    assert body["data"]["about"] == "a\ufffdb <&> c"


def _missing_header(joss, accept):
    headers = joss_headers("GET", "/api/v1/companies", accept=accept)
    del headers["Client-Id"]
    return joss.get("/api/v1/companies", headers=headers)


ERRORS = {
    "400-missing-header": (400, _missing_header),
    "401-signature": (401, lambda c, a: send(c, "GET", COMPANY, secret="x", accept=a)),
    "401-expired": (401, lambda c, a: send(c, "GET", COMPANY, skew=timedelta(hours=1), accept=a)),
    "403-inactive": (
        403,
        lambda c, a: send(c, "GET", COMPANY, client_id="joss-inactive-client", accept=a),
    ),
    "404": (404, lambda c, a: send(c, "GET", COMPANY, accept=a)),
    "405": (405, lambda c, a: send(c, "POST", COMPANY, company_body(), accept=a)),
    "409": (
        409,
        lambda c, a: [send(c, "DELETE", COMPANY, request_id="same", accept=a) for _ in "xy"][1],
    ),
    "413": (413, lambda c, a: send(c, "PUT", COMPANY, b"x" * (1024 * 1024 + 1), accept=a)),
    "415": (
        415,
        lambda c, a: send(
            c, "PUT", COMPANY, company_body(), headers={"Content-Type": "text/plain"}, accept=a
        ),
    ),
    "422": (422, lambda c, a: send(c, "PUT", COMPANY, company_body(name=""), accept=a)),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_every_error_in_json_and_in_xml_with_the_same_content(joss, case):
    status, make = ERRORS[case]
    in_json = make(joss, "application/json")
    assert in_json.status_code == status
    assert in_json.headers["content-type"] == "application/json"
    body = in_json.json()
    assert body["status"] == status
    assert isinstance(body["message"], str)
    in_xml = make(joss, XML)
    assert in_xml.status_code == status
    xml_error, json_error = as_xml(in_xml), stringify(body)
    assert abs(machine_seconds(xml_error) - machine_seconds(json_error)) <= 1
    assert same_second(xml_error) == same_second(json_error)


MOVING = r"(\d+) s (behind|ahead of) the machine's"


def machine_seconds(error: dict) -> int:
    found = re.search(MOVING, error.get("detail", ""))
    return int(found.group(1)) if found else 0


def same_second(error: dict) -> dict:
    """A stale timestamp's detail counts seconds from the machine's clock, which runs (the
    sandbox's is frozen): the two requests may be a second apart."""
    if "detail" not in error:
        return error
    return {**error, "detail": re.sub(MOVING, r"N s \2 the machine's", error["detail"])}


def test_the_xml_error_lists_every_field(joss):
    body = vacancy_body(gender="x", workers_needed=0)
    path = f"/api/v1/jobs/{uuid.uuid4()}/industrial-vacancy"
    result = as_xml(send(joss, "PUT", path, body, accept=XML))
    assert result["message"] == "Validation error"
    assert [e["field"] for e in result["errors"]] == ["workers_needed", "gender"]


def test_a_406_is_answered_in_json(joss):
    response = send(joss, "GET", COMPANY, accept="text/html")
    assert response.status_code == 406
    assert json.loads(response.text)["status"] == 406
