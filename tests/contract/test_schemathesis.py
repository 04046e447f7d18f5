"""Schemathesis over each provider's own OpenAPI document: no request it derives is a 5xx.

Each operation gets cases generated from its schema (valid and not), sent unsigned and signed
through the reference signers (``mock_server.clients``), as a user's client would sign them. A
small budget keeps ``make test`` fast; ``make fuzz`` (HYPOTHESIS_PROFILE=fuzz) sends 20 times more.
KYC is sent unsigned only: its bodies are sealed envelopes that no schema can describe (the
property tests send broken envelopes).
"""

import os
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from starlette.testclient import TestClient

from mock_server.clients.appkey import AppKeyAuth
from mock_server.clients.digitalent import DigitalentAuth
from mock_server.clients.joss import JossAuth
from mock_server.clients.sales_order import SalesOrderAuth
from tests.contract import tally

EXAMPLES = 200 if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else 10
SIGNERS: dict[str, Callable[[], httpx.Auth] | None] = {
    "digitalent": DigitalentAuth,
    "joss": JossAuth,
    "sales_order": SalesOrderAuth,
    "appkey": AppKeyAuth,
    "kyc": None,
}
CASES = [(name, False) for name in SIGNERS] + [
    (name, True) for name, signer in SIGNERS.items() if signer is not None
]


def send(client: TestClient, case: Any, auth: httpx.Auth | None) -> httpx.Response:
    """The case as requests-style keyword arguments, sent through the in-process client."""
    kwargs = case.as_transport_kwargs(base_url="http://testserver")
    body: dict[str, Any] = {}
    if "json" in kwargs:
        body["json"] = kwargs["json"]
    if "data" in kwargs:
        data = kwargs["data"]
        body["content" if isinstance(data, bytes | str) else "data"] = data
    if "files" in kwargs:
        body["files"] = kwargs["files"]
    return client.request(
        kwargs["method"],
        kwargs["url"],
        headers=dict(kwargs["headers"]),
        params=kwargs["params"],
        auth=auth,
        **body,
    )


@pytest.mark.parametrize(
    ("name", "signed"), CASES, ids=[f"{n}-{'signed' if s else 'unsigned'}" for n, s in CASES]
)
def test_no_request_from_the_openapi_document_is_a_5xx(
    name: str, signed: bool, client_for: Callable[[str], TestClient]
) -> None:
    document = client_for("admin").get(f"/__admin/providers/{name}/openapi.json").json()
    schema = schemathesis.openapi.from_dict(document)
    client = client_for(name)
    signer = SIGNERS[name]
    auth = signer() if signed and signer is not None else None
    statuses: dict[int, int] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations, f"{name} publishes no operations"
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def answers_without_a_server_error(case: Any) -> None:
            response = send(client, case, auth)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            tally.count("schemathesis", response.status_code)
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text}"
            )

        answers_without_a_server_error()
    if signed:  # the signers work: some generated requests get through every check
        assert any(200 <= status < 300 for status in statuses), statuses
