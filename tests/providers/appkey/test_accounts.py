"""The x-app-key backend called directly, without HTTP: what a handler does is testable as plain
method calls over the sandbox's database."""

import pytest

from mock_server.providers.appkey.accounts import Accounts, Session
from mock_server.providers.appkey.auth import AppKeyPrincipal
from mock_server.providers.appkey.errors import AppKeyError
from mock_server.providers.appkey.schemas import AddressBody
from tests.providers.appkey.conftest import APP_KEY, PASSWORD, USERNAME

NEW_ADDRESS = {
    "label": "Kantor Baru",
    "recipient_name": "Budi Santoso",
    "phone": "081234567890",
    "street": "Jl. Asia Afrika No. 8",
    "city": "Bandung",
    "province_code": "32",
    "postal_code": "40111",
}


@pytest.fixture
def accounts(sandbox) -> Accounts:
    return Accounts(sandbox.services.context("appkey"))


@pytest.fixture
def now(sandbox) -> float:
    return sandbox.services.clock.timestamp()


def log_in(accounts: Accounts, now: float) -> tuple[dict, Session]:
    # On login the app is all auth knows of the caller: a principal naming it is enough.
    data = accounts.log_in(AppKeyPrincipal(APP_KEY, "private_key"), USERNAME, PASSWORD, now)
    row = accounts.tokens.find(data["user_token"])
    return data, Session(APP_KEY, row.user_pk, row.session_id)


def test_a_login_then_a_logout_revokes_the_logins_tokens(accounts, now):
    data, who = log_in(accounts, now)
    assert accounts.profile(who)["email"] == USERNAME
    assert data["access_token_expires_in"] == 900
    assert accounts.log_out(who, now + 1) == {"revoked_tokens": 3}
    for kind in ("access_token", "refresh_token", "user_token"):
        row = accounts.tokens.find(data[kind])
        assert (row.revoked_at, row.revoked_reason) == (now + 1, "logout")


def test_a_wrong_password_is_refused(accounts, now):
    with pytest.raises(AppKeyError) as refused:
        accounts.log_in(AppKeyPrincipal(APP_KEY, "private_key"), USERNAME, "wrong", now)
    assert (refused.value.status, refused.value.rule) == (401, "login")


def test_a_created_address_is_listed_and_a_new_primary_replaces_the_old(accounts, now):
    _, who = log_in(accounts, now)
    created = accounts.create_address(who, AddressBody(**NEW_ADDRESS, is_primary=True), now)
    listed = accounts.addresses(who)
    assert len(listed) == 4
    assert listed[-1] == created == accounts.address(who, created["id"])
    assert [a["id"] for a in listed if a["is_primary"]] == [created["id"]]


def test_an_unknown_province_is_refused_before_asking_whose_address_it_is(accounts, now):
    # As lenient mode hands a handler a principal that names no user: reading its user_pk
    # raises the strict answer, but the bad body is what gets answered.
    unidentified = AppKeyPrincipal(None, "access", failed=(AppKeyError(401, "token_tampered"),))
    body = AddressBody(**(NEW_ADDRESS | {"province_code": "99"}))
    with pytest.raises(AppKeyError) as refused:
        accounts.create_address(unidentified, body, now)
    assert (refused.value.status, refused.value.rule) == (400, "validation")
    with pytest.raises(AppKeyError) as strict:
        accounts.create_address(unidentified, AddressBody(**NEW_ADDRESS), now)
    assert strict.value.rule == "token_tampered"
