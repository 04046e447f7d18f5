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

Lenient mode (``/__admin/providers/appkey/control``): each failed check is noted instead of
raised, and auth goes on with every check it can still run. It stops early only without a known
``x-app-key`` (every later check is relative to the app). A token that fails a check past
"on record" (wrong kind, another app's, revoked, expired) still names its login, so the request is
served for that user; x-user-token names the user where both tokens do. Where no token names a
user (none sent, tampered, unknown), a handler that needs one answers what strict mode would have:
the first failed check. The x-request-id of a served request is consumed, as any served one is.
Auth runs before routing (a gateway's order): the requirement is chosen by path. An unknown path
takes any genuine credential of the app, then gets 404; without one it gets the 401.
"""

import hashlib
import hmac
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam

from mock_server.core.clock import isoformat_z
from mock_server.core.errors import ProviderError
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
    """What a handler learns from auth: the app, and the token rows that identify the user.

    In strict mode every row here verified. In lenient mode a row may be one that failed a check
    (wrong kind, revoked, expired, another app's) but still names a login, so the request can be
    served; ``failed`` lists every check that failed, in order. Where nothing names the app or
    the user, reading ``app_key``, ``user_pk`` or ``session_id`` raises what strict mode would
    have answered (the first failed check): there is no data to serve, and guessing a user would
    serve someone else's.
    """

    app: str | None  # None only in lenient mode, when x-app-key was missing or unknown
    bearer: Any  # the AppKeyToken row of the bearer; None on login (the private key)
    user: Any  # the AppKeyToken row of x-user-token, where one was required
    failed: tuple[ProviderError, ...] = ()

    def unidentified(self) -> ProviderError:
        if self.failed:
            return self.failed[0]
        # Unreachable in practice (an unidentifiable request always failed a check); a 401
        # rather than a 500 if it ever happens.
        return AppKeyError(401, "authorization_missing")

    @property
    def app_key(self) -> str:
        if self.app is None:
            raise self.unidentified()
        return self.app

    def _row(self) -> Any:
        # x-user-token names the user where it is required; else the bearer's login does.
        row = self.user if self.user is not None else self.bearer
        if row is None:
            raise self.unidentified()
        return row

    @property
    def user_pk(self) -> int:
        return int(self._row().user_pk)

    @property
    def session_id(self) -> str:
        return str(self._row().session_id)


class Handoff:
    """Passes each request's Principal from auth to the handler.

    The pipeline calls auth with an ``Incoming`` (no ASGI scope), then the app at once; the app's
    outermost layer pops the entry by journal id into ``scope["state"]``. A request rejected after
    auth (the per-client rate limit's 429) never reaches the app, so its entry is never popped:
    entries older than ``STALE_SECONDS`` are dropped on the next ``put``, keeping the map to the
    requests in flight instead of growing with every rate-limited request.
    """

    STALE_SECONDS = 30.0  # far beyond the microseconds between auth and the app

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self._now = now
        self._by_record: dict[str, tuple[float, Principal]] = {}

    def put(self, record_id: str, principal: Principal) -> None:
        now = self._now()
        # Insertion order is age order: drop from the oldest until a fresh one.
        while self._by_record:
            oldest = next(iter(self._by_record))
            if now - self._by_record[oldest][0] < self.STALE_SECONDS:
                break
            del self._by_record[oldest]
        self._by_record[record_id] = (now, principal)

    def pop(self, record_id: str) -> Principal | None:
        entry = self._by_record.pop(record_id, None)
        return entry[1] if entry else None

    def __len__(self) -> int:
        return len(self._by_record)


def build_authenticate(ctx: ProviderContext, tokens: TokenStore, handoff: Handoff) -> Authenticate:
    apps = AppKeyApp.__table__
    select_app = ctx.db.prepare(
        apps.select().where(apps.c.app_key == bindparam("app_key"))  # type: ignore[attr-defined]
    )
    # Apps are read on every request; a 1 s cache keeps that off the hot path.
    app_cache = ctx.db.cache(ttl=1.0)

    async def authenticate(req: Incoming) -> str | None:
        # Every failed check goes through `check.reject`, i.e. req.reject: it raises in strict
        # mode; in lenient mode it notes the failure and auth goes on, returning early only where
        # nothing can follow. The handler always gets a Principal, so it can answer even then.
        check = Checks(req)
        principal = await run_checks(req, check)
        handoff.put(req.record.id, principal)
        return principal.app

    async def run_checks(req: Incoming, check: "Checks") -> Principal:
        headers = req.headers
        need = requirement_for(req.path)
        operation = f"{req.method} {req.path}"
        app_key = headers.get("x-app-key", "").strip()
        if not app_key:
            check.reject(AppKeyError(401, "app_key_missing", diagnosis={"header": "x-app-key"}))
            return check.principal(None)  # every later check is relative to the app
        app = app_cache.get(app_key, lambda: select_app.first(app_key=app_key))
        if app is None or not app.active:
            rule = "app_key_unknown" if app is None else "app_key_inactive"
            check.reject(
                AppKeyError(
                    401,
                    rule,
                    diagnosis={"app_key": app_key[:128], "registered": app is not None}
                    | ({} if app is None else {"active": False}),
                )
            )
            if app is None:
                return check.principal(None)  # no private key, no tokens to hold it against
        req.record.client_id = app_key

        request_id = headers.get("x-request-id", "").strip()
        if not request_id:
            check.reject(
                AppKeyError(400, "request_id_missing", diagnosis={"header": "x-request-id"})
            )
        elif len(request_id) > 128:
            check.reject(
                AppKeyError(
                    400,
                    "request_id_format",
                    details=both(
                        f"x-request-id maksimal 128 karakter, diterima {len(request_id)}",
                        f"x-request-id is at most 128 characters, got {len(request_id)}",
                    ),
                    diagnosis={"header": "x-request-id", "length": len(request_id), "max": 128},
                )
            )

        authorization = headers.get("authorization", "").strip()
        bearer = ""
        if not authorization:
            check.reject(
                AppKeyError(
                    401,
                    "authorization_missing",
                    diagnosis={"operation": operation, "expected_kind": need.bearer},
                )
            )
        else:
            scheme, _, bearer = authorization.partition(" ")
            bearer = bearer.strip()
            if scheme.lower() != "bearer" or not bearer:
                # The scheme is shown only when it looks like one: it may be the token itself.
                check.reject(
                    AppKeyError(
                        401,
                        "authorization_scheme",
                        diagnosis={
                            "scheme": scheme if scheme.isalpha() and len(scheme) <= 16 else None,
                            "expected": "Bearer <token>",
                            "expected_kind": need.bearer,
                        },
                    )
                )
                # Lenient only: a credential sent without "Bearer " is still worth checking.
                bearer = bearer or scheme

        now = ctx.clock.timestamp()
        bearer_row = None
        if bearer:
            is_private_key = hmac.compare_digest(
                hashlib.sha256(bearer.encode("utf-8", "surrogateescape")).hexdigest(),
                app.private_key_sha256,
            )
            if need.bearer == "private_key":
                if not is_private_key:
                    presented = kind_of(bearer)
                    if presented is not None:
                        check.reject(_wrong_kind(req, "Authorization", "private_key", presented))
                    else:
                        check.reject(
                            AppKeyError(
                                401,
                                "private_key",
                                details=both(
                                    "Bearer pada login harus private key aplikasi untuk "
                                    "x-app-key ini",
                                    "on login the bearer must be the private key of this x-app-key",
                                ),
                                diagnosis={
                                    "app_key": app_key[:128],
                                    "presented_fingerprint": fingerprint(bearer),
                                    "expected_fingerprint": key_fingerprint(app.private_key_sha256),
                                },
                            )
                        )
            elif need.bearer == "any":
                if not is_private_key:
                    bearer_row = verify_token(
                        tokens, bearer, None, "Authorization", check, app_key, now
                    )
            elif is_private_key:
                check.reject(_wrong_kind(req, "Authorization", need.bearer, "private_key"))
            else:
                bearer_row = verify_token(
                    tokens, bearer, need.bearer, "Authorization", check, app_key, now
                )

        user_row = None
        if need.user_token:
            user_token = headers.get("x-user-token", "").strip()
            if not user_token:
                # Lenient: the bearer's login still names the user, so the request can be served.
                check.reject(
                    AppKeyError(
                        401,
                        "user_token_missing",
                        details=both(
                            f"{req.method} {req.path} mengakses data milik pengguna",
                            f"{req.method} {req.path} reads or changes data that belongs to a user",
                        ),
                        diagnosis={
                            "header": "x-user-token",
                            "operation": operation,
                            "required_on": "/api/v1/users/... and POST /api/v1/auth/logout",
                        },
                    )
                )
            else:
                user_row = verify_token(
                    tokens, user_token, "user", "x-user-token", check, app_key, now
                )
            if (
                bearer_row is not None
                and user_row is not None
                and bearer_row.user_pk != user_row.user_pk
            ):
                # Lenient: x-user-token wins, as it is the header that names the user.
                check.reject(
                    AppKeyError(
                        401,
                        "user_token_mismatch",
                        diagnosis={
                            "access_token_session": bearer_row.session_id,
                            "user_token_session": user_row.session_id,
                        },
                    )
                )

        # Strict mode gets here only once every credential verified, so a rejected request never
        # burns its id. Lenient mode serves the request, so it consumes the id like any served
        # one (a malformed or missing id has nothing to consume).
        consumable = bool(request_id) and len(request_id) <= 128
        if consumable and not await ctx.replay.consume("appkey", app_key, request_id, now):
            check.reject(
                AppKeyError(
                    409,
                    "replay",
                    details=both(
                        f"x-request-id {request_id} sudah dipakai oleh aplikasi ini",
                        f"x-request-id {request_id} was already used by this app",
                    ),
                    diagnosis={"request_id": request_id, "app_key": app_key[:128]},
                )
            )
        return check.principal(app_key, bearer_row, user_row)

    return authenticate


class Checks:
    """Reports failed checks through ``Incoming.reject`` and keeps them, so that a handler that
    cannot identify its data in lenient mode can answer what strict mode would have."""

    def __init__(self, req: Incoming) -> None:
        self.req = req
        self.failed: list[ProviderError] = []

    def reject(self, err: ProviderError) -> None:
        self.failed.append(err)
        self.req.reject(err)  # raises in strict mode

    def principal(self, app: str | None, bearer: Any = None, user: Any = None) -> Principal:
        return Principal(app, bearer, user, tuple(self.failed))


def key_fingerprint(private_key_sha256: str) -> str:
    """``fingerprint(private_key)`` from the stored SHA-256 alone: ``core.redact.fingerprint`` is
    the first 12 hex digits of the SHA-256, and only that hash is stored, never the key."""
    return "sha256:" + private_key_sha256[:12]


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
        diagnosis={
            "header": where,
            "expected_kind": expected,
            "presented_kind": presented,
            "operation": f"{req.method} {req.path}",
        },
    )


def verify_token(
    tokens: TokenStore,
    text: str,
    expected: str | None,
    where: str,
    check: Checks,
    app_key: str,
    now: float,
) -> Any:
    """The token's row, once it is intact, on record, the right kind (``expected``; None: any),
    this app's, and live.

    Lenient mode: a tampered or unknown token has no row, so None; past those, every failing
    check is reported and the row is returned, since it still names a login and a user."""
    req = check.req
    diagnosis: dict[str, Any] = {
        "header": where,
        "expected_kind": expected,
        "token_fingerprint": fingerprint(text),
    }
    claimed = kind_of(text)
    if claimed is None:
        check.reject(
            AppKeyError(
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
        )
        return None
    row = tokens.find(text)
    if row is None:
        check.reject(
            AppKeyError(
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
        )
        return None
    if expected is not None and row.kind != expected:
        check.reject(_wrong_kind(req, where, expected, row.kind))
    diagnosis |= {
        "presented_kind": row.kind,
        "session_id": row.session_id,
        "issued_at": isoformat_z_ts(row.issued_at),
    }
    if row.app_key != app_key:
        check.reject(
            AppKeyError(
                401,
                "token_other_app",
                details=both(
                    f"token di {where} diterbitkan untuk x-app-key lain",
                    f"the token in {where} was issued to another x-app-key",
                ),
                diagnosis=diagnosis | {"issued_to": row.app_key, "presented_with": app_key},
            )
        )
    name = KIND_NAMES[row.kind]
    if row.revoked_at is not None:
        at = isoformat_z_ts(row.revoked_at)
        if row.revoked_reason == "rotated":
            details = both(
                f"{name['id']} di {where} telah diganti refresh token baru pada {at}",
                f"the {name['en']} in {where} was replaced by a newer one at {at}",
            )
            revoked_by = "POST /api/v1/auth/refresh-token (a newer refresh token replaced it)"
        else:
            details = both(
                f"{name['id']} di {where} dicabut saat logout pada {at}",
                f"the {name['en']} in {where} was revoked by a logout at {at}",
            )
            revoked_by = "POST /api/v1/auth/logout (the login it belongs to was ended)"
        check.reject(
            AppKeyError(
                401,
                "token_revoked",
                details=details,
                diagnosis=diagnosis
                | {"revoked_at": at, "reason": row.revoked_reason, "revoked_by": revoked_by},
            )
        )
    if now >= row.expires_at:
        at = isoformat_z_ts(row.expires_at)
        ago = int(now - row.expires_at)
        hint = RENEW_HINT[row.kind]
        check.reject(
            AppKeyError(
                401,
                "token_expired",
                details=both(
                    f"{name['id']} di {where} kedaluwarsa pada {at} menurut jam sandbox "
                    f"({ago} detik lalu); {hint['id']}",
                    f"the {name['en']} in {where} expired at {at} by the sandbox clock "
                    f"({ago} s ago); {hint['en']}",
                ),
                diagnosis=diagnosis
                | {
                    "expired_at": at,
                    "sandbox_now": isoformat_z_ts(now),
                    "expired_seconds_ago": ago,
                },
            )
        )
    return row


def isoformat_z_ts(timestamp: float) -> str:
    return isoformat_z(datetime.fromtimestamp(timestamp, UTC))
