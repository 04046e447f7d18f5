"""Digitalent catalogue endpoints: data, filters, pagination, the clock, and bad input."""

import hashlib
import json
import uuid

import pytest

from tests.helpers import digitalent_headers, journal_entry

ACADEMIES = {
    1: ("FGA", "Fresh Graduate Academy"),
    2: ("VSGA", "Vocational School Graduate Academy"),
    3: ("TA", "Thematic Academy"),
    4: ("ProA", "Professional Academy"),
    5: ("GTA", "Government Transformation Academy"),
    6: ("DEA", "Digital Entrepreneurship Academy"),
    7: ("TSA", "Talent Scouting Academy"),
    8: ("DLA", "Digital Leadership Academy"),
    10: ("CONTOH", "Akademi Contoh"),  # the sandbox's own: the doc's example asks for id 10
}


class Signed:
    """Signs every request the way the doc's Postman script does."""

    def __init__(self, client):
        self.client = client

    def get(self, path, params=None):
        return self.client.get(path, params=params, headers=digitalent_headers("GET", path))

    def post(self, path, body: str | bytes):
        raw = body if isinstance(body, bytes) else body.encode()
        return self.client.post(path, content=raw, headers=digitalent_headers("POST", path, body))


@pytest.fixture
def dts(client_for):
    return Signed(client_for("digitalent"))


def bad_request(response, status=400):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False
    assert body["message"]
    return body


# -- academies ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("akademi_id", "expected"), ACADEMIES.items())
def test_academy_detail_has_the_real_names(dts, akademi_id, expected):
    response = dts.post("/api/public/pelatihan/akademi", json.dumps({"id": akademi_id}))
    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["slug"], data["nama"]) == expected
    assert data["tema"], "every academy has themes"
    assert data["jumlah_pelatihan"] == sum(t["jumlah_pelatihan"] for t in data["tema"])


def test_academy_list(dts):
    response = dts.get("/api/public/pelatihan/akademi")
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert body["message"] == "OK"
    assert {a["id"]: (a["slug"], a["nama"]) for a in body["data"]} == ACADEMIES
    assert sum(a["jumlah_pelatihan"] for a in body["data"]) == 117
    assert all(0 <= a["jumlah_pendaftaran_dibuka"] <= a["jumlah_pelatihan"] for a in body["data"])


def test_unknown_academy_is_404(dts, sandbox):
    response = dts.post("/api/public/pelatihan/akademi", '{"id":99}')
    body = bad_request(response, 404)
    assert body["message"] == "Akademi not found"
    assert journal_entry(sandbox, response)["rule"] == "not_found"


def test_themes_of_an_academy(dts):
    response = dts.get("/api/public/pelatihan/akademi/8/tema")
    assert response.status_code == 200
    assert [t["nama"] for t in response.json()["data"]] == [
        "Kepemimpinan Transformasi Digital",
        "Tata Kelola Data",
        "Strategi Ekonomi Digital",
    ]


def test_themes_of_unknown_academy_is_404(dts):
    bad_request(dts.get("/api/public/pelatihan/akademi/42/tema"), 404)


def test_themes_of_a_non_numeric_academy_is_400(dts):
    body = bad_request(dts.get("/api/public/pelatihan/akademi/abc/tema"))
    assert body["errors"][0]["field"] == "akademi_id"


# -- bad bodies -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("", "JSON body is required"),
        ("{not json", "malformed JSON"),
        ('{"id": 1', "malformed JSON"),
        ("[1, 2]", "must be a JSON object"),
        ('"1"', "must be a JSON object"),
        ('{"id": "abc"}', "invalid fields"),
        ('{"id": 1.5}', "invalid fields"),
        ('{"id": 0}', "invalid fields"),
        ('{"id": -3}', "invalid fields"),
        ('{"id": 99999999999999999999}', "invalid fields"),
        ("{}", "invalid fields"),
        ('{"id": null}', "invalid fields"),
    ],
)
def test_bad_body_is_400_in_the_provider_shape(dts, sandbox, body, fragment):
    response = dts.post("/api/public/pelatihan/akademi", body)
    result = bad_request(response)
    assert fragment in result["detail"]
    assert journal_entry(sandbox, response)["rule"] == "validation"


def test_wrong_type_names_the_field(dts):
    body = bad_request(dts.post("/api/public/pelatihan/akademi", '{"id": "abc"}'))
    assert body["errors"][0]["field"] == "id"


def test_numeric_string_id_is_accepted_like_a_lenient_json_api(dts):
    assert dts.post("/api/public/pelatihan/akademi", '{"id": "2"}').json()["data"]["slug"] == "VSGA"


def test_non_utf8_body_is_400(dts):
    body = bad_request(dts.post("/api/public/pelatihan/akademi", b'{"id": "\xff\xfe"}'))
    assert "UTF-8" in body["detail"]


def test_body_over_one_mebibyte_is_413(client_for, sandbox):
    client = client_for("digitalent")
    body = '{"id": 1, "pad": "' + "x" * (1024 * 1024) + '"}'
    path = "/api/public/pelatihan/akademi"
    response = client.post(path, content=body, headers=digitalent_headers("POST", path, body))
    assert response.status_code == 413
    assert response.json()["success"] is False
    entry = journal_entry(sandbox, response)
    assert entry["rule"] == "body_too_large"
    assert len(entry["body_excerpt"]) <= sandbox.settings.journal_body_excerpt


def test_a_body_just_under_the_limit_is_read(dts):
    body = '{"id": 1, "pad": "' + "x" * (1024 * 1024 - 40) + '"}'
    assert dts.post("/api/public/pelatihan/akademi", body).status_code == 200


def test_unknown_path_is_404_in_the_provider_shape(dts):
    body = bad_request(dts.get("/api/public/pelatihan/akademi/1/nothing"), 404)
    assert body["message"] == "Not Found"


def test_wrong_method_is_405_in_the_provider_shape(client_for):
    client = client_for("digitalent")
    path = "/api/public/pelatihan/akademi"
    response = client.delete(path, headers=digitalent_headers("DELETE", path))
    assert response.status_code == 405
    assert response.json()["message"] == "Method Not Allowed"


# -- trainings ------------------------------------------------------------------------------------
def test_training_list_is_paginated(dts):
    response = dts.get("/api/public/pelatihan", {"per_page": 10, "page": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["meta"] == {"page": 2, "per_page": 10, "total": 117, "total_pages": 12}
    assert [p["id"] for p in body["data"]] == list(range(11, 21))


def test_training_fields(dts):
    training = dts.get("/api/public/pelatihan/1").json()["data"]
    assert set(training) == {
        "id", "nama", "akademi", "tema", "mitra", "level", "deskripsi", "metode", "lokasi",
        "kuota", "jumlah_jp", "biaya", "pendaftaran", "pelaksanaan", "status", "status_label",
    }  # fmt: skip
    assert training["akademi"] == {"id": 1, "slug": "FGA", "nama": "Fresh Graduate Academy"}
    assert training["metode"] in {"online", "offline"}
    assert training["pendaftaran"]["mulai"].endswith("+07:00")
    assert training["pendaftaran"]["mulai"] < training["pendaftaran"]["selesai"]
    assert training["pendaftaran"]["selesai"] < training["pelaksanaan"]["mulai"]


def test_page_past_the_end_is_empty(dts):
    body = dts.get("/api/public/pelatihan", {"page": 500}).json()
    assert body["data"] == []
    assert body["meta"]["total"] == 117


@pytest.mark.parametrize(
    "params",
    [
        {"page": 0},
        {"page": -1},
        {"page": "abc"},
        {"page": 10**9},
        {"per_page": 0},
        {"per_page": 1000},
        {"per_page": "1e3"},
        {"status": "unknown"},
        {"metode": "hybrid"},
        {"akademi_id": "x"},
        {"q": "x" * 500},
    ],
)
def test_absurd_query_parameters_are_400(dts, sandbox, params):
    response = dts.get("/api/public/pelatihan", params)
    body = bad_request(response)
    assert body["errors"], body
    assert journal_entry(sandbox, response)["rule"] == "validation"


def test_filter_by_academy_id_and_slug_agree(dts):
    by_id = dts.get("/api/public/pelatihan", {"akademi_id": 2, "per_page": 100}).json()
    by_slug = dts.get("/api/public/pelatihan", {"akademi": "vsga", "per_page": 100}).json()
    assert by_id == by_slug
    assert by_id["meta"]["total"] == 15
    assert {p["akademi"]["slug"] for p in by_id["data"]} == {"VSGA"}


def test_filter_by_theme(dts):
    body = dts.get("/api/public/pelatihan", {"tema_id": 3}).json()
    assert body["meta"]["total"] == 3
    assert {p["tema"]["nama"] for p in body["data"]} == {"Cyber Security"}


@pytest.mark.parametrize(
    "status",
    ["segera_dibuka", "pendaftaran_dibuka", "pendaftaran_ditutup", "berjalan", "selesai"],
)
def test_filter_by_status_matches_each_trainings_status(dts, status):
    body = dts.get("/api/public/pelatihan", {"status": status, "per_page": 100}).json()
    assert body["meta"]["total"] > 0, f"the seed has no {status} training"
    assert {p["status"] for p in body["data"]} == {status}


def test_statuses_partition_the_catalogue(dts):
    totals = [
        dts.get("/api/public/pelatihan", {"status": s}).json()["meta"]["total"]
        for s in [
            "segera_dibuka",
            "pendaftaran_dibuka",
            "pendaftaran_ditutup",
            "berjalan",
            "selesai",
        ]
    ]
    assert sum(totals) == 117


def test_filter_by_mode_and_city(dts):
    offline = dts.get("/api/public/pelatihan", {"metode": "offline", "per_page": 100}).json()
    assert offline["meta"]["total"] > 0
    assert all(p["lokasi"]["kota"] for p in offline["data"])
    city = offline["data"][0]["lokasi"]["kota"]
    in_city = dts.get("/api/public/pelatihan", {"kota": city.upper(), "per_page": 100}).json()
    assert {p["lokasi"]["kota"] for p in in_city["data"]} == {city}
    online = dts.get("/api/public/pelatihan", {"metode": "online", "per_page": 100}).json()
    assert all(p["lokasi"]["kota"] is None for p in online["data"])


def test_free_text_search(dts):
    body = dts.get("/api/public/pelatihan", {"q": "cloud", "per_page": 100}).json()
    assert body["meta"]["total"] > 0
    assert all(
        "cloud" in (p["nama"] + p["deskripsi"] + p["tema"]["nama"]).lower() for p in body["data"]
    )


def test_free_text_search_treats_wildcards_literally(dts):
    assert dts.get("/api/public/pelatihan", {"q": "%"}).json()["meta"]["total"] == 0


def test_training_detail_by_get_and_post_agree(dts):
    by_get = dts.get("/api/public/pelatihan/5").json()
    by_post = dts.post("/api/public/pelatihan/detail", '{"id":5}').json()
    assert by_get == by_post
    assert by_get["data"]["id"] == 5


def test_unknown_training_is_404(dts):
    assert (
        bad_request(dts.get("/api/public/pelatihan/1000"), 404)["message"] == "Pelatihan not found"
    )
    assert dts.post("/api/public/pelatihan/detail", '{"id":1000}').status_code == 404


def test_status_follows_the_sandbox_clock(client_for, sandbox):
    path = "/api/public/pelatihan/1"
    client = client_for("digitalent")
    training = client.get(path, headers=digitalent_headers("GET", path)).json()["data"]
    assert training["status"] != "selesai"
    sandbox.services.clock.advance(400 * 86_400)  # far past every training's end
    # The signature window moved with the clock: sign with the sandbox's time, as a client must.
    assert client.get(path, headers=digitalent_headers("GET", path)).status_code == 408
    headers = digitalent_headers("GET", path, at=sandbox.services.clock.now())
    later = client.get(path, headers=headers).json()["data"]
    assert later["status"] == "selesai"
    assert later["status_label"] == "Selesai"


def test_the_seed_is_the_same_on_every_run(make_sandbox, client_for):
    """Two sandboxes reset independently hold byte-identical catalogues."""
    digests = []
    for _ in range(2):
        sandbox = make_sandbox()
        sandbox.services.reset()
        client = Signed(client_for("digitalent", sandbox))
        pages = [
            client.get("/api/public/pelatihan", {"per_page": 100, "page": page}).text
            for page in (1, 2)
        ]
        digests.append(hashlib.sha256("".join(pages).encode()).hexdigest())
    assert digests[0] == digests[1]


def test_trainings_are_in_indonesian(dts):
    data = dts.get("/api/public/pelatihan", {"per_page": 100}).json()["data"]
    assert all("Pelatihan" in p["deskripsi"] and "jam pelajaran" in p["deskripsi"] for p in data)
    assert any(p["mitra"].startswith(("PT ", "CV ", "UD ", "Perum ")) for p in data)


def test_request_ids_are_uuid_checked_for_get_too(client_for):
    client = client_for("digitalent")
    headers = digitalent_headers("GET", "/api/public/pelatihan", request_id=str(uuid.uuid4()))
    headers["Request-Id"] = "1"
    assert client.get("/api/public/pelatihan", headers=headers).status_code == 400
