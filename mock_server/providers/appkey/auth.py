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

Every rejection is an ``AppKeyError``, whose message and detail exist in both languages and
whose diagnosis names the header and token kind at fault. The shared steps of ``core/auth.py``
build single-language ``ProviderError``s with their own details, so of them only ``parse_bearer``
(which rejects nothing) is used; the id is consumed with ``RequestContext.consume_request_id``.

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

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from mock_server.core import auth
from mock_server.core.clock import isoformat_z
from mock_server.core.compare import constant_time_equal
from mock_server.core.context import Principal, RequestContext
from mock_server.core.errors import ProviderError
from mock_server.core.provider import Authenticate
from mock_server.core.redact import fingerprint
from mock_server.providers.appkey.accounts import Accounts
from mock_server.providers.appkey.errors import AppKeyError
from mock_server.providers.appkey.messages import KIND_NAMES, both, token_kind_message
from mock_server.providers.appkey.signing import requirement_for
from mock_server.providers.appkey.tokens import kind_of, sha256_hex

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


@dataclass(frozen=True)
class AppKeyPrincipal(Principal):
    """What a handler learns from auth: the app (``client_id``, its x-app-key), and the token
    rows that identify the user. ``credential`` is the bearer the operation takes (``private_key``,
    ``access``, ``refresh``, ``user``; ``any`` on an unknown path).

    In strict mode every row here verified. In lenient mode a row may be one that failed a check
    (wrong kind, revoked, expired, another app's) but still names a login, so the request can be
    served; ``failed`` lists every check that failed, in order. Where nothing names the app or
    the user, reading ``app_key``, ``user_pk`` or ``session_id`` raises what strict mode would
    have answered (the first failed check): there is no data to serve, and guessing a user would
    serve someone else's.
    """

    bearer: Any = None  # the AppKeyToken row of the bearer; None on login (the private key)
    user: Any = None  # the AppKeyToken row of x-user-token, where one was required
    failed: tuple[ProviderError, ...] = ()

    def unidentified(self) -> ProviderError:
        if self.failed:
            return self.failed[0]
        # Unreachable in practice (an unidentifiable request always failed a check); a 401
        # rather than a 500 if it ever happens.
        return AppKeyError(401, "authorization_missing")

    @property
    def app_key(self) -> str:
        if self.client_id is None:
            raise self.unidentified()
        return self.client_id

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


def build_authenticate(accounts: Accounts) -> Authenticate:
    async def authenticate(req: RequestContext[Any]) -> AppKeyPrincipal:
        # Every failed check goes through `check.reject`, i.e. req.reject: it raises in strict
        # mode; in lenient mode it notes the failure and auth goes on, returning early only where
        # nothing can follow. The handler always gets a principal, so it can answer even then.
        check = Checks(req, accounts)
        app = check.app_key()
        if app is None:
            return check.principal(None)  # every later check is relative to the app
        req.identify(app.app_key)
        request_id = check.request_id()
        bearer = check.bearer(app, check.authorization())
        user = check.user_token(app, bearer) if check.need.user_token else None
        await check.request_id_unused(app.app_key, request_id)
        return check.principal(app.app_key, bearer, user)

    return authenticate


class Checks:
    """One request's checks, each a step of the documented order. Failures go through
    ``RequestContext.reject`` and are kept, so that a handler that cannot identify its data in
    lenient mode can answer what strict mode would have."""

    def __init__(self, req: RequestContext[Any], accounts: Accounts) -> None:
        self.req = req
        self.accounts = accounts
        self.need = requirement_for(req.path)
        self.operation = f"{req.method} {req.path}"
        self.failed: list[ProviderError] = []

    def reject(self, err: ProviderError) -> None:
        self.failed.append(err)
        self.req.reject(err)  # raises in strict mode

    def principal(
        self, app_key: str | None, bearer: Any = None, user: Any = None
    ) -> AppKeyPrincipal:
        return AppKeyPrincipal(
            client_id=app_key,
            credential=self.need.bearer,
            bearer=bearer,
            user=user,
            failed=tuple(self.failed),
        )

    # -- 1. x-app-key ------------------------------------------------------------------------------
    def app_key(self) -> Any:
        """The app's row (inactive too, in lenient mode), or None when there is none."""
        app_key = self.req.headers.get("x-app-key", "").strip()
        if not app_key:
            self.reject(AppKeyError(401, "app_key_missing", diagnosis={"header": "x-app-key"}))
            return None
        app = self.accounts.app(app_key)
        if app is None or not app.active:
            self.reject(
                AppKeyError(
                    401,
                    "app_key_unknown" if app is None else "app_key_inactive",
                    diagnosis={"app_key": app_key[:128], "registered": app is not None}
                    | ({} if app is None else {"active": False}),
                )
            )
        return app

    # -- 2. x-request-id, present --------------------------------------------------------------
    def request_id(self) -> str:
        """The request id to consume at step 6; "" when it is missing or malformed."""
        request_id = self.req.headers.get("x-request-id", "").strip()
        if not request_id:
            self.reject(
                AppKeyError(400, "request_id_missing", diagnosis={"header": "x-request-id"})
            )
        elif len(request_id) > 128:
            self.reject(request_id_too_long(len(request_id)))
            return ""
        return request_id

    # -- 3. Authorization: Bearer --------------------------------------------------------------
    def authorization(self) -> str:
        """The credential Authorization carries; "" when there is none to check."""
        authorization = self.req.headers.get("authorization", "").strip()
        if not authorization:
            self.reject(
                AppKeyError(
                    401,
                    "authorization_missing",
                    diagnosis={"operation": self.operation, "expected_kind": self.need.bearer},
                )
            )
            return ""
        scheme, bearer = auth.parse_bearer(authorization)
        if bearer:
            return bearer
        self.reject(not_a_bearer(scheme, self.need.bearer))
        # Lenient only: a credential sent without "Bearer " is still worth checking.
        return authorization.partition(" ")[2].strip() or scheme

    # -- 4. the bearer this operation takes ----------------------------------------------------
    def bearer(self, app: Any, text: str) -> Any:
        """The bearer's token row; None for the private key, or when no row verified."""
        if not text:
            return None
        is_private_key = constant_time_equal(sha256_hex(text), app.private_key_sha256)
        expected = self.need.bearer
        if expected == "private_key":
            if not is_private_key:
                self.reject(self.not_the_private_key(app, text))
            return None
        if is_private_key:
            if expected != "any":
                self.reject(self.wrong_kind("Authorization", expected, "private_key"))
            return None
        return self.token(text, None if expected == "any" else expected, "Authorization", app)

    def not_the_private_key(self, app: Any, text: str) -> AppKeyError:
        presented = kind_of(text)
        if presented is not None:  # one of this API's tokens: say which kind login takes
            return self.wrong_kind("Authorization", "private_key", presented)
        return AppKeyError(
            401,
            "private_key",
            details=both(
                "Bearer pada login harus private key aplikasi untuk x-app-key ini",
                "on login the bearer must be the private key of this x-app-key",
            ),
            diagnosis={
                "app_key": app.app_key[:128],
                "presented_fingerprint": fingerprint(text),
                "expected_fingerprint": key_fingerprint(app.private_key_sha256),
            },
        )

    def token(self, text: str, expected: str | None, where: str, app: Any) -> Any:
        """The token's row, once it is intact, on record, the right kind (``expected``; None:
        any), this app's, and live.

        Lenient mode: a tampered or unknown token has no row, so None; past those, every failing
        check is reported and the row is returned, since it still names a login and a user."""
        facts: dict[str, Any] = {
            "header": where,
            "expected_kind": expected,
            "token_fingerprint": fingerprint(text),
        }
        claimed = kind_of(text)
        if claimed is None:
            self.reject(token_tampered(where, facts))
            return None
        row = self.accounts.tokens.find(text)
        if row is None:
            self.reject(token_unknown(where, facts | {"presented_kind": claimed}))
            return None
        if expected is not None and row.kind != expected:
            self.reject(self.wrong_kind(where, expected, row.kind))
        facts |= {
            "presented_kind": row.kind,
            "session_id": row.session_id,
            "issued_at": isoformat_z_ts(row.issued_at),
        }
        if row.app_key != app.app_key:
            self.reject(token_other_app(where, facts, app.app_key, row.app_key))
        if row.revoked_at is not None:
            self.reject(token_revoked(row, where, facts))
        if self.req.now >= row.expires_at:
            self.reject(token_expired(row, where, facts, self.req.now))
        return row

    def wrong_kind(self, where: str, expected: str, presented: str) -> AppKeyError:
        names_expected, names_presented = KIND_NAMES[expected], KIND_NAMES[presented]
        return AppKeyError(
            401,
            "token_kind",
            token_kind_message(expected),
            both(
                f"{where} berisi {names_presented['id']}; {self.operation} "
                f"memerlukan {names_expected['id']}",
                f"{where} carries {names_presented['en']}; {self.operation} "
                f"requires {names_expected['en']}",
            ),
            diagnosis={
                "header": where,
                "expected_kind": expected,
                "presented_kind": presented,
                "operation": self.operation,
            },
        )

    # -- 5. x-user-token, where data belongs to a user -----------------------------------------
    def user_token(self, app: Any, bearer: Any) -> Any:
        """The x-user-token's row, or None; it must name the bearer's user."""
        text = self.req.headers.get("x-user-token", "").strip()
        if not text:
            # Lenient: the bearer's login still names the user, so the request can be served.
            self.reject(self.user_token_missing())
            return None
        user = self.token(text, "user", "x-user-token", app)
        if bearer is not None and user is not None and bearer.user_pk != user.user_pk:
            # Lenient: x-user-token wins, as it is the header that names the user.
            self.reject(
                AppKeyError(
                    401,
                    "user_token_mismatch",
                    diagnosis={
                        "access_token_session": bearer.session_id,
                        "user_token_session": user.session_id,
                    },
                )
            )
        return user

    def user_token_missing(self) -> AppKeyError:
        return AppKeyError(
            401,
            "user_token_missing",
            details=both(
                f"{self.operation} mengakses data milik pengguna",
                f"{self.operation} reads or changes data that belongs to a user",
            ),
            diagnosis={
                "header": "x-user-token",
                "operation": self.operation,
                "required_on": "/api/v1/users/... and POST /api/v1/auth/logout",
            },
        )

    # -- 6. x-request-id, unused -----------------------------------------------------------------
    async def request_id_unused(self, app_key: str, request_id: str) -> None:
        """Consume the id. Strict mode gets here only once every credential verified, so a
        rejected request never burns its id; lenient mode serves the request, so it consumes the
        id like any served one (a malformed or missing id has nothing to consume).

        Not ``core.auth.request_id_unused``: its detail is in one language."""
        if request_id and not await self.req.consume_request_id(app_key, request_id):
            self.reject(
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


# -- rejections that need no more of the request than they are given -------------------------------
def request_id_too_long(length: int) -> AppKeyError:
    return AppKeyError(
        400,
        "request_id_format",
        details=both(
            f"x-request-id maksimal 128 karakter, diterima {length}",
            f"x-request-id is at most 128 characters, got {length}",
        ),
        diagnosis={"header": "x-request-id", "length": length, "max": 128},
    )


def not_a_bearer(scheme: str, expected_kind: str) -> AppKeyError:
    # The scheme is shown only when it looks like one: it may be the token itself.
    return AppKeyError(
        401,
        "authorization_scheme",
        diagnosis={
            "scheme": scheme if scheme.isalpha() and len(scheme) <= 16 else None,
            "expected": "Bearer <token>",
            "expected_kind": expected_kind,
        },
    )


def token_tampered(where: str, facts: dict[str, Any]) -> AppKeyError:
    return AppKeyError(
        401,
        "token_tampered",
        details=both(
            f"token di {where} bukan token dari API ini, atau isinya telah diubah "
            "(tanda tangannya tidak cocok)",
            f"the token in {where} is not one this API issued, or it was altered "
            "(its tag does not verify)",
        ),
        diagnosis=facts,
    )


def token_unknown(where: str, facts: dict[str, Any]) -> AppKeyError:
    return AppKeyError(
        401,
        "token_unknown",
        details=both(
            f"token di {where} utuh tetapi tidak tercatat: diterbitkan sebelum sandbox "
            "di-reset; login ulang",
            f"the token in {where} is intact but not on record: it was issued before the "
            "sandbox was reset; log in again",
        ),
        diagnosis=facts,
    )


def token_other_app(where: str, facts: dict[str, Any], app_key: str, issued_to: str) -> AppKeyError:
    return AppKeyError(
        401,
        "token_other_app",
        details=both(
            f"token di {where} diterbitkan untuk x-app-key lain",
            f"the token in {where} was issued to another x-app-key",
        ),
        diagnosis=facts | {"issued_to": issued_to, "presented_with": app_key},
    )


def token_revoked(row: Any, where: str, facts: dict[str, Any]) -> AppKeyError:
    name, at = KIND_NAMES[row.kind], isoformat_z_ts(row.revoked_at)
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
    return AppKeyError(
        401,
        "token_revoked",
        details=details,
        diagnosis=facts
        | {"revoked_at": at, "reason": row.revoked_reason, "revoked_by": revoked_by},
    )


def token_expired(row: Any, where: str, facts: dict[str, Any], now: float) -> AppKeyError:
    """Not ``core.auth.not_expired``: its detail is in one language and its diagnosis lacks which
    header and which kind of token; this one says both, and how to renew, in both languages."""
    name, at, hint = KIND_NAMES[row.kind], isoformat_z_ts(row.expires_at), RENEW_HINT[row.kind]
    ago = int(now - row.expires_at)
    return AppKeyError(
        401,
        "token_expired",
        details=both(
            f"{name['id']} di {where} kedaluwarsa pada {at} menurut jam sandbox "
            f"({ago} detik lalu); {hint['id']}",
            f"the {name['en']} in {where} expired at {at} by the sandbox clock "
            f"({ago} s ago); {hint['en']}",
        ),
        diagnosis=facts
        | {"expired_at": at, "sandbox_now": isoformat_z_ts(now), "expired_seconds_ago": ago},
    )


def key_fingerprint(private_key_sha256: str) -> str:
    """``fingerprint(private_key)`` from the stored SHA-256 alone: ``core.redact.fingerprint`` is
    the first 12 hex digits of the SHA-256, and only that hash is stored, never the key."""
    return "sha256:" + private_key_sha256[:12]


def isoformat_z_ts(timestamp: float) -> str:
    return isoformat_z(datetime.fromtimestamp(timestamp, UTC))
