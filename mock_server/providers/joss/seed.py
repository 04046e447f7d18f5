"""JOSS demo data: credentials and reference data from the fixture, and a few Faker-made
companies and vacancies per active client, so lists are not empty in a demo.

Reference ids are uuid5 of their names (see the fixture), so they are the same on every reset
and every machine; demo company and vacancy ids are derived from the Faker seed.
"""

import json
import uuid
from datetime import timedelta
from functools import cache
from importlib import resources
from typing import Any

from mock_server.core.provider import SeedContext
from mock_server.providers.joss.models import JossClient, JossCompany, JossReference, JossVacancy
from mock_server.providers.joss.schemas import Company, IndustrialVacancy


@cache
def load_fixture() -> dict[str, Any]:
    text = resources.files("mock_server.fixtures").joinpath("joss.json").read_text("utf-8")
    fixture: dict[str, Any] = json.loads(text)
    return fixture


def seed(ctx: SeedContext) -> None:
    data = load_fixture()
    conn = ctx.conn
    conn.execute(JossClient.insert(), data["clients"])
    rows = [
        {
            "id": item["id"],
            "kind": kind,
            "name": item["name"],
            "type": item.get("type"),
            "parent_id": item.get("parent_id"),
        }
        for kind, items in data["references"].items()
        for item in items
    ]
    conn.execute(JossReference.insert(), rows)

    companies, vacancies = [], []
    now = ctx.now.timestamp()
    for client in data["clients"]:
        if not client["active"]:
            continue
        owner = {"client_id": client["client_id"], "created_at": now, "updated_at": now}
        for _ in range(data["demo"]["companies_per_client"]):
            company_id, company = _company(ctx, data)
            companies.append(
                {"id": company_id, "name": company["name"], "document": _json(company)} | owner
            )
            for _ in range(data["demo"]["vacancies_per_company"]):
                vacancy_id, vacancy = _vacancy(ctx, data, company_id, company)
                columns = {"employer_id": company_id, "status": vacancy["status"]}
                columns |= {"title": vacancy["title"], "document": _json(vacancy)}
                vacancies.append({"id": vacancy_id} | columns | owner)
    conn.execute(JossCompany.insert(), companies)
    conn.execute(JossVacancy.insert(), vacancies)


def _json(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False)


def _uuid(ctx: SeedContext) -> str:
    return str(uuid.UUID(int=ctx.fake.random.getrandbits(128), version=4))


def _company(ctx: SeedContext, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    fake = ctx.fake
    refs = data["references"]
    city = fake.random_element([r for r in refs["regions"] if r["type"] == "city"])
    name = f"PT {fake.company().removeprefix('PT ').removesuffix(' Tbk')}"
    domain = fake.domain_name()
    company = Company.model_validate(
        {
            "region": {"type": "city", "id": city["id"], "country_code": "ID"},
            "name": name,
            "postal_code": fake.numerify("#####"),
            "address": f"{fake.street_address()}, {city['name']}",
            "phone": f"021-{fake.numerify('#######')}",
            "email": f"hrd@{domain}",
            "license_number": fake.numerify("#############"),  # NIB: 13 digits
            "industry": fake.random_element(refs["industries"])["id"],
            "about": f"{name} adalah perusahaan yang berkantor di {city['name']}.",
            "website": f"https://www.{domain}",
            "latitude": f"{fake.pyfloat(min_value=-10, max_value=5):.6f}",
            "longitude": f"{fake.pyfloat(min_value=95, max_value=141):.6f}",
        }
    )
    return _uuid(ctx), company.model_dump(mode="json", exclude={"id"})


def _vacancy(
    ctx: SeedContext, data: dict[str, Any], company_id: str, company: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    fake = ctx.fake
    refs = data["references"]
    title = fake.random_element(data["demo"]["titles"])
    valid_from = ctx.now.date() - timedelta(days=fake.random_int(0, 30))
    low = fake.random_int(45, 120) * 100_000  # IDR, around the regional minimum wages
    min_age = fake.random_int(18, 25)
    vacancy = IndustrialVacancy.model_validate(
        {
            "title": title,
            "employer": {"id": company_id, **company},
            "position": title,
            "job_function": fake.random_element(refs["job-functions"])["id"],
            "description": f"Dibutuhkan {title} untuk {company['name']}.",
            "workers_needed": fake.random_int(1, 20),
            "valid_from": valid_from.isoformat(),
            "valid_until": (valid_from + timedelta(days=fake.random_int(30, 90))).isoformat(),
            "age": {"min": min_age, "max": min_age + fake.random_int(10, 20)},
            "gender": fake.random_element(["any", "any", "male", "female"]),
            "education_level": fake.random_element(refs["education-levels"])["id"],
            "skills": fake.random_elements(data["demo"]["skills"], length=3, unique=True),
            "min_experience_years": fake.random_int(0, 5),
            "salary": {"min": low, "max": low + fake.random_int(5, 40) * 100_000},
            "work_location": {"region": company["region"], "address": company["address"]},
            "employment_type": fake.random_element(refs["employment-types"])["id"],
            "status": fake.random_element(["open", "open", "open", "filled"]),
        }
    )
    return _uuid(ctx), vacancy.model_dump(mode="json")
