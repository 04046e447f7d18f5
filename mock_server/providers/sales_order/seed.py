"""Sales Order demo data: the doc's demo client with the demo public key, Faker-made customers and
sites (``CUST-001``, ``SITE-001``: the codes in the doc's own request sample), and products with
IDR prices and units."""

import json
from typing import Any

from mock_server.core.provider import SeedContext
from mock_server.providers.sales_order.models import Customer, Product, SalesOrderClient, Site
from mock_server.providers.sales_order.signing import DEMO_PUBLIC_KEY, fixture_text


def load_fixture() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(fixture_text("sales_order.json"))
    return data


def seed(ctx: SeedContext) -> None:
    data = load_fixture()
    fake, conn = ctx.fake, ctx.conn
    demo_key = fixture_text(DEMO_PUBLIC_KEY)
    conn.execute(
        SalesOrderClient.insert(),
        [
            {
                "client_id": c["client_id"],
                "client_secret": c["client_secret"],
                "active": c["active"],
                "name": c["name"],
                "public_key_pem": demo_key if c["demo_key"] else None,
            }
            for c in data["clients"]
        ],
    )
    customers = []
    for n in range(1, data["customers"] + 1):
        city = fake.city_name()
        customers.append(
            {
                "code": f"CUST-{n:03d}",
                "name": fake.company(),
                "address": f"{fake.street_address()}, {city}",
                "city": city,
                "phone": fake.phone_number(),
            }
        )
    sites = []
    for n in range(1, data["sites"] + 1):
        city = fake.city_name()
        kind = fake.random_element(["Gudang", "Depo", "Cabang"])
        sites.append(
            {
                "code": f"SITE-{n:03d}",
                "name": f"{kind} {city}",
                "city": city,
                "address": f"{fake.street_address()}, {city}",
            }
        )
    products = [
        {
            "code": f"PRD-{n:03d}",
            "name": name,
            "uom": uom,
            # Prices round to Rp500, as Indonesian price lists do.
            "price": fake.random_int(low, high) // 500 * 500,
        }
        for n, (name, uom, low, high) in enumerate(data["products"], start=1)
    ]
    conn.execute(Customer.insert(), customers)
    conn.execute(Site.insert(), sites)
    conn.execute(Product.insert(), products)
