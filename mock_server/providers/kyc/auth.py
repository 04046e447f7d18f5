"""The bearer check SATUSEHAT's gateway runs before every KYC endpoint.

Missing, malformed, unknown or expired ``Authorization: Bearer``, or a token whose client was
deactivated on the control plane -> 401 with the documented ``fault``. Two paths pass through:
the token endpoint (it checks its own form credentials) and the validation page with its own
calls (the browser in the iframe has no bearer; the uuid token in the URL is its credential).

Each failed check goes through ``req.reject``: it raises in strict mode; in lenient mode it notes
"would have failed" and auth goes on. Without a token, or with one the sandbox never issued, no
check can follow and no client is known, so auth returns None and the handler runs without a
client (generate-url then files its session under an empty client id).

Every rejection's journal diagnosis says why: ``reason`` is missing, malformed, unknown, expired
(with when, by the sandbox clock) or client_inactive. Tokens are never echoed, only fingerprinted.
"""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, select

from mock_server.core.clock import isoformat_z
from mock_server.core.pipeline import Incoming
from mock_server.core.provider import Authenticate, ProviderContext
from mock_server.core.redact import fingerprint
from mock_server.providers.kyc.errors import TOKEN_PATH, invalid_token
from mock_server.providers.kyc.models import KycClient, KycToken

VALIDATION_WEB = "/kyc/v1/validation-web/"
TOKEN_LENGTH = 28  # what issue_token hands out: 28 letters and digits, as Apigee's tokens
HOW = "send Authorization: Bearer <access_token> from /oauth2/v1/accesstoken"


def _iso(timestamp: float) -> str:
    return isoformat_z(datetime.fromtimestamp(timestamp, UTC))


def _shape_hints(token: str) -> list[str]:
    """Why a token the sandbox never issued may look wrong (the common copy-paste slips)."""
    hints = []
    if token.lower().startswith("bearer"):
        hints.append("the word Bearer appears twice; send 'Bearer <token>' once")
    if token[:1] in "\"'" or token[-1:] in "\"'":
        hints.append("the token is quoted; send it without quotes")
    if len(token) != TOKEN_LENGTH or not token.isascii() or not token.isalnum():
        hints.append(
            f"sandbox tokens are {TOKEN_LENGTH} letters and digits; this one is "
            f"{len(token)} characters" + ("" if token.isalnum() else " with other characters")
        )
    if not hints:
        hints.append(
            "well-formed but never issued here: from another environment, or issued before "
            "a reset of the sandbox"
        )
    return hints


def build_authenticate(ctx: ProviderContext) -> Authenticate:
    tokens = KycToken.__table__
    clients = KycClient.__table__
    # One lookup gives the token and whether its client is still active.
    select_token = ctx.db.prepare(
        select(
            tokens.c.client_id,  # type: ignore[attr-defined]
            tokens.c.issued_at,  # type: ignore[attr-defined]
            tokens.c.expires_at,  # type: ignore[attr-defined]
            clients.c.active,  # type: ignore[attr-defined]
        )
        .select_from(tokens.join(clients))  # type: ignore[attr-defined]
        .where(tokens.c.access_token == bindparam("token"))  # type: ignore[attr-defined]
    )

    async def authenticate(req: Incoming) -> str | None:
        if req.path == TOKEN_PATH or req.path.startswith(VALIDATION_WEB):
            return None
        header = req.headers.get("authorization", "").strip()
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            # The rule stays bearer_missing for both (as the journal has always said); the
            # diagnosis tells an absent header from a malformed one.
            diagnosis: dict[str, Any] = {"reason": "missing" if not header else "malformed"}
            if header:
                diagnosis["scheme"] = scheme[:32]
                diagnosis["expected"] = "Bearer <access_token>"
                diagnosis["hint"] = (
                    "the Bearer scheme has no token after it"
                    if scheme.lower() == "bearer"
                    else f"the scheme is {scheme[:32]!r}; the gateway takes only Bearer"
                )
            req.reject(invalid_token("bearer_missing", HOW, diagnosis))
            return None  # no token: nothing else to check, no client to name
        row = select_token.first(token=token)
        if row is None:
            req.reject(
                invalid_token(
                    "bearer_unknown",
                    "this access token was never issued by the sandbox",
                    {
                        "reason": "unknown",
                        "token_fingerprint": fingerprint(token),
                        "hints": _shape_hints(token),
                    },
                )
            )
            return None  # no row: neither expiry nor client can be checked
        req.record.client_id = row.client_id
        now = ctx.clock.timestamp()
        if now >= row.expires_at:
            req.reject(
                invalid_token(
                    "bearer_expired",
                    f"the access token expired {now - row.expires_at:.0f} s ago (sandbox clock)",
                    {
                        "reason": "expired",
                        "issued_at": _iso(row.issued_at),
                        "expired_at": _iso(row.expires_at),
                        "sandbox_now": _iso(now),
                        "expired_seconds_ago": round(now - row.expires_at),
                        "hint": "get a new token from /oauth2/v1/accesstoken; the sandbox clock "
                        "decides expiry (GET /__admin/clock)",
                    },
                )
            )
        if not row.active:
            req.reject(
                invalid_token(
                    "bearer_client_inactive",
                    f"client {row.client_id!r} was deactivated; its tokens no longer work",
                    {"reason": "client_inactive", "client_id": row.client_id},
                )
            )
        return str(row.client_id)

    return authenticate
