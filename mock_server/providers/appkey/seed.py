"""x-app-key demo data: apps and users from the fixture (secrets hashed on the way in),
provinces as app-level reference data, and Faker-made profiles and saved addresses (id_ID)."""

import hashlib
import json
from datetime import timedelta
from importlib import resources
from typing import Any

from mock_server.core.provider import SeedContext
from mock_server.providers.appkey.models import (
    AppKeyAddress,
    AppKeyApp,
    AppKeyProvince,
    AppKeyUser,
)

DAY = 86_400
# A sandbox, not a vault: enough iterations that the stored hash is not the password in
# disguise, few enough that seeding and login stay fast.
PBKDF2_ITERATIONS = 1_000


def hash_password(password: str, salt: str) -> str:
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), PBKDF2_ITERATIONS).hex()


def load_fixture() -> dict[str, Any]:
    text = resources.files("mock_server.fixtures").joinpath("appkey.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def fake_phone(fake: Any, data: dict[str, Any]) -> str:
    return str(fake.random_element(data["phone_prefixes"]) + fake.numerify("#######"))


def seed(ctx: SeedContext) -> None:
    data = load_fixture()
    fake, conn = ctx.fake, ctx.conn
    now = ctx.now.timestamp()
    conn.execute(
        AppKeyApp.insert(),
        [
            {
                "app_key": a["app_key"],
                "private_key_sha256": hashlib.sha256(a["private_key"].encode()).hexdigest(),
                "name": a["name"],
                "active": a["active"],
            }
            for a in data["apps"]
        ],
    )
    provinces = data["provinces"]
    conn.execute(
        AppKeyProvince.insert(),
        [{"code": c, "name": n, "capital": cap} for c, n, cap in provinces],
    )
    users, addresses = [], []
    for pk, user in enumerate(data["users"], start=1):
        salt = fake.hexify("^" * 16)
        full_name = fake.name()
        _, _, home = fake.random_element(provinces)
        birth = ctx.now.date() - timedelta(days=fake.random_int(18 * 365, 60 * 365))
        users.append(
            {
                "id": pk,
                "user_id": user["user_id"],
                "username": user["username"],
                "password_salt": salt,
                "password_hash": hash_password(user["password"], salt),
                "full_name": full_name,
                "email": user["username"],
                "phone": fake_phone(fake, data),
                "birth_date": birth.isoformat(),
                "city": home,
                "created_at": now - fake.random_int(30, 900) * DAY,
            }
        )
        labels = fake.random_sample(data["address_labels"], data["addresses_per_user"])
        for n, label in enumerate(labels):
            code, _, capital = fake.random_element(provinces)
            addresses.append(
                {
                    "user_pk": pk,
                    "label": label,
                    "recipient_name": full_name if n == 0 else fake.name(),
                    "phone": fake_phone(fake, data),
                    "street": fake.street_address(),
                    "city": capital,
                    "province_code": code,
                    "postal_code": fake.numerify("%####"),  # Indonesian codes never start with 0
                    "is_primary": n == 0,
                    "created_at": now - fake.random_int(1, 29) * DAY,
                }
            )
    conn.execute(AppKeyUser.insert(), users)
    conn.execute(AppKeyAddress.insert(), addresses)
