"""The sandbox's JWTs: HS256 with the sandbox's own key, carrying ``client_id``.

Time checks are the sandbox's, not PyJWT's: PyJWT reads the machine clock, and a test must be able
to advance the sandbox 12 h instead of waiting. So PyJWT verifies the signature and the algorithm
only, and ``exp`` is compared with ``ctx.clock`` here.
"""

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


def read(secret: str, token: str) -> Claims:
    """The claims of a token this sandbox signed, whatever its age; 401 for anything else."""
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
    client_id, exp = payload.get("client_id"), payload.get("exp")
    if not isinstance(client_id, str) or not client_id:
        raise invalid_token("the token carries no client_id claim")
    if not isinstance(exp, int | float) or isinstance(exp, bool):
        raise invalid_token("the token carries no numeric exp claim")
    iat = payload.get("iat")
    issued = int(iat) if isinstance(iat, int | float) and not isinstance(iat, bool) else 0
    return Claims(client_id, issued, int(exp))


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
