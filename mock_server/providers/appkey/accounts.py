"""The x-app-key backend: the apps, their users' logins and tokens, the users' saved addresses,
and the provinces, over the database.

Plain objects, no HTTP: ``routes.py`` is a thin face over these methods, and a test can call them
directly. Failures raise the provider's own ``AppKeyError``.

Whose data a call is about comes as an ``App`` or a ``Caller``: in a request, auth's
``AppKeyPrincipal``, whose ``user_pk`` (say) raises the strict answer in lenient mode when no token
named a user. So each method reads the caller only once it needs to, after checking what it was
sent: a bad password or an unknown province is answered as such in every mode.
"""

import secrets
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import bindparam, func, select

from mock_server.core.compare import constant_time_equal
from mock_server.core.provider import ProviderContext
from mock_server.providers.appkey.errors import AppKeyError, bad_request, not_found
from mock_server.providers.appkey.messages import both
from mock_server.providers.appkey.models import AppKeyAddress, AppKeyApp, AppKeyProvince, AppKeyUser
from mock_server.providers.appkey.schemas import AddressBody, address_json, token_json, user_json
from mock_server.providers.appkey.seed import hash_password
from mock_server.providers.appkey.tokens import TokenStore

APPS, USERS, ADDRESSES, PROVINCES = (
    AppKeyApp,
    AppKeyUser,
    AppKeyAddress,
    AppKeyProvince,
)
U, AD, PR = USERS.c, ADDRESSES.c, PROVINCES.c
ADDRESS_ROWS = select(ADDRESSES, PR.name.label("province_name")).join(
    PROVINCES, AD.province_code == PR.code
)
ADDRESS_WORDS = both("alamat", "address")
PROVINCE_WORDS = both("provinsi", "province")


class App(Protocol):
    """Which app a request comes from (on login, all there is to know)."""

    @property
    def app_key(self) -> str: ...


class Caller(App, Protocol):
    """Whose request it is, past login: the app and the user's login (its session)."""

    @property
    def user_pk(self) -> int: ...
    @property
    def session_id(self) -> str: ...


@dataclass(frozen=True)
class Session:
    """A caller known outright, for calling the backend without a request (tests, tools)."""

    app_key: str
    user_pk: int
    session_id: str


def province_json(row: Any) -> dict[str, Any]:
    return {"code": row.code, "name": row.name, "capital": row.capital}


class Accounts:
    def __init__(self, ctx: ProviderContext) -> None:
        self.ctx = ctx
        self.tokens = TokenStore(ctx)
        db = ctx.db
        self._app_by_key = db.prepare(APPS.select().where(APPS.c.app_key == bindparam("app_key")))
        # Auth reads the app on every request; a 1 s cache keeps that off the hot path.
        self._apps = db.cache(ttl=1.0)
        self._user_by_username = db.prepare(
            USERS.select().where(U.username == bindparam("username"))
        )
        self._user_by_pk = db.prepare(USERS.select().where(U.id == bindparam("pk")))
        self._addresses_of = db.prepare(
            ADDRESS_ROWS.where(AD.user_pk == bindparam("pk")).order_by(AD.id)
        )
        self._address_by_id = db.prepare(
            ADDRESS_ROWS.where(AD.user_pk == bindparam("pk"), AD.id == bindparam("id"))
        )
        self._province_by_code = db.prepare(PROVINCES.select().where(PR.code == bindparam("code")))
        self._provinces = db.cache(ttl=1.0)

    # -- apps ------------------------------------------------------------------------------------
    def app(self, app_key: str) -> Any:
        """The app with this public key (active or not), or None."""
        return self._apps.get(app_key, lambda: self._app_by_key.first(app_key=app_key))

    # -- logins and tokens -----------------------------------------------------------------------
    def log_in(self, caller: App, username: str, password: str, now: float) -> dict[str, Any]:
        """The three tokens of a new login, and who logged in; 401 ``login`` on a bad password."""
        user = self._user_by_username.first(username=username.strip().lower())
        if user is None or not constant_time_equal(
            hash_password(password, user.password_salt), user.password_hash
        ):
            raise AppKeyError(
                401, "login", diagnosis={"username": username[:254], "known_user": user is not None}
            )
        issued = self.tokens.issue(
            ("user", "refresh", "access"),
            app_key=caller.app_key,
            user_pk=user.id,
            session_id=secrets.token_hex(8),
            now=now,
        )
        data = {"token_type": "Bearer"}
        for kind in ("access", "refresh", "user"):
            data |= token_json(f"{kind}_token", issued[kind], now)
        return data | {"user": {"user_id": user.user_id, "full_name": user.full_name}}

    def new_access_token(self, caller: Caller, now: float) -> dict[str, Any]:
        """A new access token for the caller's login (bought with its refresh token)."""
        issued = self.tokens.issue(
            ("access",),
            app_key=caller.app_key,
            user_pk=caller.user_pk,
            session_id=caller.session_id,
            now=now,
        )["access"]
        return {"token_type": "Bearer"} | token_json("access_token", issued, now)

    def new_refresh_token(self, caller: Caller, now: float) -> dict[str, Any]:
        """A new refresh token for the caller's login; every earlier one stops working."""
        issued = self.tokens.rotate_refresh(
            app_key=caller.app_key, user_pk=caller.user_pk, session_id=caller.session_id, now=now
        )
        return {"token_type": "Bearer"} | token_json("refresh_token", issued, now)

    def log_out(self, caller: Caller, now: float) -> dict[str, Any]:
        """Revoke every token of the caller's login (access, refresh and x-user-token)."""
        return {"revoked_tokens": self.tokens.revoke_session(caller.session_id, now)}

    # -- the user's data -------------------------------------------------------------------------
    def profile(self, caller: Caller) -> dict[str, Any]:
        return user_json(self._user_by_pk.first(pk=caller.user_pk))

    def addresses(self, caller: Caller) -> list[dict[str, Any]]:
        """The caller's saved addresses, oldest first."""
        return [address_json(r, r.province_name) for r in self._addresses_of.all(pk=caller.user_pk)]

    def address(self, caller: Caller, address_id: int) -> dict[str, Any]:
        """One of the caller's addresses. Another user's is 404, as if it did not exist."""
        row = self._address_by_id.first(pk=caller.user_pk, id=address_id)
        if row is None:
            raise not_found(ADDRESS_WORDS, address_id)
        return address_json(row, row.province_name)

    def create_address(self, caller: Caller, body: AddressBody, now: float) -> dict[str, Any]:
        """Save a new address; the user's first, or one sent as primary, becomes the primary."""
        if self._province_by_code.first(code=body.province_code) is None:
            raise unknown_province(body.province_code)
        user_pk = caller.user_pk
        with self.ctx.db.begin() as conn:
            count = select(func.count()).where(AD.user_pk == user_pk)
            primary = body.is_primary or conn.execute(count).scalar_one() == 0
            if primary:
                conn.execute(
                    ADDRESSES.update().where(AD.user_pk == user_pk).values(is_primary=False)
                )
            values = body.model_dump() | {
                "user_pk": user_pk,
                "is_primary": primary,
                "created_at": now,
            }
            key = conn.execute(ADDRESSES.insert().values(values)).inserted_primary_key
        assert key is not None  # a single-row INSERT always has one
        row = self._address_by_id.first(pk=user_pk, id=key[0])
        return address_json(row, row.province_name)

    # -- app-level data: the access token alone --------------------------------------------------
    def provinces(self) -> list[dict[str, Any]]:
        """Indonesia's provinces by Kemendagri code. Read-only: cached for a second."""
        provinces: list[dict[str, Any]] = self._provinces.get("all", self._all_provinces)
        return provinces

    def _all_provinces(self) -> list[dict[str, Any]]:
        rows = self.ctx.db.connection().execute(PROVINCES.select().order_by(PR.code))
        return [province_json(r) for r in rows]

    def province(self, code: str) -> dict[str, Any]:
        row = self._province_by_code.first(code=code)
        if row is None:
            raise not_found(PROVINCE_WORDS, code)
        return province_json(row)


def unknown_province(code: str) -> AppKeyError:
    return bad_request(
        both("isian tidak valid", "invalid fields"),
        [
            {
                "field": "province_code",
                "message": both(
                    f"kode provinsi {code} tidak dikenal; lihat GET /api/v1/provinces",
                    f"unknown province code {code}; see GET /api/v1/provinces",
                ),
            }
        ],
    )
