"""The sandbox's JWTs: HS256 with the sandbox's own key, carrying ``client_id``.

Time checks are the sandbox's, not PyJWT's: PyJWT reads the machine clock, and a test must be able
to advance the sandbox 12 h instead of waiting. So PyJWT verifies the signature and the algorithm
only; here ``exp``, ``iat`` and ``nbf`` are read as PyJWT reads them (whole numbers: NaN, infinity
and ``1e400`` are refused) and ``iat``/``nbf`` are compared with the sandbox's now, as PyJWT
compares them with its own (a token from the future is not yet valid). ``exp`` is the caller's:
an expired token is still read, since refresh accepts one.
"""

import math
import secrets
from dataclasses import dataclass
from typing import Any

import jwt
from jwt.types import Options

from mock_server.core.errors import ProviderError

ALGORITHM = "HS256"
_NO_TIME_CHECKS: Options = {"verify_exp": False, "verify_iat": False, "verify_nbf": False}


@dataclass(frozen=True)
class Claims:
    client_id: str
    issued_at: int
    expires_at: int


def issue(secret: str, client_id: str, now: float, lifetime: int) -> tuple[str, int]:
    issued_at = int(now)
    expires_at = issued_at + lifetime
    payload = {
        "sub": client_id,
        "client_id": client_id,
        "iat": issued_at,
        "exp": expires_at,
        "jti": secrets.token_hex(8),  # two tokens issued in the same second still differ
    }
    return jwt.encode(payload, secret, algorithm=ALGORITHM), expires_at


def invalid_token(detail: str, rule: str = "token") -> ProviderError:
    return ProviderError(401, rule, "Invalid token", detail=detail)


def numeric_date(payload: dict[str, Any], claim: str) -> int | None:
    """A NumericDate claim as PyJWT accepts it (a finite number, read as whole seconds), None
    when absent. PyJWT's own words for the refusal."""
    value = payload.get(claim)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise invalid_token(f"the token's {claim} claim must be an integer (a NumericDate)")
    if abs(value) > 2**53:  # beyond any date, and beyond a 64-bit column
        raise invalid_token(f"the token's {claim} claim is not a date")
    return int(value)


def read(secret: str, token: str, now: float, leeway: float = 0) -> Claims:
    """The claims of a token this sandbox signed, whatever its age, once it is valid (not before
    its ``nbf`` or ``iat`` by the sandbox clock, give or take ``leeway`` seconds, as PyJWT's
    option of that name); 401 for anything else."""
    if not token or token.count(".") != 2:
        raise invalid_token("the token is not a JWT (three base64url parts separated by dots)")
    try:
        # Only HS256 is allowed, so alg none and every other algorithm fail here, unverified.
        payload: dict[str, Any] = jwt.decode(
            token, secret, algorithms=[ALGORITHM], options=_NO_TIME_CHECKS
        )
    except jwt.InvalidAlgorithmError:
        raise _wrong_algorithm(token) from None
    except jwt.InvalidSignatureError:
        raise invalid_token(
            "the token's signature does not verify: it was altered, or not issued by this sandbox"
        ) from None
    except jwt.InvalidTokenError as exc:
        raise invalid_token(f"the token cannot be read: {exc}") from None
    client_id = payload.get("client_id")
    if not isinstance(client_id, str) or not client_id:
        raise invalid_token("the token carries no client_id claim")
    exp, iat, nbf = (numeric_date(payload, claim) for claim in ("exp", "iat", "nbf"))
    if exp is None:
        raise invalid_token("the token carries no numeric exp claim")
    for claim, value in (("nbf", nbf), ("iat", iat)):
        if value is not None and value > now + leeway:
            raise invalid_token(
                f"the token is not yet valid ({claim}): its {claim} is {value - now:.0f} s "
                f"ahead of the sandbox clock; allowed: {leeway:g} s",
                rule="token_not_yet_valid",
            )
    return Claims(client_id, iat or 0, exp)


def _wrong_algorithm(token: str) -> ProviderError:
    """Say which algorithm was refused (the failure path only reads the header twice)."""
    try:
        alg = jwt.get_unverified_header(token).get("alg")
    except jwt.InvalidTokenError:
        alg = None
    if not isinstance(alg, str) or alg.lower() == "none":
        return invalid_token(
            "unsigned tokens (alg none) are refused; use the token from /api/v1/auth/login"
        )
    return invalid_token(f"the token is signed with {alg[:20]}; this API issues HS256 tokens only")


def unverified_client_id(authorization: str) -> str | None:
    """The ``client_id`` a bearer token claims, without verifying it: lenient mode only, to name
    the caller of a request whose token failed (never to grant anything strict mode refuses)."""
    token = authorization.strip().rpartition(" ")[2]
    try:
        payload = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        return None
    client_id = payload.get("client_id") if isinstance(payload, dict) else None
    return client_id if isinstance(client_id, str) and client_id else None
