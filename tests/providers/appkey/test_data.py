"""The data the tokens guard: the profile, the user's addresses (create and read, owned), the
provinces (app-level), and bad input as 4xx in this API's shape, in both languages."""

import pytest

from tests.helpers import journal_entry
from tests.providers.appkey.conftest import (
    OTHER_PASSWORD,
    OTHER_USERNAME,
    conventions,
    login,
    me,
    tokens_of,
)

ADDRESSES = "/api/v1/users/me/addresses"
NEW_ADDRESS = {
    "label": "Kantor Baru",
    "recipient_name": "Budi Santoso",
    "phone": "081234567890",
    "street": "Jl. Asia Afrika No. 8",
    "city": "Bandung",
    "province_code": "32",
    "postal_code": "40111",
}


def user_headers(tokens, **kwargs):
    return conventions(tokens["access_token"], user_token=tokens["user_token"], **kwargs)


def create(client, tokens, body=None, *, content=None, **kwargs):
    if content is not None:
        return client.post(ADDRESSES, content=content, headers=user_headers(tokens, **kwargs))
    return client.post(
        ADDRESSES,
        json=NEW_ADDRESS if body is None else body,
        headers=user_headers(tokens, **kwargs),
    )


@pytest.fixture
def other(ak):
    return tokens_of(login(ak, OTHER_USERNAME, OTHER_PASSWORD))


def test_the_profile_is_the_users_own(ak, tokens, other):
    mine = me(ak, tokens).json()["data"]
    theirs = me(ak, other).json()["data"]
    assert mine["user_id"] == "usr_demo0001"
    assert mine["email"] == "demo@example.com"
    assert theirs["user_id"] == "usr_other002"
    assert mine["full_name"]
    assert mine["full_name"] != theirs["full_name"]
    assert mine["phone"].startswith("08")
    assert mine["created_at"].endswith("+07:00")


def test_the_seeded_addresses_are_listed_with_their_province(ak, tokens):
    response = ak.get(ADDRESSES, headers=user_headers(tokens))
    body = response.json()
    assert body["meta"] == {"total": 3}
    assert [a["id"] for a in body["data"]] == sorted(a["id"] for a in body["data"])
    assert sum(a["is_primary"] for a in body["data"]) == 1
    for address in body["data"]:
        assert len(address["postal_code"]) == 5
        assert address["province"]["name"]


def test_a_created_address_can_be_read_back(ak, tokens, sandbox):
    created = create(ak, tokens, language="en")
    assert created.status_code == 201
    assert created.json()["message"] == "Created"
    address = created.json()["data"]
    assert address["province"] == {"code": "32", "name": "Jawa Barat"}
    assert address["is_primary"] is False
    detail = ak.get(f"{ADDRESSES}/{address['id']}", headers=user_headers(tokens))
    assert detail.status_code == 200
    assert detail.json()["data"] == address
    listing = ak.get(ADDRESSES, headers=user_headers(tokens)).json()
    assert listing["meta"]["total"] == 4
    assert listing["data"][-1] == address
    assert journal_entry(sandbox, created)["outcome"] == "accepted"


def test_a_new_primary_address_replaces_the_old_primary(ak, tokens):
    created = create(ak, tokens, NEW_ADDRESS | {"is_primary": True}).json()["data"]
    listing = ak.get(ADDRESSES, headers=user_headers(tokens)).json()["data"]
    assert [a["id"] for a in listing if a["is_primary"]] == [created["id"]]


def test_another_users_address_is_404_and_not_listed(ak, tokens, other):
    mine = create(ak, tokens).json()["data"]
    response = ak.get(f"{ADDRESSES}/{mine['id']}", headers=user_headers(other, language="en"))
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"
    assert response.json()["detail"] == f"no address with id {mine['id']}"
    in_id = ak.get(f"{ADDRESSES}/{mine['id']}", headers=user_headers(other))
    assert in_id.json()["message"] == "Data tidak ditemukan"
    theirs = ak.get(ADDRESSES, headers=user_headers(other)).json()["data"]
    assert mine["id"] not in [a["id"] for a in theirs]


def test_provinces_are_app_level_data(ak, tokens):
    response = ak.get("/api/v1/provinces", headers=conventions(tokens["access_token"]))
    data = response.json()["data"]
    assert len(data) == 38
    assert {"code": "31", "name": "DKI Jakarta", "capital": "Jakarta"} in data
    one = ak.get("/api/v1/provinces/51", headers=conventions(tokens["access_token"]))
    assert one.json()["data"]["name"] == "Bali"
    missing = ak.get("/api/v1/provinces/99", headers=conventions(tokens["access_token"]))
    assert missing.status_code == 404


# -- bad input ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "detail_en", "detail_id"),
    [
        (b"{not json", "malformed JSON", "JSON tidak valid"),
        (b"\xff\xfe\xfd", "the body is not valid UTF-8 (byte 0)", "body bukan UTF-8 yang valid"),
        (b"[]", "the body must be a JSON object", "body harus berupa objek JSON"),
        (b"null", "the body must be a JSON object", "body harus berupa objek JSON"),
        (b"", "a JSON body is required", "body JSON wajib diisi"),
    ],
)
def test_unreadable_bodies_are_400_in_both_languages(ak, tokens, content, detail_en, detail_id):
    en = create(ak, tokens, content=content, language="en")
    assert en.status_code == 400
    assert en.json()["code"] == "VALIDATION"
    assert en.json()["message"] == "Bad request"
    assert en.json()["detail"].startswith(detail_en)
    in_id = create(ak, tokens, content=content)
    assert in_id.json()["message"] == "Permintaan tidak valid"
    assert in_id.json()["detail"].startswith(detail_id)


def test_wrong_types_and_formats_name_each_field(ak, tokens):
    body = NEW_ADDRESS | {"label": 5, "postal_code": "4011", "is_primary": "yes", "phone": "12"}
    del body["city"]
    response = create(ak, tokens, body, language="en")
    assert response.status_code == 400
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert errors == {
        "label": "must be a string",
        "postal_code": "has an invalid format",
        "is_primary": "must be a boolean",
        "phone": "has an invalid format",
        "city": "is required",
    }
    in_id = {e["field"]: e["message"] for e in create(ak, tokens, body).json()["errors"]}
    assert in_id["label"] == "harus berupa teks"
    assert in_id["city"] == "wajib diisi"


def test_unknown_fields_and_unknown_provinces_are_refused(ak, tokens):
    extra = create(ak, tokens, NEW_ADDRESS | {"owner": "someone else"}, language="en")
    assert extra.json()["errors"] == [{"field": "owner", "message": "is not a known field"}]
    province = create(ak, tokens, NEW_ADDRESS | {"province_code": "99"}, language="en")
    assert province.status_code == 400
    assert province.json()["errors"][0]["field"] == "province_code"
    assert "GET /api/v1/provinces" in province.json()["errors"][0]["message"]
    total = ak.get(ADDRESSES, headers=user_headers(tokens)).json()["meta"]["total"]
    assert total == 3  # nothing was saved


def test_a_login_with_wrong_types_is_400(ak):
    response = ak.post(
        "/api/v1/auth/login",
        json={"username": 1, "password": ["x"]},
        headers=conventions("appkey-demo-private", language="en"),
    )
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"username", "password"}


@pytest.mark.parametrize(
    ("language", "message"), [("en", "Payload too large"), ("id", "Ukuran body terlalu besar")]
)
def test_huge_bodies_are_413_in_this_apis_shape(ak, tokens, sandbox, language, message):
    content = b"x" * (sandbox.settings.max_body_bytes + 1)
    response = create(ak, tokens, content=content, language=language)
    assert response.status_code == 413
    assert response.json()["code"] == "BODY_TOO_LARGE"
    assert response.json()["message"] == message
    assert response.headers["content-language"] == language
    assert str(sandbox.settings.max_body_bytes) in response.json()["detail"]
