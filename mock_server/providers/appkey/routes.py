"""x-app-key API endpoints. The doc names none: every path, body and field is the mock's choice,
listed in one place in ``docs/providers/appkey.md``.

Success envelope: ``{"success": true, "message": "<in x-language>", "data": …}`` (``meta`` on
lists). Auth (``auth.py``) has already verified every credential when a handler runs; the handler
reads the verified app and token rows from ``PrincipalDep``. In lenient mode they may be rows that
failed a check; where none names the user, ``who.user_pk`` raises the strict answer.
"""

import hmac
import secrets
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Path, Request
from sqlalchemy import bindparam, func, select
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_server.core.pipeline import NO_TELEMETRY, install_error_handlers
from mock_server.core.provider import ProviderContext
from mock_server.providers.appkey.auth import Handoff, Principal
from mock_server.providers.appkey.errors import (
    AppKeyError,
    bad_request,
    language_of,
    not_found,
    render_error,
)
from mock_server.providers.appkey.messages import CREATED, LOGGED_OUT, SUCCESS, both
from mock_server.providers.appkey.models import (
    AppKeyAddress,
    AppKeyProvince,
    AppKeyUser,
)
from mock_server.providers.appkey.schemas import (
    AddressBody,
    LoginBody,
    address_json,
    iso_utc,
    parse_body,
    user_json,
)
from mock_server.providers.appkey.seed import hash_password
from mock_server.providers.appkey.tokens import Issued, TokenStore

U = AppKeyUser.__table__.c  # type: ignore[attr-defined]
AD = AppKeyAddress.__table__.c  # type: ignore[attr-defined]
PR = AppKeyProvince.__table__.c  # type: ignore[attr-defined]
ADDRESS = both("alamat", "address")
PROVINCE = both("provinsi", "province")
LOGIN_EXAMPLE = '{"username": "demo@example.com", "password": "demo-password"}'
ADDRESS_EXAMPLE = (
    '{"label": "Rumah", "recipient_name": "Budi", "phone": "081234567890", "street": "Jl. Merdeka '
    'No. 1", "city": "Bandung", "province_code": "32", "postal_code": "40111"}'
)


def principal(request: Request) -> Principal:
    return request.scope["state"]["appkey"]


def language(request: Request) -> str:
    return language_of(request)


PrincipalDep = Annotated[Principal, Depends(principal)]
LangDep = Annotated[str, Depends(language)]
AddressId = Annotated[int, Path(ge=1, le=2_147_483_647)]


def ok(
    lang: str,
    data: Any,
    *,
    status: int = 200,
    message: dict[str, str] = SUCCESS,
    meta: dict[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"success": True, "message": message[lang], "data": data}
    if meta is not None:
        body["meta"] = meta
    return JSONResponse(body, status_code=status)


def token_json(prefix: str, token: Issued, now: float) -> dict[str, Any]:
    return {
        prefix: token.text,
        f"{prefix}_expires_in": int(token.expires_at - now),
        f"{prefix}_expires_at": iso_utc(token.expires_at),
    }


class Conventions:
    """The app's outermost layer: hands auth's result to the handler, and says on every
    response which language it used (errors rendered by ``render_error`` already do)."""

    def __init__(self, app: ASGIApp, *, handoff: Handoff) -> None:
        self.app = app
        self.handoff = handoff

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        record = state.get("mock")
        if record is not None:
            state["appkey"] = self.handoff.pop(record.id)
        lang = b"en" if language_of(Request(scope)) == "en" else b"id"

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                if not any(name.lower() == b"content-language" for name, _ in headers):
                    headers += [(b"content-language", lang), (b"vary", b"x-language")]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_language)


def build_app(ctx: ProviderContext, tokens: TokenStore, handoff: Handoff) -> FastAPI:
    app = FastAPI(
        telemetry=NO_TELEMETRY,
        title="x-app-key partner API (sandbox)",
        summary="App key, request id, language, and access / refresh / user tokens.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    install_error_handlers(app, render_error)
    app.add_middleware(Conventions, handoff=handoff)
    app.state.handoff = handoff  # for tests: it must be empty between requests
    db, clock = ctx.db, ctx.clock
    user_by_username = db.prepare(
        AppKeyUser.__table__.select().where(U.username == bindparam("username"))  # type: ignore[attr-defined]
    )
    user_by_pk = db.prepare(AppKeyUser.__table__.select().where(U.id == bindparam("pk")))  # type: ignore[attr-defined]
    address_rows = select(AppKeyAddress.__table__, PR.name.label("province_name")).join(  # type: ignore[arg-type]
        AppKeyProvince.__table__,
        AD.province_code == PR.code,  # type: ignore[arg-type]
    )
    addresses_of = db.prepare(address_rows.where(AD.user_pk == bindparam("pk")).order_by(AD.id))
    address_by_id = db.prepare(
        address_rows.where(AD.user_pk == bindparam("pk"), AD.id == bindparam("id"))
    )
    province_by_code = db.prepare(
        AppKeyProvince.__table__.select().where(PR.code == bindparam("code"))  # type: ignore[attr-defined]
    )
    provinces_cache = db.cache(ttl=1.0)

    def request_body(request: Request) -> bytes:
        return request.scope["state"]["mock"].body

    # -- tokens ------------------------------------------------------------------------------
    @app.post("/api/v1/auth/login")
    async def login(request: Request, who: PrincipalDep, lang: LangDep) -> JSONResponse:
        """Log a user in: Bearer <app private key> and {username, password} -> the three tokens."""
        body = parse_body(LoginBody, request_body(request), LOGIN_EXAMPLE)
        user = user_by_username.first(username=body.username.strip().lower())
        if user is None or not hmac.compare_digest(
            hash_password(body.password, user.password_salt), user.password_hash
        ):
            raise AppKeyError(
                401,
                "login",
                diagnosis={"username": body.username[:254], "known_user": user is not None},
            )
        now = clock.timestamp()
        issued = tokens.issue(
            ("user", "refresh", "access"),
            app_key=who.app_key,
            user_pk=user.id,
            session_id=secrets.token_hex(8),
            now=now,
        )
        data = {"token_type": "Bearer"}
        for kind in ("access", "refresh", "user"):
            data |= token_json(f"{kind}_token", issued[kind], now)
        data["user"] = {"user_id": user.user_id, "full_name": user.full_name}
        response = ok(lang, data)
        # The doc calls it x-user-token: clients may look for it under that name too.
        response.headers["x-user-token"] = issued["user"].text
        return response

    @app.post("/api/v1/auth/access-token")
    async def new_access_token(who: PrincipalDep, lang: LangDep) -> JSONResponse:
        """A new access token, for Bearer <refresh_token>."""
        now = clock.timestamp()
        issued = tokens.issue(
            ("access",),
            app_key=who.app_key,
            user_pk=who.user_pk,
            session_id=who.session_id,
            now=now,
        )["access"]
        return ok(lang, {"token_type": "Bearer"} | token_json("access_token", issued, now))

    @app.post("/api/v1/auth/refresh-token")
    async def new_refresh_token(who: PrincipalDep, lang: LangDep) -> JSONResponse:
        """A new refresh token, for Bearer <x-user-token>; the previous one stops working."""
        now = clock.timestamp()
        issued = tokens.rotate_refresh(
            app_key=who.app_key, user_pk=who.user_pk, session_id=who.session_id, now=now
        )
        return ok(lang, {"token_type": "Bearer"} | token_json("refresh_token", issued, now))

    @app.post("/api/v1/auth/logout")
    async def logout(who: PrincipalDep, lang: LangDep) -> JSONResponse:
        """Revoke every token of this login (access, refresh and x-user-token)."""
        revoked = tokens.revoke_session(who.session_id, clock.timestamp())
        return ok(lang, {"revoked_tokens": revoked}, message=LOGGED_OUT)

    # -- the user's data ---------------------------------------------------------------------
    @app.get("/api/v1/users/me")
    async def profile(who: PrincipalDep, lang: LangDep) -> JSONResponse:
        """The profile of the user the x-user-token belongs to."""
        return ok(lang, user_json(user_by_pk.first(pk=who.user_pk)))

    @app.get("/api/v1/users/me/addresses")
    async def list_addresses(who: PrincipalDep, lang: LangDep) -> JSONResponse:
        """The user's saved addresses, oldest first."""
        rows = addresses_of.all(pk=who.user_pk)
        data = [address_json(r, r.province_name) for r in rows]
        return ok(lang, data, meta={"total": len(data)})

    @app.post("/api/v1/users/me/addresses", status_code=201)
    async def create_address(request: Request, who: PrincipalDep, lang: LangDep) -> JSONResponse:
        """Save a new address for the user."""
        body = parse_body(AddressBody, request_body(request), ADDRESS_EXAMPLE)
        if province_by_code.first(code=body.province_code) is None:
            raise bad_request(
                both("isian tidak valid", "invalid fields"),
                [
                    {
                        "field": "province_code",
                        "message": both(
                            f"kode provinsi {body.province_code} tidak dikenal; "
                            "lihat GET /api/v1/provinces",
                            f"unknown province code {body.province_code}; "
                            "see GET /api/v1/provinces",
                        ),
                    }
                ],
            )
        table = AppKeyAddress.__table__
        with db.begin() as conn:
            first = (
                conn.execute(select(func.count()).where(AD.user_pk == who.user_pk)).scalar_one()
                == 0
            )
            primary = body.is_primary or first  # a user's first address is their primary one
            if primary:
                conn.execute(
                    table.update().where(AD.user_pk == who.user_pk).values(is_primary=False)  # type: ignore[attr-defined]
                )
            new_id = conn.execute(
                table.insert().values(  # type: ignore[attr-defined]
                    body.model_dump()
                    | {
                        "user_pk": who.user_pk,
                        "is_primary": primary,
                        "created_at": clock.timestamp(),
                    }
                )
            ).inserted_primary_key[0]
        row = address_by_id.first(pk=who.user_pk, id=new_id)
        return ok(lang, address_json(row, row.province_name), status=201, message=CREATED)

    @app.get("/api/v1/users/me/addresses/{address_id}")
    async def get_address(address_id: AddressId, who: PrincipalDep, lang: LangDep) -> JSONResponse:
        """One of the user's addresses. Another user's address is 404, as if it did not exist."""
        row = address_by_id.first(pk=who.user_pk, id=address_id)
        if row is None:
            raise not_found(ADDRESS, address_id)
        return ok(lang, address_json(row, row.province_name))

    # -- app-level data: the access token alone ----------------------------------------------
    def all_provinces() -> list[dict[str, Any]]:
        rows = db.connection().execute(AppKeyProvince.__table__.select().order_by(PR.code))  # type: ignore[attr-defined]
        return [{"code": r.code, "name": r.name, "capital": r.capital} for r in rows]

    @app.get("/api/v1/provinces")
    async def list_provinces(lang: LangDep) -> JSONResponse:
        """Indonesia's provinces (Kemendagri codes): app-level data, no x-user-token needed."""
        data = provinces_cache.get("all", all_provinces)
        return ok(lang, data, meta={"total": len(data)})

    @app.get("/api/v1/provinces/{code}")
    async def get_province(code: Annotated[str, Path(max_length=8)], lang: LangDep) -> JSONResponse:
        """One province by its two-digit code."""
        row = province_by_code.first(code=code)
        if row is None:
            raise not_found(PROVINCE, code)
        return ok(lang, {"code": row.code, "name": row.name, "capital": row.capital})

    return app
