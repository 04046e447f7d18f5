"""x-app-key request authentication, checked in this order (the mock's choice; the doc lists
the headers but no order):

1. ``x-app-key`` present, known and active       -> 401 APP_KEY_MISSING / _UNKNOWN / _INACTIVE
   First, because it names the client: every later check (the private key, whose tokens,
   whose request ids) is relative to it.
2. ``x-request-id`` present (at most 128 chars)  -> 400 REQUEST_ID_MISSING / REQUEST_ID_FORMAT
   Checked early because it is free; *consumed* only at step 6.
3. ``Authorization: Bearer <token>`` present     -> 401 AUTHORIZATION_MISSING / _SCHEME
4. the bearer is the kind this operation takes (see ``REQUIREMENTS``):
   the app's private key on login                -> 401 PRIVATE_KEY
   a token: intact (its tag verifies)            -> 401 TOKEN_TAMPERED
            on record                            -> 401 TOKEN_UNKNOWN
            of the expected kind                 -> 401 TOKEN_KIND (names the kind expected)
            issued to this app key               -> 401 TOKEN_OTHER_APP
            not revoked (rotated, logged out)    -> 401 TOKEN_REVOKED
            not expired by the sandbox clock     -> 401 TOKEN_EXPIRED
   Kind before state: a token of the wrong kind is the caller's bug whatever its state, and
   saying so is what fixes it. Revoked before expired: revocation is the reason it died.
5. ``x-user-token`` where data belongs to a user: present, then the same token checks as the
   bearer, and the same user as the access token  -> 401 USER_TOKEN_MISSING / USER_TOKEN_MISMATCH
6. ``x-request-id`` not used before by this app  -> 409 REPLAY
   Only once every credential verified, so a rejected request never burns an id.

``x-language`` never rejects: an unsupported value falls back to ``id``.
Auth runs before routing (a gateway's order): the requirement is chosen by path. An unknown path
takes any genuine credential of the app, then gets 404; without one it gets the 401.
"""

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam

from mock_server.core.clock import isoformat_z
from mock_server.core.pipeline import Incoming
from mock_server.core.provider import Authenticate, ProviderContext
from mock_server.core.redact import fingerprint
from mock_server.providers.appkey.errors import AppKeyError
from mock_server.providers.appkey.messages import KIND_NAMES, both, token_kind_message
from mock_server.providers.appkey.models import AppKeyApp
from mock_server.providers.appkey.tokens import TokenStore, kind_of

API = "/api/v1"


@dataclass(frozen=True)
class Requirement:
    bearer: str  # private_key, access, refresh or user
    user_token: bool = False


# By path, whatever the method: a wrong method on a known path is checked as that path, then 405.
REQUIREMENTS: tuple[tuple[re.Pattern[str], Requirement], ...] = tuple(
    (re.compile(pattern), requirement)
    for pattern, requirement in (
        (rf"{API}/auth/login", Requirement("private_key")),
        (rf"{API}/auth/access-token", Requirement("refresh")),
        (rf"{API}/auth/refresh-token", Requirement("user")),
        (rf"{API}/auth/logout", Requirement("access", user_token=True)),
        # the profile and everything the user owns
        (rf"{API}/users/me(/.*)?", Requirement("access", user_token=True)),
        # app-level data: the access token alone
        (rf"{API}/provinces(/[^/]*)?", Requirement("access")),
    )
)
# Anywhere else no operation is known, so no kind can be expected: any genuine credential of
# this app (its private key or a live token of any kind) passes, and the router answers 404.
UNKNOWN_PATH = Requirement("any")

RENEW_HINT = {
    "access": both(
        "minta access token baru: POST /api/v1/auth/access-token dengan Bearer refresh token",
        "get a new one: POST /api/v1/auth/access-token with Bearer <refresh_token>",
    ),
    "refresh": both(
        "minta refresh token baru: POST /api/v1/auth/refresh-token dengan Bearer x-user-token",
        "get a new one: POST /api/v1/auth/refresh-token with Bearer <x-user-token>",
    ),
    "user": both("login ulang: POST /api/v1/auth/login", "log in again: POST /api/v1/auth/login"),
}


def requirement_for(path: str) -> Requirement:
    path = path.rstrip("/") or "/"
    for pattern, requirement in REQUIREMENTS:
        if pattern.fullmatch(path):
            return requirement
    return UNKNOWN_PATH


@dataclass(frozen=True)
class Principal:
    """What a handler learns from auth: the app, and the verified token rows."""

    app_key: str
    bearer: Any  # the AppKeyToken row of the bearer; None on login (the private key)
    user: Any  # the AppKeyToken row of x-user-token, where one was required

    @property
    def user_pk(self) -> int:
        row = self.user if self.user is not None else self.bearer
        return int(row.user_pk)

    @property
    def session_id(self) -> str:
        row = self.user if self.user is not None else self.bearer
        return str(row.session_id)


class Handoff:
    """Passes each request's Principal from auth to the handler.

    The pipeline calls auth with an ``Incoming`` (no ASGI scope), then the app at once; the app's
    outermost layer pops the entry by journal id into ``scope["state"]``, so nothing lingers.
    """

    def __init__(self) -> None:
        self._by_record: dict[str, Principal] = {}

    def put(self, record_id: str, principal: Principal) -> None:
        self._by_record[record_id] = principal

    def pop(self, record_id: str) -> Principal | None:
        return self._by_record.pop(record_id, None)

    def __len__(self) -> int:
        return len(self._by_record)


def build_authenticate(ctx: ProviderContext, tokens: TokenStore, handoff: Handoff) -> Authenticate:
    apps = AppKeyApp.__table__
    select_app = ctx.db.prepare(
        apps.select().where(apps.c.app_key == bindparam("app_key"))  # type: ignore[attr-defined]
    )
    # Apps are read on every request; a 1 s cache keeps that off the hot path.
    app_cache = ctx.db.cache(ttl=1.0)

    async def authenticate(req: Incoming) -> str:
        headers = req.headers
        app_key = headers.get("x-app-key", "").strip()
        if not app_key:
            raise AppKeyError(401, "app_key_missing")
        app = app_cache.get(app_key, lambda: select_app.first(app_key=app_key))
        if app is None or not app.active:
            rule = "app_key_unknown" if app is None else "app_key_inactive"
            raise AppKeyError(401, rule, diagnosis={"app_key": app_key[:128]})
        req.record.client_id = app_key

        request_id = headers.get("x-request-id", "").strip()
        if not request_id:
            raise AppKeyError(400, "request_id_missing")
        if len(request_id) > 128:
            raise AppKeyError(
                400,
                "request_id_format",
                details=both(
                    f"x-request-id maksimal 128 karakter, diterima {len(request_id)}",
                    f"x-request-id is at most 128 characters, got {len(request_id)}",
                ),
            )

        authorization = headers.get("authorization", "").strip()
        if not authorization:
            raise AppKeyError(401, "authorization_missing")
        scheme, _, bearer = authorization.partition(" ")
        bearer = bearer.strip()
        if scheme.lower() != "bearer" or not bearer:
            raise AppKeyError(401, "authorization_scheme", diagnosis={"scheme": scheme[:16]})

        need = requirement_for(req.path)
        now = ctx.clock.timestamp()
        is_private_key = hmac.compare_digest(
            hashlib.sha256(bearer.encode("utf-8", "surrogateescape")).hexdigest(),
            app.private_key_sha256,
        )
        bearer_row = None
        if need.bearer == "private_key":
            if not is_private_key:
                presented = kind_of(bearer)
                if presented is not None:
                    raise _wrong_kind(req, "Authorization", "private_key", presented)
                raise AppKeyError(
                    401,
                    "private_key",
                    details=both(
                        "Bearer pada login harus private key aplikasi untuk x-app-key ini",
                        "on login the bearer must be the private key of this x-app-key",
                    ),
                    diagnosis={"presented_fingerprint": fingerprint(bearer)},
                )
        elif need.bearer == "any":
            if not is_private_key:
                bearer_row = verify_token(tokens, bearer, None, "Authorization", req, app_key, now)
        else:
            if is_private_key:
                raise _wrong_kind(req, "Authorization", need.bearer, "private_key")
            bearer_row = verify_token(
                tokens, bearer, need.bearer, "Authorization", req, app_key, now
            )

        user_row = None
        if need.user_token:
            user_token = headers.get("x-user-token", "").strip()
            if not user_token:
                raise AppKeyError(
                    401,
                    "user_token_missing",
                    details=both(
                        f"{req.method} {req.path} mengakses data milik pengguna",
                        f"{req.method} {req.path} reads or changes data that belongs to a user",
                    ),
                )
            user_row = verify_token(tokens, user_token, "user", "x-user-token", req, app_key, now)
            if bearer_row is not None and bearer_row.user_pk != user_row.user_pk:
                raise AppKeyError(
                    401,
                    "user_token_mismatch",
                    diagnosis={
                        "access_token_session": bearer_row.session_id,
                        "user_token_session": user_row.session_id,
                    },
                )

        if not await ctx.replay.consume("appkey", app_key, request_id, now):
            raise AppKeyError(
                409,
                "replay",
                details=both(
                    f"x-request-id {request_id[:128]} sudah dipakai oleh aplikasi ini",
                    f"x-request-id {request_id[:128]} was already used by this app",
                ),
                diagnosis={"request_id": request_id[:128]},
            )
        handoff.put(req.record.id, Principal(app_key, bearer_row, user_row))
        return app_key

    return authenticate


def _wrong_kind(req: Incoming, where: str, expected: str, presented: str) -> AppKeyError:
    names_expected, names_presented = KIND_NAMES[expected], KIND_NAMES[presented]
    return AppKeyError(
        401,
        "token_kind",
        token_kind_message(expected),
        both(
            f"{where} berisi {names_presented['id']}; {req.method} {req.path} "
            f"memerlukan {names_expected['id']}",
            f"{where} carries {names_presented['en']}; {req.method} {req.path} "
            f"requires {names_expected['en']}",
        ),
        diagnosis={"header": where, "expected_kind": expected, "presented_kind": presented},
    )


def verify_token(
    tokens: TokenStore,
    text: str,
    expected: str | None,
    where: str,
    req: Incoming,
    app_key: str,
    now: float,
) -> Any:
    """The token's row, once it is intact, on record, the right kind (``expected``; None: any),
    this app's, and live."""
    diagnosis: dict[str, Any] = {
        "header": where,
        "expected_kind": expected,
        "token_fingerprint": fingerprint(text),
    }
    claimed = kind_of(text)
    if claimed is None:
        raise AppKeyError(
            401,
            "token_tampered",
            details=both(
                f"token di {where} bukan token dari API ini, atau isinya telah diubah "
                "(tanda tangannya tidak cocok)",
                f"the token in {where} is not one this API issued, or it was altered "
                "(its tag does not verify)",
            ),
            diagnosis=diagnosis,
        )
    row = tokens.find(text)
    if row is None:
        raise AppKeyError(
            401,
            "token_unknown",
            details=both(
                f"token di {where} utuh tetapi tidak tercatat: diterbitkan sebelum sandbox "
                "di-reset; login ulang",
                f"the token in {where} is intact but not on record: it was issued before the "
                "sandbox was reset; log in again",
            ),
            diagnosis=diagnosis | {"presented_kind": claimed},
        )
    if expected is not None and row.kind != expected:
        raise _wrong_kind(req, where, expected, row.kind)
    diagnosis |= {"session_id": row.session_id, "issued_at": isoformat_z_ts(row.issued_at)}
    if row.app_key != app_key:
        raise AppKeyError(
            401,
            "token_other_app",
            details=both(
                f"token di {where} diterbitkan untuk x-app-key lain",
                f"the token in {where} was issued to another x-app-key",
            ),
            diagnosis=diagnosis,
        )
    name = KIND_NAMES[row.kind]
    if row.revoked_at is not None:
        at = isoformat_z_ts(row.revoked_at)
        if row.revoked_reason == "rotated":
            details = both(
                f"{name['id']} di {where} telah diganti refresh token baru pada {at}",
                f"the {name['en']} in {where} was replaced by a newer one at {at}",
            )
        else:
            details = both(
                f"{name['id']} di {where} dicabut saat logout pada {at}",
                f"the {name['en']} in {where} was revoked by a logout at {at}",
            )
        raise AppKeyError(
            401,
            "token_revoked",
            details=details,
            diagnosis=diagnosis | {"revoked_at": at, "reason": row.revoked_reason},
        )
    if now >= row.expires_at:
        at = isoformat_z_ts(row.expires_at)
        ago = int(now - row.expires_at)
        hint = RENEW_HINT[row.kind]
        raise AppKeyError(
            401,
            "token_expired",
            details=both(
                f"{name['id']} di {where} kedaluwarsa pada {at} menurut jam sandbox "
                f"({ago} detik lalu); {hint['id']}",
                f"the {name['en']} in {where} expired at {at} by the sandbox clock "
                f"({ago} s ago); {hint['en']}",
            ),
            diagnosis=diagnosis
            | {"expired_at": at, "sandbox_now": isoformat_z_ts(now), "expired_seconds_ago": ago},
        )
    return row


def isoformat_z_ts(timestamp: float) -> str:
    return isoformat_z(datetime.fromtimestamp(timestamp, UTC))
