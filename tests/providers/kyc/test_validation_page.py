"""The validation-web page and the two calls its script makes: the operator's whole flow, the
verdicts (validated, wrong code, expired), and the session status on the control plane."""

import re

import pytest

from tests.helpers import journal_entry
from tests.providers.kyc.reference import agent_payload, bearer, challenge_body, client_key_pair

NIK = "3171014101900001"


@pytest.fixture
def kyc(client_for):
    return client_for("kyc")


@pytest.fixture
def admin(client_for):
    return client_for("admin")


@pytest.fixture(scope="module")
def public_pem():
    return client_key_pair()[1]


@pytest.fixture
def session_url(kyc, public_pem) -> str:
    response = kyc.post(
        "/kyc/v1/generate-url",
        content=agent_payload(public_pem),
        headers=bearer(kyc) | {"Content-Type": "application/json"},
    )
    return response.json()["data"]["url"].removeprefix("http://testserver")


def page_call(client, url, what, body):
    return client.post(f"{url}/{what}", json=body)


def test_the_page_is_self_contained_and_shows_the_agent(kyc, session_url):
    response = kyc.get(session_url)  # no bearer: the iframe's browser has none
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "Bambang Wisanggeni" in page
    assert "3171010101800001" in page
    for element in ('id="nik"', 'id="name"', 'id="request-code"', 'id="code"', 'id="verify"'):
        assert element in page
    assert "SATUSEHAT Mobile" in page
    # Works offline: nothing is loaded from anywhere else.
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "@import" not in page


def test_the_agent_name_is_escaped(kyc, public_pem):
    response = kyc.post(
        "/kyc/v1/generate-url",
        content=agent_payload(public_pem, agent_name="<script>alert(1)</script>"),
        headers=bearer(kyc) | {"Content-Type": "application/json"},
    )
    page = kyc.get(response.json()["data"]["url"].removeprefix("http://testserver")).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_operators_flow_validates_the_patient(kyc, admin, sandbox, session_url):
    token = session_url.rsplit("/", 1)[1]
    issued = page_call(kyc, session_url, "challenge-code", {"nik": NIK, "name": "Budi Santoso"})
    assert issued.status_code == 200
    shown = issued.json()["data"]  # what SATUSEHAT Mobile displays
    assert re.fullmatch(r"\d{6}", shown["challenge_code"])
    assert admin.get(f"/__admin/kyc/sessions/{token}").json()["nik"] == NIK

    verdict = page_call(kyc, session_url, "verify", {"challenge_code": shown["challenge_code"]})
    assert verdict.status_code == 200
    assert verdict.json()["data"]["verdict"] == "validated"
    assert journal_entry(sandbox, verdict)["client_id"] == "kyc-demo-client"

    session = admin.get(f"/__admin/kyc/sessions/{token}").json()
    assert session["status"] == "validated"
    assert session["nik"] == NIK
    assert session["patient_name"] == "Budi Santoso"
    assert re.fullmatch(r"P\d{11}", session["ihs_number"])
    assert session["validated_timestamp"].endswith("+07:00")
    listed = admin.get("/__admin/kyc/sessions").json()
    assert [s["token"] for s in listed] == [token]
    assert 'data-status="validated"' in kyc.get(session_url).text


def test_a_wrong_code_is_refused_and_a_retry_can_succeed(kyc, admin, sandbox, session_url):
    shown = page_call(kyc, session_url, "challenge-code", {"nik": NIK, "name": "Budi"}).json()
    code = shown["data"]["challenge_code"]
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    response = page_call(kyc, session_url, "verify", {"challenge_code": wrong})
    assert response.status_code == 400
    assert response.json()["data"]["verdict"] == "wrong_code"
    assert journal_entry(sandbox, response)["rule"] == "challenge_wrong_code"
    token = session_url.rsplit("/", 1)[1]
    assert admin.get(f"/__admin/kyc/sessions/{token}").json()["status"] == "pending"
    ok = page_call(kyc, session_url, "verify", {"challenge_code": code})
    assert ok.json()["data"]["verdict"] == "validated"
    assert admin.get(f"/__admin/kyc/sessions/{token}").json()["attempts"] == 2


def test_a_code_expires_after_five_minutes(kyc, sandbox, session_url):
    shown = page_call(kyc, session_url, "challenge-code", {"nik": NIK, "name": "Budi"}).json()
    code = shown["data"]["challenge_code"]
    sandbox.services.clock.advance(300)
    response = page_call(kyc, session_url, "verify", {"challenge_code": code})
    assert response.status_code == 400
    assert response.json()["data"]["verdict"] == "expired"
    fresh = page_call(kyc, session_url, "challenge-code", {"nik": NIK, "name": "Budi"}).json()
    sandbox.services.clock.advance(299)
    response = page_call(
        kyc, session_url, "verify", {"challenge_code": fresh["data"]["challenge_code"]}
    )
    assert response.json()["data"]["verdict"] == "validated"


def test_a_code_from_the_api_validates_on_the_page(kyc, session_url):
    """The facility system may request the code through the API; the page accepts it."""
    page_call(kyc, session_url, "challenge-code", {"nik": NIK, "name": "Budi"})
    api = kyc.post("/kyc/v1/challenge-code", json=challenge_body(NIK), headers=bearer(kyc))
    code = api.json()["data"]["challenge_code"]
    response = page_call(kyc, session_url, "verify", {"challenge_code": code})
    assert response.json()["data"]["verdict"] == "validated"


def test_verifying_before_a_code_is_requested_is_400(kyc, session_url):
    response = page_call(kyc, session_url, "verify", {"challenge_code": "123456"})
    assert response.status_code == 400
    assert "request a challenge code" in response.json()["data"]["error"]


def test_an_unknown_token_shows_a_clear_page(kyc):
    response = kyc.get("/kyc/v1/validation-web/00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404
    assert 'data-reason="unknown"' in response.text
    assert "tidak dikenal" in response.text
    call = page_call(
        kyc,
        "/kyc/v1/validation-web/00000000-0000-4000-8000-000000000000",
        "challenge-code",
        {"nik": NIK, "name": "Budi"},
    )
    assert call.status_code == 404


def test_an_expired_link_shows_a_clear_page(kyc, admin, sandbox, session_url):
    sandbox.services.clock.advance(1800)
    response = kyc.get(session_url)
    assert response.status_code == 410
    assert 'data-reason="expired"' in response.text
    assert "kedaluwarsa" in response.text
    call = page_call(kyc, session_url, "challenge-code", {"nik": NIK, "name": "Budi"})
    assert call.status_code == 410
    token = session_url.rsplit("/", 1)[1]
    assert admin.get(f"/__admin/kyc/sessions/{token}").json()["status"] == "expired"


def test_an_unknown_session_on_the_control_plane_is_404(admin):
    assert admin.get("/__admin/kyc/sessions/nope").status_code == 404
