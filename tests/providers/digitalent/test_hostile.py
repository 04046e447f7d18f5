"""Hand-made hostile input: each one a 500 once, each now a 4xx in Digitalent's shape."""

import pytest

from tests.helpers import digitalent_headers

DEEP = "[" * 5000


@pytest.fixture
def dts(client_for):
    return client_for("digitalent")


def post(client, path, body, **sign_kwargs):
    headers = digitalent_headers("POST", path, body, **sign_kwargs)
    return client.post(path, content=body, headers=headers | {"Content-Type": "application/json"})


def test_a_deep_body_with_a_wrong_signature_is_the_signature_rejection(dts):
    # The diagnosis re-serialises the body to find near misses: it must not recurse into it.
    response = post(dts, "/api/public/pelatihan/akademi", DEEP, secret="wrong-secret")
    assert response.status_code == 401
    assert response.json()["message"] == "Invalid signature"


@pytest.mark.parametrize("path", ["/api/public/pelatihan/detail", "/api/public/pelatihan/akademi"])
def test_a_signed_deep_body_is_400(dts, path):
    response = post(dts, path, DEEP)
    assert response.status_code == 400
    assert "nested" in response.text


@pytest.mark.parametrize("body", ['{"id": NaN}', '{"id": 1e400}', '{"id": ' + "9" * 5000 + "}"])
def test_numbers_json_loads_would_take_are_400(dts, body):
    response = post(dts, "/api/public/pelatihan/akademi", body)
    assert response.status_code == 400
    assert "malformed JSON" in response.text


def test_a_plain_body_still_passes(dts):
    assert post(dts, "/api/public/pelatihan/akademi", '{"id":1}').status_code == 200
