"""x-app-key API endpoints. The doc names none: every path, body and field is the mock's choice,
listed in one place in ``docs/providers/appkey.md``.

Success envelope: ``{"success": true, "message": "<in x-language>", "data": …}`` (``meta`` on
lists). Auth (``auth.py``) has already verified every credential when a handler runs; the handler
reads the verified app and token rows from ``who(ctx)``. In lenient mode they may be rows that
failed a check; where none names the user, ``who.user_pk`` raises the strict answer.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Path, Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_server.core.apps import provider_app
from mock_server.core.context import RequestContext, request_context
from mock_server.providers.appkey.accounts import Accounts
from mock_server.providers.appkey.auth import AppKeyPrincipal
from mock_server.providers.appkey.errors import language_of, render_error
from mock_server.providers.appkey.messages import CREATED, LOGGED_OUT, SUCCESS, resolve_language
from mock_server.providers.appkey.schemas import AddressBody, LoginBody, parse_body

LOGIN_EXAMPLE = '{"username": "demo@example.com", "password": "demo-password"}'
ADDRESS_EXAMPLE = (
    '{"label": "Rumah", "recipient_name": "Budi", "phone": "081234567890", "street": "Jl. Merdeka '
    'No. 1", "city": "Bandung", "province_code": "32", "postal_code": "40111"}'
)


# The request, and through it the accounts: one dependency per handler.
Call = Annotated[RequestContext[Accounts], Depends(request_context)]


def who(ctx: RequestContext[Accounts]) -> AppKeyPrincipal:
    """What auth established for this request: the app, the token rows, the failed checks."""
    if not isinstance(ctx.principal, AppKeyPrincipal):
        raise RuntimeError("the x-app-key routes must run behind the x-app-key auth")
    return ctx.principal


def lang(ctx: RequestContext[Accounts]) -> str:
    """``id`` or ``en``, from x-language as ``render_error`` reads it."""
    return resolve_language(ctx.first_header("x-language"))


AddressId = Annotated[int, Path(ge=1, le=2_147_483_647)]

router = APIRouter()


def ok(
    language: str,
    data: Any,
    *,
    status: int = 200,
    message: dict[str, str] = SUCCESS,
    meta: dict[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"success": True, "message": message[language], "data": data}
    if meta is not None:
        body["meta"] = meta
    return JSONResponse(body, status_code=status)


# -- tokens ----------------------------------------------------------------------------------------
@router.post("/api/v1/auth/login")
async def login(ctx: Call) -> JSONResponse:
    """Log a user in: Bearer <app private key> and {username, password} -> the three tokens."""
    body = parse_body(LoginBody, ctx.body, LOGIN_EXAMPLE)
    data = ctx.backend.log_in(who(ctx), body.username, body.password, ctx.now)
    response = ok(lang(ctx), data)
    # The doc calls it x-user-token: clients may look for it under that name too.
    response.headers["x-user-token"] = data["user_token"]
    return response


@router.post("/api/v1/auth/access-token")
async def new_access_token(ctx: Call) -> JSONResponse:
    """A new access token, for Bearer <refresh_token>."""
    return ok(lang(ctx), ctx.backend.new_access_token(who(ctx), ctx.now))


@router.post("/api/v1/auth/refresh-token")
async def new_refresh_token(ctx: Call) -> JSONResponse:
    """A new refresh token, for Bearer <x-user-token>; the previous one stops working."""
    return ok(lang(ctx), ctx.backend.new_refresh_token(who(ctx), ctx.now))


@router.post("/api/v1/auth/logout")
async def logout(ctx: Call) -> JSONResponse:
    """Revoke every token of this login (access, refresh and x-user-token)."""
    return ok(lang(ctx), ctx.backend.log_out(who(ctx), ctx.now), message=LOGGED_OUT)


# -- the user's data -------------------------------------------------------------------------------
@router.get("/api/v1/users/me")
async def profile(ctx: Call) -> JSONResponse:
    """The profile of the user the x-user-token belongs to."""
    return ok(lang(ctx), ctx.backend.profile(who(ctx)))


@router.get("/api/v1/users/me/addresses")
async def list_addresses(ctx: Call) -> JSONResponse:
    """The user's saved addresses, oldest first."""
    data = ctx.backend.addresses(who(ctx))
    return ok(lang(ctx), data, meta={"total": len(data)})


@router.post("/api/v1/users/me/addresses", status_code=201)
async def create_address(ctx: Call) -> JSONResponse:
    """Save a new address for the user."""
    body = parse_body(AddressBody, ctx.body, ADDRESS_EXAMPLE)
    return ok(
        lang(ctx), ctx.backend.create_address(who(ctx), body, ctx.now), status=201, message=CREATED
    )


@router.get("/api/v1/users/me/addresses/{address_id}")
async def get_address(address_id: AddressId, ctx: Call) -> JSONResponse:
    """One of the user's addresses. Another user's address is 404, as if it did not exist."""
    return ok(lang(ctx), ctx.backend.address(who(ctx), address_id))


# -- app-level data: the access token alone --------------------------------------------------------
@router.get("/api/v1/provinces")
async def list_provinces(ctx: Call) -> JSONResponse:
    """Indonesia's provinces (Kemendagri codes): app-level data, no x-user-token needed."""
    data = ctx.backend.provinces()
    return ok(lang(ctx), data, meta={"total": len(data)})


@router.get("/api/v1/provinces/{code}")
async def get_province(code: Annotated[str, Path(max_length=8)], ctx: Call) -> JSONResponse:
    """One province by its two-digit code."""
    return ok(lang(ctx), ctx.backend.province(code))


class ContentLanguage:
    """Says on every response which language it used (``render_error`` already does on errors)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        lang = b"en" if language_of(Request(scope)) == "en" else b"id"

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                if not any(name.lower() == b"content-language" for name, _ in headers):
                    headers += [(b"content-language", lang), (b"vary", b"x-language")]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_language)


def build_app(accounts: Accounts) -> FastAPI:
    app = provider_app(
        [router],
        render_error,
        title="x-app-key partner API (sandbox)",
        summary="App key, request id, language, and access / refresh / user tokens.",
        openapi_url=None,
    )
    app.add_middleware(ContentLanguage)
    return app
