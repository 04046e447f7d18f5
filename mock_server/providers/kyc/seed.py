"""KYC demo data: the demo OAuth client, and Faker-made patients with NIKs of the real structure.

A NIK is 16 digits: province (2), regency (2), district (2), birth date DDMMYY with 40 added to
the day for women, then a 4-digit serial. The ihs_number is derived from the NIK, so a patient
created on first use gets the same number every time too.
"""

import hashlib
import json
from datetime import date, timedelta
from importlib import resources
from typing import Any

from mock_server.core.provider import SeedContext
from mock_server.providers.kyc.models import KycClient, KycPatient


def load_fixture() -> dict[str, Any]:
    text = resources.files("mock_server.fixtures").joinpath("kyc.json").read_text("utf-8")
    fixture: dict[str, Any] = json.loads(text)
    return fixture


def ihs_number_for(nik: str) -> str:
    """``P`` and 11 digits, stable per NIK."""
    digest = int.from_bytes(hashlib.sha256(f"ihs:{nik}".encode()).digest()[:8], "big")
    return f"P{digest % 10**11:011d}"


def birth_date_from(nik: str) -> str | None:
    """The birth date a NIK encodes, or None when its digits name no real date."""
    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    if day > 40:
        day -= 40
    # Two-digit years: 00-29 read as 2000s (children have NIKs too), the rest as 1900s.
    try:
        return date(2000 + year if year < 30 else 1900 + year, month, day).isoformat()
    except ValueError:
        return None


def make_nik(fake: Any, provinces: list[str], born: date, female: bool) -> str:
    region = fake.random_element(provinces) + f"{fake.random_int(1, 20):02d}"
    region += f"{fake.random_int(1, 30):02d}"
    day = born.day + (40 if female else 0)
    serial = fake.random_int(1, 9999)
    return f"{region}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


def seed(ctx: SeedContext) -> None:
    data = load_fixture()
    fake, conn = ctx.fake, ctx.conn
    clients = [{"active": True} | client for client in data["clients"]]
    conn.execute(KycClient.insert(), clients)
    patients: dict[str, dict[str, Any]] = {}
    while len(patients) < data["patients"]:
        female = fake.boolean()
        # Ages from the sandbox clock, not Faker's own today, so a frozen clock seeds alike.
        born = ctx.now.date() - timedelta(days=fake.random_int(365, 85 * 365))
        nik = make_nik(fake, data["province_codes"], born, female)
        # First and last name only: Faker's id_ID full names may carry titles (S.Kom, Dr.).
        if female:
            name = f"{fake.first_name_female()} {fake.last_name_female()}"
        else:
            name = f"{fake.first_name_male()} {fake.last_name_male()}"
        patients[nik] = {
            "nik": nik,
            "name": name,
            "birth_date": born.isoformat(),
            "ihs_number": ihs_number_for(nik),
            "seeded": True,
        }
    conn.execute(KycPatient.insert(), list(patients.values()))
