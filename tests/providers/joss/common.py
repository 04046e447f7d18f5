"""What the JOSS tests share: valid bodies built from reference ids derived independently, and
a signed request helper."""

import copy
import json
import xml.etree.ElementTree as ET
from typing import Any

from tests.helpers import joss_headers, joss_reference_id

JAKARTA_SELATAN = joss_reference_id("city", "DKI Jakarta/Jakarta Selatan")
BANDUNG = joss_reference_id("city", "Jawa Barat/Bandung")
DKI_JAKARTA = joss_reference_id("province", "DKI Jakarta")
INFOKOM = joss_reference_id("industry", "Informasi dan Komunikasi")
SARJANA = joss_reference_id("education-level", "Sarjana (S1)")
IT = joss_reference_id("job-function", "Teknologi Informasi")
PKWT = joss_reference_id("employment-type", "Pekerja Kontrak (PKWT)")

COMPANY_ID = "1edd9893-f1a3-45dd-89d4-bc4dc9a071d0"  # the doc's example employer id
JOB_ID = "7c0f3e52-9b1e-4b5a-8f0e-2a7d6c1b9e44"


def company_body(**changes: Any) -> dict[str, Any]:
    """The doc's example employer, with real reference ids."""
    body = {
        "region": {"type": "city", "id": JAKARTA_SELATAN, "country_code": None},
        "name": "PT Testing",
        "postal_code": "12850",
        "address": "Gedung Semanggi Square, Jl. Semanggi Raya No.1A, Kota Jakarta Selatan",
        "phone": "021-8791124",
        "email": "info@testing.com",
        "license_number": "909201921212",
        "industry": INFOKOM,
        "about": "PT Testing adalah perusahaan yang berfokus pada pengelolaan kelapa sawit.",
        "website": "https://www.testing.com",
        "latitude": "-6.238028583492814",
        "longitude": "106.82998199652216",
        "logo_uri": "https://example.com/logo.png",
    }
    return body | changes


def vacancy_body(employer_id: str = COMPANY_ID, **changes: Any) -> dict[str, Any]:
    body = {
        "title": "Junior Administrator",
        "employer": {"id": employer_id, **company_body()},
        "position": "Administrator Sistem",
        "job_function": IT,
        "description": "Mengelola server dan jaringan kantor.",
        "workers_needed": 2,
        "valid_from": "2025-11-01",
        "valid_until": "2025-12-31",
        "age": {"min": 20, "max": 35},
        "gender": "any",
        "education_level": SARJANA,
        "skills": ["Linux", "Jaringan komputer"],
        "min_experience_years": 1,
        "salary": {"min": 6_000_000, "max": 9_000_000, "currency": "IDR"},
        "work_location": {
            "region": {"type": "city", "id": BANDUNG, "country_code": "ID"},
            "address": "Jl. Asia Afrika No. 1, Bandung",
        },
        "employment_type": PKWT,
        "status": "open",
    }
    return copy.deepcopy(body) | changes


def send(
    client: Any,
    method: str,
    path: str,
    body: Any = None,
    *,
    query: str = "",
    headers: dict[str, str] | None = None,
    **sign: Any,
) -> Any:
    """A signed request. ``body``: a dict (sent as compact JSON), raw bytes, or None."""
    raw = body if isinstance(body, bytes) else b"" if body is None else json.dumps(body).encode()
    signed = joss_headers(method, path, raw, **sign) | (headers or {})
    url = f"{path}?{query}" if query else path
    return client.request(method, url, content=raw, headers=signed)


def xml_to_dict(element: ET.Element) -> Any:
    """The mock's XML layout read back: elements as keys, <item> children as a list."""
    children = list(element)
    if not children:
        return element.text
    if all(child.tag == "item" for child in children):
        return [xml_to_dict(child) for child in children]
    return {child.tag: xml_to_dict(child) for child in children}
