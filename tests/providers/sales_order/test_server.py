"""Sales Order against the real process, as a partner integrates: generate a key pair, register
the public half over HTTP on the control plane, log in, sign, create and read back an order."""

import base64
import time

import httpx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from mock_server.clients import SalesOrderAuth
from tests.providers.sales_order.signing import new_key, public_pem
from tests.server import running_server

CLIENT, SECRET = "partner-client-002", "secret-key-456"
ORDER = {
    "customer_code": "CUST-002",
    "site_code": "SITE-003",
    "sales_name": "Siti Rahayu",
    "address": "Jl. Gatot Subroto No. 5, Bandung",
    "purchase_order_no": "PO-REAL-1",
    "products": [{"product_code": "PRD-010", "quantity": 3}],
}


def test_a_key_generated_here_signs_against_the_real_server(tmp_path):
    key = new_key()
    with running_server(tmp_path / "so.db", exec_script=True) as server:
        base, admin = server.url("sales_order"), server.url("admin")
        registered = httpx.put(
            f"{admin}/__admin/sales-order/clients/{CLIENT}/public-key", content=public_pem(key)
        )
        assert registered.status_code == 200, registered.text

        login = httpx.post(
            f"{base}/api/v1/auth/login", json={"client_id": CLIENT, "client_secret": SECRET}
        )
        assert login.status_code == 200
        token = login.json()["token"]
        timestamp = str(int(time.time()))
        raw = key.sign(f"{CLIENT}|{timestamp}".encode(), padding.PKCS1v15(), hashes.SHA256())
        headers = {
            "Authorization": f"Bearer {token}",
            "X-CLIENT-ID": CLIENT,
            "X-TIMESTAMP": timestamp,
            "X-SIGNATURE": base64.b64encode(raw).decode(),
        }
        created = httpx.post(f"{base}/api/v1/sales-orders", json=ORDER, headers=headers)
        assert created.status_code == 201, created.text
        order = created.json()["data"]
        fetched = httpx.get(f"{base}/api/v1/sales-orders/{order['order_no']}", headers=headers)
        assert fetched.json()["data"] == order

        tampered = headers | {"X-TIMESTAMP": str(int(timestamp) + 1)}
        rejected = httpx.get(f"{base}/api/v1/sales-orders", headers=tampered)
        assert rejected.status_code == 401
        assert rejected.json()["message"] == "Invalid signature"
        journal_id = rejected.headers["x-mock-journal-id"]
        entry = httpx.get(f"{admin}/__admin/requests/{journal_id}").json()
        assert entry["diagnosis"]["string_to_sign"] == f"{CLIENT}|{int(timestamp) + 1}"
        assert any("must match" in h for h in entry["diagnosis"]["hints"])
        assert token not in str(entry)
        server.wait_for_output("rejected by signature: Invalid signature")
        assert not any(token in line for line in server.output)
        # The secret appears once, in the start-up table of demo credentials, not per request.
        assert [line for line in server.output if SECRET in line] == [
            line for line in server.output if f"{CLIENT} / {SECRET}" in line
        ]


def test_the_reference_signer_with_the_demo_key(tmp_path):
    with running_server(None) as server:
        with httpx.Client(base_url=server.url("sales_order"), auth=SalesOrderAuth()) as client:
            products = client.get("/api/v1/products").json()["data"]
            created = client.post(
                "/api/v1/sales-orders",
                json=ORDER | {"products": [{"product_code": products[0]["code"], "quantity": 1}]},
            )
            assert created.status_code == 201, created.text
            listed = client.get("/api/v1/sales-orders", params={"purchase_order_no": "PO-REAL-1"})
            assert listed.json()["meta"]["total"] == 1
        wrong_key = SalesOrderAuth(private_key=new_key())
        with httpx.Client(base_url=server.url("sales_order"), auth=wrong_key) as client:
            assert client.get("/api/v1/customers").status_code == 401
