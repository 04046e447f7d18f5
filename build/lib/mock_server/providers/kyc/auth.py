"""The bearer check SATUSEHAT's gateway runs before every KYC endpoint, in its order.

1. ``Authorization: Bearer <token>`` present and well-formed   -> 401 fault, ``bearer_missing``
2. the token issued by this sandbox                            -> 401 fault, ``bearer_unknown``
3. the token not expired (by the sandbox clock)                -> 401 fault, ``bearer_expired``
4. its client not deactivated on the control plane             -> 401 fault,
                                                                  ``bearer_client_inactive``

Two paths pass through: the token endpoint (it checks its own form credentials) and the
validation page with its own calls (the browser in the iframe has no bearer; the uuid token in the
URL is its credential).

Each failed check goes through ``req.reject``: it raises in strict mode; in lenient mode it notes
"would have failed" and auth goes on. Without a token, or with one the sandbox never issued, no
check can follow and no client is known, so the request is served as no client (generate-url then
files its session under an empty client id).

Every rejection's journal diagnosis says why: ``reason`` is missing, malformed, unknown, expired
(with when, by the sandbox clock) or client_inactive. Tokens are never echoed, only fingerprinted.
"""

from typing import Any

from mock_server.core import auth
from mock_server.core.context import ANONYMOUS, Principal, RequestContext
from mock_server.core.provider import Authenticate
from mock_server.core.redact import fingerprint
from mock_server.providers.kyc.errors import INVALID_TOKEN, INVALID_TOKEN_FAULT, invalid_token
from mock_server.providers.kyc.signing import TOKEN_PATH, VALIDATION_WEB
from mock_server.providers.kyc.state import TOKEN_LENGTH, KycState

HOW = "send Authorization: Bearer <access_token> from /oauth2/v1/accesstoken"
RENEW = (
    "get a new token from /oauth2/v1/accesstoken; the sandbox clock decides expiry "
    "(GET /__admin/clock)"
)


def build_authenticate(state: KycState) -> Authenticate:
    async def authenticate(req: RequestContext[Any]) -> Principal:
        if req.path == TOKEN_PATH or req.path.startswith(VALIDATION_WEB):
            return ANONYMOUS
        header = req.headers.get("authorization", "").strip()
        scheme, token = auth.parse_bearer(header)
        if not token:
            # The rule stays bearer_missing for both (as the journal has always said); the
            # diagnosis tells an absent header from a malformed one.
            req.reject(invalid_token("bearer_missing", HOW, _missing(header, scheme)))
            return ANONYMOUS  # no token: nothing else to check, no client to name
        row = state.bearer(token)
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
            return ANONYMOUS  # no row: neither expiry nor client can be checked
        req.identify(row.client_id)
        auth.not_expired(
            req,
            row.expires_at,
            status=401,
            rule="bearer_expired",
            message=INVALID_TOKEN,
            what="the access token",
            renew=RENEW,
            issued_at=row.issued_at,
            body=INVALID_TOKEN_FAULT,
        )
        if not row.active:
            req.reject(
                invalid_token(
                    "bearer_client_inactive",
                    f"client {row.client_id!r} was deactivated; its tokens no longer work",
                    {"reason": "client_inactive", "client_id": row.client_id},
                )
            )
        return Principal(str(row.client_id), "bearer")

    return authenticate


def _missing(header: str, scheme: str) -> dict[str, Any]:
    """An absent header, or one that is not ``Bearer <token>``."""
    if not header:
        return {"reason": "missing"}
    return {
        "reason": "malformed",
        "scheme": scheme[:32],
        "expected": "Bearer <access_token>",
        "hint": "the Bearer scheme has no token after it"
        if scheme.lower() == "bearer"
        else f"the scheme is {scheme[:32]!r}; the gateway takes only Bearer",
    }


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
