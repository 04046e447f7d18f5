"""Each provider's Postman collection, built from its OpenAPI document, carries its stubs."""

import json

from tests.stubs.conftest import Case


def test_the_postman_collection_has_the_providers_stubs(case: Case, admin):
    answer = admin.get(f"/__admin/postman/{case.provider}/collection")
    assert answer.status_code == 200
    text = json.dumps(answer.json())
    assert f"stub/{case.provider}" in text  # its items' URLs
    assert '"nama": "Budi"' in text or '\\"nama\\": \\"Budi\\"' in text  # the echo's example
